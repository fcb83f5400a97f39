"""Reads of payments: staff alerts, and what became of a household's request to pay."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from households.models import Household
from orders.models import Order, OrderLine
from orders.policies import Share
from payments.models import PaymentSession, StaffAlert
from registrations.models import Registration
from registrations.selectors import payment_status


def open_alerts(*, organization_id: int) -> QuerySet[StaffAlert]:
    return (
        StaffAlert.objects.filter(organization_id=organization_id, resolved_at__isnull=True)
        .select_related("payment", "order")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class OrderOutcome:
    order: Order
    # When the grace policy deletes its unpaid registrations, if it will (G3); None: kept
    # until staff act (G1), or nothing left to delete.
    deletion_due_at: datetime | None


@dataclass(frozen=True)
class PaymentOutcome:
    """What became of one request to pay, as the customer who made it sees it (portal return
    page, API confirmation status): still pending, paid, declined or abandoned."""

    session: PaymentSession
    orders: list[OrderOutcome]

    @property
    def status(self) -> str:
        return self.session.status

    @property
    def is_pending(self) -> bool:
        return self.session.status == PaymentSession.Status.OPEN

    @property
    def plan_again(self) -> list[Share]:
        """What "pay now" asks for after a decline: what is still owed on the same orders."""
        return [Share(o.order.pk, o.order.balance) for o in self.orders if o.order.balance > 0]


def household_payment(*, household: Household, session_id: int, now: datetime) -> PaymentOutcome | None:
    """One of the household's own payment requests and its orders as they are now; None for
    another household's (X1)."""
    session = PaymentSession.objects.filter(household_id=household.pk, pk=session_id).first()
    if session is None:
        return None
    order_ids = [int(share["order"]) for share in session.plan]
    orders = {
        order.pk: order
        for order in Order.objects.filter(household_id=household.pk, pk__in=order_ids).prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(deleted_at__isnull=True).select_related(
                    "offering", "participant", "household", "order"
                ),
            ),
            Prefetch("lines", queryset=OrderLine.objects.select_related("participant", "registration").order_by("pk")),
        )
    }
    organization = household.organization
    outcomes = []
    for order_id in order_ids:
        order = orders.get(order_id)
        if order is None:
            continue
        due = [
            status.scheduled_for_deletion_at
            for status in (payment_status(r, organization, now) for r in order.registrations.all())
            if status.scheduled_for_deletion_at is not None
        ]
        outcomes.append(OrderOutcome(order=order, deletion_due_at=min(due) if due and order.balance > 0 else None))
    return PaymentOutcome(session=session, orders=outcomes)
