"""The auditors' console (`/audit`): the log by position, time, aggregate and event type
(`Audit.events`, the API's `GET /v1/audit/events`), an aggregate as it was at a position or a
moment with the events that made it (`Audit.aggregate_at`), and the verification of the hash
chain (`Audit.verify`). Personal data stays sealed unless COMPTOIR_AUDITORS_SEE_PERSONAL_DATA:
the use case decides, this page only shows what it gets."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AuditDep, _part
from api.routing import OneHopRoute
from api.web.render import Errors
from api.web.shop import PagesDep, not_found
from api.web.spaces import space_required
from application.actors import Role
from application.audit import EventQuery
from application.errors import NotFoundError
from domain.errors import DomainError, FieldErrors, InvalidValueError
from domain.quebec import CIVIL_TIME

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
PAGE = 50
ChainDep = Annotated[Any, _part("chain")]  # the chain's head, as `comptoir audit verify` prints
SignerDep = Annotated[Any, _part("signer")]  # the public key that checks the checkpoints


@router.get("/audit", response_class=HTMLResponse)
def log_page(page: PagesDep, audit: AuditDep, apres: str = "", agregat: str = "",
             type: str = "", depuis: str = "", jusqu: str = "") -> Response:
    if guard := space_required(page, Role.AUDITOR):
        return guard
    asked = {"apres": apres[:20], "agregat": agregat[:40], "type": type[:200],
             "depuis": depuis[:30], "jusqu": jusqu[:30]}
    events: list[dict[str, Any]] = []
    more, errors = None, Errors()
    try:
        query = _query(asked)
        events, last = audit.events(page.actor, query)
        more = "/audit?" + urlencode({**asked, "apres": last}) if last else None
    except DomainError as refused:
        errors = Errors.of(refused, page.language)
    return page.render("consoles/audit_log.html", 422 if errors else 200, asked=asked,
                       events=_shown(events), more=more, errors=errors)


@router.get("/audit/agregats/{aggregate_id}", response_class=HTMLResponse)
def aggregate_page(aggregate_id: str, page: PagesDep, audit: AuditDep, position: str = "",
                   moment: str = "") -> Response:
    if guard := space_required(page, Role.AUDITOR):
        return guard
    asked = {"position": position[:20], "moment": moment[:30]}
    try:
        target = UUID(aggregate_id)
        errors = FieldErrors()
        at_position = errors.parse("position", _position, asked["position"])
        at = errors.parse("moment", _moment, asked["moment"])
        if at_position is not None and at is not None:
            errors.add("moment", "position_or_time")
        errors.raise_if_any()
        state = audit.aggregate_at(page.actor, target, at_position, at)
        events, _ = audit.events(page.actor, EventQuery(target, None, 0, state["position"],
                                                        None, at, PAGE * 10))
    except (ValueError, NotFoundError):
        return not_found(page)
    except DomainError as refused:
        return page.render("consoles/audit_aggregate.html", 422, asked=asked, state=None,
                           events=[], aggregate_id=aggregate_id,
                           errors=Errors.of(refused, page.language))
    state["state"] = _json(state["state"])
    return page.render("consoles/audit_aggregate.html", asked=asked, state=state,
                       events=_shown(events), aggregate_id=aggregate_id)


@router.post("/audit/verification", response_class=HTMLResponse)
async def verification(page: PagesDep, audit: AuditDep, chain: ChainDep,
                       signer: SignerDep) -> Response:
    if guard := space_required(page, Role.AUDITOR):
        return guard
    report = await run_in_threadpool(audit.verify, page.actor)
    position, head = await run_in_threadpool(chain.head)  # to keep: the chain passes here
    # The latest checkpoint and the key that checks it: kept apart from the platform, they
    # prove later that the log still passes through this point (`comptoir audit verify
    # --public-key`).
    signed = (await run_in_threadpool(chain.checkpoints) or [None])[-1]
    return page.render("consoles/audit_verification.html", report=asdict(report),
                       head_position=position, head_hash=head.hex(), signed=signed,
                       public_key=signer.public_key_pem())


def _query(asked: dict[str, str]) -> EventQuery:
    errors = FieldErrors()
    after = errors.parse("apres", _position, asked["apres"]) or 0
    aggregate = errors.parse("agregat", _uuid, asked["agregat"])
    since = errors.parse("depuis", _moment, asked["depuis"])
    until = errors.parse("jusqu", _moment, asked["jusqu"])
    errors.raise_if_any()
    return EventQuery(aggregate, asked["type"] or None, after, None, since, until, PAGE)


def _position(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 0 < int(text) < 2**62:
        raise InvalidValueError("int_parsing")
    return int(text)


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip()) if text.strip() else None
    except ValueError:
        raise InvalidValueError("uuid_parsing") from None


def _moment(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise InvalidValueError("datetime_parsing") from None
    # A moment typed without its offset is Québec's time, not the server's zone.
    return (when if when.tzinfo else when.replace(tzinfo=CIVIL_TIME)) if when else None


def _shown(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "payload": _json(e["payload"])} for e in events]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
