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

from capacity.errors import CapacityBusy, UnknownOffering
from catalog.models import Offering
from registrar.querycache import CompiledQuery

M = TypeVar("M", bound=models.Model)


class LockedOfferings:
    """Offerings locked by this transaction; only `lock_offerings()` makes one, so a
    function that takes it can trust that the lock is held."""

    __slots__ = ("_by_id",)

    def __init__(self, by_id: dict[int, Offering]) -> None:
        self._by_id = by_id

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


def _offerings_for_update(*, organization_id: int, offering_ids: list[int]) -> models.QuerySet[Offering]:
    return (
        Offering.objects.filter(organization_id=organization_id, pk__in=offering_ids, is_archived=False)
        .order_by("pk")
        .select_for_update(of=("self",))
    )


_OFFERINGS_FOR_UPDATE = CompiledQuery(Offering, _offerings_for_update)


def lock_offerings(*, organization_id: int, offering_ids: Collection[int]) -> LockedOfferings:
    """Lock these offerings until the transaction ends (D3). Call once per transaction,
    after the cart lock and before counting. Unknown ids, and ids of another organization,
    raise `UnknownOffering` alike (tenancy: no hint that they exist)."""
    wanted = sorted(set(offering_ids))
    offerings = lock_compiled(_OFFERINGS_FOR_UPDATE, organization_id=organization_id, offering_ids=wanted)
    if len(offerings) != len(wanted):
        raise UnknownOffering
    return LockedOfferings({offering.pk: offering for offering in offerings})
