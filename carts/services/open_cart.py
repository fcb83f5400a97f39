"""The household's open cart: found and locked, or started (unsaved) when there is none or its
timer ran out; its timer restarted by an add (T2, T3) or cleared when it is emptied (T7)."""

from datetime import datetime

from django.db.models import QuerySet

from audit.models import Channel
from capacity.locks import lock_compiled
from capacity.models import Claim
from carts import policies
from carts.models import Cart, CartBalance
from carts.services.expiry import expire_cart_now
from core.querycache import CompiledQuery
from households.models import Household
from organizations.models import Organization


def timer_minutes(organization: Organization, timer: str) -> tuple[int, int]:
    """(timeout, limit) for a cart's timer profile: the portal's (T1) or one of the office's
    two wizards' (T5: class, camp)."""
    if timer == Cart.Timer.OFFICE_CLASS:
        return organization.office_class_timeout_minutes, organization.office_class_limit_minutes
    if timer == Cart.Timer.OFFICE_CAMP:
        return organization.office_camp_timeout_minutes, organization.office_camp_limit_minutes
    return organization.cart_timeout_minutes, organization.cart_limit_minutes


def lock_or_start_cart(household: Household, *, now: datetime, channel: str, actor_id: int | None) -> Cart:
    """The household's open cart, locked; or, if it has none or its timer ran out (the
    lapsed one is closed first, T4), a new unsaved cart on the channel's timer (T5)."""
    locked = lock_compiled(OPEN_CART, household_id=household.pk, for_update=True)
    return continue_or_start_cart(locked, household, now=now, channel=channel, actor_id=actor_id)


def continue_or_start_cart(
    locked: list[Cart], household: Household, *, now: datetime, channel: str, actor_id: int | None
) -> Cart:
    """`lock_or_start_cart` once the lock is held: `locked` is what the cart lock found."""
    cart = locked[0] if locked else None
    if cart is not None and cart.is_expired_at(now):
        expire_cart_now(cart, now=now, channel=channel, actor_id=actor_id)
        cart = None
    if cart is None:
        cart = Cart(
            organization_id=household.organization_id,
            household_id=household.pk,
            timer=Cart.Timer.OFFICE_CLASS if channel == Channel.OFFICE else Cart.Timer.PORTAL,
            channel=channel,
            created_by_id=actor_id,
            created_at=now,
        )
    return cart


def restart_timer(cart: Cart, organization: Organization, now: datetime) -> datetime:
    if cart.first_added_at is None:
        cart.first_added_at = now
    cart.last_added_at = now
    timeout, limit = timer_minutes(organization, cart.timer)
    cart.expires_at = expires_at = policies.cart_expires_at(
        first_added_at=cart.first_added_at, last_added_at=now, timeout_minutes=timeout, limit_minutes=limit
    )
    return expires_at


def clear_timer(cart: Cart) -> None:
    cart.first_added_at = cart.last_added_at = cart.expires_at = None
    cart.save(update_fields=["first_added_at", "last_added_at", "expires_at"])


def has_items(cart: Cart) -> bool:
    return (
        Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD).exists()
        or CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True).exists()
    )


def _open_cart(*, household_id: int, for_update: bool) -> "QuerySet[Cart]":
    carts = Cart.objects.filter(household_id=household_id, status=Cart.Status.OPEN).order_by("pk")
    return (carts.select_for_update(of=("self",)) if for_update else carts)[:1]


# The household's open cart, locked first (capacity.locks) or only read, compiled once
# (core.querycache): every add starts with it.
OPEN_CART = CompiledQuery(Cart, _open_cart)
