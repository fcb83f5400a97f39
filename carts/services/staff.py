"""Staff clearing holds before their timer runs out (S2): one hold, or a household's whole cart;
the family is emailed which held seats were released (N6)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record_many
from capacity.locks import lock_one
from capacity.models import Claim
from capacity.services import release_claims
from carts import errors
from carts.models import Cart
from carts.services.events import cart_event
from carts.services.open_cart import clear_timer, has_items
from carts.services.removal import empty_open_cart
from households.models import Household
from notifications.services import enqueue
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission


@transaction.atomic(durable=True)
def delete_hold(*, membership: StaffMembership, claim_id: int) -> Claim:
    """S2: staff with *delete enrollments* remove one live hold before its timer runs out;
    the seat is free at once and the deletion audited. The cart keeps its timer unless it is
    now empty."""
    require_permission(membership, Permission.DELETE_ENROLLMENTS)
    now = timezone.now()
    claim = (
        Claim.objects.filter(
            organization_id=membership.organization_id, pk=claim_id, state=Claim.State.HELD, cart__isnull=False
        )
        .select_related("offering", "participant")
        .first()
    )
    if claim is None or claim.cart_id is None:  # never None: the filter asks for a cart
        raise errors.ItemNotFound("No such hold in this organization.")
    cart = lock_one(Cart.objects.filter(pk=claim.cart_id, status=Cart.Status.OPEN))
    if (
        cart is None
        or cart.is_expired_at(now)
        or not release_claims(claim_ids=[claim.pk], reason="deleted_by_staff", now=now)
    ):
        raise errors.ItemNotFound("That hold has already ended.")
    if not has_items(cart):
        clear_timer(cart)
    record_many(
        [
            cart_event(
                cart,
                "cart.hold_deleted",
                Channel.OFFICE,
                membership.user_id,
                now,
                subject=("claim", claim.pk),
                data={"offering": claim.offering_id, "participant": claim.participant_id},
            )
        ]
    )
    claim.refresh_from_db(fields=["state", "ended_at", "end_reason"])
    household = Household.objects.select_related("organization").get(pk=claim.household_id)
    _tell_family(household, [claim], key=f"holds_released:claim:{claim.pk}", now=now)
    return claim


@transaction.atomic(durable=True)
def delete_cart(*, membership: StaffMembership, household: Household) -> Cart:
    """S2: staff with *delete enrollments* clear a household's whole cart before its timer
    runs out (the caller who is stuck and wants to start over): every hold is released at
    once, balances leave the cart, the cart has no timer, and it is audited as staff's."""
    require_permission(membership, Permission.DELETE_ENROLLMENTS)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is None or cart.is_expired_at(now) or not has_items(cart):  # a lapsed cart's holds are free already
        raise errors.ItemNotFound("This household has nothing held in a cart.")
    released = list(
        Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD).select_related("offering", "participant")
    )
    empty_open_cart(
        cart,
        now=now,
        reason="deleted_by_staff",
        verb="cart.deleted",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
    )
    _tell_family(household, released, key=f"holds_released:cart:{cart.pk}:{now.isoformat()}", now=now)
    return cart


def _tell_family(household: Household, released: list[Claim], *, key: str, now: datetime) -> None:
    """N6, S2: the family is told, by email through the outbox, which held seats staff released."""
    if not released:
        return
    organization: Organization = household.organization
    enqueue(
        organization_id=organization.pk,
        key=key,
        kind="holds_released",
        to_email=household.email,
        context={
            "organization_name": organization.name,
            "household_name": household.name,
            "items": [
                {
                    "offering_name": claim.offering.name,
                    "participant_name": claim.participant.full_name if claim.participant else "",
                }
                for claim in released
            ],
        },
        now=now,
    )
