"""Catalog management in the API (issue 14): programs, offerings, weekly schedules, closures,
facilities and their bookable hours, copying a season forward. *Manage catalog* is checked by
the services; capacity changes go through setup/offerings/{id}/capacity (previewed, F2)."""

from typing import Any

from ninja import Router, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.setup_catalog_schemas import (
    ClosureIn,
    FacilityIn,
    FacilitySetupOut,
    HoursIn,
    OfferingChangeIn,
    OfferingIn,
    OfferingSetupOut,
    ProgramIn,
    ProgramOut,
    ScheduleIn,
    ScheduleOut,
    SeasonCopyIn,
    SeasonCopyOut,
)
from api.types import Day, Id
from catalog import services
from catalog.models import Facility, Offering
from catalog.seasons import copy_season
from catalog.selectors import openings, programs
from organizations.models import Permission
from organizations.services import require_permission

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


def _offering_fields(payload: Any) -> dict[str, Any]:
    fields = payload.dict(exclude_unset=True)
    for name in ("program", "facility"):
        if f"{name}_id" in fields:
            fields[name] = fields.pop(f"{name}_id")
    return fields


def offering_out(offering: Offering) -> dict[str, Any]:
    return {
        **{name: getattr(offering, name) for name in services.OFFERING_FIELDS if name not in ("program", "facility")},
        "id": offering.pk,
        "program_id": offering.program_id,
        "facility_id": offering.facility_id,
        "is_archived": offering.is_archived,
        "cancelled_at": offering.cancelled_at,
    }


@router.get("/orgs/{slug}/setup/programs", response={200: list[ProgramOut], **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def list_programs(request: StaffRequest, slug: str) -> object:
    membership = request.membership
    require_permission(membership, Permission.MANAGE_CATALOG)
    return list(programs(organization_id=membership.organization_id))


@router.post("/orgs/{slug}/setup/programs", response={201: ProgramOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def create_program(request: StaffRequest, slug: str, payload: ProgramIn) -> Status:
    program = services.save_program(membership=request.membership, fields=payload.dict())
    return Status(201, program)


@router.patch("/orgs/{slug}/setup/programs/{program_id}", response={200: ProgramOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def change_program(request: StaffRequest, slug: str, program_id: Id, payload: ProgramIn) -> object:
    return services.save_program(
        membership=request.membership, fields=payload.dict(exclude_unset=True), program_id=program_id
    )


@router.post("/orgs/{slug}/setup/offerings", response={201: OfferingSetupOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def create_offering(request: StaffRequest, slug: str, payload: OfferingIn) -> Status:
    """A class, camp, membership or rental slot with its price, age rule (with cutoff day),
    registration opening and capacity."""
    offering = services.create_offering(membership=request.membership, fields=_offering_fields(payload))
    return Status(201, offering_out(offering))


@router.patch("/orgs/{slug}/setup/offerings/{offering_id}", response={200: OfferingSetupOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def change_offering(request: StaffRequest, slug: str, offering_id: Id, payload: OfferingChangeIn) -> object:
    offering = services.update_offering(
        membership=request.membership, offering_id=offering_id, changes=_offering_fields(payload)
    )
    return offering_out(offering)


@router.put("/orgs/{slug}/setup/offerings/{offering_id}/schedule", response={200: ScheduleOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def set_schedule(request: StaffRequest, slug: str, offering_id: Id, payload: ScheduleIn) -> object:
    """A weekly schedule: meetings on the chosen weekdays between two dates, skipping the
    organization's closures and the exceptions; replaces the offering's earlier one."""
    schedule = services.set_schedule(membership=request.membership, offering_id=offering_id, **payload.dict())
    return {**schedule.__dict__, "meetings": schedule.meetings.count(), "id": schedule.pk}


@router.put("/orgs/{slug}/setup/closures/{day}", response={204: None, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def close_day(request: StaffRequest, slug: str, day: Day, payload: ClosureIn) -> Status:
    """A holiday: no meeting on that day; every schedule covering it is remade."""
    services.set_closure(membership=request.membership, day=day, name=payload.name)
    return Status(204, None)


@router.delete("/orgs/{slug}/setup/closures/{day}", response={204: None, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def open_day(request: StaffRequest, slug: str, day: Day) -> Status:
    services.set_closure(membership=request.membership, day=day, name="", closed=False)
    return Status(204, None)


@router.post("/orgs/{slug}/setup/facilities", response={201: FacilitySetupOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def create_facility(request: StaffRequest, slug: str, payload: FacilityIn) -> Status:
    return Status(201, services.save_facility(membership=request.membership, fields=payload.dict()))


@router.get("/orgs/{slug}/setup/facilities/{facility_id}/hours", response={200: list[HoursIn], **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def get_hours(request: StaffRequest, slug: str, facility_id: Id) -> list[dict[str, object]]:
    """The facility's bookable hours: one row per opening, several a weekday allowed."""
    facility = services.access_catalog_item(Facility, request.membership.organization_id, facility_id)
    return [{"weekday": w, "opens_at": o, "closes_at": c} for w, o, c in openings(facility_id=facility.pk)]


@router.put("/orgs/{slug}/setup/facilities/{facility_id}/hours", response={204: None, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def set_hours(request: StaffRequest, slug: str, facility_id: Id, payload: list[HoursIn]) -> Status:
    """Replace the facility's bookable hours, one row per opening on a weekday; a day may have
    several openings (07:00-12:00 and 14:00-21:00), but not overlapping ones (400, field
    `hours`). Bookings must lie inside one opening: a range across the gap is refused (409)."""
    services.set_bookable_hours(
        membership=request.membership,
        facility_id=facility_id,
        hours=[(row.weekday, row.opens_at, row.closes_at) for row in payload],
    )
    return Status(204, None)


@router.post("/orgs/{slug}/setup/programs/{program_id}/copy", response={201: SeasonCopyOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def copy_program_season(request: StaffRequest, slug: str, program_id: Id, payload: SeasonCopyIn) -> Status:
    """Copy a season forward: the program's offerings into new dates, whole weeks later."""
    copied = copy_season(membership=request.membership, program_id=program_id, **payload.dict())
    return Status(
        201,
        {
            "program_id": copied.program.pk,
            "offering_ids": [o.pk for o in copied.offerings],
            "shift_days": copied.shift_days,
        },
    )
