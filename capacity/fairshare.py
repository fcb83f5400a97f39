"""A household's fair share of seats (X6, F1): no household holds more than its organization
allows, so that a flood from one login leaves the classes open to other families.

Checked by `capacity.services.claim_seats()` under the offering locks, after capacity, from one
more query (`PendingUsage`, on the claims' household index) that the add sends right after its
locks and its count, in the same round trip (capacity.locks.lock_offerings). The
household's own adds are serialised by its cart's row lock (carts.services.adding takes it
first; two first adds race on the one-open-cart constraint and the loser runs again), so the
household's count cannot change between this read and the write. Staff with the override
permission and a reason exceed the limits as they exceed capacity (C6).
"""

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet

from capacity.models import Claim, counting_q
from capacity.policies import Offerings, SeatRequest
from core.errors import DomainError
from core.querycache import CompiledQuery, run_together
from core.words import counted
from organizations.models import Organization

RATE_WINDOW = timedelta(minutes=1)


class FairShareExceeded(DomainError):
    """A household would hold more than its share (409); the subclasses say which share."""

    code = "fair_share_exceeded"
    kind = "conflict"


class UnpaidLimitReached(FairShareExceeded):
    """Places held without payment, in the cart and in unpaid registrations, all offerings together."""

    code = "household_unpaid_limit"


class OfferingLimitReached(FairShareExceeded):
    """Places of one household in one offering, paid or not."""

    code = "household_offering_limit"


class AddsTooFast(DomainError):
    """More adds in the last minute than the organization allows: 429 with Retry-After."""

    code = "too_many_adds"
    kind = "throttled"


@dataclass(frozen=True)
class FairShare:
    """An organization's limits on one household (organizations.preferences: fair_share)."""

    max_unpaid_seats: int
    max_seats_per_offering: int
    max_adds_per_minute: int

    @classmethod
    def of(cls, organization: Organization) -> "FairShare":
        return cls(
            max_unpaid_seats=organization.max_unpaid_seats_per_household,
            max_seats_per_offering=organization.max_seats_per_offering_per_household,
            max_adds_per_minute=organization.max_adds_per_minute,
        )


@dataclass(frozen=True)
class HouseholdUsage:
    """What one household holds at one instant."""

    unpaid: int = 0  # live cart holds and unpaid (tentative) registrations
    per_offering: tuple[tuple[int, int], ...] = ()  # (offering id, live claims) for the offerings asked about
    adds_in_window: int = 0  # adds (distinct instants) in the last RATE_WINDOW
    first_add_in_window: datetime | None = None


def _usage_query(*, household_id: int, now: datetime, since: datetime, offering_ids: list[int]) -> QuerySet[Claim]:
    live = counting_q(now)
    recent = Q(created_at__gt=since)
    aggregates = {
        "unpaid": Count("pk", filter=live & Q(state__in=(Claim.State.HELD, Claim.State.TENTATIVE))),
        "adds": Count("created_at", filter=recent, distinct=True),
        "first_add": Min("created_at", filter=recent),
        **{
            f"o{i}": Count("pk", filter=live & Q(offering_id=offering_id)) for i, offering_id in enumerate(offering_ids)
        },
    }
    return (
        Claim.objects.filter(household_id=household_id)
        .filter(live | recent)
        .values("household_id")
        .annotate(**aggregates)
        .values_list(*aggregates)
        .order_by()
    )


# Compiled once per number of offerings (core.querycache): it runs on every granted add.
_USAGE = CompiledQuery(Claim, _usage_query)


class PendingUsage:
    """The household's usage at `now`, one query on its claims (the household index): those
    that count (C2) and those created within the rate window. Not sent yet: the add sends it
    with its locks (`capacity.locks.lock_offerings(after=...)`), after them, so that it sees
    every claim the locks waited for, in the round trip it already makes."""

    __slots__ = ("offering_ids", "query")

    def __init__(self, *, household_id: int, offering_ids: Collection[int], now: datetime) -> None:
        self.offering_ids = sorted(set(offering_ids))
        self.query = _USAGE.pending_rows(
            household_id=household_id, now=now, since=now - RATE_WINDOW, offering_ids=self.offering_ids
        )

    def result(self) -> HouseholdUsage:
        rows = self.query.rows()
        if not rows:
            return HouseholdUsage(per_offering=tuple((offering_id, 0) for offering_id in self.offering_ids))
        unpaid, adds, first_add, *per_offering = rows[0]
        return HouseholdUsage(
            unpaid=unpaid,
            per_offering=tuple(zip(self.offering_ids, per_offering, strict=True)),
            adds_in_window=adds,
            first_add_in_window=first_add,
        )


def household_usage(*, household_id: int, offering_ids: Collection[int], now: datetime) -> HouseholdUsage:
    """The household's usage at `now`, sent on its own (`PendingUsage` says what it counts)."""
    pending = PendingUsage(household_id=household_id, offering_ids=offering_ids, now=now)
    run_together(pending.query)
    return pending.result()


def refusal(
    *, share: FairShare, usage: HouseholdUsage, offerings: Offerings, wanted: Sequence[SeatRequest], now: datetime
) -> DomainError | None:
    """Pure (D5): why these seats would take the household past its share, or None."""
    if usage.adds_in_window >= share.max_adds_per_minute:
        first = usage.first_add_in_window or now
        wait = max(1, math.ceil((first + RATE_WINDOW - now).total_seconds()))
        return AddsTooFast(
            f"You are adding very fast: at most {share.max_adds_per_minute} adds a minute. "
            f"Try again in {wait} seconds.",
            retry_after=wait,
            limit=share.max_adds_per_minute,
        )
    if usage.unpaid + len(wanted) > share.max_unpaid_seats:
        return UnpaidLimitReached(
            f"Your household already holds {counted(usage.unpaid, 'place', 'places')} without payment (in the cart and in unpaid "
            f"registrations), and may hold at most {share.max_unpaid_seats} at once. Check out and pay, or "
            "remove some, to add more.",
            limit=share.max_unpaid_seats,
            unpaid=usage.unpaid,
        )
    have = dict(usage.per_offering)
    for offering_id, seats in Counter(request.offering_id for request in wanted).items():
        if have.get(offering_id, 0) + seats > share.max_seats_per_offering:
            return OfferingLimitReached(
                f"Your household already has {counted(have.get(offering_id, 0), 'place', 'places')} in "
                f"{offerings[offering_id].name}; "
                f"a household may have at most {share.max_seats_per_offering}.",
                limit=share.max_seats_per_offering,
                offering_id=offering_id,
            )
    return None


@dataclass(frozen=True)
class FairShareCheck:
    """The limits of one household's add and its usage, read in the add's transaction."""

    share: FairShare
    usage: PendingUsage

    @classmethod
    def prepare(
        cls, *, organization: Organization, household_id: int, offering_ids: Collection[int], now: datetime
    ) -> "FairShareCheck":
        """The check of an add to come: send `usage.query` with the locks, then `enforce()`."""
        return cls(
            FairShare.of(organization), PendingUsage(household_id=household_id, offering_ids=offering_ids, now=now)
        )

    def enforce(self, *, offerings: Offerings, wanted: Sequence[SeatRequest], now: datetime) -> None:
        """Raise the refusal if these seats would take the household past its share (X6). Call
        under the offering locks, in the claim transaction, after the capacity check."""
        refused = refusal(share=self.share, usage=self.usage.result(), offerings=offerings, wanted=wanted, now=now)
        if refused is not None:
            raise refused
