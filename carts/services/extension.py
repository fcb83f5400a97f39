"""H1 humane timers: the customer extends the cart's timer in one click (WCAG 2.2.1). The
timeout restarts from now, within the hard limit counted from the first add, which never
restarts (T3): an extension is a restart of the timeout without an add."""

from django.db import transaction
from django.utils import timezone

from audit.services import record_many
from capacity.locks import lock_one
from carts import errors, policies
from carts.models import Cart
from carts.services.events import cart_event
from carts.services.open_cart import timer_minutes
from households.models import Household


@transaction.atomic(durable=True)
def extend_cart(*, household: Household, channel: str, actor_id: int | None = None) -> Cart:
    """Restart the open cart's timeout now, within its limit (T3). Refusals: `cart_empty`
    (no items, so no timer, T7), `cart_expired`, `cart_at_time_limit` (the expiry is already
    the limit), `cart_held_by_office` (S3: the office's timer, not the customer's).

    `last_added_at` holds where the timeout counts from, the latest add or extension, so
    whatever recomputes the expiry from the timer's instants (a settings change retiming
    live carts, bulk.settings) keeps the extension."""
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is None or cart.expires_at is None or cart.first_added_at is None:
        raise errors.CartEmpty
    if cart.is_expired_at(now):
        raise errors.CartExpired
    policies.check_holder(is_fresh=False, is_held_by_office=cart.is_held_by_office, channel=channel)
    timeout, limit = timer_minutes(household.organization, cart.timer)
    extended = policies.extended_expiry(
        first_added_at=cart.first_added_at,
        expires_at=cart.expires_at,
        now=now,
        timeout_minutes=timeout,
        limit_minutes=limit,
    )
    if extended is None:
        raise errors.CartAtTimeLimit(
            f"Your cart has reached its time limit of {limit} minutes and cannot be extended. "
            "Check out before it runs out to keep your places."
        )
    before = cart.expires_at
    cart.last_added_at, cart.expires_at = now, extended
    cart.save(update_fields=["last_added_at", "expires_at"])
    record_many(
        [
            cart_event(
                cart,
                "cart.extended",
                channel,
                actor_id,
                now,
                data={"expires_at_before": before.isoformat(), "expires_at": extended.isoformat()},
            )
        ]
    )
    return cart
