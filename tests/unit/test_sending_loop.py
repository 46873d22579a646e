"""The senders' loop: a backlog drains round after round, not one round per poll."""

from __future__ import annotations

import threading

from application.jobs import SendingLoop


def test_a_round_that_sent_something_is_followed_at_once_by_another() -> None:
    backlog = [100, 100, 100, 37]  # what each round finds to send, then nothing
    rounds: list[int] = []
    drained = threading.Event()

    def send() -> int:
        sent = backlog.pop(0) if backlog else 0
        rounds.append(sent)
        if sent == 0:
            drained.set()
        return sent

    loop = SendingLoop("mail-sender", send, poll_seconds=60)
    loop.start()
    try:
        loop.wake()  # something was queued; the next poll is a minute away
        assert drained.wait(5)
        assert rounds == [100, 100, 100, 37, 0]  # then it waits for the next wake or poll
    finally:
        loop.stop()
    assert rounds == [100, 100, 100, 37, 0]


def test_a_round_that_sent_nothing_waits_for_the_next_poll() -> None:
    rounds = []
    loop = SendingLoop("webhook-sender", lambda: rounds.append(0) or 0, poll_seconds=0.05)
    loop.start()
    threading.Event().wait(0.3)
    loop.stop()
    assert 1 <= len(rounds) <= 10  # a round per poll at most, not a busy loop
