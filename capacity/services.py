from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models

from audit.models import AuditEvent
from audit.services import record_many
from capacity import policies
from capacity.fairshare import FairShareCheck
from capacity.locks import LockedOfferings, require_transaction
from capacity.models import Claim
from capacity.policies import SeatRequest
from capacity.selectors import claim_counts
from core.querycache import CompiledInsert, CompiledInsertChain, NewRow, Sendable, run_together


@dataclass(frozen=True)
class Override:
    """C6: a deliberate decision by staff to exceed capacity, with who and why."""

    by_user_id: int
    reason: str


# The INSERTs of a granted add, compiled once (core.querycache): the claim and its audit
# event, after the new cart they belong to when there is one (`_hold_in_new_cart`); one
# statement on PostgreSQL.
_INSERT_CLAIMS = CompiledInsert(Claim)
_INSERT_HOLD = CompiledInsertChain(Claim, (AuditEvent, {"subject_id": 0}))
_INSERT_HOLD_IN_NEW_CART: dict[type[models.Model], CompiledInsertChain] = {}


def _hold_in_new_cart(cart_model: type[models.Model]) -> CompiledInsertChain:
    """The add's INSERTs after its new cart (a row carts hands over, `NewRow`): the claim takes
    the cart's id as `cart_id`, the audit event the claim's id and, in its data, the cart's.
    Compiled once per process; capacity knows the cart only as the model of `Claim.cart`."""
    chain = _INSERT_HOLD_IN_NEW_CART.get(cart_model)
    if chain is None:
        if cart_model is not Claim._meta.get_field("cart").related_model:
            raise TypeError(f"a claim's cart is a {Claim._meta.get_field('cart').related_model}, not a {cart_model}")
        chain = CompiledInsertChain(
            cart_model, (Claim, {"cart_id": 0}), (AuditEvent, {"subject_id": 1, "data__cart": 0})
        )
        _INSERT_HOLD_IN_NEW_CART[cart_model] = chain
    return chain


@dataclass(frozen=True)
class ClaimRequest:
    """What a claim asks for: which seats (`wanted`), for which household, through which
    channel, by whom, at which instant; with `override`, beyond capacity (C6). A cart's hold
    by default; staff may write tentative or confirmed registrations straight away."""

    organization_id: int
    household_id: int
    wanted: Sequence[SeatRequest]
    channel: str
    now: datetime
    actor_id: int | None = None
    override: Override | None = None
    kind: str = Claim.Kind.CART
    state: str = Claim.State.HELD
    expires_at: datetime | None = None
    # X6: the household's limits, with its usage read along with the locks (capacity.fairshare);
    # an override lifts them as it lifts capacity.
    fair_share: FairShareCheck | None = None


@dataclass(frozen=True)
class ClaimWrites:
    """Where the granted claims go and what is written with them, in the same statement or
    round trip: the cart `cart_id`, or `new_cart` (carts builds it unsaved, and it is written
    first, only once the seats are granted); the audit event `audit` makes of each claim (X2;
    its subject id, and the `cart` of its data, are filled in from the new rows); `also`, the
    caller's other writes of this step (an existing cart's new timer)."""

    cart_id: int | None = None
    new_cart: NewRow[Any] | None = None
    audit: Callable[[Claim], AuditEvent] | None = None
    also: Sequence[Sendable] = ()


_JUST_THE_CLAIMS = ClaimWrites()


def claim_seats(locked: LockedOfferings, request: ClaimRequest, writes: ClaimWrites = _JUST_THE_CLAIMS) -> list[Claim]:
    """Take capacity: count the ledger under the offering locks, compare, insert (D1-D3, C1, C2).

    Every path that takes capacity goes through here. The caller holds the locks (the
    `LockedOfferings` proves it) and owns the transaction; this adds the count and the
    INSERTs of the claims and of what `writes` asks for. For one seat that is one statement
    on PostgreSQL, and one round trip with `writes.also`. With `request.fair_share`, the
    household's limits are checked after capacity (X6). Raises `CapacityShortfall` (C4),
    `AlreadyClaimed` or a fair-share refusal, having written nothing.
    """
    require_transaction()
    wanted, now, override = request.wanted, request.now, request.override
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    counts = locked.counts_at(now, participant_ids)  # counted with the lock, or now
    if counts is None:
        counts = claim_counts(offering_ids={r.offering_id for r in wanted}, now=now, participant_ids=participant_ids)
    refused = policies.refusal(offerings=locked, counts=counts, wanted=wanted, override=override is not None)
    if refused is not None:
        raise refused
    if request.fair_share is not None and override is None:  # X6: read with the locks (capacity.fairshare)
        request.fair_share.enforce(offerings=locked, wanted=wanted, now=now)
    # A new cart is written only once the seats are granted: a refusal (most requests on
    # registration morning) costs no INSERT.
    claims = [
        Claim(
            organization_id=request.organization_id,
            offering_id=seat.offering_id,
            household_id=request.household_id,
            participant_id=seat.participant_id,
            cart_id=writes.cart_id,
            kind=request.kind,
            state=request.state,
            expires_at=request.expires_at,
            channel=request.channel,
            created_by_id=request.actor_id,
            override_by_id=override.by_user_id if override else None,
            override_reason=override.reason if override else "",
            price=locked[seat.offering_id].price or Decimal("0"),
            created_at=now,
        )
        for seat in wanted
    ]
    events = [writes.audit(claim) for claim in claims] if writes.audit else []
    _write(claims, events, new_cart=writes.new_cart, also=writes.also)
    return claims


def _write(
    claims: list[Claim],
    events: list[AuditEvent],
    *,
    new_cart: NewRow[Any] | None,
    also: Sequence[Sendable],
) -> None:
    """INSERT the new cart, the claims and their events, filling in the new ids; then `also`."""
    if len(claims) == 1 and events:  # an add: one statement on PostgreSQL
        chain, rows = (
            (_hold_in_new_cart(new_cart.inserter.model), [new_cart.obj, *claims, *events])
            if new_cart is not None
            else (_INSERT_HOLD, [*claims, *events])
        )
        chain.insert(rows, also=also)
        return
    if new_cart is not None:
        new_cart.inserter.insert([new_cart.obj])
        for claim in claims:
            claim.cart_id = new_cart.obj.pk
    _INSERT_CLAIMS.insert(claims)
    if events:  # an event per claim, if audit= asked for them
        for claim, event in zip(claims, events, strict=True):
            event.subject_id = claim.pk
            if new_cart is not None:
                event.data["cart"] = new_cart.obj.pk
        record_many(events)
    run_together(*also)


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


def confirm_claims(*, claim_ids: Sequence[int]) -> int:
    """Paid: these tentative registrations' claims become confirmed (P2, B5). The seat counted
    already while tentative, so no offering lock is needed. Returns how many were confirmed."""
    return Claim.objects.filter(pk__in=list(claim_ids), state=Claim.State.TENTATIVE).update(state=Claim.State.CONFIRMED)


def cancel_claims(*, claim_ids: Sequence[int], reason: str, now: datetime) -> int:
    """End registrations' claims (deleted by staff or by the grace policy, P6, G2): their seats
    are free at once. Needs no offering lock, it can only make room; a claim already cancelled
    keeps its first end. Returns how many were cancelled."""
    return (
        Claim.objects.filter(pk__in=list(claim_ids))
        .exclude(state=Claim.State.CANCELLED)
        .update(state=Claim.State.CANCELLED, ended_at=now, end_reason=reason)
    )
