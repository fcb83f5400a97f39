"""Checkout (P1): the cart's hand-off. Its holds become an order and tentative registrations
(confirmed at once when the order is free), its balances a payment plan; one transaction."""

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import event as audit_event
from audit.services import record, record_many
from capacity.locks import lock_offerings, lock_one
from capacity.models import Claim
from carts import errors
from carts.models import Cart, CartBalance
from households.models import Household
from orders.models import Order
from orders.policies import Share
from registrations.ordering import HoldsLapsed, order_holds


@dataclass(frozen=True)
class CheckoutResult:
    order: Order | None  # None when the cart held only balances of earlier orders
    created: bool  # False when this cart had already been checked out (a double submit)
    # What one payment must cover, order by order (B3): the new order, then each balance.
    payment_plan: tuple[Share, ...] = ()


@transaction.atomic(durable=True)
def checkout(
    *, household: Household, channel: str, actor_id: int | None = None, cart_id: int | None = None
) -> CheckoutResult:
    """Turn the household's cart into one order and its registrations, in one transaction
    (P1). The holds become tentative registrations that keep their seats and data while
    payment is outstanding (P2); a zero-total order is confirmed at once.

    Submitting the same cart twice yields the same order: the cart row is locked, and a
    second submit finds it already checked out.
    """
    carts = Cart.objects.filter(household_id=household.pk)
    cart = lock_one(carts.filter(pk=cart_id) if cart_id is not None else carts.filter(status=Cart.Status.OPEN))
    if cart is None:
        raise errors.CartEmpty if cart_id is None else errors.ItemNotFound("No such cart.")
    if cart.status == Cart.Status.CHECKED_OUT:
        return CheckoutResult(order=Order.objects.filter(cart_id=cart.pk).first(), created=False)
    if cart.status == Cart.Status.EXPIRED:
        raise errors.CartExpired
    holds = list(
        Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD)
        .select_related("offering", "participant")
        .order_by("pk")
    )
    balances = list(CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True).order_by("pk"))
    if not holds and not balances:
        raise errors.CartEmpty
    if channel != Channel.OFFICE:
        _check_unpaid_size(holds, limit=household.organization.max_unpaid_seats_per_checkout)
    locked = lock_offerings(organization_id=cart.organization_id, offering_ids=[c.offering_id for c in holds])
    # The clock is read after the locks: a hold that lapsed while this waited may already
    # have been given to someone else, so it must not be promoted (C3).
    now = timezone.now()
    if cart.is_expired_at(now):
        raise errors.CartExpired
    plan = [
        Share(order.pk, order.balance)
        for order in Order.objects.filter(pk__in=[b.order_id for b in balances]).order_by("pk").select_for_update()
        if order.balance > 0
    ]
    if not holds:
        _close(cart, now)
        record(
            organization_id=cart.organization_id,
            verb="cart.checked_out",
            channel=channel,
            actor_id=actor_id,
            subject_type="cart",
            subject_id=cart.pk,
            household_id=household.pk,
            data={"balances": {str(share.order_id): str(share.amount) for share in plan}},
            now=now,
        )
        return CheckoutResult(order=None, created=True, payment_plan=tuple(plan))

    try:
        ordered = order_holds(
            organization=household.organization,
            household_id=household.pk,
            cart_id=cart.pk,
            holds=holds,
            locked=locked,
            channel=channel,
            actor_id=actor_id,
            now=now,
        )
    except HoldsLapsed:
        raise AssertionError("a live hold of a locked, unexpired cart could not be promoted") from None
    order, registrations, to_state, is_free = ordered.order, ordered.registrations, ordered.state, ordered.is_free
    _close(cart, now)
    event = partial(
        audit_event,
        organization_id=cart.organization_id,
        channel=channel,
        actor_id=actor_id,
        household_id=household.pk,
        now=now,
    )
    record_many(
        [
            event(
                verb="order.created",
                subject_type="order",
                subject_id=order.pk,
                data={"cart": cart.pk, "total": str(order.total), "status": order.status},
            ),
            *(
                event(
                    verb=f"registration.{to_state}",
                    subject_type="registration",
                    subject_id=registration.pk,
                    data={"order": order.pk, "offering": registration.offering_id, "claim": registration.claim_id},
                )
                for registration in registrations
            ),
        ]
    )
    plan = ([] if is_free else [Share(order.pk, order.total)]) + plan
    return CheckoutResult(order=order, created=True, payment_plan=tuple(plan))


def _check_unpaid_size(holds: list[Claim], *, limit: int) -> None:
    """X6: an online order of more places to pay than `limit` needs the office's approval (the
    office checks the cart out for the household), so that one login cannot turn a flood of
    holds into unpaid registrations that keep their seats for the whole grace period."""
    to_pay = sum(1 for hold in holds if hold.price > 0)
    if to_pay > limit:
        raise errors.CheckoutNeedsApproval(
            f"An order of more than {limit} places to pay needs the office's approval. Remove some places, "
            "or ask the office to complete this order for you.",
            limit=limit,
            places=to_pay,
        )


def _close(cart: Cart, now: datetime) -> None:
    cart.status = Cart.Status.CHECKED_OUT
    cart.closed_at = now
    cart.save(update_fields=["status", "closed_at"])
