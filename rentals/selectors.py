"""Reads on rentals (S5, S6): a facility's days as a family sees them (bookable openings, each
slot free or taken), the office's approvals queue and a household's own requests."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from capacity.calendar import OpenSlot, SlotLine, facility_availability, facility_calendar
from carts.errors import ItemNotFound
from catalog.models import Facility, Offering
from catalog.selectors import openings
from organizations.models import Organization
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


MAX_DAYS = 7  # a week at most in one read


@dataclass(frozen=True)
class FacilityDay:
    day: date
    openings: list[tuple[time, time]]  # the bookable hours that day, in the organization's time zone
    slots: list[OpenSlot]


def facility_days(
    *, organization: Organization, facility_id: int, first: date, days: int, now: datetime, household_id: int | None
) -> tuple[Facility, list[FacilityDay]]:
    """The facility and `days` days (1-7) from `first`: each day's openings and slots, free or
    taken (no other family named; the viewer's own told apart). Another organization's
    facility is not found (X1). Three queries."""
    facility = Facility.objects.filter(organization_id=organization.pk, pk=facility_id).first()
    if facility is None:
        raise ItemNotFound("No such facility in this organization.")
    days = max(1, min(days, MAX_DAYS))
    zone = organization.zone
    start = datetime.combine(first, time(0), zone)
    slots = facility_availability(
        organization_id=organization.pk,
        facility_id=facility.pk,
        start=start,
        end=datetime.combine(first + timedelta(days=days), time(0), zone),
        now=now,
        household_id=household_id,
    )
    hours = openings(facility_id=facility.pk)
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        result.append(
            FacilityDay(
                day=day,
                openings=[(o, c) for w, o, c in hours if w == day.weekday()],
                slots=[s for s in slots if s.starts_at.astimezone(zone).date() == day],
            )
        )
    return facility, result


@dataclass(frozen=True)
class StaffFacilityDay:
    day: date
    openings: list[tuple[time, time]]
    lines: list[SlotLine]  # each slot free, started, held, requested or booked, and by whom


def staff_facility_days(
    *, organization: Organization, facility_id: int, first: date, days: int, now: datetime
) -> list[StaffFacilityDay]:
    """The office calendar's facts (the grid's, by slot rather than by half-hour): each day's
    openings and every slot's state with its household. Three queries."""
    facility = Facility.objects.filter(organization_id=organization.pk, pk=facility_id).first()
    if facility is None:
        raise ItemNotFound("No such facility in this organization.")
    zone = organization.zone
    shown = [first + timedelta(days=n) for n in range(max(1, min(days, MAX_DAYS)))]
    lines = facility_calendar(
        organization_id=organization.pk,
        facility_id=facility.pk,
        start=datetime.combine(shown[0], time(0), zone),
        end=datetime.combine(shown[-1] + timedelta(days=1), time(0), zone),
        now=now,
    )
    hours = openings(facility_id=facility.pk)
    return [
        StaffFacilityDay(
            day=day,
            openings=[(o, c) for w, o, c in hours if w == day.weekday()],
            lines=[
                line for line in lines if line.slot.starts_at and line.slot.starts_at.astimezone(zone).date() == day
            ],
        )
        for day in shown
    ]
