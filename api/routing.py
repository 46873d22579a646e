"""Routes whose plain `def` endpoint costs one trip to a worker thread, not two.

FastAPI runs a `def` endpoint in the thread pool, then, because the endpoint was not a
coroutine, validates what it returned against the response model in a SECOND trip to the pool
(fastapi/routing.py, `serialize_response`). Each trip is a hand-over between threads under the
GIL: about 0.1 ms on these machines, a fifth of what a stock update costs outside its use case.
`OneHopRoute` wraps such an endpoint in a coroutine that runs it in the pool once; FastAPI then
validates on the event loop, where the model is already built. What the endpoint receives
(its dependencies, its signature, its OpenAPI) is unchanged: FastAPI reads the signature
through `__wrapped__`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool


class OneHopRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _in_one_hop(endpoint), **kwargs)


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(endpoint) \
            or inspect.isasyncgenfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def in_the_pool(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return in_the_pool
