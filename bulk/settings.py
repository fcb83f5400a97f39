"""Changing the organization's settings, previewed first (X7, G6, F2).

`preview_settings` says what a change would do before it is saved: the values that change,
the Grace Period Impacts of a new grace period (the worker's own `grace_impacts`) and which
live carts a new timer would give a later expiry. `change_settings` saves the change and
retimes those carts in one transaction, planning them with the same function as the preview.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record_many
from bulk.policies import CartTimer, retimed_expiry
from carts.models import Cart
from carts.services.events import cart_event
from carts.services.open_cart import timer_minutes
from organizations.errors import InvalidSettings
from organizations.models import Organization, Permission, StaffMembership
from organizations.preferences import TIMER_PAIRS, InvalidChange, clean_changes
from organizations.services import current_settings, require_permission, update_settings
from registrations.impacts import GraceImpacts, grace_impacts

TIMER_SETTINGS = frozenset(name for pair in TIMER_PAIRS for name in pair)


@dataclass(frozen=True)
class CartRetiming:
    """One live cart and the expiry a timer change gives it."""

    cart_id: int
    household_id: int
    household_name: str
    timer: str
    expires_at: datetime
    new_expires_at: datetime

    @property
    def changes(self) -> bool:
        return self.new_expires_at != self.expires_at


@dataclass(frozen=True)
class SettingsPreview:
    changed: dict[str, tuple[Any, Any]]  # name -> (now, after); secrets never appear
    grace: GraceImpacts | None = None
    carts: list[CartRetiming] = field(default_factory=list)

    @property
    def retimed(self) -> list[CartRetiming]:
        return [row for row in self.carts if row.changes]


def preview_settings(*, membership: StaffMembership, changes: dict[str, Any], now: datetime) -> SettingsPreview:
    """What saving `changes` would do, without saving it: refused exactly as the save would
    be (InvalidSettings naming each field), then the changed values, the grace impacts and
    the live carts whose expiry changes."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    organization = Organization.objects.get(pk=membership.organization_id)
    cleaned = _cleaned(organization, changes)
    return _preview(organization, cleaned, _live_carts(organization.pk, now), now)


@transaction.atomic(durable=True)
def change_settings(
    *, membership: StaffMembership, changes: dict[str, Any], channel: str, now: datetime | None = None
) -> tuple[Organization, SettingsPreview]:
    """Save the change (organizations.services.update_settings: validated, audited) and give
    the live carts the later expiry a new timer allows, exactly as `preview_settings` showed.
    Returns the organization and what was done."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    now = now or timezone.now()
    before = Organization.objects.select_for_update().get(pk=membership.organization_id)
    before_values = copy.copy(before)
    cleaned = _cleaned(before, changes)
    carts = _live_carts(before.pk, now, lock=bool(TIMER_SETTINGS & cleaned.keys()))
    done = _preview(before_values, cleaned, carts, now)
    organization = update_settings(membership=membership, changes=changes, channel=channel)
    _retime(done.retimed, organization, channel=channel, actor_id=membership.user_id, now=now)
    return organization, done


def _cleaned(organization: Organization, changes: Any) -> dict[str, Any]:
    if not isinstance(changes, dict):
        raise InvalidSettings("Send a JSON object of settings.", fields={})
    try:
        return clean_changes(changes, current_settings(organization))
    except InvalidChange as exc:
        raise InvalidSettings(exc.refusal.message, fields=exc.refusal.fields) from None


def _preview(
    organization: Organization, cleaned: dict[str, Any], carts: Iterable[Cart], now: datetime
) -> SettingsPreview:
    """The one plan behind both the preview and the save."""
    changed = {
        name: (getattr(organization, name), value)
        for name, value in cleaned.items()
        if getattr(organization, name) != value and not name.endswith("_secret") and name != "payment_secret_key"
    }
    grace = None
    if "grace_period_hours" in changed:
        grace = grace_impacts(organization=organization, grace_period_hours=cleaned["grace_period_hours"], now=now)
    rows: list[CartRetiming] = []
    if TIMER_SETTINGS & changed.keys():
        proposed = copy.copy(organization)
        for name in TIMER_SETTINGS & cleaned.keys():
            setattr(proposed, name, cleaned[name])
        rows = [_retiming(cart, proposed) for cart in carts]
    return SettingsPreview(changed=changed, grace=grace, carts=rows)


def _retiming(cart: Cart, proposed: Organization) -> CartRetiming:
    timeout, limit = timer_minutes(proposed, cart.timer)
    # A live cart (expires_at > now) has had an add, so it has all three instants.
    timer = CartTimer(
        first_added_at=cart.first_added_at or cart.created_at,
        last_added_at=cart.last_added_at or cart.created_at,
        expires_at=cart.expires_at or cart.created_at,
    )
    return CartRetiming(
        cart_id=cart.pk,
        household_id=cart.household_id,
        household_name=cart.household.name,
        timer=cart.timer,
        expires_at=timer.expires_at,
        new_expires_at=retimed_expiry(timer, timeout_minutes=timeout, limit_minutes=limit),
    )


def _live_carts(organization_id: int, now: datetime, *, lock: bool = False) -> list[Cart]:
    """Open carts whose timer still runs, oldest first; locked (cart lock first, as every
    cart writer takes it) when they are about to be retimed."""
    carts = (
        Cart.objects.filter(organization_id=organization_id, status=Cart.Status.OPEN, expires_at__gt=now)
        .select_related("household")
        .order_by("pk")
    )
    if lock:
        carts = carts.select_for_update(of=("self",))
    return list(carts)


def _retime(
    rows: list[CartRetiming], organization: Organization, *, channel: str, actor_id: int, now: datetime
) -> None:
    """Give each cart its new expiry; a hold lapses with its cart (decision 0001), so its
    claims need no change. One UPDATE per distinct new instant, one INSERT of events."""
    by_instant: dict[datetime, list[int]] = {}
    for row in rows:
        by_instant.setdefault(row.new_expires_at, []).append(row.cart_id)
    for instant, cart_ids in by_instant.items():
        Cart.objects.filter(pk__in=cart_ids, status=Cart.Status.OPEN).update(expires_at=instant)
    carts = {cart.pk: cart for cart in Cart.objects.filter(pk__in=[row.cart_id for row in rows])}
    record_many(
        cart_event(
            carts[row.cart_id],
            "cart.retimed",
            channel,
            actor_id,
            now,
            data={"expires_at": row.expires_at.isoformat(), "new_expires_at": row.new_expires_at.isoformat()},
        )
        for row in rows
    )
