"""The desk's cart endpoints (S3, S5): what the office's enroll page does beyond api/staff.py's
add and checkout: take over a cart the family started, book facility time, remove an item."""

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.carts import added_out, cart_out
from api.catalog import OpeningOut
from api.desk_households import REFUSALS
from api.schemas import CartAddOut, CartOut, RentalIn
from api.types import Day, Id
from carts import selectors as cart_selectors
from carts.services import office_add_rental_to_cart, office_remove_from_cart, take_over_cart
from households.selectors import get_household_for_org
from organizations.models import Permission
from rentals.selectors import MAX_DAYS, staff_facility_days

router = Router(tags=["staff: desk"], auth=AUTH)


class StaffRentalIn(RentalIn):
    override_reason: str | None = Field(
        default=None, max_length=500, description="double-book on purpose (needs *enroll beyond capacity*, C6)"
    )


@router.post("/orgs/{slug}/staff/households/{household_id}/cart/take-over", response={200: CartOut, **REFUSALS})
@staff(Permission.ENROLL)
def take_over(request: StaffRequest, slug: str, household_id: Id) -> dict[str, object]:
    """S3: take over the cart the household started, explicitly (needs *enroll*); from then on
    only staff add to it, on the office's timer (T5), and the household's cart says so."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    take_over_cart(membership=membership, household=household)
    return cart_out(cart_selectors.open_cart_view(household=household, now=timezone.now()))


@router.post(
    "/orgs/{slug}/staff/households/{household_id}/cart/rentals",
    response={201: CartAddOut, **REFUSALS},
    url_name="office_add_rental",  # the customer's add_rental is another route (monitoring.actions)
)
@staff(Permission.ENROLL)
def add_rental(request: StaffRequest, slug: str, household_id: Id, payload: StaffRentalIn) -> Status:
    """S5: hold facility time [starts_at, ends_at) for the household, every slot or none."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    result = office_add_rental_to_cart(
        membership=membership,
        household=household,
        facility_id=payload.facility_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        override_reason=payload.override_reason,
    )
    return Status(201, added_out(household, result))


@router.delete(
    "/orgs/{slug}/staff/households/{household_id}/cart/items/{claim_id}", response={200: CartOut, **REFUSALS}
)
@staff(Permission.ENROLL)
def remove_item(request: StaffRequest, slug: str, household_id: Id, claim_id: Id) -> dict[str, object]:
    """S3: take one item out of a cart the office holds (a family's cart is taken over first)."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    office_remove_from_cart(membership=membership, household=household, claim_id=claim_id)
    return cart_out(cart_selectors.open_cart_view(household=household, now=timezone.now()))


class StaffSlotOut(Schema):
    offering_id: int
    starts_at: datetime
    ends_at: datetime
    state: Literal["free", "started", "held", "requested", "booked"] = Field(
        description="started: free, but its time has begun, so it can no longer be booked (rental_started); "
        "held in a cart, requested (awaiting approval, S6), booked (a registration)"
    )
    household_name: str = Field(description="who holds, asked for or booked it; empty when free")
    channel: str


class StaffFacilityDayOut(Schema):
    day: date
    openings: list[OpeningOut]
    slots: list[StaffSlotOut]


@router.get(
    "/orgs/{slug}/staff/facilities/{facility_id}/calendar", response={200: list[StaffFacilityDayOut], **REFUSALS}
)
@staff(Permission.ENROLL, Permission.TAKE_PAYMENTS, Permission.DELETE_ENROLLMENTS)  # the desk's, as the page
def facility_calendar(
    request: StaffRequest,
    slug: str,
    facility_id: Id,
    day: Day,
    days: int = Query(1, ge=1, le=MAX_DAYS, description="how many days from `day`, 1-7"),
) -> list[dict[str, object]]:
    """The office's facility calendar (S5, S6): each day's openings and every rental slot free,
    started, held, requested or booked, with the household; book with POST .../cart/rentals above."""
    found = staff_facility_days(
        organization=request.organization, facility_id=facility_id, first=day, days=days, now=timezone.now()
    )
    return [
        {
            "day": d.day,
            "openings": [{"opens_at": o, "closes_at": c} for o, c in d.openings],
            "slots": [
                {
                    "offering_id": line.slot.pk,
                    "starts_at": line.slot.starts_at,
                    "ends_at": line.slot.ends_at,
                    "state": line.state,
                    "household_name": line.household_name,
                    "channel": line.channel,
                }
                for line in d.lines
            ],
        }
        for d in found
    ]
