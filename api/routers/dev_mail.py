"""The development mailbox: `/dev/mail` lists the mails written to data_dir/mail instead of
sent, `/dev/mail/{id}` shows one with its links clickable (follow the verification link of a
sign-up without any mail server). Development only: in production both answer 404, like any
unknown address. JSON with `?format=json` or `Accept: application/json`.
"""

from __future__ import annotations

import html
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import DevMailboxDep, SettingsDep
from api.problems import HTTPProblem
from api.routing import OneHopRoute
from api.settings import Settings
from application.notifications.mailer import DevMail, DevMailbox

router = APIRouter(route_class=OneHopRoute, prefix="/dev/mail", include_in_schema=False)

URL = re.compile(r"https?://[^\s<>\"']+")
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
STYLE = ("body{font:1rem/1.5 system-ui,sans-serif;max-width:52rem;margin:1rem auto;"
         "padding:0 1rem}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #ddd}"
         "pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}")


@router.get("")
def mails(request: Request, settings: SettingsDep, mailbox: DevMailboxDep,
          format: str | None = None) -> Any:  # noqa: A002 - the query parameter's name
    found = _mailbox(settings, mailbox)
    listed = found.mails() if found is not None else []
    if _wants_json(request, format):
        return JSONResponse({"mails": [{**_summary(m), "href": f"/dev/mail/{m.mail_id}"}
                                       for m in listed]}, headers=HEADERS)
    rows = "".join(
        f"<tr><td>{_e(m.date)}</td><td>{_e(m.to)}</td>"
        f"<td><a href=\"/dev/mail/{m.mail_id}\">{_e(m.subject)}</a></td></tr>" for m in listed)
    note = "" if found is not None else "<p>Mails go to the SMTP server (COMPTOIR_SMTP_HOST).</p>"
    return _page("Courrier (développement)", f"<h1>Courrier (développement)</h1>{note}"
                 f"<table><tr><th>Date</th><th>À</th><th>Objet</th></tr>{rows}</table>")


@router.get("/{mail_id}")
def mail(mail_id: UUID, request: Request, settings: SettingsDep, mailbox: DevMailboxDep,
         format: str | None = None) -> Any:  # noqa: A002 - the query parameter's name
    found = _mailbox(settings, mailbox)
    one = found.read(mail_id) if found is not None else None
    if one is None:
        raise HTTPProblem(404, "not-found", "route_not_found")
    if _wants_json(request, format):
        return JSONResponse({**_summary(one), "text": one.text,
                             "links": URL.findall(one.text)}, headers=HEADERS)
    body = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', _e(one.text))
    return _page(one.subject, f'<p><a href="/dev/mail">← Courrier</a></p>'
                 f"<h1>{_e(one.subject)}</h1><p>À : {_e(one.to)}<br>Date : {_e(one.date)}"
                 f"<br>Message-ID : {_e(one.message_id)}</p><pre>{body}</pre>")


def _mailbox(settings: Settings, mailbox: DevMailbox | None) -> DevMailbox | None:
    if settings.environment != "development":
        raise HTTPProblem(404, "not-found", "route_not_found")
    return mailbox


def _wants_json(request: Request, format: str | None) -> bool:  # noqa: A002
    accept = request.headers.get("accept", "")
    return format == "json" or ("application/json" in accept and "text/html" not in accept)


def _summary(m: DevMail) -> dict[str, str]:
    return {"id": str(m.mail_id), "to": m.to, "subject": m.subject, "date": m.date,
            "message_id": m.message_id}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
                        f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
                        f"<body>{body}</body></html>", headers=HEADERS)
