"""The portal's insight (`/portail/statistiques`): `Insights.report`, the API's
`GET /v1/merchants/{id}/insights`, drawn as bars (inline SVG, sized by attributes: the CSP
allows no inline style) beside the figures in tables. A group of fewer than K people is shown
as words ("moins de 5"), never as a number, and draws no bar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from api.deps import InsightsDep, MerchantsDep
from api.routing import OneHopRoute
from api.web.render import Errors, Pages
from api.web.shop import PagesDep
from api.web.spaces import session_merchant, space_required
from application.actors import Role
from application.insights import KINDS
from domain.errors import DomainError, FieldErrors, InvalidValueError

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
BAR = 120  # the longest bar, in SVG user units


@router.get("/portail/statistiques", response_class=HTMLResponse)
def insight_page(page: PagesDep, insights: InsightsDep, merchants: MerchantsDep,
                 du: str = "", au: str = "") -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant_id = session_merchant(page)
    merchant = merchants.get(page.actor, merchant_id)
    try:
        first, last = _dates(du, au)
        report = insights.report(page.actor, merchant_id, first, last)
    except DomainError as refused:
        return page.render("portal/insight.html", 422, section="insight", merchant=merchant,
                           asked={"du": du[:10], "au": au[:10]}, report=None,
                           errors=Errors.of(refused, page.language, {"from": "du", "to": "au"}))
    return page.render(
        "portal/insight.html", section="insight", merchant=merchant, report=report,
        asked={"du": report["from"], "au": report["to"]}, kinds=KINDS,
        by_day=_table(report["by_day"], "day", page), totals=report["totals"],
        by_region=_table(report["by_region"], "region", page), shown=lambda v: _shown(v, page),
        terms=[(t["term"], t["searches"], _width(t["searches"], report["top_terms"][0]["searches"]))
               for t in report["top_terms"]])


def _dates(first: str, last: str) -> tuple[date | None, date | None]:
    errors = FieldErrors()
    found = (errors.parse("du", _day, first), errors.parse("au", _day, last))
    errors.raise_if_any()
    return found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise InvalidValueError("datetime_parsing") from None  # the API's words for ?from=


def _table(rows: list[dict[str, Any]], by: str, page: Pages) -> list[dict[str, Any]]:
    """One row per day (or region), each kind's figures and bar width (None: hidden)."""
    most = {k: max([r["events"] for r in rows if r["kind"] == k and isinstance(r["events"], int)]
                   or [0]) for k in KINDS}
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = str(r[by])
        line = table.setdefault(key, {"label": _label(key, by, page), "cells": {}})
        events = r["events"]
        line["cells"][r["kind"]] = (_shown(events, page), _width(events, most[r["kind"]]))
    return [table[k] for k in sorted(table)]


def _label(value: str, by: str, page: Pages) -> str:
    if by == "day":
        return page.date(datetime.fromisoformat(value))
    return page.t["portal_in_unknown"] if value == "unknown" else value


def _width(events: Any, most: int) -> int | None:
    if not isinstance(events, int) or most <= 0:
        return None
    return max(1, round(BAR * events / most)) if events else 0


def _shown(value: Any, page: Pages) -> str:
    """A figure as people read it: hidden groups in words, never a number."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f" if page.language == "fr" else ",")
    if isinstance(value, str) and value.startswith(">= "):
        return page.t["portal_in_at_least"].format(n=value[3:])
    return page.t["portal_in_fewer"]
