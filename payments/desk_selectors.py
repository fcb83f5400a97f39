"""Reads for money at the office desk (issue 13, item 5): the alerts inbox and a household's money page."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from households.models import Household
from orders.models import Order
from payments.credit import household_credit
from payments.models import Payment, Refund, StaffAlert
from registrations.models import Registration
from registrations.selectors import household_orders, household_registrations


def alerts_inbox(*, organization_id: int, kind: str = "", resolved: bool = False) -> QuerySet[StaffAlert]:
    """The office's alerts inbox (P4, N6): open ones (or resolved ones), newest first, of one
    kind or all, with what the page shows of each in the same query."""
    alerts = StaffAlert.objects.filter(organization_id=organization_id, resolved_at__isnull=not resolved)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts.select_related("payment__household", "order__household", "resolved_by").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class HouseholdMoney:
    """What the office's money page of a household shows (issue 13, item 5)."""

    household: Household
    orders: list[Order]
    registrations: list[Registration]
    payments: list[Payment]
    refunds: list[Refund]
    credit: Decimal

    @property
    def owing(self) -> list[Order]:
        return [o for o in self.orders if o.balance > 0]


def household_money(*, organization_id: int, household_id: int) -> HouseholdMoney | None:
    """A household of this organization with its orders, registrations (deleted ones too),
    payments, refunds and credit; None when it is not this organization's (X1)."""
    household = Household.objects.filter(organization_id=organization_id, pk=household_id).first()
    if household is None:
        return None
    return HouseholdMoney(
        household=household,
        orders=list(household_orders(household=household)),
        registrations=list(household_registrations(household=household)),
        payments=list(
            Payment.objects.filter(household_id=household.pk)
            .prefetch_related("allocations__order")
            .order_by("-pk")[:50]
        ),
        refunds=list(Refund.objects.filter(household_id=household.pk).order_by("-pk")[:50]),
        credit=household_credit(household_id=household.pk),
    )
