"""Reports in the API (issue 14): the same figures as the office's report pages."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Day
from organizations.errors import InvalidSettings
from organizations.models import Permission
from reports.selectors import incomplete_by_payment_state, occupancy_by_program, registrations_and_revenue_by_day

router = Router(tags=["reports"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 503: ErrorOut}
MAX_DAYS = 366


class ProgramOccupancyOut(Schema):
    program: str
    capacity: int
    confirmed: int
    tentative: int
    held: int
    free: int


class DayOut(Schema):
    day: date
    registrations: int
    revenue: Decimal


class IncompleteOut(Schema):
    payment_state: str = Field(description="incomplete_or_pending, payment_incomplete or partially_paid (P3)")
    registrations: int


@router.get("/orgs/{slug}/reports/occupancy", response={200: list[ProgramOccupancyOut], **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def occupancy(request: StaffRequest, slug: str) -> object:
    """Seats confirmed, tentative, held and free per program (C5)."""
    membership = request.membership
    rows = occupancy_by_program(organization=membership.organization, now=timezone.now())
    return [row.__dict__ | {"free": row.free} for row in rows]


@router.get("/orgs/{slug}/reports/days", response={200: list[DayOut], **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def days(request: StaffRequest, slug: str, first: Day | None = None, last: Day | None = None) -> object:
    """Registrations and money received per day (the organization's days), at most 366 days."""
    membership = request.membership
    last = last or timezone.localdate(timezone.now(), membership.organization.zone)
    first = first or last - timedelta(days=29)
    if not timedelta(0) <= last - first < timedelta(days=MAX_DAYS):
        raise InvalidSettings(
            f"first must be on or before last, at most {MAX_DAYS} days apart.", fields={"first": "range"}
        )
    return [
        d.__dict__
        for d in registrations_and_revenue_by_day(organization=membership.organization, first=first, last=last)
    ]


@router.get("/orgs/{slug}/reports/incomplete", response={200: list[IncompleteOut], **REFUSALS})
@staff(Permission.MANAGE_SETTINGS)
def incomplete(request: StaffRequest, slug: str) -> object:
    """Live registrations not paid in full, by payment state (P3)."""
    membership = request.membership
    counts = incomplete_by_payment_state(organization=membership.organization, now=timezone.now())
    return [{"payment_state": str(state), "registrations": n} for state, n in counts.items()]
