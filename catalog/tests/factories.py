import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from catalog.models import Facility, Offering
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
        Offering.objects.create(
            organization=organization,
            kind=Offering.Kind.RENTAL,
            name=f"{facility.name} {i}",
            facility=facility,
            capacity=1,
            price=Decimal(price),
            starts_at=first_slot + timedelta(minutes=minutes * i),
            ends_at=first_slot + timedelta(minutes=minutes * (i + 1)),
        )
        for i in range(slots)
    ]
    return facility, offerings
