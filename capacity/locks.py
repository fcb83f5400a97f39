"""The row locks every capacity claim relies on (D3). One place, one documented order.

Lock order inside one transaction, always:
  1. the cart (carts.services locks it, if the operation touches a cart);
  2. the offerings, all at once, in primary-key order, through `lock_offerings()`.

PostgreSQL (READ COMMITTED): `SELECT ... FOR UPDATE` row locks. Every connection runs with
`lock_timeout` set (settings), so a lock that cannot be had in time becomes `CapacityBusy`,
an answer of "busy, try again" rather than a 500.

SQLite: `select_for_update()` is silently a no-op there, and so is Django's "outside a
transaction" check. Correctness comes from `transaction_mode=IMMEDIATE`: the transaction's
BEGIN takes the database write lock, which serialises all writers. The explicit
`in_atomic_block` guard below is what catches a missing `atomic()` on SQLite.
"""

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import OperationalError, connection, models
from django.db.models import OuterRef, Subquery

from capacity.errors import CapacityBusy, UnknownOffering
from capacity.selectors import ClaimCounts, PendingCounts, counts_from_json, counts_subquery
from catalog.models import Offering
from core.db.errors import is_busy
from core.querycache import CompiledQuery, Pending, run_together
from households.models import Participant

M = TypeVar("M", bound=models.Model)


class OfferingsRead:
    """Offerings as one statement read them, with the participants the caller asked to read
    alongside (not locked) and, when asked for, the ledger counted right after
    (capacity.selectors.ClaimCounts by offering). Made by `offerings_snapshot()`; its
    subclass `LockedOfferings` by `lock_offerings()`."""

    __slots__ = ("_by_id", "_counted", "participants")

    def __init__(
        self,
        by_id: dict[int, Offering],
        participants: dict[int, Participant] | None = None,
        counted: "PendingCounts | _Counted | None" = None,
    ) -> None:
        self._by_id = by_id
        self.participants = participants or {}
        self._counted = counted

    def __getitem__(self, offering_id: int) -> Offering:
        return self._by_id[offering_id]

    def __iter__(self) -> Iterator[Offering]:
        return iter(self._by_id.values())

    def __contains__(self, offering_id: object) -> bool:
        return offering_id in self._by_id

    def ids(self) -> list[int]:
        return list(self._by_id)

    def counts_at(self, now: datetime, participant_ids: Collection[int]) -> dict[int, ClaimCounts] | None:
        """The counts read with the offerings, if they answer exactly this question (same
        instant, same participants); None otherwise, and the caller counts again."""
        counted = self._counted
        if counted is None or counted.now != now or counted.participants != sorted(set(participant_ids)):
            return None
        return counted.result()


class LockedOfferings(OfferingsRead):
    """Offerings locked by this transaction; only `lock_offerings()` makes one, so a
    function that takes it can trust that the lock is held."""

    __slots__ = ()


def require_transaction() -> None:
    if not connection.in_atomic_block:
        # SQLite would not complain, so this is the check that catches a missing atomic().
        raise RuntimeError("capacity locks must be taken inside transaction.atomic()")


def lock_one(queryset: models.QuerySet[M]) -> M | None:
    """Lock and return the single row of `queryset` (or None). For the cart lock."""
    require_transaction()
    try:
        return queryset.select_for_update(of=("self",)).first()
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        raise CapacityBusy from exc


def lock_compiled(query: CompiledQuery[M], **values: Any) -> list[M]:
    """Run a compiled `select_for_update()` query (core.querycache) and return its rows:
    the same guard and the same "busy" answer as `lock_one`, for the hot path's locks."""
    require_transaction()
    try:
        return query.objects(**values)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        raise CapacityBusy from exc


_PARTICIPANT_FIELDS = [f.attname for f in Participant._meta.concrete_fields]


def _offerings(
    *,
    organization_id: int,
    offering_ids: list[int],
    household_id: int | None = None,
    participant_ids: list[int],
    for_update: bool,
    counts_at: datetime | None = None,
) -> models.QuerySet[Offering]:
    offerings = Offering.objects.filter(organization_id=organization_id, pk__in=offering_ids, is_archived=False)
    offerings = offerings.order_by("pk")
    if for_update:
        offerings = offerings.select_for_update(of=("self",))
    # The participants ride along as scalar subqueries (one per field), so that an add reads
    # them without a round trip of their own.
    # Both callers pass participants only with their household.
    if household_id is not None:
        for i, participant_id in enumerate(participant_ids):
            person = Participant.objects.filter(household_id=household_id, pk=participant_id)
            offerings = offerings.annotate(
                **{f"participant{i}_{attname}": Subquery(person.values(attname)) for attname in _PARTICIPANT_FIELDS}
            )
    if counts_at is not None:
        # Only without the lock: counted in the statement that waits for a lock, the claims
        # would be those of the snapshot taken before the wait (READ COMMITTED).
        if for_update:
            raise ValueError("a count under a lock must come in a statement of its own, after it")
        offerings = offerings.annotate(
            claim_counts=counts_subquery(OuterRef("pk"), now=counts_at, participant_ids=participant_ids)
        )
    return offerings


_OFFERINGS = CompiledQuery(Offering, _offerings)


def lock_offerings(
    *,
    organization_id: int,
    offering_ids: Collection[int],
    household_id: int | None = None,
    participant_ids: Collection[int] = (),
    first: Sequence[Pending[Any]] = (),
    count_at: datetime | None = None,
    after: Sequence[Pending[Any]] = (),
) -> LockedOfferings:
    """Lock these offerings until the transaction ends (D3). Call once per transaction,
    after the cart lock and before counting. Unknown ids, and ids of another organization,
    raise `UnknownOffering` alike (tenancy: no hint that they exist).

    With `household_id`, also reads that household's participants `participant_ids` in the
    same statement: `LockedOfferings.participants` has those that exist, by id.

    To save round trips, the statements around the lock can travel with it, in this order:
    `first` (the cart lock, which comes before the offerings' in the lock order), the lock,
    then with `count_at` the ledger count (`capacity.selectors.claim_counts` at that instant,
    for those participants), which starts only once the lock is held and so sees every claim
    committed by the transactions it waited for (core.sqlbatch); then `after`, reads that need
    the same (the household's fair-share usage, capacity.fairshare)."""
    require_transaction()
    wanted = sorted(set(offering_ids))
    people = sorted(set(participant_ids)) if household_id is not None else []
    lock = _OFFERINGS.pending(
        organization_id=organization_id,
        offering_ids=wanted,
        household_id=household_id if people else None,  # in the SQL only with participants
        participant_ids=people,
        for_update=True,
    )
    counts = PendingCounts(offering_ids=wanted, now=count_at, participant_ids=people) if count_at else None
    try:
        run_together(*first, lock, *([counts.query] if counts else []), *after)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        raise CapacityBusy from exc
    return LockedOfferings(*_found(lock.objects(), wanted, people), counts)


def offerings_snapshot(
    *,
    organization_id: int,
    offering_ids: Collection[int],
    household_id: int | None = None,
    participant_ids: Collection[int] = (),
    count_at: datetime,
) -> OfferingsRead:
    """What `lock_offerings()` and the count after it read, without the lock and outside any
    transaction, in one statement: one consistent snapshot, good for refusing (an offering
    full in it was full at that instant) and never for granting, which only `claim_seats()`
    does, under the lock."""
    wanted = sorted(set(offering_ids))
    people = sorted(set(participant_ids)) if household_id is not None else []
    offerings = _OFFERINGS.objects(
        organization_id=organization_id,
        offering_ids=wanted,
        household_id=household_id if people else None,
        participant_ids=people,
        for_update=False,
        counts_at=count_at,
    )
    # claim_counts: the annotation _offerings adds with counts_at; the compiled query's rows are typed as
    # plain offerings, so the checker cannot see it.
    counted = {o.pk: counts_from_json(o.claim_counts, people) for o in offerings}  # type: ignore[attr-defined]
    return OfferingsRead(*_found(offerings, wanted, people), _Counted(count_at, people, counted))


class _Counted:
    """Counts already in hand, in the shape of `PendingCounts`."""

    __slots__ = ("_counts", "now", "participants")

    def __init__(self, now: datetime, participants: list[int], counts: dict[int, ClaimCounts]) -> None:
        self.now, self.participants, self._counts = now, participants, counts

    def result(self) -> dict[int, ClaimCounts]:
        return self._counts


def _found(
    offerings: list[Offering], wanted: list[int], people: list[int]
) -> tuple[dict[int, Offering], dict[int, Participant]]:
    """The offerings by id, all of those asked for (else `UnknownOffering`), and the
    participants read along with them."""
    if len(offerings) != len(wanted):
        raise UnknownOffering
    participants = {}
    if offerings:
        first_row = offerings[0]  # the participants are the same on every row
        for i in range(len(people)):
            row = [getattr(first_row, f"participant{i}_{attname}") for attname in _PARTICIPANT_FIELDS]
            if row[0] is not None:
                participants[row[0]] = Participant.from_db(first_row._state.db, _PARTICIPANT_FIELDS, row)
    return {offering.pk: offering for offering in offerings}, participants
