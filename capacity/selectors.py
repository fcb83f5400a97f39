from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from capacity.models import Claim, counting_q
from core.querycache import CompiledQuery, run_together
from organizations.models import Organization


@dataclass(frozen=True)
class ClaimCounts:
    """What the ledger says about one offering at one instant."""

    taken: int = 0  # C2: everything that counts against capacity
    held: int = 0  # of which: live cart holds
    tentative: int = 0
    confirmed: int = 0
    participants_present: frozenset[int] = frozenset()  # of the asked-about participants


@dataclass(frozen=True)
class Availability:
    """Live availability of one offering (C5). `capacity` None means unlimited."""

    offering_id: int
    capacity: int | None
    confirmed: int
    tentative: int
    held: int

    @property
    def taken(self) -> int:
        return self.confirmed + self.tentative + self.held

    @property
    def free(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.taken, 0)


def _aggregates(participant_ids: list[int]) -> dict[str, Count]:
    """The counts of `ClaimCounts`, as aggregates over the claims that count (C2)."""
    aggregates = {
        "taken": Count("pk"),
        "held": Count("pk", filter=Q(state=Claim.State.HELD)),
        "tentative": Count("pk", filter=Q(state=Claim.State.TENTATIVE)),
        "confirmed": Count("pk", filter=Q(state=Claim.State.CONFIRMED)),
    }
    for i, participant_id in enumerate(participant_ids):
        aggregates[f"p{i}"] = Count("pk", filter=Q(participant_id=participant_id))
    return aggregates


def _counts_query(*, now: datetime, offering_ids: list[int], participant_ids: list[int]) -> QuerySet[Claim]:
    aggregates = _aggregates(participant_ids)
    return (
        Claim.objects.counting_at(now)
        .filter(offering_id__in=offering_ids)
        .values("offering_id")
        .annotate(**aggregates)
        .values_list("offering_id", *aggregates)
        .order_by()
    )


def counts_subquery(offering: OuterRef, *, now: datetime, participant_ids: list[int]) -> Subquery:
    """The `ClaimCounts` of the offering `offering` refers to, as one JSON object, to annotate
    a query of offerings with: the same claims and aggregates as `claim_counts()`, in the same
    statement as the offerings (capacity.locks.offerings_snapshot). Read it with
    `counts_from_json()`. Never under a lock: a count must start after its lock is held."""
    return Subquery(
        Claim.objects.counting_at(now)
        .filter(offering_id=offering)
        .order_by()
        .values("offering_id")
        .annotate(counts=JSONObject(**_aggregates(participant_ids)))
        .values("counts")
    )


def counts_from_json(counts: dict[str, int] | None, participant_ids: list[int]) -> ClaimCounts:
    if not counts:
        return ClaimCounts()
    return ClaimCounts(
        taken=counts["taken"],
        held=counts["held"],
        tentative=counts["tentative"],
        confirmed=counts["confirmed"],
        participants_present=frozenset(p for i, p in enumerate(participant_ids) if counts[f"p{i}"]),
    )


_COUNTS = CompiledQuery(Claim, _counts_query)


class PendingCounts:
    """`claim_counts()` not sent yet: `core.querycache.run_together()` can send it in the
    same round trip as the statement before it (the offering lock, capacity.locks)."""

    __slots__ = ("now", "participants", "query")

    def __init__(self, *, offering_ids: Iterable[int], now: datetime, participant_ids: Collection[int] = ()) -> None:
        self.now = now
        self.participants = sorted(set(participant_ids))
        self.query = _COUNTS.pending_rows(
            now=now, offering_ids=sorted(set(offering_ids)), participant_ids=self.participants
        )

    def result(self) -> dict[int, ClaimCounts]:
        return {
            offering_id: ClaimCounts(
                taken=taken,
                held=held,
                tentative=tentative,
                confirmed=confirmed,
                participants_present=frozenset(
                    p for p, present in zip(self.participants, per_participant, strict=True) if present
                ),
            )
            for offering_id, taken, held, tentative, confirmed, *per_participant in self.query.rows()
        }


def claim_counts(
    *, offering_ids: Iterable[int], now: datetime, participant_ids: Collection[int] = ()
) -> dict[int, ClaimCounts]:
    """Taken capacity per offering (C2, C3), computed from the ledger in one query.

    This is the one function that decides what counts; the claim transaction, the catalog
    and the office all read capacity through it (the add sends it as `PendingCounts`, with
    its locks). With `participant_ids`, also tells which of those participants already have
    a live claim on each offering (double bookings). The query is compiled once per shape
    (`core.querycache`): it runs on every add.
    """
    pending = PendingCounts(offering_ids=offering_ids, now=now, participant_ids=participant_ids)
    run_together(pending.query)
    return pending.result()


def availability(*, offerings: Iterable[tuple[int, int | None]], now: datetime) -> dict[int, Availability]:
    """C5 for many offerings in one query: (offering_id, capacity) pairs in, availability out."""
    pairs = list(offerings)
    counts = claim_counts(offering_ids=[offering_id for offering_id, _ in pairs], now=now)
    result = {}
    for offering_id, capacity in pairs:
        c = counts.get(offering_id, ClaimCounts())
        result[offering_id] = Availability(
            offering_id=offering_id, capacity=capacity, confirmed=c.confirmed, tentative=c.tentative, held=c.held
        )
    return result


def live_holds(*, organization_id: int, offering_id: int, now: datetime) -> list[Claim]:
    """S1: every hold on one offering that still counts at `now`, oldest first, with who
    holds it; the cart is loaded so that callers can show the time left."""
    return list(
        Claim.objects.counting_at(now)
        .filter(organization_id=organization_id, offering_id=offering_id, state=Claim.State.HELD)
        .select_related("household", "participant", "cart")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class OrganizationOverview:
    organization: Organization
    offerings: int
    seats_held: int
    seats_registered: int


def organizations_overview(*, now: datetime) -> list[OrganizationOverview]:
    """Every organization with its offering count and live claims, in two queries."""
    organizations = list(
        Organization.objects.annotate(
            offering_count=Count("offerings", filter=Q(offerings__is_archived=False))
        ).order_by("name")
    )
    claims = {
        row["organization_id"]: row
        for row in Claim.objects.filter(counting_q(now))
        .values("organization_id")
        .annotate(
            held=Count("pk", filter=Q(state=Claim.State.HELD)),
            registered=Count("pk", filter=~Q(state=Claim.State.HELD)),
        )
        .order_by()
    }
    return [
        OrganizationOverview(
            organization=o,
            offerings=o.offering_count,
            seats_held=claims.get(o.pk, {}).get("held", 0),
            seats_registered=claims.get(o.pk, {}).get("registered", 0),
        )
        for o in organizations
    ]
