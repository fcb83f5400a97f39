"""Stripe: Checkout Sessions for the hosted payment page, signed webhooks for the outcome.

The SDK is used through a StripeClient per call (no module-level state), with the API base
from settings so that tests, or a proxy, can stand in for api.stripe.com. Amounts travel in
integer minor units both ways; Registrar's currencies have two decimals (CAD, USD).
"""

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import stripe
from django.conf import settings

from payments.errors import InvalidWebhook
from payments.models import PaymentSession
from payments.providers.base import Outcome, PaymentProvider, ProviderEvent, register
from payments.providers.signing import header_value, replay_key, signed_at

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 15

# Checkout Session events and what they mean for the money. "completed" is paid only when
# Stripe says so: with a delayed method (bank debit) the money follows in
# async_payment_succeeded, or never (async_payment_failed).
_FINAL_EVENTS: dict[str, Outcome] = {
    "checkout.session.async_payment_succeeded": "paid",
    "checkout.session.async_payment_failed": "declined",
    "checkout.session.expired": "abandoned",
}


@register
class StripeProvider(PaymentProvider):
    name = "stripe"

    def create_checkout(self, session: PaymentSession, *, return_url: str) -> tuple[str, str]:
        """Create a Checkout Session for the session's amount. The idempotency key makes a
        retried call (the SDK's own retry, or ours) return the same Checkout Session."""
        client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
            max_network_retries=1,
        )
        checkout = client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": session.currency.lower(),
                            "unit_amount": to_minor_units(session.amount),
                            "product_data": {"name": f"{session.organization.name}: payment {session.pk}"},
                        },
                    }
                ],
                "client_reference_id": str(session.pk),
                "metadata": {"payment_session": str(session.pk)},
                "success_url": _with_query(return_url, payment="success", session_id="{CHECKOUT_SESSION_ID}"),
                "cancel_url": _with_query(return_url, payment="cancelled"),
            },
            options={"idempotency_key": f"registrar-payment-session-{session.pk}"},
        )
        return checkout.id, checkout.url or ""

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> ProviderEvent:
        """Verify the Stripe-Signature (HMAC-SHA256 of "t.body" with the endpoint secret,
        timestamp no older than 5 minutes) and reduce the event to a ProviderEvent."""
        signature = header_value(headers, SIGNATURE_HEADER)
        if not settings.STRIPE_WEBHOOK_SECRET:
            raise InvalidWebhook("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is empty).")
        try:
            # What Webhook.construct_event() verifies, without building an SDK object from
            # the body (which fails with AttributeError, not an error, on a non-object body).
            stripe.WebhookSignature.verify_header(
                body, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=TOLERANCE_SECONDS
            )
            event = json.loads(body)
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook(f"The Stripe signature was refused: {exc.user_message}") from None
        except (ValueError, UnicodeDecodeError):
            raise InvalidWebhook("The webhook body is not JSON.") from None
        # The SDK compares with the process clock; `now` is the clock of the rest of the request.
        if signed_at(signature) < now.timestamp() - TOLERANCE_SECONDS:
            raise InvalidWebhook("The webhook's timestamp is too old.")
        return event_from_payload(
            event, signature=replay_key(header=signature, body=body, secret=settings.STRIPE_WEBHOOK_SECRET)
        )


def event_from_payload(event: Any, *, signature: str) -> ProviderEvent:
    """Map a verified Stripe event to a ProviderEvent; events Registrar has no use for are
    "ignored" (they are still recorded once, so a redelivery is known as a duplicate)."""
    data = event.get("data") if isinstance(event, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict) or not event.get("id") or not event.get("type"):
        raise InvalidWebhook("The webhook body is not a Stripe event.")
    event_id, event_type = str(event["id"]), str(event["type"])
    outcome = _FINAL_EVENTS.get(event_type, "ignored")
    if event_type == "checkout.session.completed" and obj.get("payment_status") == "paid":
        outcome = "paid"
    amount = None
    if outcome == "paid":
        if not isinstance(obj.get("amount_total"), int):
            raise InvalidWebhook("A paid Checkout Session must carry amount_total in minor units.")
        amount = from_minor_units(obj["amount_total"])
    return ProviderEvent(
        event_id=event_id,
        event_type=event_type,
        outcome=outcome,
        signature=signature,
        provider_session_id=str(obj.get("id") or ""),
        # The payment intent is the money; Stripe sends it with both "completed" and
        # "async_payment_succeeded" for one payment, so either records it once.
        payment_ref=str(obj.get("payment_intent") or obj.get("id") or ""),
        amount=amount,
        payload=event,
    )


def to_minor_units(amount: Decimal) -> int:
    """12.34 -> 1234, exactly; refuses fractions of a cent rather than rounding them."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def from_minor_units(cents: int) -> Decimal:
    """1234 -> Decimal("12.34"), exactly (B5: never through a float)."""
    return Decimal(cents).scaleb(-2)


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    # Stripe fills in {CHECKOUT_SESSION_ID} itself, so the braces must stay unencoded.
    query = urlencode(params, safe="{}")
    return urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))
