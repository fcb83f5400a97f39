"""Money at the office desk (issue 13, item 5): one payment toward several orders of a household
(P5), and a link emailed to pay an incomplete registration online (P7)."""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from notifications.services import enqueue, organization_context
from notifications.templatetags.notification_format import format_money
from orders.errors import OrderNotFound
from orders.models import Order
from orders.paylink import pay_url
from orders.policies import CENT, Share
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission
from payments.errors import InvalidPayment, NothingToPay, PaymentsNotEnabled
from payments.models import Payment
from payments.services import OFFLINE_METHODS, RecordedPayment, record_office_order_event, record_payment


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
