"""Expiry (T4): a cart whose timer ran out is closed and its holds released; its seats stopped
counting at that instant already (C3), so this only records it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record_many
from capacity.services import release_claims
from carts.models import Cart
from carts.services.events import cart_event


def expire_carts(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Cleanup job (T4): close open carts whose timer ran out, release their holds and audit
    it. Capacity never waits for this (C3); it tidies up. Safe with many workers: each batch
    locks its carts with SKIP LOCKED, so two workers never expire the same cart."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic(durable=True):
            carts = list(
                Cart.objects.filter(status=Cart.Status.OPEN, expires_at__lte=now)
                # By expiry, not by id: the partial index on open carts' expires_at serves it,
                # so an idle run costs the same with a million closed carts as with ten.
                .order_by("expires_at", "pk")
                .select_for_update(skip_locked=True)[:batch_size]
            )
            for cart in carts:
                expire_cart_now(cart, now=now, channel=Channel.SYSTEM, actor_id=None, actor_label="job:expire_carts")
        total += len(carts)
        if len(carts) < batch_size:
            return total


def expire_cart_now(cart: Cart, *, now: datetime, channel: str, actor_id: int | None, actor_label: str = "") -> None:
    """Close an expired cart: all its items go together (T4). Its holds stopped counting at
    `expires_at` already; this records it. Runs inside the caller's transaction, cart locked."""
    expired_at = cart.expires_at
    released = release_claims(cart_id=cart.pk, reason="expired", now=now)
    cart.status = Cart.Status.EXPIRED
    cart.closed_at = now
    cart.save(update_fields=["status", "closed_at"])
    record_many(
        [
            cart_event(
                cart,
                "cart.expired",
                channel,
                actor_id,
                now,
                actor_label=actor_label,
                data={"released": released, "expired_at": expired_at.isoformat() if expired_at else None},
            )
        ]
    )
