"""Household credit (B6): what a payment brought beyond the balances it was for. The next
checkout spends it (`apply_credit`), or staff give it back (`refund_credit`), through the
provider of the online payment it came from where that provider refunds, else at the desk.

Credit = the household's payment allocations to no order - credit spent (payments of method
`credit`) - refunds not failed. Every write that spends credit locks the household row
first, so two checkouts, or a checkout and a refund, never spend the same credit twice.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from capacity.locks import lock_one, require_transaction
from households.models import Household
from notifications.templatetags.notification_format import format_money
from orders.policies import CENT, Share
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission
from payments.errors import InvalidPayment
from payments.models import Payment, PaymentAllocation, Refund
from payments.providers import get_provider
from payments.services import OFFLINE_METHODS, record_payment

ZERO = Decimal("0")
REFUND_METHODS = ("provider", *OFFLINE_METHODS)


def household_credit(*, household_id: int) -> Decimal:
    """The household's credit now: three sums, never negative."""
    kept = PaymentAllocation.objects.filter(payment__household_id=household_id, order__isnull=True).aggregate(
        s=Sum("amount")
    )["s"]
    spent = Payment.objects.filter(household_id=household_id, method=Payment.Method.CREDIT).aggregate(s=Sum("amount"))[
        "s"
    ]
    refunded = (
        Refund.objects.filter(household_id=household_id)
        .exclude(status=Refund.Status.FAILED)
        .aggregate(s=Sum("amount"))["s"]
    )
    return max(ZERO, (kept or ZERO) - (spent or ZERO) - (refunded or ZERO)).quantize(CENT)


def apply_credit(*, household: Household, plan: Sequence[Share], channel: str, actor_id: int | None) -> list[Share]:
    """Spend the household's credit on `plan` (a checkout's shares, in order) and return what
    is still to pay. Runs in a transaction of its own, after checkout's."""
    if not plan:
        return list(plan)
    with transaction.atomic(durable=True):
        lock_one(Household.objects.filter(pk=household.pk))
        credit = household_credit(household_id=household.pk)
        wanted = sum((share.amount for share in plan), ZERO)
        spend = min(credit, wanted)
        if spend <= 0:
            return list(plan)
        recorded = record_payment(
            organization=household.organization,
            household_id=household.pk,
            amount=spend,
            plan=plan,
            provider="credit",
            method=Payment.Method.CREDIT,
            channel=channel,
            now=timezone.now(),
            actor_id=actor_id,
            note="Household credit used at checkout",
        )
        paid = {a.order_id: a.amount for a in recorded.payment.allocations.all() if a.order_id is not None}
    left = []
    for share in plan:
        rest = share.amount - paid.pop(share.order_id, ZERO)
        if rest > 0:
            left.append(Share(share.order_id, rest))
    return left


def refund_credit(
    *, membership: StaffMembership, household_id: int, amount: Decimal, method: str, note: str = ""
) -> Refund:
    """Give back some of a household's credit. `method` "provider": through the provider of
    the household's latest online payment that left credit, if that provider refunds;
    otherwise the money handed back at the desk (cash, cheque, card terminal...), recorded."""
    require_permission(membership, Permission.TAKE_PAYMENTS)
    if method not in REFUND_METHODS:
        raise InvalidPayment(f"Method must be one of: {', '.join(REFUND_METHODS)}.", field="method")
    if amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidPayment("Amount must be a positive amount in whole cents.", field="amount")
    now = timezone.now()
    with transaction.atomic(durable=True):
        household = lock_one(Household.objects.filter(organization_id=membership.organization_id, pk=household_id))
        if household is None:
            raise InvalidPayment("No such household.", field="household")
        credit = household_credit(household_id=household.pk)
        if amount > credit:
            raise InvalidPayment(
                f"{format_money(amount)} is more than the household's credit of {format_money(credit)}.", field="amount"
            )
        source = _refundable_payment(household.pk) if method == "provider" else None
        if method == "provider" and source is None:
            raise InvalidPayment(
                "No online payment of this household can be refunded through its provider; "
                "record the money handed back instead.",
                field="method",
            )
        refund = Refund.objects.create(
            organization_id=membership.organization_id,
            household_id=household.pk,
            payment=source,
            amount=amount,
            method=method,
            status=Refund.Status.SENDING if source else Refund.Status.DONE,
            note=note.strip()[:500],
            recorded_by_id=membership.user_id,
            created_at=now,
            finished_at=None if source else now,
        )
        _audit(refund, membership, "refund.recorded" if source is None else "refund.requested")
    if source is None:
        return refund
    # The provider is called outside any transaction; the refund already counts meanwhile.
    try:
        refund.provider_ref = get_provider(source.provider).refund(source, amount)
        refund.status = Refund.Status.DONE
    except Exception:
        refund.status = Refund.Status.FAILED
    refund.finished_at = timezone.now()
    with transaction.atomic(durable=True):
        refund.save(update_fields=["provider_ref", "status", "finished_at"])
        _audit(refund, membership, f"refund.{refund.status}")
    if refund.status == Refund.Status.FAILED:
        raise InvalidPayment("The provider refused the refund; the credit is kept.", field="method")
    return refund


def _refundable_payment(household_id: int) -> Payment | None:
    for payment in Payment.objects.filter(
        household_id=household_id, method=Payment.Method.ONLINE, allocations__order__isnull=True
    ).order_by("-pk"):
        if get_provider(payment.provider).supports_refunds:
            return payment
    return None


def _audit(refund: Refund, membership: StaffMembership, verb: str) -> None:
    require_transaction()
    record(
        organization_id=refund.organization_id,
        verb=verb,
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="refund",
        subject_id=refund.pk,
        household_id=refund.household_id,
        data={
            "amount": str(refund.amount),
            "method": refund.method,
            "payment": refund.payment_id,
            "provider_ref": refund.provider_ref,
        },
        now=timezone.now(),
    )
