"""The gateways the PaymentGateway contract runs against, and how each legitimately differs.

Each case is one gateway the application may be given, with what a test needs to drive it
from outside the port (onboard a merchant, empty a balance, cut the line) and the few answers
that differ by design. A difference the application would notice is not a design choice: it is
a `Divergence`, a bug reported, that marks the contract test it breaks as a strict xfail (so
the test turns red the day the bug is fixed and the mark must go).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from adapters.local_gateway import LocalGateway
from adapters.stripe_gateway import StripeGateway
from application.ports import PaymentGateway, PayoutAccountStatus
from tests.fake_stripe import fake_stripe

READY = (True, True, True, ())  # charges_enabled, payouts_enabled, details_submitted, needs

# What Stripe still asks of a new Express account (the fake's copy of Stripe's example).
STRIPE_ONBOARDING = ("business_profile.product_description", "business_profile.support_phone",
                     "business_profile.url", "external_account", "tos_acceptance.date",
                     "tos_acceptance.ip")


@dataclass(frozen=True)
class Divergence:
    """A known bug: this gateway breaks the contract in a way the application notices."""

    reason: str
    raises: type[BaseException] = AssertionError  # how the contract test fails on it


@dataclass(frozen=True)
class GatewayCase:
    name: str
    gateway: PaymentGateway
    onboard: Callable[[str], None]  # the merchant completes what the gateway asks of it
    drain: Callable[[str], None]  # the account's balance leaves in a bank payout
    outage: Callable[[], str]  # the next payment gets no answer; returns the method to send
    outage_reason: str  # GatewayUnavailableError.reason (the order's note: gateway_<reason>)
    opened: Callable[[str], PayoutAccountStatus]  # an account's status before onboarding
    link_prefix: Callable[[str, str], str]  # (account id, return url) → the link's start
    without_method: str  # the status of a payment created with no payment method
    transfer_refused: str  # the RuleViolatedError code of a refused transfer
    divergences: Mapping[str, Divergence] = field(default_factory=dict)


@contextmanager
def local_case(tmp_path: Path) -> Iterator[GatewayCase]:
    gateway = LocalGateway(tmp_path / "local-gateway.sqlite3")

    def drain(account_id: str) -> None:
        gateway.pay_out(account_id)

    try:
        yield GatewayCase(
            "local", gateway,
            # Nobody to onboard: its accounts are ready as soon as they are opened.
            onboard=lambda _account_id: None, drain=drain,
            # Its outage is a test payment method, after Stripe's test cards.
            outage=lambda: "pm_card_timeout", outage_reason="timeout",
            opened=lambda a: PayoutAccountStatus(a, *READY),
            # No hosted onboarding: the link goes straight back to the platform.
            link_prefix=lambda a, back: f"{back}?account={a}",
            # No consumer device to confirm with: no method means its default card
            # (docs/checkout.md: `pm_card_visa` (default)).
            without_method="authorized",
            transfer_refused="transfer_exceeds_charge",
            divergences=LOCAL_BUGS)
    finally:
        gateway.close()


@contextmanager
def stripe_case(tmp_path: Path) -> Iterator[GatewayCase]:
    with fake_stripe() as fake:
        # No retries by the library: they only delay the same answer (the Stripe adapter's
        # own tests cover them); the contract is what the caller sees after them.
        gateway = StripeGateway("sk_test_comptoir", api_base=fake.url, max_network_retries=0)

        def outage() -> str:
            fake.fail_next("/v1/payment_intents", 503)
            return "pm_card_visa"

        yield GatewayCase(
            "stripe", gateway, onboard=fake.complete_onboarding, drain=fake.drain,
            outage=outage,
            outage_reason="gateway_error",
            opened=lambda a: PayoutAccountStatus(a, False, False, False, STRIPE_ONBOARDING),
            link_prefix=lambda a, _back: f"https://connect.stripe.com/setup/s/{a}/",
            # The consumer's device confirms with the client secret (Stripe.js), then the
            # `amount_capturable_updated` webhook has the platform capture.
            without_method="requires_confirmation",
            # The adapter names only capture and refund refusals (stripe_gateway.py); the
            # application treats every RuleViolatedError of a transfer alike.
            transfer_refused="gateway_refused",
            divergences=STRIPE_BUGS)


# Differences found by this suite on 2026-11-28 and fixed in the adapters since (a local
# client secret, decline code, second capture and reused key; Stripe's reversal above what
# is left): none is known today. A new one goes here, marking the test it breaks.
LOCAL_BUGS: dict[str, Divergence] = {}
STRIPE_BUGS: dict[str, Divergence] = {}

CASES = {"local": local_case, "stripe": stripe_case}

