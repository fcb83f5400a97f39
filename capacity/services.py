from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from capacity.errors import AlreadyClaimed, CapacityShortfall, Shortfall
from capacity.locks import LockedOfferings, require_transaction
from capacity.models import Claim
from capacity.selectors import claim_counts
from carts.models import Cart
from registrar.querycache import CompiledInsert


@dataclass(frozen=True)
class SeatRequest:
    """One unit of one offering, for one participant (None for household-level items such
    as facility rentals)."""

    offering_id: int
    participant_id: int | None = None


@dataclass(frozen=True)
class Override:
    """C6: a deliberate decision by staff to exceed capacity, with who and why."""

    by_user_id: int
    reason: str


# The two INSERTs of every granted add, compiled once (registrar.querycache).
_INSERT_CLAIMS = CompiledInsert(Claim)
_INSERT_CART = CompiledInsert(Cart)


def claim_seats(
    *,
    locked: LockedOfferings,
    wanted: Sequence[SeatRequest],
    organization_id: int,
    household_id: int,
    channel: str,
    now: datetime,
    cart: Cart | None = None,
    kind: str = Claim.Kind.CART,
    state: str = Claim.State.HELD,
    expires_at: datetime | None = None,
    actor_id: int | None = None,
    override: Override | None = None,
) -> list[Claim]:
    """Take capacity: count the ledger under the offering locks, compare, insert (D1-D3, C1, C2).

    Every path that takes capacity goes through here. The caller holds the locks (the
    `LockedOfferings` proves it) and owns the transaction; this adds the count and one
    INSERT (two when `cart` is new and unsaved: it is saved only once the seats are
    granted). Raises `CapacityShortfall` (C4) or `AlreadyClaimed`, having written nothing.
    """
    require_transaction()
    per_offering = Counter(request.offering_id for request in wanted)
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    counts = claim_counts(offering_ids=per_offering, now=now, participant_ids=participant_ids)
    shortfalls = []
    for offering_id, seats in per_offering.items():
        offering = locked[offering_id]
        current = counts.get(offering_id)
        if current is not None:
            present = {r.participant_id for r in wanted if r.offering_id == offering_id} & current.participants_present
            if present:
                raise AlreadyClaimed(
                    f"This participant is already in a cart or registered for {offering.name}.",
                    offering_id=offering_id,
                )
        if offering.capacity is None or override is not None:
            continue
        taken = current.taken if current else 0
        if taken + seats > offering.capacity:
            shortfalls.append(
                Shortfall(
                    offering_id=offering_id,
                    offering_name=offering.name,
                    capacity=offering.capacity,
                    taken=taken,
                    held_in_carts=current.held if current else 0,
                    wanted=seats,
                )
            )
    if shortfalls:
        raise CapacityShortfall(shortfalls)
    if cart is not None and cart.pk is None:
        # A new cart is written only once the seats are granted: a refusal (most requests
        # on registration morning) costs no INSERT and no rollback.
        _INSERT_CART.insert([cart])
    claims = [
        Claim(
            organization_id=organization_id,
            offering_id=request.offering_id,
            household_id=household_id,
            participant_id=request.participant_id,
            cart_id=cart.pk if cart else None,
            kind=kind,
            state=state,
            expires_at=expires_at,
            channel=channel,
            created_by_id=actor_id,
            override_by_id=override.by_user_id if override else None,
            override_reason=override.reason if override else "",
            price=locked[request.offering_id].price or Decimal("0"),
            created_at=now,
        )
        for request in wanted
    ]
    return _INSERT_CLAIMS.insert(claims)


def release_claims(
    *, reason: str, now: datetime, claim_ids: Sequence[int] | None = None, cart_id: int | None = None
) -> int:
    """End live holds: these claims, or every hold of one cart, or both filters together
    (removed, emptied, expired, deleted by staff). Freeing capacity needs no offering lock:
    it can only make room. Returns how many were released."""
    if claim_ids is None and cart_id is None:
        raise ValueError("release_claims needs claim_ids or cart_id")
    holds = Claim.objects.filter(state=Claim.State.HELD)
    if claim_ids is not None:
        holds = holds.filter(pk__in=list(claim_ids))
    if cart_id is not None:
        holds = holds.filter(cart_id=cart_id)
    return holds.update(state=Claim.State.RELEASED, ended_at=now, end_reason=reason)


def promote_claims(*, locked: LockedOfferings, claim_ids: Sequence[int], to_state: str, now: datetime) -> int:
    """Turn held claims into tentative or confirmed registrations at checkout (P1, P2).

    Needs the offering locks: a hold whose cart lapsed may already have been counted as
    free by another transaction, so only claims that still count at `now` are promoted.
    Returns how many were promoted; the caller refuses checkout if that is not all.
    """
    require_transaction()
    if to_state not in (Claim.State.TENTATIVE, Claim.State.CONFIRMED):
        raise ValueError(f"cannot promote a hold to {to_state!r}")
    live = Claim.objects.counting_at(now).filter(
        pk__in=list(claim_ids), state=Claim.State.HELD, offering_id__in=locked.ids()
    )
    return Claim.objects.filter(pk__in=live.values("pk")).update(state=to_state)
