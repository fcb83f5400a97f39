"""The office at the desk (S3, S5): taking over a cart a customer started, booking a facility for
a household, on the office's own timers (T5), and removing from and checking out a cart the
office holds."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record_many
from capacity.locks import lock_one
from capacity.models import Claim
from carts import errors, policies
from carts.models import Cart
from carts.services.adding import AddResult, add_rental_to_cart, staff_override
from carts.services.checkout import CheckoutResult, checkout
from carts.services.events import cart_event
from carts.services.open_cart import has_items, timer_minutes
from carts.services.removal import remove_from_cart
from households.models import Household
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission


@transaction.atomic(durable=True)
def take_over_cart(*, membership: StaffMembership, household: Household) -> Cart:
    """S3: a staff member explicitly takes over the cart a customer started, to add, remove and
    check out for them. From now on the office holds it: the customer's portal says the office
    is completing it, and only staff add to it. Its timer becomes the office wizard's (T5),
    counted from now, so that the seats the customer chose stay held while staff finish; the
    holds are live (an expired cart cannot be taken over), so none is revived. Audited with
    the expiry before and after. Taking over a cart the office already holds records who
    holds it now."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is None or cart.is_expired_at(now) or not has_items(cart):
        raise errors.NothingToTakeOver
    kinds = Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD).values_list("offering__kind", flat=True)
    before = cart.expires_at
    cart.timer = policies.office_timer(kinds)
    timeout, limit = timer_minutes(household.organization, cart.timer)
    cart.first_added_at = cart.last_added_at = now
    cart.expires_at = policies.cart_expires_at(
        first_added_at=now, last_added_at=now, timeout_minutes=timeout, limit_minutes=limit
    )
    cart.taken_over_by_id, cart.taken_over_at = membership.user_id, now
    cart.save(
        update_fields=["timer", "first_added_at", "last_added_at", "expires_at", "taken_over_by", "taken_over_at"]
    )
    record_many(
        [
            cart_event(
                cart,
                "cart.taken_over",
                Channel.OFFICE,
                membership.user_id,
                now,
                data={
                    "started_on": cart.channel,
                    "timer": cart.timer,
                    "expires_at_before": before.isoformat() if before else None,
                    "expires_at": cart.expires_at.isoformat(),
                },
            )
        ]
    )
    return cart


def office_add_rental_to_cart(
    *,
    membership: StaffMembership,
    household: Household,
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    override_reason: str | None = None,
) -> AddResult:
    """S5: staff book a facility for a household through its cart, on the office's timer
    (T5), the same way a customer does: every slot of the range, all or nothing, each of
    capacity one, so two carts never hold the same time. Exceeding a slot's capacity (a
    double booking) needs the override permission and a reason (C6)."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    return add_rental_to_cart(
        household=household,
        facility_id=facility_id,
        starts_at=starts_at,
        ends_at=ends_at,
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        override=staff_override(membership, override_reason),
    )


def _office_cart(membership: StaffMembership, household: Household) -> Cart | None:
    """The household's open cart, checked for the office (S3): staff act only on a cart the
    office holds; a customer's cart must be taken over first."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    cart = Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN).first()
    if cart is not None and not cart.is_held_by_office and has_items(cart):
        raise errors.CustomerCartOpen
    return cart


def office_remove_from_cart(*, membership: StaffMembership, household: Household, claim_id: int) -> Cart:
    """S3: staff take one item out of a cart the office holds; the seat is free at once (T7)."""
    _office_cart(membership, household)
    return remove_from_cart(household=household, claim_id=claim_id, channel=Channel.OFFICE, actor_id=membership.user_id)


def checkout_office_cart(
    *, membership: StaffMembership, household: Household, cart_id: int | None = None
) -> CheckoutResult:
    """S3, S4: staff check out the cart the office holds for the household (P1); the order
    is the household's, made on the office channel. A customer's cart is taken over first.
    The cart's half only: the page and the API call `payments.checkout.office_checkout`, which
    also spends the household's credit (B6)."""
    _office_cart(membership, household)
    return checkout(household=household, channel=Channel.OFFICE, actor_id=membership.user_id, cart_id=cart_id)
