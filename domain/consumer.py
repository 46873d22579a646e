"""The Consumer aggregate: a person who buys. Everything about them is personal data."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.address import Address
from domain.errors import FieldErrors, InvalidValueError
from domain.personal import PersonalData, parse_email, parse_person_name, parse_phone


@dataclass(frozen=True)
class ConsumerProfile:
    """A checked profile: the personal data, and the only part of it used in the clear: the
    forward sortation area (first three characters of the postal code), for aggregate
    insight."""

    personal: PersonalData
    postal_area: str | None


def check_profile(subject_id: UUID, name: str, email: str, phone: str | None,
                  address: dict[str, str] | None) -> ConsumerProfile:
    errors = FieldErrors()
    values = {"name": errors.parse("name", parse_person_name, name),
              "email": errors.parse("email", parse_email, email)}
    if phone:
        values["phone"] = errors.parse("phone", parse_phone, phone)
    postal_area = None
    if address is not None:
        parsed = errors.parse("address", lambda: Address.parse(**address))
        if parsed is not None:
            values.update(street=parsed.street, municipality=parsed.municipality,
                          postal_code=parsed.postal_code.value, region=parsed.region,
                          province=parsed.province)
            postal_area = parsed.postal_code.forward_sortation_area
    errors.raise_if_any()
    return ConsumerProfile(
        PersonalData(subject_id, {k: v for k, v in values.items() if v is not None}),
        postal_area)


class Consumer(Aggregate):
    TOPIC = "comptoir.Consumer"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Consumer.Created"  # never triggered: a consumer registers

    @staticmethod
    def create_id(consumer_id: UUID) -> UUID:
        """The id of the verified subject who registers (an opaque uuid, never derived from
        anything personal)."""
        return consumer_id

    @classmethod
    def register(cls, consumer_id: UUID, profile: ConsumerProfile) -> Consumer:
        return cls(consumer_id=consumer_id, profile=profile.personal,
                   postal_area=profile.postal_area)

    @event("Registered", topic="comptoir.Consumer.Registered")
    def __init__(self, consumer_id: UUID, profile: PersonalData, postal_area: str | None) -> None:
        self.profile = profile
        self.postal_area = postal_area

    def update(self, profile: ConsumerProfile) -> None:
        if profile.personal.subject_id != self.id:
            raise InvalidValueError("subject_mismatch")
        self._updated(profile=profile.personal, postal_area=profile.postal_area)

    @event("ProfileUpdated", topic="comptoir.Consumer.ProfileUpdated")
    def _updated(self, profile: PersonalData, postal_area: str | None) -> None:
        self.profile = profile
        self.postal_area = postal_area
