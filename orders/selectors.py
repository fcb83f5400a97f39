from django.db.models import Prefetch, QuerySet

from households.models import Household
from orders.models import Order, OrderLine
from registrations.models import Registration


def household_orders(*, household: Household) -> QuerySet[Order]:
    """A household's orders, newest first, with lines and registrations (X1: only its own)."""
    return (
        Order.objects.filter(household_id=household.pk)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("offering", "participant").order_by("pk")),
            Prefetch("registrations", queryset=Registration.objects.select_related("claim").order_by("pk")),
        )
        .order_by("-created_at", "-pk")
    )


def household_registrations(*, household: Household) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(household_id=household.pk)
        .select_related("offering", "participant", "claim", "order")
        .order_by("-submitted_at", "-pk")
    )
