"""Accounts: sign-up, e-mail verification, sign-in, passwords, roles, merchants' people.

- An account is found at sign-in by a keyed blind index of its address: `Claim("email",
  HMAC(index key, normalised address))`, saved in the same atomic save as the account. Neither
  the address nor its plain hash is anywhere in clear; the index key lives in the settings.
- Answers never tell whether an address has an account: sign-up and password-reset requests
  answer alike whatever the address (the mail says the rest), a wrong password and an unknown
  address fail alike, in the same time (an unknown address still costs one password check).
- Attempts are rate-limited per address and per client (`RateLimiter` port, state in the
  database so that every API process counts together).
- Links in mails (verification, password reset, invitation) carry a signed token, made when
  the mail is sent (`LinkSigner`); a reset token names the sessions epoch it was made in, so it
  works once: the new password raises the epoch.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from application.actors import Actor, Role
from application.errors import (
    AuthenticationRequiredError,
    NotFoundError,
    PermissionDeniedError,
    TooManyAttemptsError,
    denied,
)
from application.service import Service
from domain.account import Account, Membership, StaffRole, check_password
from domain.claim import Claim
from domain.errors import IllegalTransitionError, InvalidValueError, RuleViolatedError
from domain.merchant import Merchant, MerchantStatus
from domain.personal import PersonalData, parse_email

LANGUAGES = ("fr", "en")
EMAIL_CLAIM = "email"
INVITATION_DAYS = 14  # how long an invitation link is good for


class SignInFailedError(AuthenticationRequiredError):
    """Wrong address or wrong password: one answer for both."""

    code = "sign_in_failed"


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, hashed: str) -> bool: ...

    def waste_time(self, password: str) -> None:
        """As long as a `verify`: an unknown address costs what a known one does."""


class RateLimiter(Protocol):
    def hit(self, rule: str, key: str) -> int | None:
        """Count one attempt under `rule` for `key` (already a keyed hash); the seconds to
        wait if the limit is passed, else None."""

    def blocked(self, rule: str, key: str) -> int | None:
        """The seconds to wait if `key` has used up `rule`, else None; counts nothing."""


class SessionStore(Protocol):
    """Browser sessions: a cookie's token names one identity until it expires."""

    def open(self, identity: Identity) -> str: ...

    def identity(self, token: str) -> Identity | None: ...

    def close(self, token: str) -> None: ...

    def close_all(self, account_id: UUID) -> int: ...


class LinkSigner(Protocol):
    def sign(self, purpose: str, payload: dict[str, Any]) -> str: ...

    def open(self, purpose: str, token: str, max_age_seconds: int) -> dict[str, Any] | None:
        """The payload, or None if the token is forged, for another purpose or too old."""


@dataclass(frozen=True)
class Identity:
    """Who signed in, as what: what a session or an access token stands for."""

    account_id: UUID
    role: Role
    merchant_id: UUID | None
    epoch: int

    @property
    def actor(self) -> Actor:
        return Actor(self.role, str(self.account_id), self.merchant_id)


@dataclass(frozen=True)
class AccountView:
    id: UUID
    email: str | None  # None once erased
    verified: bool
    language: str
    roles: list[str]
    merchants: dict[UUID, str]


@dataclass(frozen=True)
class Member:
    """Someone who acts for a merchant, as its owner sees them."""

    id: UUID  # the person's id (their account's)
    email: str | None  # None once erased
    membership: str


class Invitation(Aggregate):
    """An owner asks someone to join its merchant; accepted by the account whose address it
    was sent to (compared through the blind index: the address is only in the sealed copy)."""

    TOPIC = "comptoir.Invitation"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Invitation.Created"  # never triggered

    @event("Sent", topic="comptoir.Invitation.Sent")
    def __init__(self, merchant_id: UUID, email: PersonalData, email_index: str,
                 language: str, by: str) -> None:
        self.merchant_id = merchant_id
        self.email = email
        self.email_index = email_index
        self.language = language
        self.by = by
        self.accepted_by: UUID | None = None

    def accept(self, account_id: UUID) -> None:
        if self.accepted_by is not None:
            raise RuleViolatedError("invitation_used")
        self._accepted(account_id=account_id)

    @event("Accepted", topic="comptoir.Invitation.Accepted")
    def _accepted(self, account_id: UUID) -> None:
        self.accepted_by = account_id


class MembersIndex(Protocol):
    def members_of(self, merchant_id: UUID) -> list[UUID]:
        """The account ids of the merchant's people, in the order they joined (a read model:
        a moment behind the log)."""


class Accounts(Service):
    def __init__(self, *args: Any, hasher: PasswordHasher, limiter: RateLimiter,
                 links: LinkSigner, index_key: bytes, members: MembersIndex,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hasher, self.limiter, self.links, self.index_key = hasher, limiter, links, index_key
        self.index = members

    # -- signing up -------------------------------------------------------------------------

    def sign_up(self, email: str, password: str, language: str, client: str) -> UUID | None:
        """A new account, unverified until its address answers; None when the address already
        has one (whose owner is told by mail: the answer must not say it)."""
        self._limit("sign_up_client", client)
        address, index = self._address(email), self.email_index(email)
        check_password(password)
        language = language if language in LANGUAGES else "fr"
        claim = self.find(Claim.create_id(EMAIL_CLAIM, index))
        if isinstance(claim, Claim) and self._holder(claim) is not None:
            # Past the limit the owner is no longer told (nor is the caller: a 429 here would
            # say that the address has an account): repeated sign-ups cannot flood a mailbox.
            if self.limiter.hit("sign_up_address", index) is None:
                self._tell_existing(claim)
            return None
        account_id = uuid4()
        account = Account.sign_up(account_id, PersonalData(account_id, {"email": address}),
                                  self._sealed_hash(account_id, password), language)
        if isinstance(claim, Claim):  # its holder was erased: the address starts over
            claim.hand_over(account_id)
        else:
            claim = Claim(EMAIL_CLAIM, index, account_id)
        try:
            self.save(account, claim)
        except IntegrityError:  # another sign-up of the same address got in first
            return None
        return account_id

    def verify_email(self, token: str) -> UUID:
        payload = self.links.open("verify", token, max_age_seconds=7 * 24 * 3600)
        if payload is None:
            raise InvalidValueError("link_invalid", field="token")
        account = self._linked(payload)
        account.verify_email()
        self.save(account)
        return account.person_id

    # -- signing in ---------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, client: str, role: str | None = None,
                merchant_id: UUID | None = None) -> Identity:
        index = self.email_index(email)
        self._limit("sign_in_client", client)
        # Only failures count against an address, but once it is blocked even the right
        # password is refused until the window ends: guessing gains nothing.
        wait = self.limiter.blocked("sign_in_address", index)
        if wait is not None:
            raise TooManyAttemptsError(wait)
        account = self._by_index(index)
        if account is None:
            self.hasher.waste_time(password)
        hashed = account.password_hash.get("hash") if account else None
        if hashed is None or not self.hasher.verify(password, hashed):
            self.limiter.hit("sign_in_address", index)
            raise SignInFailedError()
        assert account is not None
        if not account.verified:
            raise RuleViolatedError("email_unverified")
        return self.identity(account, role, merchant_id)

    def identity(self, account: Account, role: str | None,
                 merchant_id: UUID | None) -> Identity:
        """The role it asks for among those it holds (by default: staff first, then the only
        merchant it belongs to, then consumer)."""
        held = [r for r in (StaffRole.ADMIN, StaffRole.VALIDATOR, StaffRole.AUDITOR)
                if r in account.roles]
        if role is None:
            role = str(held[0]) if held else (
                "merchant" if merchant_id or len(account.merchants) == 1 else "consumer")
        if role == "merchant":
            merchant_id = merchant_id or (account.merchant_ids[0]
                                          if len(account.merchants) == 1 else None)
            if merchant_id is None or account.membership(merchant_id) is None:
                raise PermissionDeniedError("role_not_held", role=role)
            return Identity(account.person_id, Role.MERCHANT, merchant_id, account.sessions_epoch)
        if role == "consumer" or role in account.roles:
            return Identity(account.person_id, Role(role), None, account.sessions_epoch)
        raise PermissionDeniedError("role_not_held", role=role)

    def switch(self, actor: Actor, role: str, merchant_id: UUID | None = None) -> Identity:
        """The same person acting in another of her roles (the web's "spaces": shopper,
        a merchant's portal, a staff console); refused for a role she does not hold."""
        return self.identity(self._own(actor), role, merchant_id)

    def still_valid(self, account_id: UUID, epoch: int) -> bool:
        """A session or token made at `epoch` still stands (no sign-out everywhere, password
        change, revoked role or erasure since)."""
        account = self.find(Account.create_id(account_id))
        return (isinstance(account, Account) and account.sessions_epoch == epoch
                and not account.email.forgotten)

    def end_sessions(self, actor: Actor) -> None:
        account = self._own(actor)
        account.end_sessions()
        self.save(account)

    # -- passwords ----------------------------------------------------------------------------

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        account = self._own(actor)
        hashed = account.password_hash.get("hash")
        if hashed is None or not self.hasher.verify(current, hashed):
            raise InvalidValueError("password_wrong", field="current_password")
        account.change_password(self._sealed_hash(account.person_id, check_password(new)))
        self.save(account)

    def request_password_reset(self, email: str, client: str) -> None:
        """Recorded for the account of that address, if there is one (a mail follows); the
        answer is the same either way."""
        index = self.email_index(email)
        self._limit("reset_client", client)
        self._limit("reset_address", index)
        # Unverified accounts too: someone whose verification link was lost and who signs up
        # again is told to reset their password (the link then confirms the address).
        account = self._by_index(index)
        if account is not None:
            account.ask_password_reset()
            self.save(account)

    def reset_password(self, token: str, new: str) -> UUID:
        payload = self.links.open("reset", token, max_age_seconds=3600)
        if payload is None:
            raise InvalidValueError("link_invalid", field="token")
        account = self._linked(payload)
        if payload.get("epoch") != account.sessions_epoch:
            raise InvalidValueError("link_invalid", field="token")  # used, or superseded
        account.change_password(self._sealed_hash(account.person_id, check_password(new)))
        account.verify_email()  # the link reached the address: it is the person's
        self.save(account)
        return account.person_id

    def link_for(self, purpose: str, account: Account) -> str:
        """The token a mail's link carries (made at send time, never stored)."""
        return self.links.sign(purpose, {"account": str(account.person_id),
                                         "epoch": account.sessions_epoch})

    def invitation_link(self, invitation_id: UUID) -> str:
        """The token of an invitation mail's link (made at send time, never stored)."""
        return self.links.sign("invite", {"invitation": str(invitation_id)})

    # -- what an account is -------------------------------------------------------------------

    def get(self, actor: Actor, account_id: UUID) -> AccountView:
        account = self._own(actor) if actor.subject == str(account_id) else None
        if account is None:
            if actor.role != Role.ADMIN:
                raise NotFoundError("account")
            account = self._account(account_id)
        return AccountView(account.person_id, account.email.get("email"), account.verified,
                           account.language, sorted(account.roles),
                           {UUID(k): v for k, v in account.merchants.items()})

    def choose_language(self, actor: Actor, language: str) -> None:
        if language not in LANGUAGES:
            raise InvalidValueError("language_unknown", field="language")
        account = self._own(actor)
        account.choose_language(language)
        self.save(account)

    def language_of(self, person_id: UUID) -> str:
        """"fr" or "en" (notifications): the account's choice, French by default."""
        account = self.find(Account.create_id(person_id))
        return account.language if isinstance(account, Account) else "fr"

    # -- staff roles ------------------------------------------------------------------------

    def grant(self, actor: Actor, email: str, role: StaffRole) -> UUID:
        account = self._staff_target(actor, email)
        account.grant(role, by=actor.subject)
        self.save(account)
        return account.person_id

    def revoke(self, actor: Actor, email: str, role: StaffRole) -> UUID:
        account = self._staff_target(actor, email)
        account.revoke(role, by=actor.subject)
        self.save(account)
        return account.person_id

    def create_admin(self, email: str, password: str) -> UUID:
        """The first admin (the CLI, on the server): an account verified and granted admin,
        or an existing account of that address made admin."""
        return self.create_verified(email, password, staff=StaffRole.ADMIN)

    def create_verified(self, email: str, password: str, *, staff: StaffRole | None = None,
                        owner_of: UUID | None = None) -> UUID:
        """An account made on the server, its address taken as verified (the first admin,
        the demo's people), or the existing account of that address; given the role or
        made the merchant's owner."""
        account = self._by_index(self.email_index(email))
        if account is None:
            account_id = self.sign_up(email, password, "fr", client="cli")
            assert account_id is not None
            account = self._account(account_id)
        account.verify_email()
        if staff is not None:
            account.grant(staff, by="cli")
        if owner_of is not None:
            account.join(owner_of, Membership.OWNER, by="cli")
        self.save(account)
        return account.person_id

    # -- merchants' people ----------------------------------------------------------------

    def invite(self, actor: Actor, merchant_id: UUID, email: str) -> UUID:
        owner = self._owner_of(actor, merchant_id)
        # Until a validator approved it, the merchant's name (any text its applicant chose)
        # goes out in no mail of the platform's to any address.
        merchant = self.load(Merchant, merchant_id, "merchant")
        if merchant.status != MerchantStatus.APPROVED:
            raise IllegalTransitionError("merchant", "invite", str(merchant.status))
        address = self._address(email)
        # The invitee's address is theirs: sealed under a key of its own (erased with the
        # invitation once it is used, application/privacy.py).
        invitation = Invitation(merchant_id=merchant_id,
                                email=PersonalData(uuid4(), {"email": address}),
                                email_index=self.email_index(email), language=owner.language,
                                by=actor.subject)
        self.save(invitation)
        return invitation.id

    def invited_to(self, token: str) -> UUID:
        """The merchant an invitation link asks to join (the page that offers to accept)."""
        return self._invitation(token).merchant_id

    def accept_invitation(self, actor: Actor, token: str) -> UUID:
        invitation = self._invitation(token)
        account = self._own(actor)
        address = account.email.get("email")
        if address is None or self.email_index(address) != invitation.email_index:
            raise NotFoundError("invitation")  # sent to someone else
        invitation.accept(account.person_id)
        if account.membership(invitation.merchant_id) is None:  # an owner stays its owner
            account.join(invitation.merchant_id, Membership.MEMBER, by=invitation.by)
        self.save(invitation, account)
        return invitation.merchant_id

    def members(self, actor: Actor, merchant_id: UUID) -> list[Member]:
        """Who acts for the merchant, the owner first, then in the order they joined (its
        owner asks): found through the index, each account read as it is now (someone just
        removed is not listed, even before the index knows)."""
        self._owner_of(actor, merchant_id)
        people = self._people(merchant_id)
        people.sort(key=lambda a: a.membership(merchant_id) != Membership.OWNER)  # stable
        return [Member(a.person_id, a.email.get("email"), str(a.membership(merchant_id)))
                for a in people]

    def owner(self, merchant_id: UUID) -> Account | None:
        """The account that owns the merchant (it applied signed in), if there is one."""
        return next((a for a in self._people(merchant_id)
                     if a.membership(merchant_id) == Membership.OWNER), None)

    def remove_member(self, actor: Actor, merchant_id: UUID, person_id: UUID) -> UUID:
        """The person no longer acts for the merchant (its owner asks); every session of
        theirs ends. An owner is not removed."""
        self._owner_of(actor, merchant_id)
        account_id = Account.create_id(person_id)

        def attempt() -> UUID:
            account = self.find(account_id)
            if not isinstance(account, Account) or account.membership(merchant_id) is None:
                raise NotFoundError("member")
            account.leave(merchant_id, by=actor.subject)
            self.save(account)
            return account.person_id

        return self.retrying(attempt, serialise=[account_id])

    def _people(self, merchant_id: UUID) -> list[Account]:
        ids = self.index.members_of(merchant_id)
        found = self.app.aggregates(ids)
        return [a for a in map(found.get, ids)
                if isinstance(a, Account) and a.membership(merchant_id) is not None]

    def _invitation(self, token: str) -> Invitation:
        payload = self.links.open("invite", token, max_age_seconds=INVITATION_DAYS * 24 * 3600)
        if payload is None:
            raise InvalidValueError("link_invalid", field="token")
        return self.load(Invitation, UUID(payload["invitation"]), "invitation")

    def _owner_of(self, actor: Actor, merchant_id: UUID) -> Account:
        owner = self._own(actor)
        if owner.membership(merchant_id) != Membership.OWNER:
            raise NotFoundError("merchant")  # not told apart from a merchant that is not
        return owner

    # -- the index and the rest -----------------------------------------------------------

    def email_index(self, email: str) -> str:
        """The keyed blind index of an address: what finds an account, never the address."""
        return self._blind(self._address(email))

    def client_index(self, host: str) -> str:
        """What rate limits count a client by: a keyed hash of its network address (personal
        data too), never the address."""
        return self._blind(f"client {host}")

    def _blind(self, text: str) -> str:
        return hmac.new(self.index_key, text.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _address(email: str) -> str:
        try:
            return parse_email(email).lower()
        except InvalidValueError:
            raise InvalidValueError("email_invalid", field="email") from None

    def _limit(self, rule: str, key: str) -> None:
        wait = self.limiter.hit(rule, key)
        if wait is not None:
            raise TooManyAttemptsError(wait)

    def _by_index(self, index: str) -> Account | None:
        claim = self.find(Claim.create_id(EMAIL_CLAIM, index))
        return self._holder(claim) if isinstance(claim, Claim) else None

    def _holder(self, claim: Claim) -> Account | None:
        account = self.find(Account.create_id(claim.holder_id))
        if not isinstance(account, Account) or account.email.forgotten:
            return None  # erased: as if it never was
        return account

    def _tell_existing(self, claim: Claim) -> None:
        account = self._holder(claim)
        if account is not None:
            account.note_sign_up_again()
            self.save(account)

    def _sealed_hash(self, account_id: UUID, password: str) -> PersonalData:
        return PersonalData(account_id, {"hash": self.hasher.hash(password)})

    def _account(self, person_id: UUID) -> Account:
        return self.load(Account, Account.create_id(person_id), "account")

    def _linked(self, payload: dict[str, Any]) -> Account:
        """The account a mailed link names; an erased one's links are dead links."""
        account = self.find(Account.create_id(UUID(str(payload.get("account")))))
        if not isinstance(account, Account) or account.email.forgotten:
            raise InvalidValueError("link_invalid", field="token")
        return account

    def _own(self, actor: Actor) -> Account:
        actor.require_signed_in()
        account = (self.find(Account.create_id(UUID(actor.subject)))
                   if _is_uuid(actor.subject) else None)
        if not isinstance(account, Account):
            raise NotFoundError("account")
        return account

    def _staff_target(self, actor: Actor, email: str) -> Account:
        actor.require_signed_in()
        if actor.role not in (Role.ADMIN,) and actor.subject != "cli":
            raise denied(actor.is_anonymous)
        account = self._by_index(self.email_index(email))
        if account is None:
            raise NotFoundError("account")
        return account


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True

