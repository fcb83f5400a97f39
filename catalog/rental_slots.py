"""A facility's rental slots made from its bookable hours (issue 14, S5): the offerings of
kind *rental* that carts and rental requests take, one per slot, capacity one."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from catalog import policies
from catalog.errors import InvalidCatalogItem
from catalog.models import BookableHours, Closure, Facility, Offering
from catalog.services import access_catalog_item, record_change
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission


@dataclass(frozen=True)
class SlotPlan:
    facility: Facility
    new: list[Offering]  # unsaved
    existing: int  # slots already listed at those times, left as they are
    closed_days: list[date]


def plan_rental_slots(
    *, membership: StaffMembership, facility_id: int, first_day: date, last_day: date, minutes: int, price: Decimal
) -> SlotPlan:
    """The slots the facility's bookable hours give between two days (closures skipped), of
    `minutes` each at `price`; a slot already listed at the same start is not made twice."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    facility = access_catalog_item(Facility, membership.organization_id, facility_id)
    _check(first_day=first_day, last_day=last_day, minutes=minutes, price=price)
    hours = list(BookableHours.objects.filter(facility=facility))
    if not hours:
        raise InvalidCatalogItem(
            "Set the facility's bookable hours first.", fields={"hours": "the facility has no bookable hours"}
        )
    zone = Organization.objects.get(pk=membership.organization_id).zone
    closed = set(
        Closure.objects.filter(
            organization_id=membership.organization_id, day__gte=first_day, day__lte=last_day
        ).values_list("day", flat=True)
    )
    listed = set(
        Offering.objects.filter(
            facility=facility,
            kind=Offering.Kind.RENTAL,
            is_archived=False,
            starts_at__date__gte=first_day - timedelta(1),
        ).values_list("starts_at", flat=True)
    )
    new, existing = [], 0
    day = first_day
    while day <= last_day:
        if day not in closed:
            for row in hours:
                if row.weekday != day.weekday():
                    continue
                for opens, closes in policies.slot_times(row.opens_at, row.closes_at, minutes):
                    starts, ends = policies.meeting_instants(day, opens, closes, zone)
                    if starts in listed:
                        existing += 1
                        continue
                    new.append(
                        Offering(
                            organization_id=membership.organization_id,
                            kind=Offering.Kind.RENTAL,
                            name=f"{facility.name} {day.isoformat()} {opens:%H:%M}",
                            facility=facility,
                            capacity=1,
                            price=price,
                            starts_at=starts,
                            ends_at=ends,
                        )
                    )
        day += timedelta(days=1)
    if len(new) > policies.MAX_SLOTS:
        raise InvalidCatalogItem(
            f"That makes {len(new)} slots; make at most {policies.MAX_SLOTS} at once.",
            fields={"last_day": f"at most {policies.MAX_SLOTS} slots at once"},
        )
    return SlotPlan(facility=facility, new=new, existing=existing, closed_days=sorted(closed))


def _check(*, first_day: date, last_day: date, minutes: int, price: Decimal) -> None:
    problems = {}
    if last_day < first_day:
        problems["last_day"] = "must be on or after first_day"
    elif (last_day - first_day).days > 366:
        problems["last_day"] = "at most a year after first_day"
    if not 15 <= minutes <= 720:
        problems["minutes"] = "between 15 and 720"
    if price < 0:
        problems["price"] = "must be zero or more"
    if problems:
        raise InvalidCatalogItem(" ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)


@transaction.atomic
def make_rental_slots(
    *, membership: StaffMembership, facility_id: int, first_day: date, last_day: date, minutes: int, price: Decimal
) -> SlotPlan:
    """Make the slots `plan_rental_slots` previews; audited."""
    plan = plan_rental_slots(
        membership=membership,
        facility_id=facility_id,
        first_day=first_day,
        last_day=last_day,
        minutes=minutes,
        price=price,
    )
    Offering.objects.bulk_create(plan.new)
    record_change(
        membership,
        "facility.slots_made",
        ("facility", plan.facility.pk),
        {"from": first_day.isoformat(), "to": last_day.isoformat(), "minutes": minutes, "made": len(plan.new)},
    )
    return plan
