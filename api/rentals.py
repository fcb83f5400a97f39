"""S6 in the API: a household asks for a facility that requires approval (the request holds
its time), sees and withdraws its requests; staff with *enroll* see the approvals queue and
approve (order invoiced on account, payable online) or decline (time released, customer told)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from api.access import CustomerRequest, StaffRequest, customer, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id, Instant
from audit.models import Channel
from organizations.models import Permission
from rentals import services
from rentals.models import RentalRequest
from rentals.selectors import requests_of_household, requests_of_organization

router = Router(tags=["rental requests"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}
RequestStatus = Literal["pending", "approved", "declined", "withdrawn"]


class RentalRequestIn(Schema):
    facility_id: Id = Field(ge=1)
    starts_at: Instant = Field(description="with its UTC offset; the first slot's start")
    ends_at: Instant = Field(description="with its UTC offset; the last slot's end")
    note: str = Field(default="", max_length=500, description="the customer's words to the office")


class DecisionIn(Schema):
    note: str = Field(default="", max_length=500, description="told to the customer by email")


class RentalRequestOut(Schema):
    id: int
    household_id: int
    household_name: str
    facility_id: Id
    facility_name: str
    starts_at: datetime
    ends_at: datetime
    total: Decimal
    status: RequestStatus
    note: str
    decision_note: str
    order_id: int | None = Field(description="the order an approval made, on account")
    requested_at: datetime
    decided_at: datetime | None


def request_out(request: RentalRequest) -> dict[str, object]:
    return {
        "id": request.pk,
        "household_id": request.household_id,
        "household_name": request.household.name,
        "facility_id": request.facility_id,
        "facility_name": request.facility.name,
        "starts_at": request.starts_at,
        "ends_at": request.ends_at,
        "total": request.total,
        "status": request.status,
        "note": request.note,
        "decision_note": request.decision_note,
        "order_id": request.order_id,
        "requested_at": request.requested_at,
        "decided_at": request.decided_at,
    }


@router.post("/orgs/{slug}/rental-requests", response={201: RentalRequestOut, **REFUSALS})
@customer
def ask(request: CustomerRequest, slug: str, payload: RentalRequestIn) -> Status:
    """Ask for facility time that needs the office's approval (S6): the time is held at once
    (409 `offering_full` if taken) until staff decide or the rental starts. A facility that
    needs no approval answers 400 `approval_not_required`: add it to the cart instead."""
    household = request.household
    made = services.request_rental(household=household, channel=Channel.API, actor_id=request.auth.pk, **payload.dict())
    return Status(201, request_out(made))


@router.get("/orgs/{slug}/rental-requests", response={200: list[RentalRequestOut], **REFUSALS})
@customer
def my_requests(request: CustomerRequest, slug: str) -> list[dict[str, object]]:
    household = request.household
    return [request_out(r) for r in requests_of_household(household_id=household.pk).select_related("household")]


@router.delete("/orgs/{slug}/rental-requests/{request_id}", response={200: RentalRequestOut, **REFUSALS})
@customer
def withdraw(request: CustomerRequest, slug: str, request_id: Id) -> dict[str, object]:
    """Withdraw a request still waiting: its time is free at once (409 once decided)."""
    household = request.household
    done = services.withdraw_request(
        household=household, request_id=request_id, channel=Channel.API, actor_id=request.auth.pk
    )
    return request_out(done)


@router.get("/orgs/{slug}/office/rental-requests", response={200: list[RentalRequestOut], **REFUSALS})
@staff(Permission.ENROLL)
def queue(request: StaffRequest, slug: str, status: Query[RequestStatus | None] = None) -> list[dict[str, object]]:
    """The approvals queue (staff with *enroll*), oldest first; `status` filters it."""
    membership = request.membership
    return [request_out(r) for r in requests_of_organization(organization_id=membership.organization_id, status=status)]


@router.post("/orgs/{slug}/office/rental-requests/{request_id}/approve", response={200: RentalRequestOut, **REFUSALS})
@staff(Permission.ENROLL)
def approve(request: StaffRequest, slug: str, request_id: Id, payload: DecisionIn) -> dict[str, object]:
    """Approve: an order invoiced on account, payable online; the customer is emailed.
    409 `rental_request_decided` once decided, `rental_request_lapsed` once its time started."""
    done = services.approve_request(membership=request.membership, request_id=request_id, **payload.dict())
    return request_out(done)


@router.post("/orgs/{slug}/office/rental-requests/{request_id}/decline", response={200: RentalRequestOut, **REFUSALS})
@staff(Permission.ENROLL)
def decline(request: StaffRequest, slug: str, request_id: Id, payload: DecisionIn) -> dict[str, object]:
    """Decline: the time is released and the customer emailed, with the note as the reason."""
    done = services.decline_request(membership=request.membership, request_id=request_id, reason=payload.note)
    return request_out(done)
