"""Payment providers' webhooks: POST /api/v1/payments/webhooks/{provider}.

No session or token: each provider signs its deliveries, and payments.webhooks verifies the
signature over the raw body before anything is read from it (P4). A refused delivery is
answered 400 with code "invalid_webhook", an unknown provider 404; providers retry on those.
"""

from django.http import HttpRequest
from ninja import Router, Schema

from api.access import signed
from api.schemas import ErrorOut
from monitoring.counters import count_payment
from payments.webhooks import handle_webhook

router = Router(tags=["payments"])


class WebhookReceipt(Schema):
    status: str  # recorded, duplicate, declined, abandoned, ignored, unknown_session


@router.post(
    "/payments/webhooks/{provider}",
    auth=None,
    response={200: WebhookReceipt, 400: ErrorOut, 404: ErrorOut},
    summary="Receive a payment provider's signed webhook",
)
@signed
def receive_webhook(request: HttpRequest, provider: str) -> WebhookReceipt:
    outcome = handle_webhook(provider_name=provider, body=request.body, headers=request.headers)
    if outcome.status == "recorded":  # not a decline, an abandon, or the same event again
        count_payment("webhook")
    return WebhookReceipt(status=outcome.status)
