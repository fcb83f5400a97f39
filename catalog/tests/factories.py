import itertools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from catalog.models import BookableHours, Facility, Offering
from organizations.models import Organization

_seq = itertools.count(1)


def make_offering(
    organization: Organization, *, capacity: int | None = 20, price: str = "50.00", **fields: object
) -> Offering:
    n = next(_seq)
    defaults: dict[str, object] = {"kind": Offering.Kind.CLASS, "name": f"Class {n}", "code": f"C{n}"}
    return Offering.objects.create(
        organization=organization, capacity=capacity, price=Decimal(price), **(defaults | fields)
    )


def make_facility_with_slots(
    organization: Organization, *, first_slot: datetime, slots: int = 4, minutes: int = 60, price: str = "40.00"
) -> tuple[Facility, list[Offering]]:
    facility = Facility.objects.create(organization=organization, name=f"Gym {next(_seq)}")
    offerings = [
        _slot(facility, f"{facility.name} {i}", first_slot + timedelta(minutes=minutes * i), minutes, price)
        for i in range(slots)
    ]
    return facility, offerings


def _slot(facility: Facility, name: str, starts: datetime, minutes: int, price: str) -> Offering:
    """One rental slot of the facility, capacity one (S5)."""
    return Offering.objects.create(
        organization_id=facility.organization_id,
        kind=Offering.Kind.RENTAL,
        name=name,
        facility=facility,
        capacity=1,
        price=Decimal(price),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
    )


def make_split_day_facility(
    organization: Organization,
    day: date,
    *,
    name: str = "Gym B",
    requires_approval: bool = False,
    price: str = "25.00",
    slot_hours: Iterable[int] = (*range(7, 12), *range(14, 21)),
) -> Facility:
    """A facility open 07:00-12:00 and 14:00-21:00 on `day`'s weekday (two openings a day, S5),
    with an hourly rental slot starting at each of `slot_hours` on `day`, in the organization's
    time zone (by default the openings' hours only)."""
    facility = Facility.objects.create(organization=organization, name=name, requires_approval=requires_approval)
    BookableHours.objects.bulk_create(
        BookableHours(facility=facility, weekday=day.weekday(), opens_at=time(o), closes_at=time(c))
        for o, c in ((7, 12), (14, 21))
    )
    for hour in slot_hours:
        _slot(facility, f"{name} {hour}:00", datetime.combine(day, time(hour), organization.zone), 60, price)
    return facility
