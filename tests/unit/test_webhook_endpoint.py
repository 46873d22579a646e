"""Outbound webhook endpoints in memory: URL rules, event types, secrets, the retry schedule."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from application.webhook_delivery import RetryPolicy, new_secret, signature
from domain.errors import IllegalTransitionError, InvalidValueError, ValidationFailedError
from domain.webhook_endpoint import (
    WebhookEndpoint,
    check_endpoint,
    check_event_types,
    check_url,
)


@pytest.mark.parametrize(("url", "allow_local", "code"), [
    ("https://hooks.example.com/x", False, None),
    ("https://93.184.216.34/x", False, None),
    ("http://127.0.0.1:8080/x", True, None),
    ("http://localhost:8080/x", True, None),
    ("https://10.1.2.3/x", True, None),  # development: a private address, over https
    ("http://10.1.2.3/x", True, "webhook_url_not_https"),  # plain http: this machine only
    ("http://hooks.example.com/x", True, "webhook_url_not_https"),
    ("https://10.1.2.3/x", False, "webhook_url_not_public"),
    ("https://[fd00::1]/x", False, "webhook_url_not_public"),
    ("https://0x7f.1/x", False, "webhook_url_not_public"),
    ("https://intranet/x", False, "webhook_url_not_public"),
    ("https://hooks.example.com/x#frag", False, "webhook_url_invalid"),
    ("https://hooks.example.com:99999/x", False, "webhook_url_invalid"),
    ("https://[::1/x", False, "webhook_url_invalid"),
    ("https://hooks.example.com/a b", False, "webhook_url_invalid"),
    ("", False, "webhook_url_invalid"),
])
def test_endpoint_urls(url: str, allow_local: bool, code: str | None) -> None:
    if code is None:
        assert check_url(url, allow_local) == url
        return
    with pytest.raises(InvalidValueError) as refused:
        check_url(url, allow_local)
    assert (refused.value.code, refused.value.field) == (code, "url")


def test_event_types_are_known_kept_once_in_the_catalogues_order() -> None:
    assert check_event_types(["payout.sent.v1", "order.placed.v1", "payout.sent.v1"]) == (
        "order.placed.v1", "payout.sent.v1")
    with pytest.raises(InvalidValueError) as unknown:
        check_event_types(["order.placed.v2"])
    assert (unknown.value.code, unknown.value.params["value"]) == (
        "webhook_event_type_unknown", "order.placed.v2")


def test_every_problem_of_an_endpoint_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailedError) as refused:
        check_endpoint("ftp://x", [], "d" * 201, allow_local=False)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("url", "webhook_url_invalid"), ("event_types", "webhook_event_types_empty"),
        ("description", "text_too_long")]


def test_a_rotated_secret_is_honoured_until_its_time_and_a_deleted_endpoint_is_done() -> None:
    first, second = uuid4(), uuid4()
    endpoint = WebhookEndpoint(None, "https://hooks.example.com/x", ["order.placed.v1"], None,
                               first, by="admin")
    now = datetime(2026, 11, 3, 12, tzinfo=UTC)
    assert endpoint.update(endpoint.url, ("order.placed.v1",), True, None, by="admin") is False
    endpoint.rotate_secret(second, now + timedelta(hours=1), by="admin")
    assert endpoint.signing_secret_ids(now) == [second, first]
    assert endpoint.signing_secret_ids(now + timedelta(hours=1)) == [second]
    endpoint.delete(by="admin")
    with pytest.raises(IllegalTransitionError):
        endpoint.rotate_secret(uuid4(), None, by="admin")


def test_retry_delays_double_from_the_first_up_to_the_cap_half_of_them_random() -> None:
    policy = RetryPolicy(timedelta(seconds=30), timedelta(hours=6), timedelta(days=3))
    for attempts, full in [(1, 30), (2, 60), (5, 480), (10, 15_360), (11, 21_600), (60, 21_600)]:
        delay = policy.delay(attempts).total_seconds()
        assert full / 2 <= delay <= full


def test_the_signature_reproduces_the_standard_webhooks_reference_vector() -> None:
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    assert new_secret(key) == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                     b'{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
