from collections.abc import Collection
from datetime import date

from django.db.models import QuerySet

from catalog import policies
from catalog.models import BookableHours, Closure, Facility, Offering, Program
from organizations.models import Organization


def facilities(*, organization: Organization) -> QuerySet[Facility]:
    return Facility.objects.filter(organization_id=organization.pk).order_by("name")


def openings(*, facility_id: int) -> list[policies.Opening]:
    """The facility's bookable openings, by weekday and time: several a day are allowed."""
    return list(
        BookableHours.objects.filter(facility_id=facility_id)
        .order_by("weekday", "opens_at")
        .values_list("weekday", "opens_at", "closes_at")
    )


def listed_offerings(
    *, organization: Organization, kind: str | None = None, facility_id: int | None = None
) -> QuerySet[Offering]:
    """The organization's offerings that are in the catalog (not archived), of one kind or at
    one facility if asked; with live availability: capacity.catalog."""
    offerings = Offering.objects.filter(organization_id=organization.pk, is_archived=False)
    if kind:
        offerings = offerings.filter(kind=kind)
    if facility_id is not None:
        offerings = offerings.filter(facility_id=facility_id)
    return offerings


def programs(*, organization_id: int) -> QuerySet[Program]:
    return Program.objects.filter(organization_id=organization_id).order_by("name", "season")


def setup_offerings(*, organization_id: int) -> QuerySet[Offering]:
    """Every offering of the organization, archived and cancelled ones too, for its managers."""
    return Offering.objects.filter(organization_id=organization_id).select_related("program").order_by("-pk")


def schedule_preview(
    *, organization_id: int, weekdays: list[int], starts_on: date, ends_on: date, exceptions: Collection[date] = ()
) -> list[tuple[date, str]]:
    """A weekly schedule's days before it is saved: each chosen weekday between the two dates,
    with why there is no meeting on it ("" when there is one: the closure's name, or
    "exception")."""
    closures = dict(
        Closure.objects.filter(organization_id=organization_id, day__gte=starts_on, day__lte=ends_on).values_list(
            "day", "name"
        )
    )
    skipped = set(exceptions)
    return [
        (day, closures.get(day) or ("exception" if day in skipped else ""))
        for day in policies.meeting_days(starts_on=starts_on, ends_on=ends_on, weekdays=weekdays)
    ]


def closures(*, organization_id: int) -> QuerySet[Closure]:
    return Closure.objects.filter(organization_id=organization_id).order_by("day")
