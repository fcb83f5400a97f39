"""Writes on payments: record money (online or offline) exactly once, split it exactly over
orders (B3, B5), confirm what it pays for, and alert staff when it pays for something that
no longer exists (P4); open a payment at the organization's provider. What staff do with an
order at the desk (cash, on account, alerts) is in payments.desk, on top of record_payment."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from audit.models import AuditEvent, Channel
from audit.services import event as audit_event
from audit.services import record, record_many
from capacity.locks import require_transaction
from capacity.models import Claim
from capacity.services import confirm_claims
from core.locale import organization_locale
from households.models import Household
from notifications.services import enqueue, organization_context
from notifications.templatetags.notification_format import format_instant, format_money
from orders.models import Order
from orders.policies import Share, split_payment
from orders.receipts import enqueue_receipt
from organizations.models import Organization
from payments.errors import InvalidPayment, NothingToPay, PaymentsNotEnabled, ProviderUnavailable
from payments.models import Payment, PaymentAllocation, PaymentSession, StaffAlert
from payments.providers import get_provider
from registrations.models import Registration

OFFLINE_METHODS = (Payment.Method.CASH, Payment.Method.CHEQUE, Payment.Method.CARD_PHONE, Payment.Method.CARD_TERMINAL)


@dataclass(frozen=True)
class RecordedPayment:
    payment: Payment
    created: bool  # False: this provider reference was already recorded (a duplicate)


def record_payment(
    *,
    organization: Organization,
    household_id: int,
    amount: Decimal,
    plan: Sequence[Share],
    provider: str,
    method: str,
    channel: str,
    now: datetime,
    provider_ref: str = "",
    session: PaymentSession | None = None,
    actor_id: int | None = None,
    actor_label: str = "",
    note: str = "",
) -> RecordedPayment:
    """Record money received and apply it. Runs inside the caller's transaction.

    Once per `provider_ref`: a second report of the same money returns the first record.
    Orders are locked in primary-key order (deletions by the grace policy lock them too),
    so a payment and a deletion never interleave: either the payment lands first and the
    registration is saved (G4), or it lands after and is kept, with a staff alert (P4).
    """
    require_transaction()
    if provider_ref:
        existing = Payment.objects.filter(
            organization_id=organization.pk, provider=provider, provider_ref=provider_ref
        ).first()
        if existing is not None:
            return RecordedPayment(payment=existing, created=False)
    order_ids = sorted({share.order_id for share in plan})
    orders = {
        o.pk: o
        for o in Order.objects.filter(organization_id=organization.pk, household_id=household_id, pk__in=order_ids)
        .order_by("pk")
        .select_for_update(of=("self",))
    }
    if len(orders) != len(order_ids):
        raise InvalidPayment("A payment can only be applied to this household's own orders.")
    split = split_payment(amount=amount, plan=plan, balances={pk: o.balance for pk, o in orders.items()})
    try:
        with transaction.atomic():  # savepoint: a concurrent duplicate loses on the unique key
            payment = Payment.objects.create(
                organization_id=organization.pk,
                household_id=household_id,
                session=session,
                provider=provider,
                provider_ref=provider_ref,
                method=method,
                amount=amount,
                note=note,
                recorded_by_id=actor_id,
                received_at=now,
                created_at=now,
            )
    except IntegrityError:
        first = Payment.objects.get(organization_id=organization.pk, provider=provider, provider_ref=provider_ref)
        return RecordedPayment(payment=first, created=False)
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=payment, order_id=s.order_id, amount=s.amount) for s in split.shares]
        + ([PaymentAllocation(payment=payment, order_id=None, amount=split.credit)] if split.credit else [])
    )
    events = [
        audit_event(
            organization_id=organization.pk,
            verb="payment.recorded",
            subject_type="payment",
            subject_id=payment.pk,
            household_id=household_id,
            channel=channel,
            now=now,
            actor_id=actor_id,
            actor_label=actor_label,
            data={
                "amount": str(amount),
                "provider": provider,
                "method": method,
                "ref": provider_ref,
                "shares": {str(s.order_id): str(s.amount) for s in split.shares},
                "credit": str(split.credit),
            },
        )
    ]
    for share in split.shares:
        events += _apply_share(
            organization, orders[share.order_id], share.amount, payment, channel, now, actor_id, actor_label
        )
    if split.credit:
        _alert(
            organization,
            StaffAlert.Kind.OVERPAYMENT,
            payment,
            None,
            now,
            f"{_payment_named(organization, payment, [orders[share.order_id].number for share in split.shares])} was "
            f"{format_money(split.credit)} more than the balances it was for; the rest is kept as household credit.",
            credit=split.credit,
            paid_toward=[orders[share.order_id].number for share in split.shares],
        )
    record_many(events)
    return RecordedPayment(payment=payment, created=True)


def _apply_share(
    organization: Organization,
    order: Order,
    amount: Decimal,
    payment: Payment,
    channel: str,
    now: datetime,
    actor_id: int | None,
    actor_label: str,
) -> list[AuditEvent]:
    order.amount_paid += amount
    if order.balance == 0:
        order.status = Order.Status.PAID
    order.save(update_fields=["amount_paid", "status"])
    events = []
    registrations = list(Registration.objects.filter(order_id=order.pk).select_related("claim"))
    deleted = [r for r in registrations if r.deleted_at is not None]
    if order.balance == 0:  # N6, once per order; the places deleted before it arrived are marked (P4)
        enqueue_receipt(
            organization=organization, order=order, now=now, removed_line_ids={r.order_line_id for r in deleted}
        )
        live = [r for r in registrations if r.deleted_at is None and r.claim.state == Claim.State.TENTATIVE]
        confirm_claims(claim_ids=[r.claim_id for r in live])
        events += [
            audit_event(
                organization_id=organization.pk,
                verb="registration.confirmed",
                subject_type="registration",
                subject_id=r.pk,
                household_id=order.household_id,
                channel=channel,
                now=now,
                actor_id=actor_id,
                actor_label=actor_label,
                data={"order": order.pk, "payment": payment.pk},
            )
            for r in live
        ]
    if deleted:
        _alert(
            organization,
            StaffAlert.Kind.LATE_PAYMENT,
            payment,
            order,
            now,
            f"{amount} was paid on order {order.number} after {len(deleted)} of its registrations had been "
            "deleted. The money is recorded against the order; decide whether to re-enroll or refund.",
        )
    return events


def _payment_named(organization: Organization, payment: Payment, order_numbers: list[str]) -> str:
    """A payment as staff know it (the household money page's words), never by its id: "The $50.00
    cheque from Okafor received Monday 9 March 2026 toward order R-1001", the date on the
    organization's clock in its locale (decision 0025)."""
    with organization_locale(organization.locale):
        received = format_instant(
            payment.received_at, zone=organization.time_zone, fmt=pgettext("instant format", "l j F Y")
        )
        amount = format_money(payment.amount)
    toward = f" toward order {', '.join(order_numbers)}" if order_numbers else ""
    method = payment.get_method_display().lower()
    return f"The {amount} {method} payment from {payment.household.name} received {received}{toward}"


# Each kind of staff alert has its own email (notifications/templates/notifications/).
ALERT_EMAILS = {StaffAlert.Kind.LATE_PAYMENT: "staff_late_payment", StaffAlert.Kind.OVERPAYMENT: "staff_overpayment"}


def _alert(
    organization: Organization,
    kind: StaffAlert.Kind,
    payment: Payment,
    order: Order | None,
    now: datetime,
    message: str,
    *,
    credit: Decimal = Decimal(0),
    paid_toward: list[str] | None = None,
) -> None:
    alert = StaffAlert.objects.create(
        organization_id=organization.pk, kind=kind, message=message, payment=payment, order=order, created_at=now
    )
    enqueue(
        organization_id=organization.pk,
        key=f"staff_alert:{alert.pk}",
        kind=ALERT_EMAILS[kind],
        to_email=organization.admin_email,
        context=organization_context(organization)
        | {
            "household_name": payment.household.name,
            "order_number": order.number if order else "",
            "amount": payment.amount,
            "credit": credit,
            "paid_toward": ", ".join(paid_toward or []),
            "reason": message,
        },
        now=now,
    )


def start_online_payment(
    *,
    household: Household,
    plan: Sequence[Share],
    return_url: str,
    channel: str = Channel.SYSTEM,
    actor_id: int | None = None,
) -> PaymentSession:
    """Open a payment at the organization's provider for these shares (B3: one payment, split
    exactly over the orders), audited with who asked and from which channel (X2). The session
    is committed before the provider is called, and the provider outside any transaction."""
    organization = household.organization
    if organization.payment_provider == "none":
        raise PaymentsNotEnabled
    if not plan:
        raise NothingToPay
    provider = get_provider(organization.payment_provider)
    now = timezone.now()
    with transaction.atomic(durable=True):
        session = PaymentSession.objects.create(
            organization_id=organization.pk,
            household_id=household.pk,
            provider=provider.name,
            amount=sum((share.amount for share in plan), Decimal("0")),
            plan=[{"order": share.order_id, "amount": str(share.amount)} for share in plan],
            created_at=now,
        )
        # P3: the "pending" window counts from the moment the customer is sent to pay.
        Order.objects.filter(pk__in=[share.order_id for share in plan], household_id=household.pk).update(
            payment_requested_at=now
        )
        record(
            organization_id=organization.pk,
            verb="payment.requested",
            channel=channel,
            actor_id=actor_id,
            subject_type="payment_session",
            subject_id=session.pk,
            household_id=household.pk,
            data={"amount": str(session.amount), "plan": session.plan, "provider": provider.name},
            now=now,
        )
    # "{payment}" in the return address: this session's id, whose webhook the return page awaits.
    return_url = return_url.replace("{payment}", str(session.pk))
    try:
        provider_session_id, redirect_url = provider.create_checkout(session, return_url=return_url)
    except Exception as exc:
        raise ProviderUnavailable from exc
    session.provider_session_id, session.redirect_url = provider_session_id, redirect_url
    session.save(update_fields=["provider_session_id", "redirect_url"])
    return session
