"""Reads on rental requests (S6): the office's approvals queue and a household's own."""

from datetime import datetime

from django.db.models import QuerySet

from catalog.models import Offering
from rentals.models import RentalRequest


def rental_slots(
    *, organization_id: int, facility_id: int, starts_at: datetime, ends_at: datetime
) -> list[tuple[int, datetime, datetime]]:
    """The facility's listed rental slots inside [starts_at, ends_at), by start: (id, start, end)."""
    rows = (
        Offering.objects.filter(
            organization_id=organization_id,
            kind=Offering.Kind.RENTAL,
            facility_id=facility_id,
            is_archived=False,
            starts_at__gte=starts_at,
            ends_at__lte=ends_at,
        )
        .order_by("starts_at")
        .values_list("pk", "starts_at", "ends_at")
    )
    return [(pk, s, e) for pk, s, e in rows if s is not None and e is not None]


def requests_of_organization(*, organization_id: int, status: str | None = None) -> QuerySet[RentalRequest]:
    """The approvals queue: requests of this organization, the oldest pending first."""
    found = RentalRequest.objects.filter(organization_id=organization_id).select_related(
        "household", "facility", "order"
    )
    if status:
        found = found.filter(status=status)
    return found.order_by("requested_at", "pk")


def requests_of_household(*, household_id: int) -> QuerySet[RentalRequest]:
    return (
        RentalRequest.objects.filter(household_id=household_id)
        .select_related("facility", "order")
        .order_by("-requested_at", "-pk")
    )


def waiting_requests(*, organization_id: int, now: datetime, limit: int = 10) -> tuple[int, list[RentalRequest]]:
    """The requests still waiting for a decision whose time has not started (the Pending list's
    summary, S6 with S7): how many, and the oldest `limit` of them. Two queries."""
    waiting = requests_of_organization(organization_id=organization_id, status=RentalRequest.Status.PENDING).filter(
        starts_at__gt=now
    )
    return waiting.count(), list(waiting[:limit])
