from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from api.access import public
from api.context import organization
from api.schemas import ErrorOut, FacilityOut, OfferingDetailOut, OfferingPageOut, OrganizationOut
from api.types import Day, Id, Instant, Limit, Offset
from capacity.catalog import OfferingWithAvailability, catalog_offerings, offering_detail
from catalog.models import Offering
from catalog.selectors import facilities
from rentals.selectors import MAX_DAYS, facility_days

router = Router(tags=["catalog"])


class CatalogFilter(Schema):
    kind: Offering.Kind | None = None
    facility_id: Id | None = None
    starts_from: Instant | None = None
    starts_before: Instant | None = None
    limit: Limit = 100
    offset: Offset = 0


def offering_out(item: OfferingWithAvailability) -> dict[str, object]:
    o, a = item.offering, item.availability
    return {
        "id": o.pk,
        "kind": o.kind,
        "code": o.code,
        "name": o.name,
        "description": o.description,
        "price": o.price,
        "min_age": o.min_age,
        "max_age": o.max_age,
        "starts_on": o.starts_on,
        "ends_on": o.ends_on,
        "registration_opens_at": o.registration_opens_at,
        "registration_closes_at": o.registration_closes_at,
        "facility_id": o.facility_id,
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "availability": {
            "capacity": a.capacity,
            "confirmed": a.confirmed,
            "tentative": a.tentative,
            "held": a.held,
            "free": a.free,
        },
    }


@router.get("/orgs/{slug}", response={200: OrganizationOut, 404: ErrorOut}, auth=None)
@public
def get_organization(request: HttpRequest, slug: str) -> object:
    return organization(slug)


@router.get("/orgs/{slug}/offerings", response={200: OfferingPageOut, 404: ErrorOut}, auth=None)
@public
def list_offerings(request: HttpRequest, slug: str, filters: Query[CatalogFilter]) -> dict[str, object]:
    """The catalog with live availability per offering (C5), in a constant number of queries."""
    count, page = catalog_offerings(organization=organization(slug), now=timezone.now(), **filters.dict())
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "results": [offering_out(i) for i in page],
    }


@router.get("/orgs/{slug}/offerings/{offering_id}", response={200: OfferingDetailOut, 404: ErrorOut}, auth=None)
@public
def get_offering(request: HttpRequest, slug: str, offering_id: Id) -> dict[str, object]:
    item, meetings = offering_detail(organization=organization(slug), offering_id=offering_id, now=timezone.now())
    return offering_out(item) | {
        "meetings": [{"starts_at": m.starts_at, "ends_at": m.ends_at, "location": m.location} for m in meetings]
    }


@router.get("/orgs/{slug}/facilities", response={200: list[FacilityOut], 404: ErrorOut}, auth=None)
@public
def list_facilities(request: HttpRequest, slug: str) -> object:
    return list(facilities(organization=organization(slug)))


class OpeningOut(Schema):
    opens_at: time = Field(description="the organization's time of day")
    closes_at: time


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    price: Decimal
    state: Literal["free", "taken", "started"] = Field(
        description="taken: held, requested or booked, by nobody named; started: not taken, but its time has begun, "
        "so it can no longer be booked (rental_started)"
    )


class FacilityDayOut(Schema):
    day: date
    openings: list[OpeningOut] = Field(description="bookable hours that day; a booking lies inside one of them")
    slots: list[SlotOut]


class FacilityAvailabilityOut(Schema):
    facility: FacilityOut
    days: list[FacilityDayOut]


@router.get(
    "/orgs/{slug}/facilities/{facility_id}/availability",
    response={200: FacilityAvailabilityOut, 404: ErrorOut},
    auth=None,
)
@public
def facility_availability(
    request: HttpRequest,
    slug: str,
    facility_id: Id,
    day: Day,
    days: int = Query(1, ge=1, le=MAX_DAYS, description="how many days from `day`, 1-7"),
) -> object:
    """A facility's time as a family sees it (S5, S6): each day's bookable openings and each
    rental slot free, taken or started (begun: no longer bookable), never by whom. Book a range of free slots with POST cart/rentals,
    or, when `requires_approval`, ask with POST rental-requests."""
    place, found = facility_days(
        organization=organization(slug),
        facility_id=facility_id,
        first=day,
        days=days,
        now=timezone.now(),
        household_id=None,
    )
    return {
        "facility": place,
        "days": [
            {
                "day": d.day,
                "openings": [{"opens_at": o, "closes_at": c} for o, c in d.openings],
                "slots": [
                    {"starts_at": s.starts_at, "ends_at": s.ends_at, "price": s.price, "state": s.state}
                    for s in d.slots
                ],
            }
            for d in found
        ],
    }
