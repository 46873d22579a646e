"""POSTing webhooks with httpx, to public addresses only (application.webhook_delivery's
`WebhookTransport`).

Against server-side request forgery, a URL's check at registration is not enough: a name may
resolve to 127.0.0.1 or 169.254.169.254 later (DNS rebinding). So every attempt resolves the
host itself, refuses it if any address is not global, and connects to the address it checked
(TLS still verifies the certificate against the name, sent as SNI). Redirects are not
followed; the response body is never read; an attempt ends at its timeout however slowly the
receiver answers. In development (`allow_private`) URLs are used as
they are, so that a receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache
from typing import Any

import httpcore
import httpx

from application.webhook_delivery import PostOutcome

Resolver = Callable[[str, int], list[str]]


class AddressNotAllowedError(Exception):
    pass


def resolve(host: str, port: int) -> list[str]:
    return list(dict.fromkeys(
        str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
IPV4_SPECIAL = ipaddress.IPv4Network("192.0.0.0/24")  # IETF protocol assignments (RFC 6890)


def is_global(address: str) -> bool:
    """Reachable on the public Internet, also once an IPv4 address hidden in an IPv6 one
    (mapped, 6to4, NAT64) is taken out: each of those can lead to 169.254.169.254."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if isinstance(ip, ipaddress.IPv4Address) and ip in IPV4_SPECIAL:
        return False
    return ip.is_global and not ip.is_multicast


# The end of the current attempt (time.monotonic()), for the connections' reads and writes.
_deadline: ContextVar[float | None] = ContextVar("webhook_attempt_deadline", default=None)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """What is left of `timeout` before the attempt's deadline; `error` once it has passed."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's time is up")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write stops at the attempt's deadline: httpx's
    timeouts are per read, so a receiver answering a byte at a time would otherwise hold a
    sender (shared by every merchant) for as long as it likes."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(super().connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))


@cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's roots), loaded once per process: loading the
    roots takes ~13 ms, and an SSLContext is safe to share between clients and threads."""
    return httpx.create_ssl_context(trust_env=False)


class HttpxWebhookTransport:
    def __init__(self, timeout: float, allow_private: bool,
                 resolver: Resolver = resolve) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.timeout = timeout
        context = _ssl_context()
        transport = httpx.HTTPTransport(verify=context, trust_env=False)
        # httpx's own pool, but over connections that honour the attempt's deadline.
        transport._pool = httpcore.ConnectionPool(  # noqa: SLF001
            ssl_context=context, network_backend=_DeadlineBackend())
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                                   trust_env=False, transport=transport)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostOutcome:
        started = time.monotonic()

        def outcome(status: int | None, error: str | None) -> PostOutcome:
            return PostOutcome(status, error, round((time.monotonic() - started) * 1000))

        deadline = _deadline.set(started + self.timeout)  # the whole attempt, not each read
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
        finally:
            _deadline.reset(deadline)

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
