"""Annotated dependencies: what routes receive, never how it is built."""

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

_bearer = HTTPBearer(auto_error=False, description="JWT issued by `comptoir token issue`")
_KEY = re.compile(r"^[\x21-\x7e]{1,%d}$" % MAX_KEY)


def container(request: Request) -> Container:
    return request.app.state.container


def actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        if request.headers.get("authorization"):
            raise HTTPProblem(401, "unauthenticated", "token_invalid")
        return Actor.anonymous()
    try:
        return container(request).tokens.verify(credentials.credentials)
    except TokenError:
        raise HTTPProblem(401, "unauthenticated", "token_invalid") from None


def idempotency_key(
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
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


def merchants(request: Request) -> Merchants:
    return container(request).merchants


def catalog(request: Request) -> Catalog:
    return container(request).catalog


MerchantsDep = Annotated[Merchants, Depends(merchants)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
