from django.db.models import F

from households.models import Household
from orders.models import Order


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
