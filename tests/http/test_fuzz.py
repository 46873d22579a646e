"""Schemathesis against the served OpenAPI schema, both backends, bounded to a few minutes:
every operation gets generated requests (as an admin, so that bodies are reached); no answer
is ever a 5xx, and every 4xx is a problem-details document."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr

from api.container import Container, build_container
from api.main import create_app
from api.settings import Settings
from application.actors import Role

EXAMPLES = 30  # per operation and backend


def test_no_server_error_and_every_refusal_is_a_problem(settings: Settings) -> None:
    container = build_container(settings.model_copy(update={
        "stripe_webhook_secret": SecretStr("whsec_fuzz"), "run_projections": False}))
    try:
        fuzz_every_operation(container)
    finally:
        container.close()


def fuzz_every_operation(container: Container) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container=container))
    headers = {"Authorization": f"Bearer {container.tokens.issue(Role.ADMIN)}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{where}: {response.text[:200]}")
            elif response.status_code >= 400 and not response.headers.get(
                    "content-type", [""])[0].startswith("application/problem+json"):
                failures.append(f"{where}: not a problem document")

        fuzz()
    assert failures == []
