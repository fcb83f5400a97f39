"""Balances of earlier orders in the cart (B3, B4): paid with everything else in one payment."""

from django.db import transaction
from django.utils import timezone

from audit.services import record_many
from capacity.locks import lock_one
from carts import errors
from carts.models import Cart, CartBalance
from carts.services.events import cart_event
from carts.services.open_cart import clear_timer, has_items, lock_or_start_cart, restart_timer
from households.models import Household
from orders.selectors import payable_balances


@transaction.atomic(durable=True)
def add_balance_to_cart(*, household: Household, order_id: int, channel: str, actor_id: int | None = None) -> Cart:
    """B3: put an order's balance in the cart, to pay it with everything else in one payment.
    Only orders the household may pay online qualify (B1, B2); an order already in the cart
    is refused as `already_in_cart` (B4). Adding restarts the timer like any item (T2)."""
    now = timezone.now()
    if household.organization.payment_provider == "none" or order_id not in {
        o.pk for o in payable_balances(household=household)
    }:
        raise errors.BalanceNotPayable
    cart = lock_or_start_cart(household, now=now, channel=channel, actor_id=actor_id)
    if (
        cart.pk is not None
        and CartBalance.objects.filter(cart_id=cart.pk, order_id=order_id, removed_at__isnull=True).exists()
    ):
        raise errors.AlreadyInCart
    restart_timer(cart, household.organization, now)
    cart.save()
    balance = CartBalance.objects.create(cart=cart, order_id=order_id, added_at=now)
    record_many(
        [
            cart_event(
                cart,
                "cart.balance_added",
                channel,
                actor_id,
                now,
                subject=("order", order_id),
                data={"cart_balance": balance.pk},
            )
        ]
    )
    return cart


@transaction.atomic(durable=True)
def remove_balance_from_cart(*, household: Household, order_id: int, channel: str, actor_id: int | None = None) -> Cart:
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is not None and cart.is_expired_at(now):
        raise errors.CartExpired
    if cart is None or not CartBalance.objects.filter(
        cart_id=cart.pk, order_id=order_id, removed_at__isnull=True
    ).update(removed_at=now):
        raise errors.ItemNotFound
    if not has_items(cart):
        clear_timer(cart)
    record_many([cart_event(cart, "cart.balance_removed", channel, actor_id, now, subject=("order", order_id))])
    return cart
