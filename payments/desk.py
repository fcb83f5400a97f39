"""Money at the office desk: an offline payment against an order (P5) or one toward several
orders of a household (issue 13, item 5), an order put on account (B1), a link emailed to pay
an incomplete registration online (P7), staff alerts resolved; each recorded through
payments.services.record_payment and audited with who did it."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from attendance.models import Teaching
from audit.models import Channel
from audit.services import record
from notifications.services import enqueue, organization_context
from notifications.templatetags.notification_format import format_money
from orders.errors import OrderNotFound
from orders.models import Order, OrderLine
from orders.paylink import pay_url
from orders.policies import CENT, Share
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission
from payments.errors import InvalidPayment, NothingToPay, PaymentsNotEnabled, ReferenceUsed
from payments.models import Payment, StaffAlert
from payments.services import OFFLINE_METHODS, RecordedPayment, record_payment


@transaction.atomic(durable=True)
def record_desk_payment(
    *,
    membership: StaffMembership,
    household_id: int,
    order_ids: Sequence[int],
    amount: Decimal,
    method: str,
    note: str = "",
    reference: str = "",
    keep_credit: bool = False,
) -> RecordedPayment:
    """P5: cash, a cheque or a card (by phone or at the terminal) toward one or several orders
    of one household, their balances paid in the order given. More than they owe is refused
    unless `keep_credit`: then the rest is the household's credit (B6), which its next
    checkout spends or staff refund. A `reference` (receipt number, or the form's key) makes
    a double submit record one payment."""
    require_permission(membership, Permission.TAKE_PAYMENTS)
    if method not in OFFLINE_METHODS:
        raise InvalidPayment(f"Method must be one of: {', '.join(OFFLINE_METHODS)}.", field="method")
    if amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidPayment("Amount must be a positive amount in whole cents.", field="amount")
    if reference:
        # The organization's own references (issue 15): another's receipt R-1001 is another payment.
        existing = Payment.objects.filter(
            organization_id=membership.organization_id, provider="offline", provider_ref=reference
        ).first()
        if existing is not None:
            return RecordedPayment(payment=existing, created=False)
    wanted = list(dict.fromkeys(order_ids))
    if not wanted:
        raise InvalidPayment("Choose at least one order to pay.", field="orders")
    orders = {
        o.pk: o
        for o in Order.objects.filter(
            organization_id=membership.organization_id, household_id=household_id, pk__in=wanted
        )
    }
    if len(orders) != len(wanted):
        raise OrderNotFound
    owed = sum((orders[pk].balance for pk in wanted), Decimal("0"))
    if owed <= 0 and not keep_credit:
        raise NothingToPay
    if amount > owed and not keep_credit:
        raise InvalidPayment(
            f"{format_money(amount)} is more than the {format_money(owed)} these orders owe; keep the rest as credit "
            "or enter less.",
            field="amount",
        )
    return record_payment(
        organization=membership.organization,
        household_id=household_id,
        amount=amount,
        plan=[Share(pk, orders[pk].balance) for pk in wanted if orders[pk].balance > 0],
        provider="offline",
        provider_ref=reference,
        method=method,
        channel=Channel.OFFICE,
        now=timezone.now(),
        actor_id=membership.user_id,
        note=note.strip()[:500],
    )


@transaction.atomic(durable=True)
def send_pay_link(*, membership: StaffMembership, order_id: int) -> str:
    """P7: email the registrant a link to pay the order's balance online; returns the link.
    Each send is a new email (staff may send again); each is audited."""
    if not membership.has_permission(Permission.ENROLL):
        require_permission(membership, Permission.TAKE_PAYMENTS)
    order = (
        Order.objects.filter(organization_id=membership.organization_id, pk=order_id)
        .select_related("household", "organization")
        .first()
    )
    if order is None:
        raise OrderNotFound
    organization = order.organization
    if organization.payment_provider == "none":
        raise PaymentsNotEnabled
    if order.balance <= 0:
        raise NothingToPay
    if not order.household.email:
        raise InvalidPayment("This household has no email address to send the link to.", field="order")
    now = timezone.now()
    link = pay_url(order)
    enqueue(
        organization_id=organization.pk,
        key=f"pay_link:{order.pk}:{now.isoformat()}",
        kind="registrant_pay_link",
        to_email=order.household.email,
        context=organization_context(organization)
        | {
            "household_name": order.household.name,
            "order_number": order.number,
            "description": "; ".join(order.lines.order_by("pk").values_list("description", flat=True)),
            "amount_due": order.balance,
            "pay_url": link,
        },
        now=now,
    )
    record_office_order_event(
        order,
        "order.pay_link_sent",
        membership=membership,
        data={"balance": str(order.balance), "to": order.household.email},
        now=now,
    )
    return link


@transaction.atomic(durable=True)
def record_offline_payment(
    *, membership: StaffMembership, order_id: int, amount: Decimal, method: str, note: str = "", reference: str = ""
) -> RecordedPayment:
    """P5: staff record cash, a cheque or a card taken by phone against an order. A `reference`
    (a receipt number or the form's idempotency key; the organization's own) makes a double
    submit record one payment: the repeat returns the first, or 409 for another order."""
    require_permission(membership, Permission.TAKE_PAYMENTS)
    if method not in OFFLINE_METHODS:
        raise InvalidPayment(f"Method must be one of: {', '.join(OFFLINE_METHODS)}.", field="method")
    if amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidPayment("Amount must be a positive amount in whole cents.", field="amount")
    order = Order.objects.filter(organization_id=membership.organization_id, pk=order_id).first()
    if order is None:
        raise OrderNotFound
    found = Payment.objects.filter(organization=order.organization_id, provider="offline", provider_ref=reference)
    if reference and (first := found.first()):  # a repeat: the first payment, if it was for this order
        if not first.allocations.filter(order_id=order.pk).exists():
            raise ReferenceUsed(f"Reference {reference} was already recorded for another order.", field="reference")
        return RecordedPayment(payment=first, created=False)
    if amount > order.balance:
        raise InvalidPayment(
            f"{format_money(amount)} is more than the balance of {format_money(order.balance)} on order {order.number}.",
            field="amount",
        )
    return record_payment(
        organization=membership.organization,
        household_id=order.household_id,
        amount=amount,
        plan=[Share(order.pk, amount)],
        provider="offline",
        provider_ref=reference,
        method=method,
        channel=Channel.OFFICE,
        now=timezone.now(),
        actor_id=membership.user_id,
        note=note,
    )


@transaction.atomic(durable=True)
def put_on_account(
    *, membership: StaffMembership, order_id: int, payable_online: bool, customer_note: str = ""
) -> Order:
    """B1: finish an order with a balance owing. Staff who take payments choose whether it may
    be paid online; an instructor, only for an order with a line of a class they teach (A4:
    their own classes, `attendance.Teaching`; others: 404), always payable online. On account is
    no longer 'payment required': the grace policy never deletes it (G4)."""
    is_cashier = membership.has_permission(Permission.TAKE_PAYMENTS)
    orders = Order.objects.filter(organization_id=membership.organization_id, pk=order_id)
    if not is_cashier:
        require_permission(membership, Permission.TEACH)
        payable_online = True
        taught = Teaching.objects.filter(membership_id=membership.pk).values("offering_id")
        orders = orders.filter(Exists(OrderLine.objects.filter(order_id=OuterRef("pk"), offering_id__in=taught)))
    order = orders.select_for_update().first()
    if order is None:
        raise OrderNotFound
    if order.balance <= 0:
        raise InvalidPayment(f"Order {order.number} has no balance to put on account.")
    order.on_account = True
    order.payable_online = payable_online
    order.payment_required = False
    order.customer_note = customer_note.strip()[:500]
    order.save(update_fields=["on_account", "payable_online", "payment_required", "customer_note"])
    record_office_order_event(
        order,
        "order.put_on_account",
        membership=membership,
        data={"balance": str(order.balance), "payable_online": payable_online, "note": order.customer_note},
        now=timezone.now(),
    )
    return order


def record_office_order_event(
    order: Order, verb: str, *, membership: StaffMembership, data: dict[str, object], now: datetime
) -> None:
    """The audit row of what a staff member did to an order at the desk (on account, pay link)."""
    record(
        organization_id=order.organization_id,
        verb=verb,
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="order",
        subject_id=order.pk,
        household_id=order.household_id,
        data=data,
        now=now,
    )


@transaction.atomic(durable=True)
def resolve_alert(*, membership: StaffMembership, alert_id: int) -> StaffAlert:
    require_permission(membership, Permission.TAKE_PAYMENTS)
    alert = StaffAlert.objects.filter(
        organization_id=membership.organization_id, pk=alert_id, resolved_at__isnull=True
    ).first()
    if alert is None:
        raise InvalidPayment("No such open alert.")
    now = timezone.now()
    alert.resolved_at, alert.resolved_by_id = now, membership.user_id
    alert.save(update_fields=["resolved_at", "resolved_by"])
    record(
        organization_id=alert.organization_id,
        verb="alert.resolved",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="alert",
        subject_id=alert.pk,
        now=now,
    )
    return alert
