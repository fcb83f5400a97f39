"""Held claims become an order (P1): the step a cart's checkout and a rental request's approval
(S6) share. The order and its lines (`orders.services.place_order`), one registration per line,
the claims promoted (tentative while payment is outstanding, P2; confirmed at once when the
order is free) and, for a free order, its confirmation with a receipt (N6), written to the
outbox in the same transaction and at most once (N1: its key is the order)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from capacity.locks import LockedOfferings
from capacity.models import Claim
from capacity.services import promote_claims
from orders.models import Order
from orders.receipts import enqueue_receipt
from orders.services import place_order
from organizations.models import Organization
from registrations.models import Registration
from registrations.services import register_order


@dataclass(frozen=True)
class Ordered:
    order: Order
    registrations: list[Registration]
    state: str  # the claims' new state: tentative, or confirmed when the order is free

    @property
    def is_free(self) -> bool:
        return self.order.total == 0


class HoldsLapsed(Exception):
    """Some of the holds no longer count (their time, or their cart, lapsed while the caller
    waited for the locks): nothing must be ordered. The caller rolls back and says why."""


def order_holds(
    *,
    organization: Organization,
    household_id: int,
    cart_id: int | None,
    holds: Sequence[Claim],
    locked: LockedOfferings,
    channel: str,
    actor_id: int | None,
    now: datetime,
) -> Ordered:
    """Turn these live holds (their offerings locked by the caller, in its transaction) into
    one order with its registrations. Raises `HoldsLapsed` when not every hold could be
    promoted: the caller's transaction must then be rolled back."""
    order, lines = place_order(
        organization_id=organization.pk,
        household_id=household_id,
        cart_id=cart_id,
        holds=list(holds),
        channel=channel,
        actor_id=actor_id,
        now=now,
    )
    registrations = register_order(order=order, lines=lines, holds=holds, channel=channel, now=now)
    state = Claim.State.CONFIRMED if order.total == 0 else Claim.State.TENTATIVE
    if promote_claims(locked=locked, claim_ids=[c.pk for c in holds], to_state=state, now=now) != len(holds):
        raise HoldsLapsed
    ordered = Ordered(order=order, registrations=registrations, state=state)
    if ordered.is_free:  # confirmed at once (P1): its confirmation now, as a paid order's (N6)
        enqueue_receipt(organization=organization, order=order, now=now)
    return ordered
