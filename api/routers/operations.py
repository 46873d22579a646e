"""For operators and their probes: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ActorDep, ProjectionsDep, SettingsDep
from api.observability import refresh_lag
from api.problems import problem_response
from api.routing import OneHopRoute
from api.settings import Settings
from application.actors import Actor, Role
from application.errors import PermissionDeniedError

router = APIRouter(route_class=OneHopRoute, tags=["operations"])


@router.get("/health", operation_id="health", summary="The process answers (liveness)")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", operation_id="ready",
            summary="The database answers and read models are current (readiness)",
            responses={503: {"description": "Not ready (problem details)"}})
def ready(request: Request, projections: ProjectionsDep, settings: SettingsDep,
          actor: ActorDep) -> Any:
    """A bare answer for probes; positions, lag and failed events for admins (or everyone
    with COMPTOIR_OPERATIONS_DETAILS_PUBLIC)."""
    try:
        head = projections.head()
        lag = projections.lag()
        failures = projections.failures()
    except Exception:  # noqa: BLE001 - whatever the driver raises, the answer is "not ready"
        return problem_response(request, 503, "unavailable", "database_unavailable")
    behind = {name: n for name, n in lag.items() if n > settings.ready_max_lag_events}
    if behind:
        return problem_response(request, 503, "unavailable", "projections_behind",
                                {"projections": ", ".join(sorted(behind))})
    if not _shows_details(settings, actor):
        return JSONResponse({"status": "ready"})
    # An event a read model passed does not make it unready: it is live, and says so.
    return JSONResponse({"status": "ready", "position": head, "lag": lag,
                         "failed_events": {n: len(f) for n, f in failures.items()}})


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(request: Request, projections: ProjectionsDep, settings: SettingsDep,
            actor: ActorDep) -> Response:
    if not _shows_details(settings, actor):
        actor.require_signed_in()
        raise PermissionDeniedError()
    registry = request.app.state.metrics
    with suppress(Exception):  # metrics still answer when the database does not
        refresh_lag(registry, projections, projections.time_of)
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)


def _shows_details(settings: Settings, actor: Actor) -> bool:
    return settings.operations_details_public or actor.role == Role.ADMIN
