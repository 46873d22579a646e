"""Accounts: sign-up, verification, sign-in (a session for browsers, a short-lived token for
programs), passwords, roles, merchants' people and API keys (docs/accounts.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from api.authentication import SESSION_COOKIE
from api.deps import (
    AccountsDep,
    ApiKeysDep,
    AuthenticatorDep,
    ClientDep,
    SessionsDep,
    SettingsDep,
    SignedInDep,
    TokensDep,
)
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.common import Input
from application.accounts import Identity
from domain.account import MAX_PASSWORD, StaffRole

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["accounts"],
                   responses=PROBLEM_RESPONSES)
Password = Field(min_length=1, max_length=MAX_PASSWORD)


class SignUpIn(Input):
    email: str = Field(max_length=254, examples=["camille@courriel.example"])
    password: str = Password
    language: Literal["fr", "en"] = "fr"


class Accepted(BaseModel):
    status: Literal["check_your_mail"] = "check_your_mail"


class TokenIn(Input):
    token: str = Field(max_length=2000)


class SignInIn(Input):
    email: str = Field(max_length=254)
    password: str = Password
    role: Literal["consumer", "merchant", "validator", "auditor", "admin"] | None = Field(
        None, description="Default: staff first, then the account's only merchant, then "
                          "consumer")
    merchant_id: UUID | None = None


class SignedIn(BaseModel):
    account_id: UUID
    role: str
    merchant_id: UUID | None
    access_token: str = Field(description="A bearer token for programs (short-lived)")
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds")
    csrf_token: str = Field(description="Send it back as X-CSRFToken with the session cookie")


class PasswordChangeIn(Input):
    current_password: str = Password
    new_password: str = Password


class ResetIn(Input):
    email: str = Field(max_length=254)


class ResetDoneIn(Input):
    token: str = Field(max_length=2000)
    new_password: str = Password


class LanguageIn(Input):
    language: Literal["fr", "en"]


class AccountOut(BaseModel):
    id: UUID
    email: str | None
    verified: bool
    language: str
    roles: list[str]
    merchants: dict[UUID, str]


class RoleIn(Input):
    email: str = Field(max_length=254)
    role: StaffRole


class MemberOut(BaseModel):
    id: UUID = Field(description="The person's account id")
    email: str | None = Field(description="None once the person is erased")
    membership: Literal["owner", "member"]


class InvitationIn(Input):
    email: str = Field(max_length=254)


class ApiKeyIn(Input):
    name: str = Field(min_length=1, max_length=80, examples=["Caisse du magasin"])


class ApiKeyOut(BaseModel):
    id: UUID
    merchant_id: UUID
    name: str
    revoked: bool
    key: str | None = Field(None, description="Only in the answer that made it: keep it")


# -- signing up ---------------------------------------------------------------------------------

@router.post("/accounts", status_code=202, operation_id="signUp",
             summary="Sign up: a verification mail follows (the answer is the same for an "
                     "address that already has an account)")
def sign_up(body: SignUpIn, accounts: AccountsDep, client: ClientDep) -> Accepted:
    accounts.sign_up(body.email, body.password, body.language, client)
    return Accepted()


@router.post("/accounts/email-verification", operation_id="verifyEmail",
             summary="Confirm the address with the token of the mail's link")
def verify_email(body: TokenIn, accounts: AccountsDep) -> dict[str, bool]:
    accounts.verify_email(body.token)
    return {"verified": True}


@router.get("/accounts/email-verification", operation_id="verifyEmailByLink",
            summary="The link of the verification mail (a browser is sent to the shop's page)",
            response_model=dict[str, bool],
            responses={303: {"description": "A browser (Accept: text/html): the shop's page"}})
def verify_email_by_link(token: str, accounts: AccountsDep, request: Request) -> Any:
    if "text/html" in request.headers.get("accept", ""):  # a person clicked the mail's link
        return RedirectResponse(f"/compte/verification?{urlencode({'token': token[:2000]})}",
                                status_code=303)
    accounts.verify_email(token[:2000])
    return {"verified": True}


# -- sessions -----------------------------------------------------------------------------------

@router.post("/sessions", status_code=201, operation_id="signIn",
             summary="Sign in: a session cookie for browsers and an access token")
def sign_in(body: SignInIn, request: Request, response: Response, accounts: AccountsDep,
            sessions: SessionsDep, tokens: TokensDep, settings: SettingsDep,
            client: ClientDep) -> SignedIn:
    identity = accounts.sign_in(body.email, body.password, client, body.role, body.merchant_id)
    ttl = timedelta(minutes=settings.access_token_minutes)
    _open_session(response, sessions.open(identity), settings)
    return SignedIn(
        account_id=identity.account_id, role=str(identity.role),
        merchant_id=identity.merchant_id, expires_in=int(ttl.total_seconds()),
        access_token=tokens.issue(identity.role, subject=identity.account_id,
                                  merchant_id=identity.merchant_id, ttl=ttl,
                                  epoch=identity.epoch),
        csrf_token=_csrf(request))


@router.delete("/sessions/current", status_code=204, operation_id="signOut",
               summary="Sign out of this browser session")
def sign_out(request: Request, response: Response, sessions: SessionsDep) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.close(token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/accounts/me/sign-out-everywhere", status_code=204,
             operation_id="signOutEverywhere",
             summary="End every session and token of this account")
def sign_out_everywhere(actor: SignedInDep, response: Response, accounts: AccountsDep,
                        authenticator: AuthenticatorDep) -> None:
    accounts.end_sessions(actor)
    authenticator.end_sessions(UUID(actor.subject))
    response.delete_cookie(SESSION_COOKIE, path="/")


# -- the account ---------------------------------------------------------------------------------

@router.get("/accounts/me", operation_id="getMyAccount", summary="The signed-in account")
def me(actor: SignedInDep, accounts: AccountsDep) -> AccountOut:
    view = accounts.get(actor, UUID(actor.subject))
    return AccountOut(**view.__dict__)


@router.put("/accounts/me/password", status_code=204, operation_id="changePassword",
            summary="A new password; every session and token of the account ends")
def change_password(body: PasswordChangeIn, actor: SignedInDep, response: Response,
                    accounts: AccountsDep, authenticator: AuthenticatorDep) -> None:
    accounts.change_password(actor, body.current_password, body.new_password)
    authenticator.end_sessions(UUID(actor.subject))
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.put("/accounts/me/language", status_code=204, operation_id="chooseLanguage",
            summary="The language of the account's mails")
def choose_language(body: LanguageIn, actor: SignedInDep, accounts: AccountsDep) -> None:
    accounts.choose_language(actor, body.language)


@router.post("/password-resets", status_code=202, operation_id="askPasswordReset",
             summary="A reset link by mail, if the address has an account (same answer "
                     "either way)")
def ask_password_reset(body: ResetIn, accounts: AccountsDep, client: ClientDep) -> Accepted:
    accounts.request_password_reset(body.email, client)
    return Accepted()


@router.post("/password-resets/completion", status_code=204, operation_id="resetPassword",
             summary="A new password with the token of the mail's link; sessions end")
def reset_password(body: ResetDoneIn, accounts: AccountsDep,
                   authenticator: AuthenticatorDep) -> None:
    authenticator.end_sessions(accounts.reset_password(body.token, body.new_password))


# -- staff and merchants' people ---------------------------------------------------------------

@router.post("/role-grants", status_code=204, operation_id="grantRole",
             summary="Grant a staff role to an account (admin)")
def grant_role(body: RoleIn, actor: SignedInDep, accounts: AccountsDep) -> None:
    accounts.grant(actor, body.email, body.role)


@router.post("/role-revocations", status_code=204, operation_id="revokeRole",
             summary="Revoke a staff role (admin); the account's sessions end")
def revoke_role(body: RoleIn, actor: SignedInDep, accounts: AccountsDep,
                authenticator: AuthenticatorDep) -> None:
    authenticator.end_sessions(accounts.revoke(actor, body.email, body.role))


@router.post("/merchants/{merchant_id}/invitations", status_code=201,
             operation_id="inviteMember", tags=["merchants"],
             summary="Invite someone to act for the merchant (its owner); a mail follows")
def invite(merchant_id: UUID, body: InvitationIn, actor: SignedInDep,
           accounts: AccountsDep) -> dict[str, UUID]:
    return {"id": accounts.invite(actor, merchant_id, body.email)}


@router.get("/merchants/{merchant_id}/members", operation_id="listMembers", tags=["merchants"],
            summary="Who acts for the merchant, its owner first (its owner)")
def members(merchant_id: UUID, actor: SignedInDep, accounts: AccountsDep) -> list[MemberOut]:
    return [MemberOut(**member.__dict__) for member in accounts.members(actor, merchant_id)]


@router.delete("/merchants/{merchant_id}/members/{person_id}", status_code=204,
               operation_id="removeMember", tags=["merchants"],
               summary="Someone no longer acts for the merchant (its owner); their sessions end")
def remove_member(merchant_id: UUID, person_id: UUID, actor: SignedInDep, accounts: AccountsDep,
                  authenticator: AuthenticatorDep) -> None:
    authenticator.end_sessions(accounts.remove_member(actor, merchant_id, person_id))


@router.post("/invitations/acceptance", operation_id="acceptInvitation",
             summary="Join the merchant of an invitation sent to this account's address")
def accept_invitation(body: TokenIn, actor: SignedInDep,
                      accounts: AccountsDep) -> dict[str, UUID]:
    return {"merchant_id": accounts.accept_invitation(actor, body.token)}


@router.post("/merchants/{merchant_id}/api-keys", status_code=201, operation_id="issueApiKey",
             tags=["merchants"], summary="A key for the merchant's own systems (shown once)")
def issue_api_key(merchant_id: UUID, body: ApiKeyIn, actor: SignedInDep,
                  keys: ApiKeysDep) -> ApiKeyOut:
    return ApiKeyOut(**keys.issue(actor, merchant_id, body.name).__dict__)


@router.get("/merchants/{merchant_id}/api-keys", operation_id="listApiKeys",
            tags=["merchants"], summary="The merchant's API keys (never their secrets)")
def list_api_keys(merchant_id: UUID, actor: SignedInDep, keys: ApiKeysDep) -> list[ApiKeyOut]:
    return [ApiKeyOut(**k.__dict__) for k in keys.list(actor, merchant_id)]


@router.delete("/merchants/{merchant_id}/api-keys/{key_id}", operation_id="revokeApiKey",
               tags=["merchants"], summary="Revoke a key (within seconds everywhere)")
def revoke_api_key(merchant_id: UUID, key_id: UUID, actor: SignedInDep,
                   keys: ApiKeysDep) -> ApiKeyOut:
    return ApiKeyOut(**keys.revoke(actor, merchant_id, key_id).__dict__)


def _open_session(response: Response, token: str, settings: Any) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(settings.session_days * 86400), path="/",
        httponly=True, samesite="lax", secure=settings.environment != "development")


def _csrf(request: Request) -> str:
    """The CSRF token of this browser (asgi-csrf sets its cookie in this answer)."""
    make = request.scope.get("csrftoken")
    return make() if make else ""


__all__ = ["Identity", "router"]
