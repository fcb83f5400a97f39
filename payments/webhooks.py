"""Provider webhooks: verified, recorded once, applied in any order of arrival (P4)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from capacity.locks import lock_one
from orders.policies import Share
from organizations.models import Organization
from payments.errors import InvalidWebhook
from payments.models import PaymentSession, WebhookDelivery, WebhookEvent
from payments.providers import ProviderEvent, get_provider
from payments.services import record_payment


@dataclass(frozen=True)
class WebhookOutcome:
    status: str  # "recorded", "duplicate", "declined", "abandoned", "ignored", "unknown_session"
    payment_id: int | None = None


def handle_webhook(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> WebhookOutcome:
    """Verify and apply one webhook delivery.

    - bad signature, stale timestamp, malformed body: InvalidWebhook, nothing written;
    - the same signed delivery again (a replay): InvalidWebhook, nothing written;
    - the same event redelivered by the provider: "duplicate", no second effect;
    - "paid" after the session was declined or abandoned, or after its registrations were
      deleted: the money is still recorded (payments.services alerts staff if needed);
    - "declined"/"abandoned" after "paid": the paid session stays paid.
    """
    provider = get_provider(provider_name)
    now = timezone.now()
    event = provider.parse_webhook(body=body, headers=headers, now=now)
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(provider=provider_name, signature=event.signature, received_at=now)
        except IntegrityError:
            raise InvalidWebhook("This signed delivery was already received (replay).") from None
        try:
            with transaction.atomic():
                stored = WebhookEvent.objects.create(
                    provider=provider_name,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    payload=event.payload,
                    received_at=now,
                )
        except IntegrityError:
            return WebhookOutcome(status="duplicate")
        outcome = _apply(provider_name, event, now)
        stored.outcome = outcome.status
        stored.save(update_fields=["outcome"])
        return outcome


def _apply(provider_name: str, event: ProviderEvent, now: datetime) -> WebhookOutcome:
    if event.outcome == "ignored":
        return WebhookOutcome(status="ignored")
    session = lock_one(
        PaymentSession.objects.filter(provider=provider_name, provider_session_id=event.provider_session_id)
    )
    if session is None:
        return WebhookOutcome(status="unknown_session")
    organization = Organization.objects.get(pk=session.organization_id)
    if event.outcome == "paid":
        amount = event.amount if event.amount is not None else session.amount
        recorded = record_payment(
            organization=organization,
            household_id=session.household_id,
            amount=amount,
            plan=[Share(int(p["order"]), Decimal(str(p["amount"]))) for p in session.plan],
            provider=provider_name,
            provider_ref=event.payment_ref or event.event_id,
            method="online",
            channel=Channel.SYSTEM,
            now=now,
            session=session,
            actor_label=f"webhook:{provider_name}",
        )
        if session.status != PaymentSession.Status.PAID:
            session.status = PaymentSession.Status.PAID
            session.finished_at = now
            session.save(update_fields=["status", "finished_at"])
        return WebhookOutcome(status="recorded" if recorded.created else "duplicate", payment_id=recorded.payment.pk)
    if session.status == PaymentSession.Status.OPEN:
        session.status = PaymentSession.Status(event.outcome)
        session.finished_at = now
        session.save(update_fields=["status", "finished_at"])
        record(
            organization_id=session.organization_id,
            verb=f"payment.{event.outcome}",
            channel=Channel.SYSTEM,
            actor_label=f"webhook:{provider_name}",
            subject_type="payment_session",
            subject_id=session.pk,
            household_id=session.household_id,
            now=now,
        )
    return WebhookOutcome(status=event.outcome)
