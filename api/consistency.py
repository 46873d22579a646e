"""`Prefer: read-your-writes`: the answer reflects every event committed before it.

Read models follow the log asynchronously. With this preference, a write answers only once the
read models have caught up with it, and a read waits for them to reach the log's head as it was
when the request arrived; `Preference-Applied: read-your-writes` says it happened within the
configured timeout (a preference is a hint: a late answer still comes, without that header).
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread

PREFERENCE = b"read-your-writes"


class ReadYourWrites:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        prefer = dict(scope.get("headers", [])).get(b"prefer", b"") if scope["type"] == "http" \
            else b""
        if PREFERENCE not in prefer.lower():
            await self.app(scope, receive, send)
            return
        container = scope["app"].state.container
        timeout = container.settings.read_your_writes_timeout

        async def caught_up() -> bool:
            head = await to_thread.run_sync(container.app.log_position)
            return await to_thread.run_sync(container.projections.wait_for, head, timeout)

        if scope["method"] in ("GET", "HEAD"):
            applied = await caught_up()
            await self.app(scope, receive, _with_applied(send, lambda: applied))
            return

        async def send_after_catching_up(message: dict) -> None:
            starts = message["type"] == "http.response.start" and message["status"] < 400
            if starts and await caught_up():
                message["headers"] = [*message.get("headers", []),
                                      (b"preference-applied", PREFERENCE)]
            await send(message)

        await self.app(scope, receive, send_after_catching_up)


def _with_applied(send: Any, applied: Any) -> Any:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start" and applied():
            message["headers"] = [*message.get("headers", []), (b"preference-applied", PREFERENCE)]
        await send(message)

    return wrapped
