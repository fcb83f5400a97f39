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

from collections.abc import Collection, Iterator
from typing import Any, TypeVar

from django.db import OperationalError, connection, models
from django.db.models import Subquery

from capacity.errors import CapacityBusy, UnknownOffering
from catalog.models import Offering
from households.models import Participant
from registrar.querycache import CompiledQuery

M = TypeVar("M", bound=models.Model)


class LockedOfferings:
    """Offerings locked by this transaction; only `lock_offerings()` makes one, so a
    function that takes it can trust that the lock is held. `participants` are those the
    caller asked to read in the same statement (not locked)."""

    __slots__ = ("_by_id", "participants")

    def __init__(self, by_id: dict[int, Offering], participants: dict[int, Participant] | None = None) -> None:
        self._by_id = by_id
        self.participants = participants or {}

    def __getitem__(self, offering_id: int) -> Offering:
        return self._by_id[offering_id]

    def __iter__(self) -> Iterator[Offering]:
        return iter(self._by_id.values())

    def __contains__(self, offering_id: object) -> bool:
        return offering_id in self._by_id

    def ids(self) -> list[int]:
        return list(self._by_id)


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
        raise CapacityBusy from exc


def lock_compiled(query: CompiledQuery[M], **values: Any) -> list[M]:
    """Run a compiled `select_for_update()` query (registrar.querycache) and return its rows:
    the same guard and the same "busy" answer as `lock_one`, for the hot path's locks."""
    require_transaction()
    try:
        return query.objects(**values)
    except OperationalError as exc:
        raise CapacityBusy from exc


_PARTICIPANT_FIELDS = [f.attname for f in Participant._meta.concrete_fields]


def _offerings_for_update(
    *, organization_id: int, offering_ids: list[int], household_id: int | None = None, participant_ids: list[int]
) -> models.QuerySet[Offering]:
    offerings = (
        Offering.objects.filter(organization_id=organization_id, pk__in=offering_ids, is_archived=False)
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    # The participants ride along as scalar subqueries (one per field), so that an add reads
    # them without a round trip of their own.
    for i, participant_id in enumerate(participant_ids):
        person = Participant.objects.filter(household_id=household_id, pk=participant_id)
        offerings = offerings.annotate(
            **{f"participant{i}_{attname}": Subquery(person.values(attname)) for attname in _PARTICIPANT_FIELDS}
        )
    return offerings


_OFFERINGS_FOR_UPDATE = CompiledQuery(Offering, _offerings_for_update)


def lock_offerings(
    *,
    organization_id: int,
    offering_ids: Collection[int],
    household_id: int | None = None,
    participant_ids: Collection[int] = (),
) -> LockedOfferings:
    """Lock these offerings until the transaction ends (D3). Call once per transaction,
    after the cart lock and before counting. Unknown ids, and ids of another organization,
    raise `UnknownOffering` alike (tenancy: no hint that they exist).

    With `household_id`, also reads that household's participants `participant_ids` in the
    same statement: `LockedOfferings.participants` has those that exist, by id."""
    wanted = sorted(set(offering_ids))
    people = sorted(set(participant_ids)) if household_id is not None else []
    offerings = lock_compiled(
        _OFFERINGS_FOR_UPDATE,
        organization_id=organization_id,
        offering_ids=wanted,
        household_id=household_id if people else None,  # in the SQL only with participants
        participant_ids=people,
    )
    if len(offerings) != len(wanted):
        raise UnknownOffering
    participants = {}
    if offerings:
        first = offerings[0]  # the participants are the same on every row
        for i in range(len(people)):
            row = [getattr(first, f"participant{i}_{attname}") for attname in _PARTICIPANT_FIELDS]
            if row[0] is not None:
                participants[row[0]] = Participant.from_db(first._state.db, _PARTICIPANT_FIELDS, row)
    return LockedOfferings({offering.pk: offering for offering in offerings}, participants)
