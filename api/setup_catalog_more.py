"""Catalog management in the API, continued (decision 0018): what the catalog's pages read and
preview. Lists of offerings, facilities and closures; a facility changed; a schedule's days,
a season copy and rental slots previewed before they are made, by the code that makes them."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema, Status

from api.access import StaffRequest, staff
from api.setup_catalog import REFUSALS, offering_out, router
from api.setup_catalog_schemas import FacilitySetupOut, OfferingSetupOut, ScheduleIn, SeasonCopyIn
from api.types import Day, Id
from catalog import rental_slots, selectors, services
from catalog.models import Offering
from catalog.seasons import plan_season_copy
from organizations.models import Permission

# The same router as api.setup_catalog: ninja serves one path from one router, and GET
# setup/offerings or setup/facilities shares its path with that module's POST.


class FacilityChangeIn(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    requires_approval: bool | None = Field(default=None, description="S6: portal bookings are requests staff approve")


class ClosureOut(Schema):
    day: date
    name: str


class ScheduleDayOut(Schema):
    day: date
    meets: bool
    skipped_because: str = Field(description='"" when it meets; the closure\'s name, or "exception"')


class SeasonRowOut(Schema):
    offering_id: int
    name: str
    kind: str
    starts_on: date | None
    new_starts_on: date | None
    new_ends_on: date | None
    new_registration_opens_at: datetime | None
    meetings: int


class SeasonPlanOut(Schema):
    shift_days: int
    season: str
    rows: list[SeasonRowOut]


class SlotsIn(Schema):
    first_day: Day
    last_day: Day = Field(description="at most 366 days after first_day")
    minutes: int = Field(ge=15, le=720, description="each slot's length")
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)


class SlotsOut(Schema):
    made: int = Field(description="slots made (or that would be, in a preview)")
    existing: int = Field(description="slots already listed at those times, left as they are")
    closed_days: list[date]
    first_starts_at: datetime | None


@router.get("/orgs/{slug}/setup/offerings", response={200: list[OfferingSetupOut], **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def list_offerings(request: StaffRequest, slug: str) -> list[dict[str, object]]:
    """Every offering, archived and cancelled ones too, newest first."""
    membership = request.membership
    return [offering_out(o) for o in selectors.setup_offerings(organization_id=membership.organization_id)]


@router.post(
    "/orgs/{slug}/setup/offerings/{offering_id}/schedule/preview", response={200: list[ScheduleDayOut], **REFUSALS}
)
@staff(Permission.MANAGE_CATALOG)
def preview_schedule(request: StaffRequest, slug: str, offering_id: Id, payload: ScheduleIn) -> list[dict[str, object]]:
    """The days a weekly schedule would meet, and why the others would not; nothing is saved."""
    membership = request.membership
    services.access_catalog_item(Offering, membership.organization_id, offering_id)
    days = selectors.schedule_preview(
        organization_id=membership.organization_id,
        weekdays=payload.weekdays,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        exceptions=payload.exceptions,
    )
    return [{"day": day, "meets": not why, "skipped_because": why} for day, why in days]


@router.get("/orgs/{slug}/setup/facilities", response={200: list[FacilitySetupOut], **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def list_facilities(request: StaffRequest, slug: str) -> object:
    membership = request.membership
    return list(selectors.facilities(organization=membership.organization))


@router.patch("/orgs/{slug}/setup/facilities/{facility_id}", response={200: FacilitySetupOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def change_facility(request: StaffRequest, slug: str, facility_id: Id, payload: FacilityChangeIn) -> object:
    return services.save_facility(
        membership=request.membership, fields=payload.dict(exclude_unset=True), facility_id=facility_id
    )


@router.get("/orgs/{slug}/setup/closures", response={200: list[ClosureOut], **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def list_closures(request: StaffRequest, slug: str) -> object:
    membership = request.membership
    return list(selectors.closures(organization_id=membership.organization_id))


@router.post("/orgs/{slug}/setup/programs/{program_id}/copy/preview", response={200: SeasonPlanOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def preview_season_copy(request: StaffRequest, slug: str, program_id: Id, payload: SeasonCopyIn) -> object:
    """What POST .../copy would make (F2), row by row; nothing is written."""
    return plan_season_copy(membership=request.membership, program_id=program_id, **payload.dict())


def _slots_out(plan: rental_slots.SlotPlan) -> dict[str, object]:
    return {
        "made": len(plan.new),
        "existing": plan.existing,
        "closed_days": plan.closed_days,
        "first_starts_at": plan.new[0].starts_at if plan.new else None,
    }


@router.post("/orgs/{slug}/setup/facilities/{facility_id}/slots/preview", response={200: SlotsOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def preview_slots(request: StaffRequest, slug: str, facility_id: Id, payload: SlotsIn) -> dict[str, object]:
    """The rental slots the facility's bookable hours give between two days (closures skipped)."""
    plan = rental_slots.plan_rental_slots(membership=request.membership, facility_id=facility_id, **payload.dict())
    return _slots_out(plan)


@router.post("/orgs/{slug}/setup/facilities/{facility_id}/slots", response={201: SlotsOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def make_slots(request: StaffRequest, slug: str, facility_id: Id, payload: SlotsIn) -> Status:
    """Make the slots the preview shows: offerings of kind rental, capacity one each."""
    plan = rental_slots.make_rental_slots(membership=request.membership, facility_id=facility_id, **payload.dict())
    return Status(201, _slots_out(plan))
