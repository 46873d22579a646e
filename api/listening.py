"""The listening sockets of `comptoir serve --workers N`: one per process, as TCP.

uvicorn binds one socket in the supervisor and hands it to every worker process; whichever
process is idle first accepts. Clients that keep their connections alive then stay where they
landed: measured with 16 keep-alive clients on 2 processes, one process served 88 % of the
requests while the other idled. Here each worker process binds its own socket with
SO_REUSEPORT and the kernel spreads new connections over them (as nginx's `reuseport` and
gunicorn's `--reuse-port` do). The supervisor's socket is bound, never listened on, so the
kernel never gives it a connection: it only reserves the port and reports a port in use at
start.

Each socket is made as TCP, naming the protocol: asyncio turns Nagle's algorithm off only on
sockets that say IPPROTO_TCP, and uvicorn's own bind did not (every keep-alive answer then
waited ~40 ms for the client's delayed ACK; uvicorn issue #3149).
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn


def tcp_socket(host: str, port: int) -> socket.socket:
    """Bound (not listening), TCP, sharing its port with the other processes' sockets."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class SocketPerProcess(socket.socket):
    """Handed to uvicorn's supervisor as "the" socket: sent to a worker process (pickled by
    multiprocessing's spawn), it arrives as a new socket bound to the same address."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, tuple[str, int]]:
        host, port = self.getsockname()[:2]
        return tcp_socket, (host, port)


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = tcp_socket(self.host, self.port)
        shared = SocketPerProcess(sock.family, sock.type, sock.proto, fileno=sock.detach())
        shared.set_inheritable(True)
        return shared
