from django.db.models import F, QuerySet

from households.models import Household
from orders.models import Order
from payments.models import StaffAlert


def payable_balances(*, household: Household) -> list[Order]:
    """B1-B3: the household's orders with a balance it may pay online; none when the
    organization has paying balances online switched off (B2)."""
    if not household.organization.pay_balances_online:
        return []
    return list(
        Order.objects.filter(
            household_id=household.pk, on_account=True, payable_online=True, amount_paid__lt=F("total")
        )
        .exclude(status=Order.Status.CANCELLED)
        .order_by("created_at", "pk")
    )


def open_alerts(*, organization_id: int) -> QuerySet[StaffAlert]:
    return (
        StaffAlert.objects.filter(organization_id=organization_id, resolved_at__isnull=True)
        .select_related("payment", "order")
        .order_by("-created_at")
    )
