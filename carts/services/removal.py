"""Taking items out of a cart: one (T7) or all of them (T6); the seats are free at once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import record_many
from capacity.locks import lock_one
from capacity.services import release_claims
from carts import errors
from carts.models import Cart, CartBalance
from carts.services.events import cart_event
from carts.services.expiry import expire_cart_now
from carts.services.open_cart import clear_timer, has_items
from households.models import Household


@transaction.atomic(durable=True)
def remove_from_cart(*, household: Household, claim_id: int, channel: str, actor_id: int | None = None) -> Cart:
    """Take one item out of the cart and free its seat. The timer does not restart (T7);
    removing the last item leaves a cart with no timer."""
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is not None and cart.is_expired_at(now):
        raise errors.CartExpired
    if cart is None or not release_claims(claim_ids=[claim_id], cart_id=cart.pk, reason="removed", now=now):
        raise errors.ItemNotFound
    if not has_items(cart):
        clear_timer(cart)
    record_many([cart_event(cart, "cart.item_removed", channel, actor_id, now, subject=("claim", claim_id))])
    return cart


@transaction.atomic(durable=True)
def empty_cart(*, household: Household, channel: str, actor_id: int | None = None) -> Cart | None:
    """Remove every item at once (T6); the emptied cart has no timer (T7). Emptying a cart
    whose timer already ran out closes it as expired."""
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is None:
        return None
    if cart.is_expired_at(now):
        expire_cart_now(cart, now=now, channel=channel, actor_id=actor_id)
        return None
    empty_open_cart(cart, now=now, reason="emptied", verb="cart.emptied", channel=channel, actor_id=actor_id)
    return cart


def empty_open_cart(cart: Cart, *, now: datetime, reason: str, verb: str, channel: str, actor_id: int | None) -> None:
    """Release every hold of a locked open cart, take its balances out and clear its timer (T7)."""
    released = release_claims(cart_id=cart.pk, reason=reason, now=now)
    CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True).update(removed_at=now)
    clear_timer(cart)
    record_many([cart_event(cart, verb, channel, actor_id, now, data={"released": released})])
