"""Annotated dependencies: what routes receive, never how it is built.

They are `async def` although none awaits: FastAPI runs a plain `def` dependency in the thread
pool, a thread hop per dependency per request; these only read app state and verify a token.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import TokenError
from api.container import Container
from api.problems import HTTPProblem
from application.actors import Actor
from application.catalog import Catalog
from application.idempotency import MAX_KEY, IdempotencyKey
from application.merchants import Merchants
from projections.search.query import SearchReader

_bearer = HTTPBearer(auto_error=False, description="JWT issued by `comptoir token issue`")
_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_KEY}}}$")


async def container(request: Request) -> Container:
    return request.app.state.container


async def actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        if request.headers.get("authorization"):
            raise HTTPProblem(401, "unauthenticated", "token_invalid")
        return Actor.anonymous()
    try:
        return request.app.state.container.tokens.verify(credentials.credentials)
    except TokenError:
        raise HTTPProblem(401, "unauthenticated", "token_invalid") from None


async def signed_in_actor(actor: Annotated[Actor, Depends(actor)]) -> Actor:
    """For operations that need a role: an anonymous call is refused before any lookup."""
    actor.require_signed_in()
    return actor


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(description="Makes a creation safe to retry: same key and body, same result."),
    ] = None,
) -> str | None:
    if idempotency_key is not None and not _KEY.match(idempotency_key):
        raise HTTPProblem(422, "validation-failed", "idempotency_key_invalid")
    return idempotency_key


def keyed(key: str | None, actor: Actor, operation: str, request: object) -> IdempotencyKey | None:
    if key is None:
        return None
    return IdempotencyKey.of(key, operation=operation, subject=actor.subject, request=request)


ContainerDep = Annotated[Container, Depends(container)]
ActorDep = Annotated[Actor, Depends(actor)]
SignedInDep = Annotated[Actor, Depends(signed_in_actor)]
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


async def merchants(request: Request) -> Merchants:
    return request.app.state.container.merchants


async def catalog(request: Request) -> Catalog:
    return request.app.state.container.catalog


async def search(request: Request) -> SearchReader:
    return request.app.state.container.search


MerchantsDep = Annotated[Merchants, Depends(merchants)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
SearchDep = Annotated[SearchReader, Depends(search)]
