"""The commission schedule: the platform's commission rules, one aggregate in the one log, so
that every change is an event an auditor reads (who, when, what rate and minimum).

Rules are set by scope — the default, a category, a merchant — and removed (a category or
merchant then falls back to the next rule). Each rule carries the schedule's version that set
it; an order records the ids and versions it applied (domain/commission.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.commission import AppliedRule, CommissionRule, CommissionTerms
from domain.errors import RuleViolatedError
from domain.money import Money

DEFAULT = "default"


def category_rule(category: str) -> str:
    return f"category:{category}"


def merchant_rule(merchant_id: UUID) -> str:
    return f"merchant:{merchant_id}"


class CommissionSchedule(Aggregate):
    TOPIC = "comptoir.CommissionSchedule"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.CommissionSchedule.Created"  # never triggered: it is opened

    if TYPE_CHECKING:
        Opened: ClassVar[type[Aggregate.Event]]
        RuleSet: ClassVar[type[Aggregate.Event]]
        RuleRemoved: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "comptoir:commission-schedule")

    @event("Opened", topic="comptoir.CommissionSchedule.Opened")
    def __init__(self) -> None:
        self.rules: dict[str, CommissionRule] = {}

    def set_rule(self, rule_id: str, rate: Decimal, minimum: Money, by: str) -> bool:
        """Set (or change) a rule; False when it already says exactly that."""
        current = self.rules.get(rule_id)
        if current is not None and (current.rate, current.minimum) == (rate, minimum):
            return False
        self._rule_set(rule_id=rule_id, rate=rate, minimum=minimum, by=by)
        return True

    def remove_rule(self, rule_id: str, by: str) -> None:
        if rule_id == DEFAULT:
            raise RuleViolatedError("commission_default_not_removable")
        if rule_id in self.rules:
            self._rule_removed(rule_id=rule_id, by=by)

    def rule_for(self, merchant_id: UUID, category: str) -> CommissionRule | None:
        """merchant > category > default; None: no rule at all (the platform's setting)."""
        for rule_id in (merchant_rule(merchant_id), category_rule(category), DEFAULT):
            if rule_id in self.rules:
                return self.rules[rule_id]
        return None

    def terms(self, merchant_id: UUID, lines: Iterable[tuple[str, Money]],
              fallback: CommissionRule) -> CommissionTerms:
        """The terms of a merchant order whose lines are (category, amount): one applied
        rule per rule used, with the part of the subtotal it priced, in first-use order."""
        bases: dict[str, tuple[CommissionRule, Money]] = {}
        for category, amount in lines:
            rule = self.rule_for(merchant_id, category) or fallback
            _, base = bases.get(rule.rule_id, (rule, Money.zero()))
            bases[rule.rule_id] = (rule, base + amount)
        return CommissionTerms(tuple(
            AppliedRule(rule.rule_id, rule.version, rule.rate, rule.minimum, base)
            for rule, base in bases.values()))

    @event("RuleSet", topic="comptoir.CommissionSchedule.RuleSet")
    def _rule_set(self, rule_id: str, rate: Decimal, minimum: Money, by: str) -> None:
        # `by`: the admin's account (an id, never a name); the version is this event's.
        self.rules[rule_id] = CommissionRule(rule_id, self.version + 1, rate, minimum)

    @event("RuleRemoved", topic="comptoir.CommissionSchedule.RuleRemoved")
    def _rule_removed(self, rule_id: str, by: str) -> None:
        self.rules.pop(rule_id, None)
