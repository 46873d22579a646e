"""The outbox's promises on the real stores, both backends: one mail per event and recipient
whatever the follower's crashes; a mail sent again after a crash carries the same Message-ID;
a busy server is tried again later, a refusal is given up; payouts are announced; the outbox
is never rebuilt and a new one does not mail the past."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from adapters.clock import FixedClock
from api.container import Container, build_container
from api.settings import Settings
from application.notifications.outbox import mail_id_for
from application.notifications.sender import CLAIM, MARK_EVERY
from projections.follower import RebuildRefusedError
from tests.integration.test_payouts import Market
from tests.mail.inbox import Inbox, smtp_server, text, with_smtp

PASSWORD = "érable en fût 2026"


class Crash(BaseException):
    """The process dies here: not an error a follower or a job would catch and go on."""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


@pytest.fixture
def quiet(settings: Settings, inbox: Inbox) -> Settings:
    """Mail through the test server; followers and jobs only when the test says."""
    return with_smtp(settings, inbox, run_projections=False)


@pytest.fixture
def shop(quiet: Settings, clock: FixedClock) -> Iterator[Container]:
    container = build_container(quiet, clock=clock)
    yield container
    container.close()


def sign_up(container: Container, *emails: str) -> None:
    for email in emails:
        assert container.accounts.sign_up(email, PASSWORD, "fr", client="test") is not None


def clients(container: Container, numbers: range) -> None:
    """client{n}@courriel.example for each n, each from a place of its own (one place may
    only sign up so many)."""
    for n in numbers:
        assert container.accounts.sign_up(f"client{n}@courriel.example", PASSWORD, "fr",
                                          client=f"poste-{n}") is not None


def outbox(container: Container) -> Any:
    return container.projections["notifications"].store


def test_a_mail_is_sent_once_even_when_the_follower_dies_mid_batch_and_restarts(
        quiet: Settings, inbox: Inbox) -> None:
    people = [f"personne{n}@courriel.example" for n in range(10)]
    first = build_container(quiet)
    sign_up(first, *people)
    follower = first.projections["notifications"]
    follower.batch_size = 4
    store = outbox(first)
    unit_of_work, added = store.unit_of_work, []

    def dying(cursor: Any) -> Any:  # the process dies at the 6th row: mid second batch
        unit = unit_of_work(cursor)
        add = unit.add

        def add_then_die(mail: Any, at: Any) -> None:
            added.append(mail)
            if len(added) == 6:
                raise Crash
            add(mail, at)

        unit.add = add_then_die
        return unit

    store.unit_of_work = dying
    with pytest.raises(Crash):
        follower.catch_up()
    assert first.mail.send_due() == 4  # the first batch, committed with its position
    first.close()

    # A new process on the same database takes up where the tracked position says.
    second = build_container(quiet)
    try:
        second.projections.settle()
        assert second.mail.send_due() == 6
        assert second.mail.send_due() == 0
        assert sorted(m["To"] for m in inbox.messages) == people  # each once
        assert len({m["Message-ID"] for m in inbox.messages}) == 10
        assert outbox(second).counts() == {"sent": 10}
        assert second.projections.failures()["notifications"] == []
    finally:
        second.close()


def test_a_mail_sent_again_after_a_crash_before_it_was_recorded_has_the_same_message_id(
        shop: Container, inbox: Inbox, clock: FixedClock) -> None:
    sign_up(shop, "camille@courriel.example")
    shop.projections.settle()
    store = outbox(shop)

    def die(*_: Any) -> None:
        raise Crash

    store.sent = die  # handed to the server, then the process dies before recording it
    with pytest.raises(Crash):
        shop.mail.send_due()
    del store.sent
    assert len(inbox.messages) == 1

    # Still claimed by the dead sender: nobody sends it until the claim lapses.
    assert shop.mail.send_due() == 0
    clock.advance(CLAIM + timedelta(seconds=1))
    assert shop.mail.send_due() == 1
    first, again = inbox.messages
    [(event_id, recipient, *_)] = store.rows()
    assert first["Message-ID"] == again["Message-ID"] == (
        f"<{mail_id_for(event_id, recipient)}@comptoir.quebec>")
    assert text(first) == text(again)
    assert store.counts() == {"sent": 1}


def test_a_round_cut_short_by_an_error_records_the_mails_it_handed_over_before_it(
        shop: Container, inbox: Inbox, clock: FixedClock) -> None:
    # A round's mails are marked sent together when it ends: an error mid-round must not
    # leave the mails already handed over to be sent a second time.
    clients(shop, range(3))
    shop.projections.settle()
    addressees = shop.mail.addressees
    asked = []

    def database_gone_at_the_third(mail: Any) -> Any:
        asked.append(mail)
        if len(asked) == 3:  # nor can the failure be recorded: the round stops there
            shop.mail.outbox.retry = gone  # type: ignore[method-assign]
            raise psycopg.OperationalError("server closed the connection")
        return type(addressees).of(addressees, mail)

    def gone(*_: Any) -> None:
        raise psycopg.OperationalError("server closed the connection")

    addressees.of = database_gone_at_the_third  # type: ignore[method-assign]
    with pytest.raises(psycopg.OperationalError):
        shop.mail.send_due()
    del addressees.of, shop.mail.outbox.retry
    assert len(inbox.messages) == 2
    assert outbox(shop).counts() == {"sent": 2, "pending": 1}

    clock.advance(CLAIM + timedelta(seconds=1))
    assert shop.mail.send_due() == 1  # only the one not handed over
    assert len({m["Message-ID"] for m in inbox.messages}) == 3
    assert outbox(shop).counts() == {"sent": 3}


def test_a_long_round_records_its_mails_as_it_goes_so_a_crash_repeats_few(
        shop: Container, inbox: Inbox) -> None:
    clients(shop, range(MARK_EVERY + 5))
    shop.projections.settle()
    recorded_when_handed_over = []
    send = shop.mail.mailer.send

    def watching(mail: Any) -> None:
        recorded_when_handed_over.append(outbox(shop).counts().get("sent", 0))
        send(mail)

    shop.mail.mailer.send = watching
    assert shop.mail.send_due() == MARK_EVERY + 5
    # Handing over the 26th, the first 25 are already recorded: a crash then would send
    # only the 26th again, not the whole round.
    assert recorded_when_handed_over == [0] * MARK_EVERY + [MARK_EVERY] * 5
    assert outbox(shop).counts() == {"sent": MARK_EVERY + 5}


def test_a_round_sends_its_mails_over_one_connection_and_a_refusal_starts_a_new_one(
        shop: Container, inbox: Inbox) -> None:
    clients(shop, range(3))
    shop.projections.settle()
    assert shop.mail.send_due() == 3
    assert len(set(inbox.peers)) == 1

    clients(shop, range(3, 6))
    shop.projections.settle()
    inbox.refuse = ["451 4.3.0 Try again later"]  # the round's first mail
    assert shop.mail.send_due() == 2
    # The previous round let its connection go; this one opened one, and another after the
    # refusal.
    previous_round, refused, after, last = inbox.peers[2:]
    assert len({previous_round, refused, after}) == 3 and after == last
    assert len(inbox.messages) == 5


def test_a_connection_the_server_closed_between_two_mails_is_opened_again_once(
        shop: Container, inbox: Inbox) -> None:
    clients(shop, range(3))
    shop.projections.settle()
    inbox.hang_up_at = {2}  # the second mail's MAIL FROM finds the connection gone
    assert shop.mail.send_due() == 3
    assert len(inbox.messages) == 3 and outbox(shop).counts() == {"sent": 3}
    first, second, third = inbox.peers
    assert first != second == third


def test_a_busy_server_is_tried_again_later_and_a_refused_mail_is_given_up(
        shop: Container, inbox: Inbox, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="comptoir.mail")
    inbox.refuse = ["451 4.3.0 Try again later"]
    sign_up(shop, "busy@courriel.example")
    shop.projections.settle()
    assert shop.mail.send_due() == 0
    assert [row[3:] for row in outbox(shop).rows()] == [("pending", 1)]
    assert shop.mail.send_due() == 0  # not before its time
    clock.advance(timedelta(seconds=31))
    assert shop.mail.send_due() == 1
    assert [m["To"] for m in inbox.messages] == ["busy@courriel.example"]

    inbox.refuse = ["550 5.1.1 No such mailbox"]
    sign_up(shop, "nobody@courriel.example")
    shop.projections.settle()
    assert shop.mail.send_due() == 0
    clock.advance(timedelta(days=2))
    assert shop.mail.send_due() == 0  # given up: a refusal does not change by waiting
    assert outbox(shop).counts() == {"sent": 1, "failed": 1}
    assert "SMTPDataError 451" in caplog.text and "SMTPDataError 550" in caplog.text
    assert "courriel.example" not in caplog.text  # logs never hold an address


def test_a_server_without_smtputf8_gives_up_at_once_on_an_address_with_accents_only(
        settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="comptoir.mail")
    with smtp_server(smtputf8=False) as old_relay:
        container = build_container(with_smtp(settings, old_relay, run_projections=False),
                                    clock=clock)
        try:
            sign_up(container, "josée@courriel.example", "rene@boulangerie.québec")
            container.projections.settle()
            assert container.mail.send_due() == 1
            assert [m["To"] for m in old_relay.messages] == ["rene@boulangerie.xn--qubec-csa"]
            clock.advance(timedelta(days=2))
            assert container.mail.send_due() == 0  # no later try changes what a server offers
            assert outbox(container).counts() == {"sent": 1, "failed": 1}
            assert "SMTPUTF8 not offered by the server" in caplog.text
            assert "josée" not in caplog.text
        finally:
            container.close()


def test_a_merchant_is_told_of_each_transfer_and_of_each_reversal(
        shop: Container, inbox: Inbox) -> None:
    market = Market(shop)
    order = market.buy()
    first = next(iter(market.listings))
    market.fulfil(order.id, first)
    market.refund(order.id, first, 12_99)
    shop.mail.send_due()

    ref = order.id.hex[:8].upper()
    row = market.ledger(first)
    assert (row["transfer"], row["reversal"]) == (27_79, 12_09)
    sent = inbox.one("luc@pain.example", f"Virement de 27,79 $ envoyé — commande {ref}")
    assert text(sent) == f"""Bonjour,

Nous avons viré 27,79 $ à Commerce 0 pour la commande {ref}. Le délai de dépôt dépend de \
votre institution financière.

Vos versements : http://127.0.0.1:8000/portail/versements

— L'équipe Comptoir
"""
    reversed_ = inbox.one("luc@pain.example", f"Virement repris : 12,09 $ — commande {ref}")
    assert text(reversed_).splitlines()[2] == (
        f"À la suite d'un remboursement sur la commande {ref}, 12,09 $ du virement versé à "
        "Commerce 0 a été repris.")


def test_the_outbox_is_never_rebuilt(shop: Container) -> None:
    with pytest.raises(RebuildRefusedError):
        shop.projections["notifications"].rebuild()


def test_a_new_outbox_starts_at_the_head_of_the_log_and_mails_nothing_of_the_past(
        quiet: Settings, inbox: Inbox) -> None:
    before = build_container(quiet)
    sign_up(before, "ancienne@courriel.example")
    before.close()
    # As if the platform ran before notifications existed: the outbox's store is new.
    _drop_outbox(quiet)
    after = build_container(quiet)
    try:
        sign_up(after, "nouvelle@courriel.example")
        after.projections.settle()
        assert after.mail.send_due() == 1
        assert [m["To"] for m in inbox.messages] == ["nouvelle@courriel.example"]
    finally:
        after.close()


def _drop_outbox(settings: Settings) -> None:
    if settings.backend == "sqlite":
        for path in settings.data_dir.glob("mail.sqlite3*"):
            path.unlink()
        return
    assert settings.postgres_dsn is not None
    with psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True) as conn:
        for table in ("mail_outbox", "notifications_tracking"):
            conn.execute(f'DROP TABLE "{settings.postgres_schema}"."{table}"')


def test_rows_of_mails_sent_a_month_ago_are_deleted_and_nothing_is_sent_again(
        shop: Container, clock: FixedClock, inbox: Inbox) -> None:
    sign_up(shop, "ancienne@courriel.example")
    shop.projections.settle()
    assert shop.mail.send_due() == 1
    clock.advance(timedelta(days=29))
    sign_up(shop, "recente@courriel.example")
    shop.projections.settle()
    assert shop.mail.send_due() == 1
    clock.advance(timedelta(days=2))  # the first is 31 days old, the second 2

    assert shop.mail.forget_done() == 1
    assert [row[2:4] for row in outbox(shop).rows()] == [("email_verification", "sent")]
    shop.projections.settle()
    assert shop.mail.send_due() == 0
    assert len(inbox.messages) == 2


def test_two_senders_claiming_at_once_share_the_due_mails_and_send_none_twice(
        shop: Container, clock: FixedClock) -> None:
    clients(shop, range(30))
    shop.projections.settle()
    store, now = outbox(shop), clock.now()
    barrier = threading.Barrier(3)

    def claim(limit: int) -> list[str]:
        barrier.wait()
        return [mail.event_id for mail in store.claim_due(now, now + CLAIM, limit)]

    with ThreadPoolExecutor(3) as pool:
        rounds = [pool.submit(claim, 12) for _ in range(3)]
        claimed = [r.result() for r in rounds]
    everyone = [event_id for found in claimed for event_id in found]
    assert len(everyone) == len(set(everyone)) == 30  # each once, none left over
    assert sorted(len(found) for found in claimed) == [6, 12, 12]
    assert store.claim_due(now, now + CLAIM, 100) == []  # all held until the claim lapses
    clock.advance(CLAIM + timedelta(seconds=1))
    oldest_first = [m.event_id for m in store.claim_due(clock.now(), clock.now() + CLAIM, 5)]
    assert oldest_first == [row[0] for row in store.rows()][:5]
