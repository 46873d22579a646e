"""Outbound webhooks: a merchant's endpoints, and the operator's (docs/webhooks.md).

(`POST /v1/payments/webhooks/stripe`, the inbound webhooks of the gateway, is in payouts.py.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.deps import IdempotencyKeyDep, SignedInDep, WebhookEndpointsDep, keyed
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.webhook_endpoints import (
    DeliveryOut,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    SecretRotationIn,
)

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["webhooks"],
                   responses=PROBLEM_RESPONSES)
MERCHANT = "/merchants/{merchant_id}/webhook-endpoints"
OPERATOR = "/webhook-endpoints"
Status = Literal["pending", "succeeded", "failed", "cancelled"]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


def _changes(body: EndpointPatch) -> dict[str, object]:
    given = body.model_dump(exclude_unset=True)
    return {k: v for k, v in given.items() if v is not None or k == "description"}


# -- a merchant's endpoints ---------------------------------------------------------------------

@router.post(MERCHANT, operation_id="createWebhookEndpoint", status_code=201,
             summary="Register an endpoint (the secret is shown once)")
def register(merchant_id: UUID, body: EndpointIn, endpoints: WebhookEndpointsDep,
             actor: SignedInDep, key: IdempotencyKeyDep, response: Response) -> EndpointOut:
    request = body.model_dump(mode="json")
    view = endpoints.register(actor, merchant_id, request,
                              keyed(key, actor, f"webhook_endpoints.register:{merchant_id}",
                                    request))
    response.headers["Location"] = f"/v1/merchants/{merchant_id}/webhook-endpoints/{view.id}"
    return EndpointOut.of(view)


@router.get(MERCHANT, operation_id="listWebhookEndpoints", summary="The merchant's endpoints")
def list_endpoints(merchant_id: UUID, endpoints: WebhookEndpointsDep,
                   actor: SignedInDep) -> list[EndpointOut]:
    return [EndpointOut.of(v) for v in endpoints.all(actor, merchant_id)]


@router.get(MERCHANT + "/{endpoint_id}", operation_id="getWebhookEndpoint",
            summary="An endpoint (never its secret)")
def get_endpoint(merchant_id: UUID, endpoint_id: UUID, endpoints: WebhookEndpointsDep,
                 actor: SignedInDep) -> EndpointOut:
    return EndpointOut.of(endpoints.get(actor, merchant_id, endpoint_id))


@router.patch(MERCHANT + "/{endpoint_id}", operation_id="updateWebhookEndpoint",
              summary="Change its URL, event types or state")
def update_endpoint(merchant_id: UUID, endpoint_id: UUID, body: EndpointPatch,
                    endpoints: WebhookEndpointsDep, actor: SignedInDep) -> EndpointOut:
    return EndpointOut.of(endpoints.update(actor, merchant_id, endpoint_id, _changes(body)))


@router.delete(MERCHANT + "/{endpoint_id}", operation_id="deleteWebhookEndpoint", status_code=204,
               summary="Delete it: pending deliveries cancelled, secrets destroyed")
def delete_endpoint(merchant_id: UUID, endpoint_id: UUID, endpoints: WebhookEndpointsDep,
                    actor: SignedInDep) -> Response:
    endpoints.delete(actor, merchant_id, endpoint_id)
    return Response(status_code=204)


@router.post(MERCHANT + "/{endpoint_id}/secret-rotation",
             operation_id="rotateWebhookEndpointSecret",
             summary="A new secret, shown once; the current one honoured a while longer")
def rotate_secret(merchant_id: UUID, endpoint_id: UUID, endpoints: WebhookEndpointsDep,
                  actor: SignedInDep, body: SecretRotationIn | None = None) -> EndpointOut:
    keep = timedelta(hours=(body or SecretRotationIn()).keep_previous_hours)
    return EndpointOut.of(endpoints.rotate_secret(actor, merchant_id, endpoint_id, keep))


@router.get(MERCHANT + "/{endpoint_id}/deliveries", operation_id="listWebhookDeliveries",
            summary="Deliveries, newest first, each with its attempts")
def deliveries(merchant_id: UUID, endpoint_id: UUID, endpoints: WebhookEndpointsDep,
               actor: SignedInDep, status: Status | None = None, limit: Limit = 50,
               offset: Offset = 0) -> list[DeliveryOut]:
    return [DeliveryOut.of(d) for d in endpoints.deliveries(
        actor, merchant_id, endpoint_id, status, limit, offset)]


@router.get(MERCHANT + "/{endpoint_id}/deliveries/{delivery_id}", operation_id="getWebhookDelivery",
            summary="A delivery")
def delivery(merchant_id: UUID, endpoint_id: UUID, delivery_id: UUID,
             endpoints: WebhookEndpointsDep, actor: SignedInDep) -> DeliveryOut:
    return DeliveryOut.of(endpoints.delivery(actor, merchant_id, endpoint_id, delivery_id))


@router.post(MERCHANT + "/{endpoint_id}/deliveries/{delivery_id}/replay",
             operation_id="replayWebhookDelivery",
             summary="One more attempt now, with the same webhook-id")
def replay(merchant_id: UUID, endpoint_id: UUID, delivery_id: UUID,
           endpoints: WebhookEndpointsDep, actor: SignedInDep) -> DeliveryOut:
    return DeliveryOut.of(endpoints.replay(actor, merchant_id, endpoint_id, delivery_id))


# -- the operator's endpoints (admin): every merchant's events ---------------------------------

@router.post(OPERATOR, operation_id="createOperatorWebhookEndpoint", status_code=201,
             summary="Register an operator endpoint (admin)")
def register_operator(body: EndpointIn, endpoints: WebhookEndpointsDep, actor: SignedInDep,
                      key: IdempotencyKeyDep, response: Response) -> EndpointOut:
    request = body.model_dump(mode="json")
    view = endpoints.register(actor, None, request,
                              keyed(key, actor, "webhook_endpoints.register", request))
    response.headers["Location"] = f"/v1{OPERATOR}/{view.id}"
    return EndpointOut.of(view)


@router.get(OPERATOR, operation_id="listOperatorWebhookEndpoints",
            summary="The operator's endpoints")
def list_operator(endpoints: WebhookEndpointsDep, actor: SignedInDep) -> list[EndpointOut]:
    return [EndpointOut.of(v) for v in endpoints.all(actor, None)]


@router.get(OPERATOR + "/{endpoint_id}", operation_id="getOperatorWebhookEndpoint",
            summary="An operator endpoint")
def get_operator(endpoint_id: UUID, endpoints: WebhookEndpointsDep,
                 actor: SignedInDep) -> EndpointOut:
    return EndpointOut.of(endpoints.get(actor, None, endpoint_id))


@router.patch(OPERATOR + "/{endpoint_id}", operation_id="updateOperatorWebhookEndpoint",
              summary="Change an operator endpoint")
def update_operator(endpoint_id: UUID, body: EndpointPatch, endpoints: WebhookEndpointsDep,
                    actor: SignedInDep) -> EndpointOut:
    return EndpointOut.of(endpoints.update(actor, None, endpoint_id, _changes(body)))


@router.delete(OPERATOR + "/{endpoint_id}", operation_id="deleteOperatorWebhookEndpoint",
               status_code=204, summary="Delete an operator endpoint")
def delete_operator(endpoint_id: UUID, endpoints: WebhookEndpointsDep,
                    actor: SignedInDep) -> Response:
    endpoints.delete(actor, None, endpoint_id)
    return Response(status_code=204)


@router.post(OPERATOR + "/{endpoint_id}/secret-rotation",
             operation_id="rotateOperatorWebhookEndpointSecret", summary="Rotate its secret")
def rotate_operator(endpoint_id: UUID, endpoints: WebhookEndpointsDep, actor: SignedInDep,
                    body: SecretRotationIn | None = None) -> EndpointOut:
    keep = timedelta(hours=(body or SecretRotationIn()).keep_previous_hours)
    return EndpointOut.of(endpoints.rotate_secret(actor, None, endpoint_id, keep))


@router.get(OPERATOR + "/{endpoint_id}/deliveries", operation_id="listOperatorWebhookDeliveries",
            summary="Its deliveries, newest first")
def deliveries_operator(endpoint_id: UUID, endpoints: WebhookEndpointsDep, actor: SignedInDep,
                        status: Status | None = None, limit: Limit = 50,
                        offset: Offset = 0) -> list[DeliveryOut]:
    return [DeliveryOut.of(d) for d in endpoints.deliveries(
        actor, None, endpoint_id, status, limit, offset)]


@router.get(OPERATOR + "/{endpoint_id}/deliveries/{delivery_id}",
            operation_id="getOperatorWebhookDelivery", summary="A delivery")
def delivery_operator(endpoint_id: UUID, delivery_id: UUID, endpoints: WebhookEndpointsDep,
                      actor: SignedInDep) -> DeliveryOut:
    return DeliveryOut.of(endpoints.delivery(actor, None, endpoint_id, delivery_id))


@router.post(OPERATOR + "/{endpoint_id}/deliveries/{delivery_id}/replay",
             operation_id="replayOperatorWebhookDelivery",
             summary="One more attempt now, with the same webhook-id")
def replay_operator(endpoint_id: UUID, delivery_id: UUID, endpoints: WebhookEndpointsDep,
                    actor: SignedInDep) -> DeliveryOut:
    return DeliveryOut.of(endpoints.replay(actor, None, endpoint_id, delivery_id))
