"""POSTing webhooks with httpx, to public addresses only (application.webhook_delivery's
`WebhookTransport`).

Against server-side request forgery, a URL's check at registration is not enough: a name may
resolve to 127.0.0.1 or 169.254.169.254 later (DNS rebinding). So every attempt resolves the
host itself, refuses it if any address is not global, and connects to the address it checked
(TLS still verifies the certificate against the name, sent as SNI). Redirects are not
followed; the response body is never read. In development (`allow_private`) URLs are used as
they are, so that a receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx

from application.webhook_delivery import PostOutcome

Resolver = Callable[[str, int], list[str]]


class AddressNotAllowedError(Exception):
    pass


def resolve(host: str, port: int) -> list[str]:
    return list(dict.fromkeys(
        str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def is_global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class HttpxWebhookTransport:
    def __init__(self, timeout: float, allow_private: bool,
                 resolver: Resolver = resolve) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                                   trust_env=False)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostOutcome:
        started = time.monotonic()

        def outcome(status: int | None, error: str | None) -> PostOutcome:
            return PostOutcome(status, error, round((time.monotonic() - started) * 1000))

        try:
            target, extra, extensions = self._target(url)
            with self.client.stream("POST", target, content=body, headers={**headers, **extra},
                                    extensions=extensions) as response:
                return outcome(response.status_code, None)
        except AddressNotAllowedError:
            return outcome(None, "address_not_allowed")
        except httpx.TimeoutException:
            return outcome(None, "timeout")
        except (httpx.ConnectError, socket.gaierror):
            return outcome(None, "connection_failed")
        except (httpx.HTTPError, OSError, ValueError) as error:
            return outcome(None, f"request_failed: {type(error).__name__}")

    def _target(self, url: str) -> tuple[httpx.URL | str, dict[str, str], dict[str, Any]]:
        """The address to connect to, and the Host header and SNI name that go with it."""
        if self.allow_private:
            return url, {}, {}
        parsed = httpx.URL(url)
        host = parsed.host
        addresses = self.resolver(host, parsed.port or (443 if parsed.scheme == "https" else 80))
        if not addresses or not all(is_global(a) for a in addresses):
            raise AddressNotAllowedError(host)
        try:
            ipaddress.ip_address(host)
            sni: dict[str, Any] = {}
        except ValueError:
            sni = {"sni_hostname": host}
        return (parsed.copy_with(host=addresses[0]), {"host": parsed.netloc.decode("ascii")},
                sni)

    def close(self) -> None:
        self.client.close()
