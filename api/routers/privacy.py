"""Law 25: a person's erasure and the export of everything held about them."""

from __future__ import annotations

import io
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.deps import AuthenticatorDep, PrivacyDep, SignedInDep
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.spreadsheet import csv_writer

router = APIRouter(route_class=OneHopRoute, prefix="/v1/privacy", tags=["privacy"],
                   responses=PROBLEM_RESPONSES)


@router.post("/subjects/{subject_id}/erasure", operation_id="erasePerson",
             summary="Erase a person (themselves or an admin)")
def erase(subject_id: UUID, privacy: PrivacyDep, actor: SignedInDep,
          authenticator: AuthenticatorDep) -> dict[str, Any]:
    newly = privacy.erase(actor, subject_id)
    authenticator.end_sessions(subject_id)  # now, not when the epoch cache expires
    return {"subject_id": str(subject_id), "erased": True, "already_erased": not newly}


@router.get("/subjects/{subject_id}/export", operation_id="exportPersonalData",
            summary="Everything held about a person (JSON, or its orders' lines as CSV)")
def export(subject_id: UUID, privacy: PrivacyDep, actor: SignedInDep,
           format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:  # noqa: A002
    data = privacy.export(actor, subject_id)
    if format == "json":
        return data
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["commande", "date", "commerce", "article", "quantite", "prix_unitaire_cents",
                     "montant_cents", "etat"])
    for order in data["orders"]:
        for part in order["merchant_orders"]:
            for line in part["lines"]:
                writer.writerow([order["id"], order["placed_at"], part["merchant_name"],
                                 line["title"], line["quantity"], line["unit_price_cents"],
                                 line["amount_cents"], part["status"]])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-commandes.csv"'})
