"""The sandbox provider: a hosted payment page served by Registrar itself, for demonstrations
and development (`make run`). It behaves like a real provider where it matters: choosing on
the page changes nothing at once; a signed webhook (Stripe's scheme, header Sandbox-Signature)
arrives later through the same endpoint, verification, replay and duplicate handling as any
other provider's.
"""

import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from orders.policies import CENT
from payments.errors import InvalidWebhook
from payments.models import PaymentSession, SandboxCheckout, SandboxDelivery
from payments.providers.base import Outcome, PaymentProvider, ProviderEvent, register
from payments.providers.signing import header_value, replay_key, sign, verify

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300
WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"

# Delivery: a batch per run; a claimed row is left alone by other workers for the lease; a
# failed attempt is retried after a back-off that doubles up to an hour, at most 10 times.
BATCH_SIZE = 20
LEASE = timedelta(minutes=2)
REQUEST_TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 10

_EVENT_TYPES: dict[str, str] = {
    SandboxCheckout.Choice.PAY: "payment.succeeded",
    SandboxCheckout.Choice.DECLINE: "payment.declined",
    SandboxCheckout.Choice.ABANDON: "payment.abandoned",
}
_OUTCOMES: dict[str, Outcome] = {
    "payment.succeeded": "paid",
    "payment.declined": "declined",
    "payment.abandoned": "abandoned",
}


@register
class SandboxProvider(PaymentProvider):
    name = "sandbox"
    supports_refunds = True

    def refund(self, payment: object, amount: Decimal) -> str:
        """The sandbox refunds at once: a refund id, as a real provider's answer gives (B6)."""
        return f"sbx_re_{secrets.token_urlsafe(12)}"

    def create_checkout(self, session: PaymentSession, *, return_url: str) -> tuple[str, str]:
        """Open the page at /pay/sandbox/<token>/; calling it again for the same session
        returns the same page."""
        if not settings.SANDBOX_WEBHOOK_SECRET:
            # Its webhooks could never be verified: refuse now rather than strand the customer.
            raise RuntimeError("The sandbox provider needs SANDBOX_WEBHOOK_SECRET.")
        checkout, _ = SandboxCheckout.objects.get_or_create(
            session=session,
            defaults={"token": secrets.token_urlsafe(24), "return_url": return_url, "created_at": timezone.now()},
        )
        return checkout.token, f"{settings.SITE_URL}/pay/sandbox/{checkout.token}/"

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> ProviderEvent:
        """Verify the Sandbox-Signature (HMAC-SHA256 of "t.body" with SANDBOX_WEBHOOK_SECRET,
        compared in constant time; timestamp within 5 minutes of `now`) and parse the event."""
        signature = header_value(headers, SIGNATURE_HEADER)
        verify(
            header=signature,
            body=body,
            secret=settings.SANDBOX_WEBHOOK_SECRET,
            now=now,
            tolerance_seconds=TOLERANCE_SECONDS,
        )
        try:
            event = json.loads(body)
            event_id, event_type, data = str(event["id"]), str(event["type"]), event["data"]
            provider_session_id = str(data["session"])
        except (ValueError, KeyError, TypeError):
            raise InvalidWebhook("The webhook body is not a sandbox event.") from None
        outcome = _OUTCOMES.get(event_type, "ignored")
        amount = _amount(data.get("amount")) if outcome == "paid" else None
        return ProviderEvent(
            event_id=event_id,
            event_type=event_type,
            outcome=outcome,
            signature=replay_key(header=signature, body=body, secret=settings.SANDBOX_WEBHOOK_SECRET),
            provider_session_id=provider_session_id,
            payment_ref=str(data.get("payment") or ""),
            amount=amount,
            payload=event,
        )


def _amount(raw: object) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidWebhook("The webhook's amount is not a number.") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidWebhook("The webhook's amount must be a positive amount in whole cents.")
    return amount


@dataclass(frozen=True)
class SandboxPage:
    token: str
    organization_name: str
    amount: Decimal
    currency: str
    choice: str  # "" until the customer chooses
    return_url: str


def sandbox_page(*, token: str) -> SandboxPage | None:
    """What the sandbox payment page shows, or None for an unknown token."""
    checkout = (
        SandboxCheckout.objects.filter(token=token, session__provider=SandboxProvider.name)
        .select_related("session__organization")
        .first()
    )
    if checkout is None:
        return None
    return SandboxPage(
        token=checkout.token,
        organization_name=checkout.session.organization.name,
        amount=checkout.session.amount,
        currency=checkout.session.currency,
        choice=checkout.choice,
        return_url=checkout.return_url,
    )


@transaction.atomic(durable=True)
def choose_on_sandbox_page(*, token: str, choice: str) -> SandboxPage | None:
    """Record the customer's choice and schedule its webhook SANDBOX_WEBHOOK_DELAY_SECONDS
    later. Payment state changes only when the webhook arrives. The first choice stands: a
    double submit, or a second choice, changes nothing. None for an unknown token."""
    if choice not in SandboxCheckout.Choice.values:
        raise ValueError(f"unknown sandbox choice {choice!r}")
    now = timezone.now()
    # The conditional UPDATE decides which of two concurrent submits is first.
    chosen = SandboxCheckout.objects.filter(token=token, choice="").update(choice=choice, chosen_at=now)
    if chosen:
        checkout = SandboxCheckout.objects.select_related("session").get(token=token)
        SandboxDelivery.objects.create(
            checkout=checkout,
            body=_event_body(checkout, now),
            deliver_at=now + timedelta(seconds=settings.SANDBOX_WEBHOOK_DELAY_SECONDS),
        )
    return sandbox_page(token=token)


def _event_body(checkout: SandboxCheckout, now: datetime) -> str:
    session = checkout.session
    data = {"session": checkout.token, "amount": str(session.amount), "currency": session.currency}
    if checkout.choice == SandboxCheckout.Choice.PAY:
        data["payment"] = f"pay_sbx_{secrets.token_hex(12)}"
    event = {
        "id": f"evt_sbx_{secrets.token_hex(12)}",
        "type": _EVENT_TYPES[checkout.choice],
        "created": int(now.timestamp()),
        "data": data,
    }
    return json.dumps(event, separators=(",", ":"))


@dataclass(frozen=True)
class SandboxRun:
    """What one delivery run did, and what it left waiting."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0  # undelivered webhooks still to be tried
    retry_at: datetime | None = None  # the earliest of them
    error: str = ""  # the last failure of this run


def deliver_sandbox_webhooks(*, now: datetime) -> int:
    """One background run; returns how many webhooks were delivered (see the report below)."""
    return deliver_sandbox_webhooks_report(now=now).delivered


def deliver_sandbox_webhooks_report(*, now: datetime) -> SandboxRun:
    """One background run, and what it did.

    1. Claim up to BATCH_SIZE due deliveries in one short transaction (SKIP LOCKED on
       PostgreSQL, so concurrent workers take different rows; SQLite serialises writers),
       pushing their deliver_at out by a lease so nobody else takes them meanwhile.
    2. After commit, sign each with a fresh timestamp and POST it to this site's webhook
       endpoint: never inside a transaction, since the endpoint writes to the same database.
    3. Mark each delivered, or due again after a back-off.
    """
    claimed = _claim_due(now=now)
    delivered = failed = 0
    last_error = ""
    for delivery in claimed:
        error = _post(delivery.body.encode())
        if error is None:
            SandboxDelivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now(), last_error="")
            delivered += 1
        else:
            logger.warning("Sandbox webhook %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
            retry_at = timezone.now() + timedelta(seconds=min(30 * 2 ** (delivery.attempts - 1), 3600))
            SandboxDelivery.objects.filter(pk=delivery.pk).update(deliver_at=retry_at, last_error=error[:500])
            failed, last_error = failed + 1, f"could not deliver a webhook: {error}"
    if not claimed:
        return SandboxRun()
    waiting = SandboxDelivery.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    return SandboxRun(
        delivered=delivered,
        failed=failed,
        waiting=waiting.count(),
        retry_at=waiting.order_by("deliver_at").values_list("deliver_at", flat=True).first(),
        error=last_error,
    )


def _due(now: datetime) -> Q:
    return Q(delivered_at__isnull=True, deliver_at__lte=now, attempts__lt=MAX_ATTEMPTS)


def _claim_due(*, now: datetime) -> list[SandboxDelivery]:
    if not SandboxDelivery.objects.filter(_due(now)).exists():
        return []  # the usual case: no write transaction (on SQLite, no database write lock)
    lease_until = now + LEASE
    with transaction.atomic(durable=True):
        ids = list(
            SandboxDelivery.objects.filter(_due(now))
            .order_by("deliver_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        # The due conditions are repeated so that the UPDATE itself decides what is taken.
        SandboxDelivery.objects.filter(_due(now), pk__in=ids).update(deliver_at=lease_until, attempts=F("attempts") + 1)
        return list(SandboxDelivery.objects.filter(pk__in=ids, deliver_at=lease_until).order_by("pk"))


def _post(body: bytes) -> str | None:
    """POST one webhook; None when the endpoint accepted it, else what went wrong."""
    signature = sign(secret=settings.SANDBOX_WEBHOOK_SECRET, body=body, timestamp=int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 (SITE_URL is this site's own address, from settings)
        f"{settings.SITE_URL}{WEBHOOK_PATH}",
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode(errors="replace")
        exc.close()
        return f"HTTP {exc.code}: {detail}"
    except (urllib.error.URLError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None
