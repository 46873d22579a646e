"""Annotated dependencies: what routes receive, never how it is built.

They are `async def` although none awaits: FastAPI runs a plain `def` dependency in the thread
pool, a thread hop per dependency per request; these only read app state and verify a token.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import TokenError
from api.problems import HTTPProblem
from api.settings import Settings
from application.actors import Actor
from application.audit import Audit
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.consumers import Consumers
from application.idempotency import MAX_KEY, IdempotencyKey
from application.insights import Insights
from application.merchant_pages import MerchantPages
from application.merchants import Merchants
from application.orders import Orders
from application.payout_statements import PayoutStatements
from application.payouts import Payouts
from application.ports import WebhookVerifier
from application.privacy import Privacy
from application.storefronts import Storefronts
from application.webhooks import Webhooks
from projections.search.query import SearchReader
from projections.workers import Projections

_bearer = HTTPBearer(auto_error=False, description="JWT issued by `comptoir token issue`")
_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_KEY}}}$")


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


ActorDep = Annotated[Actor, Depends(actor)]
SignedInDep = Annotated[Actor, Depends(signed_in_actor)]
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]


def _part(name: str) -> Any:
    """A dependency that hands a route one part of the wired application, by name: routes
    name what they use, never the container."""
    async def part(request: Request) -> Any:
        return getattr(request.app.state.container, name)

    part.__name__ = name
    return Depends(part)


SettingsDep = Annotated[Settings, _part("settings")]
MerchantsDep = Annotated[Merchants, _part("merchants")]
CatalogDep = Annotated[Catalog, _part("catalog")]
SearchDep = Annotated[SearchReader, _part("search")]
StorefrontsDep = Annotated[Storefronts, _part("storefronts")]
ConsumersDep = Annotated[Consumers, _part("consumers")]
CartsDep = Annotated[Carts, _part("carts")]
CheckoutDep = Annotated[Checkout, _part("checkout")]
OrdersDep = Annotated[Orders, _part("orders")]
PayoutsDep = Annotated[Payouts, _part("payouts")]
PayoutStatementsDep = Annotated[PayoutStatements, _part("payout_statements")]
WebhooksDep = Annotated[Webhooks, _part("webhooks")]
WebhookVerifierDep = Annotated[WebhookVerifier | None, _part("stripe_webhooks")]
InsightsDep = Annotated[Insights, _part("insights")]
PrivacyDep = Annotated[Privacy, _part("privacy")]
AuditDep = Annotated[Audit, _part("audit")]
ProjectionsDep = Annotated[Projections, _part("projections")]
MerchantPagesDep = Annotated[MerchantPages, _part("merchant_pages")]
