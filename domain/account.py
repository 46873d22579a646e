"""The Account aggregate: a person who signs in — a shopper, a merchant's owner or member,
platform staff.

Its e-mail address and password hash are personal data (encrypted under the account's own
key, like every `PersonalData`): erasing the person leaves no address and no hash anyone can
read, so sign-in becomes impossible. The account is found at sign-in through a keyed blind
index of its address (a `Claim` in the log, application/accounts.py), never through the
address itself. The person's id (a random UUID) is the subject of every token the account
holds and the key of its personal data: a consumer's profile, carts and orders are the same
person's (same subject, same key). The aggregate's own id derives from it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError, InvalidValueError
from domain.natural_keys import key_id
from domain.personal import PersonalData

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # argon2 has no limit, but nobody types more, and hashing costs time


class StaffRole(StrEnum):
    """Roles an admin grants (a consumer is anyone who signs up; a merchant's people are
    linked to it when they apply or accept an invitation)."""

    VALIDATOR = "validator"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Membership(StrEnum):
    OWNER = "owner"  # applied for the merchant; may invite
    MEMBER = "member"  # invited by an owner


def check_password(password: str) -> str:
    """Long enough to resist guessing; any characters (a passphrase is welcome)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValueError("password_length", field="password", min_length=MIN_PASSWORD,
                                max_length=MAX_PASSWORD)
    if password.strip() != password or not password.strip():
        raise InvalidValueError("password_spaces", field="password")
    return password


class Account(Aggregate):
    TOPIC = "comptoir.Account"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Account.Created"  # never triggered: an account signs up

    # The event classes the @event methods below generate, declared for type checkers
    # because the lists read model names them.
    if TYPE_CHECKING:
        MerchantJoined: ClassVar[type[Aggregate.Event]]
        MerchantLeft: ClassVar[type[Aggregate.Event]]

    @classmethod
    def sign_up(cls, person_id: UUID, email: PersonalData, password_hash: PersonalData,
                language: str) -> Account:
        if email.subject_id != person_id or password_hash.subject_id != person_id:
            raise InvalidValueError("subject_mismatch")
        return cls(person_id=person_id, email=email, password_hash=password_hash,
                   language=language)

    @staticmethod
    def create_id(person_id: UUID) -> UUID:
        """Not the person's id itself: the same person's Consumer aggregate bears that one."""
        return key_id("account", str(person_id))

    @event("SignedUp", topic="comptoir.Account.SignedUp")
    def __init__(self, person_id: UUID, email: PersonalData, password_hash: PersonalData,
                 language: str) -> None:
        self.person_id = person_id
        self.email = email
        self.password_hash = password_hash
        self.language = language
        self.verified = False
        self.roles: set[str] = set()
        self.merchants: dict[str, str] = {}  # merchant id (hex) -> membership
        self.sessions_epoch = 0  # raised to end every session and token at once

    # -- commands -------------------------------------------------------------------------

    def verify_email(self) -> None:
        if not self.verified:
            self._email_verified()

    def change_password(self, password_hash: PersonalData) -> None:
        if password_hash.subject_id != self.person_id:
            raise InvalidValueError("subject_mismatch")
        self._password_changed(password_hash=password_hash)

    def end_sessions(self) -> None:
        self._sessions_ended()

    def ask_password_reset(self) -> None:
        """Someone asked for a reset link for this account's address (a mail follows)."""
        self._password_reset_asked()

    def note_sign_up_again(self) -> None:
        """Someone signed up again with this account's address (its owner is told by mail,
        the answer to the sign-up does not say it)."""
        self._signed_up_again()

    def choose_language(self, language: str) -> None:
        if language != self.language:
            self._language_chosen(language=language)

    def grant(self, role: StaffRole, by: str) -> None:
        if role not in self.roles:
            self._role_granted(role=str(role), by=by)

    def revoke(self, role: StaffRole, by: str) -> None:
        if role not in self.roles:
            raise IllegalTransitionError("role", "revoke", "not_granted")
        self._role_revoked(role=str(role), by=by)

    def join(self, merchant_id: UUID, membership: Membership, by: str) -> None:
        if self.merchants.get(merchant_id.hex) != str(membership):
            self._merchant_joined(merchant_id=merchant_id, membership=str(membership), by=by)

    def leave(self, merchant_id: UUID, by: str) -> None:
        """No longer acts for the merchant (its owner removed them). Every session and token
        of the account ends: one made for the merchant's portal must not outlive the right."""
        membership = self.membership(merchant_id)
        if membership is None:
            raise IllegalTransitionError("membership", "remove", "none")
        if membership == Membership.OWNER:
            raise IllegalTransitionError("membership", "remove", str(Membership.OWNER))
        self._merchant_left(merchant_id=merchant_id, by=by)

    def membership(self, merchant_id: UUID) -> str | None:
        return self.merchants.get(merchant_id.hex)

    @property
    def merchant_ids(self) -> list[UUID]:
        return [UUID(hex_id) for hex_id in self.merchants]

    # -- events ---------------------------------------------------------------------------

    @event("EmailVerified", topic="comptoir.Account.EmailVerified")
    def _email_verified(self) -> None:
        self.verified = True

    @event("PasswordChanged", topic="comptoir.Account.PasswordChanged")
    def _password_changed(self, password_hash: PersonalData) -> None:
        self.password_hash = password_hash
        self.sessions_epoch += 1  # a new password ends every session

    @event("PasswordResetAsked", topic="comptoir.Account.PasswordResetAsked")
    def _password_reset_asked(self) -> None:
        pass

    @event("SignedUpAgain", topic="comptoir.Account.SignedUpAgain")
    def _signed_up_again(self) -> None:
        pass

    @event("SessionsEnded", topic="comptoir.Account.SessionsEnded")
    def _sessions_ended(self) -> None:
        self.sessions_epoch += 1

    @event("LanguageChosen", topic="comptoir.Account.LanguageChosen")
    def _language_chosen(self, language: str) -> None:
        self.language = language

    @event("RoleGranted", topic="comptoir.Account.RoleGranted")
    def _role_granted(self, role: str, by: str) -> None:
        self.roles.add(role)

    @event("RoleRevoked", topic="comptoir.Account.RoleRevoked")
    def _role_revoked(self, role: str, by: str) -> None:
        self.roles.discard(role)
        self.sessions_epoch += 1  # what it allowed ends with it

    @event("MerchantJoined", topic="comptoir.Account.MerchantJoined")
    def _merchant_joined(self, merchant_id: UUID, membership: str, by: str) -> None:
        self.merchants[merchant_id.hex] = membership

    @event("MerchantLeft", topic="comptoir.Account.MerchantLeft")
    def _merchant_left(self, merchant_id: UUID, by: str) -> None:
        self.merchants.pop(merchant_id.hex, None)
        self.sessions_epoch += 1  # a session or token made for the merchant ends
