"""Auditors: the log as stored, any aggregate as it was, and the verification of the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, SignedInDep
from api.problems import PROBLEM_RESPONSES, HTTPProblem
from api.routing import OneHopRoute
from application.audit import MAX_PAGE, EventQuery

MAX_POSITION = 2**62  # positions are 64-bit integers in both stores

router = APIRouter(route_class=OneHopRoute, prefix="/v1/audit", tags=["audit"],
                   responses=PROBLEM_RESPONSES)


@router.get("/events", operation_id="listAuditEvents",
            summary="Stored events in log order (auditors)")
def events(
    audit: AuditDep, actor: SignedInDep,
    aggregate_id: UUID | None = None,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                description="Continue after this position")] = 0,
    to_position: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
    since: datetime | None = None, until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> dict[str, Any]:
    page, last = audit.events(actor, EventQuery(aggregate_id, topic, after, to_position,
                                                since, until, limit))
    return {"events": page, "next_after": last}


@router.get("/aggregates/{aggregate_id}", operation_id="getAggregateAsItWas",
            summary="An aggregate as it was after a position or at a time (auditors)")
def aggregate(aggregate_id: UUID, audit: AuditDep, actor: SignedInDep,
              position: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
              at: datetime | None = None) -> dict[str, Any]:
    if position is not None and at is not None:
        raise HTTPProblem(422, "validation-failed", "position_or_time")
    return audit.aggregate_at(actor, aggregate_id, position, at)


@router.post("/verification", operation_id="verifyAuditChain",
             summary="Recompute the hash chain and check its checkpoints")
async def verification(audit: AuditDep, actor: SignedInDep) -> dict[str, Any]:
    report = await run_in_threadpool(audit.verify, actor)
    return report.__dict__
