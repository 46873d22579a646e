"""`comptoir serve --workers N` binds its sockets as TCP, so that asyncio turns Nagle's
algorithm off on every connection (uvicorn's own bind left it on: ~40 ms per keep-alive
answer), and gives each worker process a socket of its own on the same port, so that the
kernel spreads connections over the processes (api/listening.py)."""

from __future__ import annotations

import asyncio
import pickle
import socket

from api.listening import TcpConfig


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


def test_each_process_gets_its_own_socket_and_connections_are_spread() -> None:
    supervisor = TcpConfig("api.main:create_app", factory=True, host="127.0.0.1",
                           port=0).bind_socket()
    address = supervisor.getsockname()
    # What a worker process receives: a new socket on the same address, not a copy.
    workers = [pickle.loads(pickle.dumps(supervisor)) for _ in range(2)]  # noqa: S301
    assert [w.getsockname() for w in workers] == [address, address]
    assert len({supervisor.fileno(), *(w.fileno() for w in workers)}) == 3
    for worker in workers:
        worker.listen(64)
        worker.setblocking(False)
    clients = [socket.create_connection(address) for _ in range(40)]
    accepted = [0, 0]
    try:
        for n, worker in enumerate(workers):
            while True:
                try:
                    conn, _ = worker.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted[n] += 1
    finally:
        for sock in [*clients, *workers, supervisor]:
            sock.close()
    assert sum(accepted) == 40  # the supervisor's socket, never listening, took none
    assert min(accepted) > 0  # both processes' sockets were given connections
