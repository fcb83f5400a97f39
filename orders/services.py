"""Writes on orders: the order a checkout makes of a cart's holds (P1)."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from audit.models import Channel
from capacity.models import Claim
from orders.models import Order, OrderCounter, OrderLine


def place_order(
    *,
    organization_id: int,
    household_id: int,
    cart_id: int | None,
    holds: Sequence[Claim],
    channel: str,
    actor_id: int | None,
    now: datetime,
) -> tuple[Order, list[OrderLine]]:
    """The order of a cart's holds (or of an approved rental request's claims, S6: no cart), a line per hold at its price, in the holds' order (P1).
    A zero-total order is paid at once. Runs inside checkout's transaction; `holds` have
    their offering and participant loaded (for the lines' descriptions)."""
    total = sum((claim.price for claim in holds), Decimal("0"))
    is_free = total == 0
    # G4: a customer checking out must pay; an office order waits for staff to take payment
    # or put it on account, and is never deleted automatically.
    payment_required = not is_free and channel in (Channel.PORTAL, Channel.API)
    order = Order.objects.create(
        organization_id=organization_id,
        sequence=next_order_sequence(organization_id),
        household_id=household_id,
        cart_id=cart_id,
        status=Order.Status.PAID if is_free else Order.Status.AWAITING_PAYMENT,
        total=total,
        payment_required=payment_required,
        payment_requested_at=now if payment_required else None,
        channel=channel,
        created_by_id=actor_id,
        created_at=now,
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offering_id=claim.offering_id,
            participant_id=claim.participant_id,
            description=_describe(claim),
            amount=claim.price,
        )
        for claim in holds
    )
    return order, lines


def next_order_sequence(organization_id: int) -> int:
    """The organization's next order number: its counter incremented in the caller's
    transaction (one statement; the row is created with the organization's first order)."""
    with connection.cursor() as cursor:
        cursor.execute(INCREMENT, [organization_id])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():  # savepoint: two first orders at once, one creates the row
                OrderCounter.objects.create(organization_id=organization_id, last=1)
                return 1
        except IntegrityError:
            return next_order_sequence(organization_id)
    return int(row[0])


INCREMENT = "UPDATE orders_ordercounter SET last = last + 1 WHERE organization_id = %s RETURNING last"


def _describe(claim: Claim) -> str:
    offering = claim.offering
    if claim.participant is not None:
        return f"{offering.name} — {claim.participant.full_name}"
    return offering.name
