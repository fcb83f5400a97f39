"""Adding to a cart: an offering for a participant, a facility rental (S5), an enrollment by
staff (S4, C6), each holding its seats in the transaction that checks capacity (C1, T2, T3).

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
from django.utils import timezone

from audit.models import AuditEvent, Channel
from capacity import policies as capacity_policies
from capacity.errors import CapacityShortfall
from capacity.fairshare import FairShareCheck
from capacity.hints import RECENTLY_FULL
from capacity.locks import OfferingsRead, lock_offerings, offerings_snapshot, require_transaction
from capacity.models import Claim
from capacity.policies import SeatRequest
from capacity.services import ClaimRequest, ClaimWrites, Override, claim_seats
from carts import errors, policies
from carts.models import Cart
from carts.services.events import cart_event
from carts.services.open_cart import OPEN_CART, continue_or_start_cart, restart_timer
from carts.services.rental_range import rental_range
from core.db.errors import violates_unique
from core.querycache import CompiledInsert, CompiledUpdate, NewRow
from households.models import Household
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission


@dataclass(frozen=True)
class AddResult:
    cart: Cart
    claims: list[Claim]  # the new holds, with `offering` and `participant` loaded
    expires_at: datetime  # the cart's, as this add set it (T3)
    # The add created the cart: it holds these claims and nothing else, so a page can show the
    # cart's count without reading it again (the portal's htmx add, bench/morning.py).
    started_cart: bool = False


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
    booked = rental_range(
        organization=household.organization, facility_id=facility_id, starts_at=starts_at, ends_at=ends_at
    )
    if booked.facility.requires_approval and channel in (Channel.PORTAL, Channel.API):
        raise errors.ApprovalRequired  # S6: a customer asks (rentals.services.request_rental); staff book
    return _add(
        household=household,
        wanted=[SeatRequest(offering_id=pk) for pk in booked.offering_ids],
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
    in_callers_transaction: bool = False,
) -> AddResult:
    """Staff enroll for a household through its cart. A cart the office starts runs on the
    office wizard's timer (T5); a cart the customer started keeps the portal's timer.
    Holds in other carts count as taken (S4); exceeding capacity needs the override
    permission and a reason, both recorded on the claim and in the audit trail (C6).
    `in_callers_transaction`: the add's locks, checks and writes without a transaction of its
    own, committed or rolled back with the caller's other adds (group enroll, all or nothing)."""
    require_permission(membership, Permission.ENROLL)
    if household.organization_id != membership.organization_id:
        raise errors.ItemNotFound("No such household in this organization.")
    if in_callers_transaction:
        require_transaction()
    return (_add_here if in_callers_transaction else _add)(
        household=household,
        wanted=[SeatRequest(offering_id=offering_id, participant_id=participant_id)],
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        override=staff_override(membership, override_reason),
    )


OVERRIDE_REASON_MAX = 500  # Claim.override_reason's length


def staff_override(membership: StaffMembership, reason: str | None) -> Override | None:
    """C6: a staff member's deliberate excess over capacity, only with the override permission
    and a reason; None when no reason was given (no override asked for)."""
    if reason is None:
        return None
    require_permission(membership, Permission.OVERRIDE_CAPACITY)
    if not reason.strip():
        raise errors.OverrideNotAllowed("Say why this enrollment may exceed capacity.")
    if len(reason.strip()) > OVERRIDE_REASON_MAX:
        raise errors.OverrideReasonTooLong(
            f"The reason to exceed capacity may be at most {OVERRIDE_REASON_MAX} characters; "
            f"this one has {len(reason.strip())}. Shorten it: nothing was changed."
        )
    return Override(by_user_id=membership.user_id, reason=reason.strip())


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
            if attempt or not violates_unique(exc, _ONE_OPEN_CART):
                raise
    raise AssertionError("unreachable")


def _add_here(
    *,
    household: Household,
    wanted: Sequence[SeatRequest],
    channel: str,
    actor_id: int | None,
    override: Override | None,
) -> AddResult:
    now = timezone.now()
    organization = household.organization
    participant_ids = {r.participant_id for r in wanted if r.participant_id is not None}
    # One round trip: the cart lock, the offering lock (with the participants), the count and
    # the fair-share usage.
    cart_lock = OPEN_CART.pending(household_id=household.pk, for_update=True)
    # X6: the household's usage, read after the locks in the same round trip; an override skips it.
    fair_share = (
        None
        if override
        else FairShareCheck.prepare(
            organization=organization,
            household_id=household.pk,
            offering_ids=[r.offering_id for r in wanted],
            now=now,
        )
    )
    locked = lock_offerings(
        organization_id=organization.pk,
        offering_ids=[r.offering_id for r in wanted],
        household_id=household.pk,
        participant_ids=participant_ids,
        first=[cart_lock],
        count_at=now,
        after=[fair_share.usage.query] if fair_share else [],
    )
    cart = continue_or_start_cart(cart_lock.objects(), household, now=now, channel=channel, actor_id=actor_id)
    participants = locked.participants
    _check_items(locked, wanted, organization=organization, now=now)

    is_new_cart = cart.pk is None
    # A new cart, or one emptied (no timer, T7): this add starts it afresh, on this channel's
    # timer (T5: the office's class or camp wizard), held by whoever adds (S3).
    is_fresh = is_new_cart or cart.expires_at is None
    policies.check_holder(is_fresh=is_fresh, is_held_by_office=cart.is_held_by_office, channel=channel)
    if is_fresh:
        cart.channel, cart.taken_over_by_id, cart.taken_over_at = channel, None, None
        cart.timer = (
            policies.office_timer(offering.kind for offering in locked)
            if channel == Channel.OFFICE
            else Cart.Timer.PORTAL
        )
    expires_at = restart_timer(cart, organization, now)  # a new or emptied cart starts its limit now (T3, T7)

    def item_added(claim: Claim) -> AuditEvent:  # claim_seats fills in the ids of new rows
        data: dict[str, object] = {
            "offering": claim.offering_id,
            "participant": claim.participant_id,
            "expires_at": expires_at.isoformat(),
        }
        if override:
            data["override_reason"] = override.reason
        return cart_event(cart, "cart.item_added", channel, actor_id, now, subject=("claim", claim.pk), data=data)

    claims = claim_seats(
        locked,
        ClaimRequest(
            organization_id=organization.pk,
            household_id=household.pk,
            wanted=wanted,
            channel=channel,
            now=now,
            actor_id=actor_id,
            override=override,
            fair_share=fair_share,
        ),
        ClaimWrites(
            cart_id=cart.pk,
            new_cart=NewRow(_INSERT_CART, cart) if is_new_cart else None,  # written with the claim
            audit=item_added,
            also=[]
            if is_new_cart
            else [(_RESTART_CART if is_fresh else _SAVE_TIMER).pending(cart)],  # with the INSERTs
        ),
    )
    for claim in claims:  # what callers show is already in hand: no query to read it back
        claim.offering = locked[claim.offering_id]
        claim.participant = participants.get(claim.participant_id) if claim.participant_id else None
    return AddResult(cart=cart, claims=claims, expires_at=expires_at, started_cart=is_new_cart)


# One add in one transaction. A refusal raises and rolls it back: a refused add writes nothing,
# whichever way it was refused (`_refuse_early`, or under the locks); a lapsed cart it found is
# closed by the next add that goes through, or by the cleanup job (T4).
_add_in_transaction = transaction.atomic(durable=True)(_add_here)


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
        counted_on = policies.age_reference_day(
            starts_on=offering.starts_on, today=today, cutoff_on=offering.age_cutoff_on
        )
        policies.check_registrable(
            kind=offering.kind,
            name=offering.name,
            opens_at=offering.registration_opens_at,
            closes_at=offering.registration_closes_at,
            min_age=offering.min_age,
            max_age=offering.max_age,
            has_participant=participant is not None,
            participant_age=participant.age_on(counted_on) if participant else None,
            now=now,
            age_counted_on=counted_on,
            today=today,
        )


# A new cart, written by claim_seats() in one statement with its first claim (NewRow).
# A household's second open cart breaks this constraint: two first adds raced (`_add_locked`).
_ONE_OPEN_CART = "cart_one_open_per_household"
_INSERT_CART = CompiledInsert(Cart)


# An existing cart's restarted timer (T2, T3), written in the add's INSERT round trip.
_SAVE_TIMER = CompiledUpdate(Cart, ["first_added_at", "last_added_at", "expires_at"])
# An emptied cart's first add: its timer, and who starts it afresh (T5, S3).
_RESTART_CART = CompiledUpdate(
    Cart, ["first_added_at", "last_added_at", "expires_at", "channel", "timer", "taken_over_by", "taken_over_at"]
)
