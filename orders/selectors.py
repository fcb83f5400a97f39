from django.db.models import F

from households.models import Household
from orders.errors import OrderNotFound
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


def get_order_for_org(*, organization_id: int, order_id: int) -> Order:
    """The order with this id in this organization; another organization's, or none, is the
    same `OrderNotFound` (404)."""
    order = Order.objects.filter(organization_id=organization_id, pk=order_id).first()
    if order is None:
        raise OrderNotFound
    return order
