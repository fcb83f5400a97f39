"""Writes on carts: add (C1, T2, T3), remove (T7), empty (T6), expire (T4).

Every add follows one shape (STYLE 2.3): plan outside the lock, then in one short durable
transaction lock the cart, lock the offerings, count, compare, write: the cart lock, the
offering lock (which also reads the participants), the count, then the INSERTs of the claim,
its audit event and a new cart (one statement on PostgreSQL, one each on SQLite) or the
UPDATE of an existing cart's timer. On PostgreSQL that is three round trips: BEGIN with the
locks and the count, the writes, COMMIT (core.sqlbatch, decision 0006). An add for an
offering seen full a moment ago is first looked at without any lock, and refused there if it
still is (`_refuse_early`, decision 0007). Pinned in carts/tests/test_query_counts.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEvent, Channel
from audit.services import event as audit_event
from audit.services import record_many
from capacity import policies as capacity_policies
from capacity.errors import CapacityShortfall
from capacity.hints import RECENTLY_FULL
from capacity.locks import OfferingsRead, lock_compiled, lock_offerings, lock_one, offerings_snapshot
from capacity.models import Claim
from capacity.services import Override, SeatRequest, claim_seats, release_claims
from carts import errors, policies
from carts.models import Cart, CartBalance
from catalog.models import Facility, Offering
from core.querycache import CompiledInsert, CompiledQuery, CompiledUpdate, NewRow
from households.models import Household
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission
from payments.selectors import payable_balances


@dataclass(frozen=True)
class AddResult:
    cart: Cart
    claims: list[Claim]  # the new holds, with `offering` and `participant` loaded


def timer_minutes(organization: Organization, timer: str) -> tuple[int, int]:
    """(timeout, limit) for a cart's timer profile: the portal's (T1) or the office wizard's (T5)."""
    if timer == Cart.Timer.OFFICE:
        return organization.office_cart_timeout_minutes, organization.office_cart_limit_minutes
    return organization.cart_timeout_minutes, organization.cart_limit_minutes


def add_to_cart(
    *,
    household: Household,
    offering_id: int,
    participant_id: int | None,
    channel: str,
    actor_id: int | None = None,
    override: Override | None = None,
) -> AddResult:
    """Put one offering in the household's open cart for a participant, holding the seat in
    the same transaction that checks capacity (C1, C2). Refusals: C4 and `carts.errors`."""
    return _add(
        household=household,
        wanted=[SeatRequest(offering_id=offering_id, participant_id=participant_id)],
        channel=channel,
        actor_id=actor_id,
        override=override,
    )


def add_rental_to_cart(
    *,
    household: Household,
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    channel: str,
    actor_id: int | None = None,
    override: Override | None = None,
) -> AddResult:
    """Hold a facility for [starts_at, ends_at): every back-to-back slot that covers it, all or
    nothing. Each slot is an offering of capacity one, so two carts can never hold the same
    facility time (S5)."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise errors.InvalidItem("Give the rental's times with their UTC offset, e.g. 2027-01-09T10:00:00-05:00.")
    if ends_at <= starts_at:
        raise errors.InvalidItem("A rental must end after it starts.")
    if not Facility.objects.filter(organization_id=household.organization_id, pk=facility_id).exists():
        raise errors.ItemNotFound("No such facility in this organization.")
    slots = list(
        Offering.objects.filter(
            organization_id=household.organization_id,
            kind=Offering.Kind.RENTAL,
            facility_id=facility_id,
            is_archived=False,
            starts_at__gte=starts_at,
            ends_at__lte=ends_at,
        )
        .order_by("starts_at")
        .values_list("pk", "starts_at", "ends_at")
    )
    if not policies.contiguous_slots([(s, e) for _, s, e in slots], starts_at=starts_at, ends_at=ends_at):
        raise errors.RentalUnavailable(
            "That time is not bookable: choose a range made of the facility's listed rental slots."
        )
    return _add(
        household=household,
        wanted=[SeatRequest(offering_id=pk) for pk, _, _ in slots],
        channel=channel,
        actor_id=actor_id,
        override=override,
    )


def office_add_to_cart(
    *,
    membership: StaffMembership,
    household: Household,
    offering_id: int,
    participant_id: int | None,
    override_reason: str | None = None,
) -> AddResult:
    """Staff enroll for a household through its cart. A cart the office starts runs on the
    office wizard's timer (T5); a cart the customer started keeps the portal's timer.
    Holds in other carts count as taken (S4); exceeding capacity needs the override
    permission and a reason, both recorded on the claim and in the audit trail (C6)."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    override = None
    if override_reason is not None:
        require_permission(membership, Permission.OVERRIDE_CAPACITY)
        if not override_reason.strip():
            raise errors.OverrideNotAllowed("Say why this enrollment may exceed capacity.")
        override = Override(by_user_id=membership.user_id, reason=override_reason.strip())
    return _add(
        household=household,
        wanted=[SeatRequest(offering_id=offering_id, participant_id=participant_id)],
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        override=override,
    )


@transaction.atomic(durable=True)
def delete_hold(*, membership: StaffMembership, claim_id: int) -> Claim:
    """S2: staff with *delete enrollments* remove one live hold before its timer runs out;
    the seat is free at once and the deletion audited. The cart keeps its timer unless it is
    now empty."""
    require_permission(membership, Permission.DELETE_ENROLLMENTS)
    now = timezone.now()
    claim = Claim.objects.filter(
        organization_id=membership.organization_id, pk=claim_id, state=Claim.State.HELD, cart__isnull=False
    ).first()
    if claim is None:
        raise errors.ItemNotFound("No such hold in this organization.")
    cart = lock_one(Cart.objects.filter(pk=claim.cart_id, status=Cart.Status.OPEN))
    if (
        cart is None
        or cart.is_expired_at(now)
        or not release_claims(claim_ids=[claim.pk], reason="deleted_by_staff", now=now)
    ):
        raise errors.ItemNotFound("That hold has already ended.")
    if not _has_items(cart):
        _clear_timer(cart)
    record_many(
        [
            _event(
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
    claim.refresh_from_db()
    return claim


def _add(
    *,
    household: Household,
    wanted: Sequence[SeatRequest],
    channel: str,
    actor_id: int | None,
    override: Override | None,
) -> AddResult:
    """Every add: for an offering this process lately saw full, first the look that may refuse
    it at once (`_refuse_early`); then the add under the locks. What is refused for capacity,
    and what is granted, keeps that hint up to date (capacity.hints)."""
    offering_ids = {r.offering_id for r in wanted}
    try:
        if RECENTLY_FULL.any_of(offering_ids):
            _refuse_early(household=household, wanted=wanted, override=override)
        result = _add_locked(household=household, wanted=wanted, channel=channel, actor_id=actor_id, override=override)
    except CapacityShortfall as full:
        RECENTLY_FULL.saw_full(s.offering_id for s in full.shortfalls)
        raise
    RECENTLY_FULL.saw_room(offering_ids)
    return result


def _add_locked(
    *,
    household: Household,
    wanted: Sequence[SeatRequest],
    channel: str,
    actor_id: int | None,
    override: Override | None,
) -> AddResult:
    # Two first adds of one household can race to create its open cart; the unique
    # constraint lets one win, and the loser simply runs again and finds that cart.
    for attempt in range(2):
        try:
            return _add_in_transaction(
                household=household, wanted=wanted, channel=channel, actor_id=actor_id, override=override
            )
        except IntegrityError as exc:
            # PostgreSQL names the constraint; SQLite names the table and columns.
            message = str(exc)
            lost_race = "cart_one_open_per_household" in message or "carts_cart.organization_id" in message
            if attempt or not lost_race:
                raise
    raise AssertionError("unreachable")


@transaction.atomic(durable=True)
def _add_in_transaction(
    *,
    household: Household,
    wanted: Sequence[SeatRequest],
    channel: str,
    actor_id: int | None,
    override: Override | None,
) -> AddResult:
    """One add in one transaction. A refusal raises and rolls it back: a refused add writes
    nothing, whichever way it was refused (`_refuse_early`, or here under the locks); a lapsed
    cart it found is closed by the next add that goes through, or by the cleanup job (T4)."""
    now = timezone.now()
    organization = household.organization
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    # One round trip: the cart lock, the offering lock (with the participants) and the count.
    cart_lock = _OPEN_CART.pending(household_id=household.pk, for_update=True)
    locked = lock_offerings(
        organization_id=organization.pk,
        offering_ids=[r.offering_id for r in wanted],
        household_id=household.pk,
        participant_ids=participant_ids,
        first=[cart_lock],
        count_at=now,
    )
    cart = _continue_or_start_cart(cart_lock.objects(), household, now=now, channel=channel, actor_id=actor_id)
    participants = locked.participants
    _check_items(locked, wanted, organization=organization, now=now)

    is_new_cart = cart.pk is None
    _restart_timer(cart, organization, now)  # a new or emptied cart starts its limit now (T3, T7)

    def item_added(claim: Claim) -> AuditEvent:  # claim_seats fills in the ids of new rows
        data = {
            "offering": claim.offering_id,
            "participant": claim.participant_id,
            "expires_at": cart.expires_at.isoformat(),
        } | ({"override_reason": override.reason} if override else {})
        return _event(cart, "cart.item_added", channel, actor_id, now, subject=("claim", claim.pk), data=data)

    claims = claim_seats(
        locked=locked,
        wanted=wanted,
        organization_id=organization.pk,
        household_id=household.pk,
        channel=channel,
        actor_id=actor_id,
        override=override,
        now=now,
        cart_id=cart.pk,
        new_cart=NewRow(_INSERT_CART, cart) if is_new_cart else None,  # written with the claim
        audit=item_added,
        also=[] if is_new_cart else [_SAVE_TIMER.pending(cart)],  # with the INSERTs
        at_commit=True,  # and with the COMMIT: nothing else is written after them
    )
    for claim in claims:  # what callers show is already in hand: no query to read it back
        claim.offering = locked[claim.offering_id]
        claim.participant = participants.get(claim.participant_id) if claim.participant_id else None
    return AddResult(cart=cart, claims=claims)


def _refuse_early(*, household: Household, wanted: Sequence[SeatRequest], override: Override | None) -> None:
    """Refuse, without a transaction and without waiting for any lock, an add whose answer is
    already no: on registration morning most adds are for offerings that are full by then,
    and each of them would otherwise queue on the offering's lock only to be told so.

    One unlocked read (the offerings with the participants and their counts: one statement,
    one snapshot) and the same checks the locked add makes, in the same order (`_check_items`,
    `capacity.policies.refusal`), so the answer is the one the add would have given at that
    instant. Refusing on a snapshot is sound: the offering was full then, and the lock only
    matters for granting, which stays with `claim_seats()` under it (D3). An add that passes
    goes on to the locked path, which decides again. Such a refusal writes nothing at all; a
    lapsed cart of the household stays for the next add or the cleanup job to close (T4), its
    holds not counting meanwhile (C3)."""
    now = timezone.now()
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    seen = offerings_snapshot(
        organization_id=household.organization_id,
        offering_ids=[r.offering_id for r in wanted],
        household_id=household.pk,
        participant_ids=participant_ids,
        count_at=now,
    )
    _check_items(seen, wanted, organization=household.organization, now=now)
    counts = seen.counts_at(now, participant_ids)
    if counts is None:
        raise RuntimeError("the snapshot was read without its counts")
    refused = capacity_policies.refusal(offerings=seen, counts=counts, wanted=wanted, override=override is not None)
    if refused is not None:
        raise refused


def _check_items(
    offerings: OfferingsRead, wanted: Sequence[SeatRequest], *, organization: Organization, now: datetime
) -> None:
    """Whether each item can go in a cart now (participants of the household, eligibility,
    registration window): raises the specific refusal. Capacity is `claim_seats()`'s."""
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    participants = offerings.participants
    if len(participants) != len(participant_ids):
        raise errors.ParticipantNotFound
    today = timezone.localdate(now, organization.zone)
    for request in wanted:
        offering = offerings[request.offering_id]
        participant = participants.get(request.participant_id) if request.participant_id else None
        policies.check_registrable(
            kind=offering.kind,
            name=offering.name,
            opens_at=offering.registration_opens_at,
            closes_at=offering.registration_closes_at,
            min_age=offering.min_age,
            max_age=offering.max_age,
            has_participant=participant is not None,
            participant_age=participant.age_on(policies.age_reference_day(starts_on=offering.starts_on, today=today))
            if participant
            else None,
            now=now,
        )


@transaction.atomic(durable=True)
def add_balance_to_cart(*, household: Household, order_id: int, channel: str, actor_id: int | None = None) -> Cart:
    """B3: put an order's balance in the cart, to pay it with everything else in one payment.
    Only orders the household may pay online qualify (B1, B2); an order already in the cart
    is refused as `already_in_cart` (B4). Adding restarts the timer like any item (T2)."""
    now = timezone.now()
    if household.organization.payment_provider == "none" or order_id not in {
        o.pk for o in payable_balances(household=household)
    }:
        raise errors.BalanceNotPayable
    cart = _lock_or_start_cart(household, now=now, channel=channel, actor_id=actor_id)
    if (
        cart.pk is not None
        and CartBalance.objects.filter(cart_id=cart.pk, order_id=order_id, removed_at__isnull=True).exists()
    ):
        raise errors.AlreadyInCart
    _restart_timer(cart, household.organization, now)
    cart.save()
    balance = CartBalance.objects.create(cart=cart, order_id=order_id, added_at=now)
    record_many(
        [
            _event(
                cart,
                "cart.balance_added",
                channel,
                actor_id,
                now,
                subject=("order", order_id),
                data={"cart_balance": balance.pk},
            )
        ]
    )
    return cart


@transaction.atomic(durable=True)
def remove_balance_from_cart(*, household: Household, order_id: int, channel: str, actor_id: int | None = None) -> Cart:
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is not None and cart.is_expired_at(now):
        raise errors.CartExpired
    if cart is None or not CartBalance.objects.filter(
        cart_id=cart.pk, order_id=order_id, removed_at__isnull=True
    ).update(removed_at=now):
        raise errors.ItemNotFound
    if not _has_items(cart):
        _clear_timer(cart)
    record_many([_event(cart, "cart.balance_removed", channel, actor_id, now, subject=("order", order_id))])
    return cart


def _lock_or_start_cart(household: Household, *, now: datetime, channel: str, actor_id: int | None) -> Cart:
    """The household's open cart, locked; or, if it has none or its timer ran out (the
    lapsed one is closed first, T4), a new unsaved cart on the channel's timer (T5)."""
    locked = lock_compiled(_OPEN_CART, household_id=household.pk, for_update=True)
    return _continue_or_start_cart(locked, household, now=now, channel=channel, actor_id=actor_id)


def _continue_or_start_cart(
    locked: list[Cart], household: Household, *, now: datetime, channel: str, actor_id: int | None
) -> Cart:
    """`_lock_or_start_cart` once the lock is held: `locked` is what the cart lock found."""
    cart = locked[0] if locked else None
    if cart is not None and cart.is_expired_at(now):
        expire_cart_now(cart, now=now, channel=channel, actor_id=actor_id)
        cart = None
    if cart is None:
        cart = Cart(
            organization_id=household.organization_id,
            household_id=household.pk,
            timer=Cart.Timer.OFFICE if channel == Channel.OFFICE else Cart.Timer.PORTAL,
            channel=channel,
            created_by_id=actor_id,
            created_at=now,
        )
    return cart


def _restart_timer(cart: Cart, organization: Organization, now: datetime) -> None:
    if cart.first_added_at is None:
        cart.first_added_at = now
    cart.last_added_at = now
    timeout, limit = timer_minutes(organization, cart.timer)
    cart.expires_at = policies.cart_expires_at(
        first_added_at=cart.first_added_at, last_added_at=now, timeout_minutes=timeout, limit_minutes=limit
    )


def _open_cart(*, household_id: int, for_update: bool) -> "QuerySet[Cart]":
    carts = Cart.objects.filter(household_id=household_id, status=Cart.Status.OPEN).order_by("pk")
    return (carts.select_for_update(of=("self",)) if for_update else carts)[:1]


# The household's open cart, locked first (capacity.locks) or only read, compiled once
# (core.querycache): every add starts with it.
_OPEN_CART = CompiledQuery(Cart, _open_cart)


# A new cart, written by claim_seats() in one statement with its first claim (NewRow).
_INSERT_CART = CompiledInsert(Cart)

# An existing cart's restarted timer (T2, T3), written in the add's INSERT round trip.
_SAVE_TIMER = CompiledUpdate(Cart, ["first_added_at", "last_added_at", "expires_at"])


def _has_items(cart: Cart) -> bool:
    return (
        Claim.objects.filter(cart_id=cart.pk, state=Claim.State.HELD).exists()
        or CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True).exists()
    )


@transaction.atomic(durable=True)
def remove_from_cart(*, household: Household, claim_id: int, channel: str, actor_id: int | None = None) -> Cart:
    """Take one item out of the cart and free its seat. The timer does not restart (T7);
    removing the last item leaves a cart with no timer."""
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is not None and cart.is_expired_at(now):
        raise errors.CartExpired
    if cart is None or not release_claims(claim_ids=[claim_id], cart_id=cart.pk, reason="removed", now=now):
        raise errors.ItemNotFound
    if not _has_items(cart):
        _clear_timer(cart)
    record_many([_event(cart, "cart.item_removed", channel, actor_id, now, subject=("claim", claim_id))])
    return cart


@transaction.atomic(durable=True)
def empty_cart(*, household: Household, channel: str, actor_id: int | None = None) -> Cart | None:
    """Remove every item at once (T6); the emptied cart has no timer (T7). Emptying a cart
    whose timer already ran out closes it as expired."""
    now = timezone.now()
    cart = lock_one(Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN))
    if cart is None:
        return None
    if cart.is_expired_at(now):
        expire_cart_now(cart, now=now, channel=channel, actor_id=actor_id)
        return None
    _empty(cart, now=now, reason="emptied", verb="cart.emptied", channel=channel, actor_id=actor_id)
    return cart


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
    if cart is None or cart.is_expired_at(now) or not _has_items(cart):  # a lapsed cart's holds are free already
        raise errors.ItemNotFound("This household has nothing held in a cart.")
    _empty(
        cart,
        now=now,
        reason="deleted_by_staff",
        verb="cart.deleted",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
    )
    return cart


def _empty(cart: Cart, *, now: datetime, reason: str, verb: str, channel: str, actor_id: int | None) -> None:
    """Release every hold of a locked open cart, take its balances out and clear its timer (T7)."""
    released = release_claims(cart_id=cart.pk, reason=reason, now=now)
    CartBalance.objects.filter(cart_id=cart.pk, removed_at__isnull=True).update(removed_at=now)
    _clear_timer(cart)
    record_many([_event(cart, verb, channel, actor_id, now, data={"released": released})])


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
            _event(
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


def _clear_timer(cart: Cart) -> None:
    cart.first_added_at = cart.last_added_at = cart.expires_at = None
    cart.save(update_fields=["first_added_at", "last_added_at", "expires_at"])


def _event(
    cart: Cart,
    verb: str,
    channel: str,
    actor_id: int | None,
    now: datetime,
    *,
    subject: tuple[str, int | None] | None = None,
    actor_label: str = "",
    data: dict[str, object] | None = None,
) -> AuditEvent:
    subject_type, subject_id = subject or ("cart", cart.pk)
    return audit_event(
        organization_id=cart.organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_type=subject_type,
        subject_id=subject_id,
        household_id=cart.household_id,
        data={"cart": cart.pk} | (data or {}),
        now=now,
    )
