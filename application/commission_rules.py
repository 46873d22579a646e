"""Commission rules: set by an admin, read by checkout (docs/payments.md).

The rules live in one CommissionSchedule aggregate in the log, so every change is an event
auditors read. Until a default rule is set, COMPTOIR_COMMISSION_RATE is the default (rule id
"default", version 0, no minimum). An order records the rules it was priced under; changing a
rule never changes an order already placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import denied
from application.service import Service
from domain.commission import CommissionRule, CommissionTerms, check_minimum, check_rate
from domain.commission_schedule import (
    DEFAULT,
    CommissionSchedule,
    category_rule,
    merchant_rule,
)
from domain.errors import FieldErrors
from domain.merchant import Merchant
from domain.money import Money
from domain.taxonomy import parse_category


@dataclass(frozen=True)
class ScheduleView:
    id: UUID  # the CommissionSchedule aggregate's (auditors read its events)
    version: int  # the schedule's (0: no rule was ever set)
    default: CommissionRule  # the platform's setting while no default rule is set
    categories: dict[str, CommissionRule]
    merchants: dict[UUID, CommissionRule]


class CommissionRules(Service):
    def __init__(self, *args: object, default_rate: Decimal, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fallback = CommissionRule(DEFAULT, 0, default_rate, Money.zero())

    # -- checkout ------------------------------------------------------------------------------

    schedule_id = CommissionSchedule.create_id()

    def terms(self, lines: dict[UUID, list[tuple[str, Money]]],
              schedule: Aggregate | None) -> dict[UUID, CommissionTerms]:
        """Per merchant of an order, the terms its lines, (category, amount), are priced
        under now: under `schedule`, read once for the whole order with its other
        aggregates (None: no rule was ever set)."""
        if not isinstance(schedule, CommissionSchedule):
            return {merchant_id: CommissionTerms.flat(
                self.fallback.rate, sum((amount for _, amount in part), Money.zero()))
                for merchant_id, part in lines.items()}
        return {merchant_id: schedule.terms(merchant_id, part, self.fallback)
                for merchant_id, part in lines.items()}

    # -- admin ---------------------------------------------------------------------------------

    def view(self, actor: Actor) -> ScheduleView:
        if actor.role not in (Role.ADMIN, Role.AUDITOR, Role.VALIDATOR):
            raise denied(actor.is_anonymous)
        schedule = self._schedule()
        rules = dict(schedule.rules) if schedule else {}
        return ScheduleView(
            CommissionSchedule.create_id(), schedule.version if schedule else 0,
            rules.get(DEFAULT, self.fallback),
            {k.split(":", 1)[1]: r for k, r in rules.items() if k.startswith("category:")},
            {UUID(k.split(":", 1)[1]): r for k, r in rules.items()
             if k.startswith("merchant:")})

    def set_default(self, actor: Actor, rate: object, minimum_cents: object) -> ScheduleView:
        return self._set(actor, DEFAULT, rate, minimum_cents)

    def set_for_category(self, actor: Actor, category: str, rate: object,
                         minimum_cents: object) -> ScheduleView:
        self._admin(actor)
        return self._set(actor, category_rule(parse_category(category)), rate, minimum_cents)

    def set_for_merchant(self, actor: Actor, merchant_id: UUID, rate: object,
                         minimum_cents: object) -> ScheduleView:
        self._admin(actor)
        self.load(Merchant, merchant_id, "merchant")  # 404 for a merchant that does not exist
        return self._set(actor, merchant_rule(merchant_id), rate, minimum_cents)

    def remove_for_category(self, actor: Actor, category: str) -> ScheduleView:
        self._admin(actor)
        return self._remove(actor, category_rule(parse_category(category)))

    def remove_for_merchant(self, actor: Actor, merchant_id: UUID) -> ScheduleView:
        return self._remove(actor, merchant_rule(merchant_id))

    def _set(self, actor: Actor, rule_id: str, rate: object, minimum_cents: object
             ) -> ScheduleView:
        self._admin(actor)
        errors = FieldErrors()
        checked_rate = errors.parse("rate", check_rate, rate)
        minimum = errors.parse("minimum_cents", check_minimum, minimum_cents)
        errors.raise_if_any()
        assert checked_rate is not None and minimum is not None

        def attempt() -> None:
            schedule = self._schedule() or CommissionSchedule()
            if schedule.set_rule(rule_id, checked_rate, minimum, by=actor.subject or ""):
                self.save(schedule)

        self.retrying(attempt, serialise=[CommissionSchedule.create_id()])
        return self.view(actor)

    def _remove(self, actor: Actor, rule_id: str) -> ScheduleView:
        self._admin(actor)

        def attempt() -> None:
            schedule = self._schedule()
            if schedule is not None and rule_id in schedule.rules:
                schedule.remove_rule(rule_id, by=actor.subject or "")
                self.save(schedule)

        self.retrying(attempt, serialise=[CommissionSchedule.create_id()])
        return self.view(actor)

    def _schedule(self) -> CommissionSchedule | None:
        found = self.find(CommissionSchedule.create_id())
        return found if isinstance(found, CommissionSchedule) else None

    @staticmethod
    def _admin(actor: Actor) -> None:
        if actor.role != Role.ADMIN:
            raise denied(actor.is_anonymous)
