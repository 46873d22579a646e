"""The pages' Content-Security-Policy: forms post to us only, except the payout onboarding's
redirect to Stripe's hosted pages when Stripe is the gateway."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from starlette.requests import Request

from api.settings import Settings
from api.web.render import Pages
from application.actors import Actor


def form_action(settings: Settings) -> str:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b"", "app": type("App", (), {"state": type(
                           "State", (), {"default_language": "fr"})()})()})
    policy = Pages(request, Actor.anonymous(), settings).headers()["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "form-action" in part)


def test_forms_post_to_this_site_only_with_the_local_gateway(tmp_path: Path) -> None:
    assert form_action(Settings(data_dir=tmp_path)) == "form-action 'self'"


def test_stripe_onboarding_may_be_reached_by_the_portal_form(tmp_path: Path) -> None:
    stripe = Settings(data_dir=tmp_path, stripe_secret_key=SecretStr("sk_test_123"))
    assert form_action(stripe) == "form-action 'self' https://connect.stripe.com"
