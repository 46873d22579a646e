"""For operators and their probes: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ContainerDep
from api.observability import refresh_lag
from api.problems import problem_response

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process answers (liveness)")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="The database answers and read models are current (readiness)",
            responses={503: {"description": "Not ready (problem details)"}})
def ready(request: Request, c: ContainerDep) -> Any:
    try:
        head = c.app.log_position()
        lag = c.projections.lag()
    except Exception:  # noqa: BLE001 - whatever the driver raises, the answer is "not ready"
        return problem_response(request, 503, "unavailable", "database_unavailable")
    behind = {name: n for name, n in lag.items() if n > c.settings.ready_max_lag_events}
    if behind:
        return problem_response(request, 503, "unavailable", "projections_behind",
                                {"projections": ", ".join(sorted(behind))})
    return JSONResponse({"status": "ready", "position": head, "lag": lag})


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(request: Request, c: ContainerDep) -> Response:
    registry = request.app.state.metrics
    with suppress(Exception):  # metrics still answer when the database does not
        refresh_lag(registry, c.projections, lambda p: _time_of(c, p))
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)


def _time_of(c: Any, position: int) -> float | None:
    found = c.app.recorder.select_notifications(position, 1)
    return c.app.mapper.to_domain_event(found[0]).timestamp.timestamp() if found else None
