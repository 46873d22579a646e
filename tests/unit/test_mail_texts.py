"""The words and figures of mails: amounts the Québec French and the English way, the same
mails in both languages, retries spaced further and further apart."""

from __future__ import annotations

import string
from datetime import timedelta
from uuid import UUID

import pytest

from application.notifications.formats import money, order_reference
from application.notifications.letters import WRITERS
from application.notifications.sender import backoff
from application.notifications.texts import EN, FR
from domain.money import Money


@pytest.mark.parametrize(("cents", "french", "english"), [
    (0, "0,00 $", "$0.00"),
    (5, "0,05 $", "$0.05"),
    (12_34, "12,34 $", "$12.34"),
    (1_234_56, "1 234,56 $", "$1,234.56"),
    (-12_34, "-12,34 $", "-$12.34"),
    (100_000_000_00, "100 000 000,00 $", "$100,000,000.00"),
])
def test_amounts_read_the_quebec_french_way_and_the_english_way(
        cents: int, french: str, english: str) -> None:
    assert (money(Money(cents), "fr"), money(Money(cents), "en")) == (french, english)


def test_an_order_is_referred_to_by_the_first_eight_characters_of_its_id() -> None:
    assert order_reference(UUID("30548b5b-21d5-42d1-86d8-6d03457ca502")) == "30548B5B"


def test_every_mail_says_the_same_things_in_french_and_in_english() -> None:
    assert set(FR) == set(EN)
    for key in FR:
        assert sorted(_fields(FR[key])) == sorted(_fields(EN[key])), key


def test_every_template_has_a_writer() -> None:
    templates = {"order_confirmed", "order_cancelled", "merchant_order_declined",
                 "refund_settled", "merchant_new_order", "merchant_approved",
                 "merchant_rejected", "payout_sent", "payout_reversed", "email_verification",
                 "sign_up_again", "password_reset", "invitation", "order_part_not_accepted",
                 "merchant_order_not_accepted"}
    assert set(WRITERS) == templates


def test_retries_wait_longer_each_time_up_to_six_hours() -> None:
    assert [backoff(n) for n in (1, 2, 3, 10, 20)] == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2),
        timedelta(hours=4, minutes=16), timedelta(hours=6)]


def _fields(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]
