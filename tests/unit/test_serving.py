"""`comptoir serve --workers N` binds the socket its processes share as TCP, so that asyncio
turns Nagle's algorithm off on every connection (uvicorn's own bind left it on: ~40 ms per
keep-alive answer)."""

from __future__ import annotations

import asyncio
import socket

from api.cli import TcpConfig


def test_the_shared_socket_is_tcp_and_its_connections_send_at_once() -> None:
    config = TcpConfig("api.main:create_app", factory=True, host="127.0.0.1", port=0)
    listener = config.bind_socket()
    listener.listen()
    assert listener.proto == socket.IPPROTO_TCP

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            return await asyncio.wait_for(seen, 5)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accepted_nodelay()) == 1
