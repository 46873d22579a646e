"""Annotated dependencies: what routes receive, never how it is built.

They are `async def`: FastAPI runs a plain `def` dependency in the thread pool, a thread hop
per dependency per request, and most only read app state; `actor` hops only when it must read
a session, a key or an account (a token of ours is checked on the loop).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import Tokens
from api.authentication import SESSION_COOKIE, Authenticator, NotAuthenticatedError
from api.problems import HTTPProblem
from api.settings import Settings
from application.accounts import Accounts, SessionStore
from application.actors import Actor
from application.api_keys import ApiKeys
from application.audit import Audit
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.commission_rules import CommissionRules
from application.consumers import Consumers
from application.errors import TooManyAttemptsError
from application.idempotency import MAX_KEY, IdempotencyKey
from application.images import Images
from application.insights import Insights
from application.listing_import import ListingImports
from application.lists import Lists
from application.merchant_pages import MerchantPages
from application.merchant_profiles import MerchantProfiles
from application.merchants import Merchants
from application.notifications.mailer import DevMailbox
from application.orders import Orders
from application.payout_statements import PayoutStatements
from application.payouts import Payouts
from application.ports import WebhookVerifier
from application.privacy import Privacy
from application.stock_feed import StockFeeds
from application.storefronts import Storefronts
from application.webhook_endpoints import WebhookEndpoints
from application.webhooks import Webhooks
from projections.search.query import SearchReader
from projections.workers import Projections

_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_KEY}}}$")


_bearer = HTTPBearer(auto_error=False, description="An access token (sign-in or "
                     "`comptoir token issue`), an API key `ck_…`, or the staff's SSO token")


async def actor(request: Request,
                _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    """Who calls: a bearer token, an API key, or a browser's session — or nobody."""
    authorization = request.headers.get("authorization")
    if not authorization and SESSION_COOKIE not in request.cookies:
        return Actor.anonymous()
    authenticator = request.app.state.container.authenticator
    try:
        if (known := authenticator.known_actor(request)) is not None:
            return known  # told here, without a hop to a thread
        # Sessions, keys and epochs may be read from the database: off the event loop.
        return await run_in_threadpool(authenticator.actor, request)
    except NotAuthenticatedError:
        raise HTTPProblem(401, "unauthenticated", "token_invalid") from None


async def client(request: Request) -> str:
    """The calling client, as rate limits count it: a keyed hash of its address (never the
    address, which is personal data)."""
    host = request.client.host if request.client else "unknown"
    return request.app.state.container.accounts.client_index(host)


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
StockFeedsDep = Annotated[StockFeeds, _part("stock_feeds")]
ListingImportsDep = Annotated[ListingImports, _part("listing_imports")]
SearchDep = Annotated[SearchReader, _part("search")]
StorefrontsDep = Annotated[Storefronts, _part("storefronts")]
ConsumersDep = Annotated[Consumers, _part("consumers")]
CartsDep = Annotated[Carts, _part("carts")]
CheckoutDep = Annotated[Checkout, _part("checkout")]
CommissionRulesDep = Annotated[CommissionRules, _part("commission_rules")]
OrdersDep = Annotated[Orders, _part("orders")]
PayoutsDep = Annotated[Payouts, _part("payouts")]
PayoutStatementsDep = Annotated[PayoutStatements, _part("payout_statements")]
WebhooksDep = Annotated[Webhooks, _part("webhooks")]
WebhookVerifierDep = Annotated[WebhookVerifier | None, _part("stripe_webhooks")]
WebhookEndpointsDep = Annotated[WebhookEndpoints, _part("webhook_endpoints")]  # outbound
InsightsDep = Annotated[Insights, _part("insights")]
ListsDep = Annotated[Lists, _part("lists")]
PrivacyDep = Annotated[Privacy, _part("privacy")]
AuditDep = Annotated[Audit, _part("audit")]
ProjectionsDep = Annotated[Projections, _part("projections")]
AccountsDep = Annotated[Accounts, _part("accounts")]
ApiKeysDep = Annotated[ApiKeys, _part("api_keys")]
SessionsDep = Annotated[SessionStore, _part("sessions")]
AuthenticatorDep = Annotated[Authenticator, _part("authenticator")]
TokensDep = Annotated[Tokens, _part("tokens")]
ClientDep = Annotated[str, Depends(client)]


def limited(rule: str, anonymous_only: bool = False) -> Any:
    """A dependency that counts the call against a rate-limit rule for its client (429 with
    Retry-After past it). `anonymous_only`: signed-in callers are not counted."""
    async def count(request: Request, client_key: ClientDep, who: ActorDep) -> None:
        if anonymous_only and not who.is_anonymous:
            return
        limits = request.app.state.container.rate_limits
        wait = await run_in_threadpool(limits.hit, rule, client_key)
        if wait is not None:
            raise TooManyAttemptsError(wait)

    return Depends(count)
MerchantPagesDep = Annotated[MerchantPages, _part("merchant_pages")]
MerchantProfilesDep = Annotated[MerchantProfiles, _part("merchant_profiles")]
ImagesDep = Annotated[Images, _part("images")]
DevMailboxDep = Annotated[DevMailbox | None, _part("dev_mailbox")]
