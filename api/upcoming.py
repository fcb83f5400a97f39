"""Upcoming courses and absences in the API (A1-A3, X3: the portal's upcoming-courses page), and
what became of a payment (the portal's return page after paying)."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from api.access import CustomerRequest, customer
from api.auth import AUTH
from api.schemas import ErrorOut, PaymentSessionOut
from api.types import Id
from attendance import selectors as attendance_selectors
from attendance.models import Attendance
from attendance.services import clear_absence, mark_absent
from audit.models import Channel
from notifications.links import portal_link
from payments.errors import NothingToPay, PaymentNotFound
from payments.selectors import PaymentOutcome, household_payment
from payments.services import start_online_payment

router = Router(tags=["upcoming courses"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


class CustomerReasonOut(Schema):
    id: int
    name: str


class AttendanceOut(Schema):
    status: str = Field(description="present or absent")
    reason_id: Id | None
    reason_name: str | None
    recorded_by: str = Field(description="customer (the household may change it) or staff (read-only, A3)")
    recorded_at: datetime


class UpcomingMeetingOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    is_upcoming: bool
    can_change: bool = Field(description="A2, A3: the household may mark, change or clear an absence")
    attendance: AttendanceOut | None


class UpcomingCourseOut(Schema):
    registration_id: Id
    offering_id: Id
    offering_name: str
    participant_id: Id | None
    participant_name: str | None
    order_id: Id
    order_number: str
    balance: Decimal = Field(description="A1: owing on the course's order")
    order_payable_online: bool = Field(description="B3: the balance may be added to the cart")
    order_in_cart: bool = Field(description="B4: the balance is in the cart already")
    meetings: list[UpcomingMeetingOut]


class AbsenceIn(Schema):
    reason_id: Id


class OrderStatusOut(Schema):
    order_id: Id
    order_number: str
    status: str
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    deletion_due_at: datetime | None = Field(
        description="G3: when the unpaid registrations are deleted if still unpaid; null when they are kept"
    )


class PaymentStatusOut(Schema):
    id: int
    status: str = Field(description="open (still pending at the provider), paid, declined or abandoned")
    amount: Decimal
    orders: list[OrderStatusOut]


def _attendance(record: Attendance | None) -> dict[str, object] | None:
    if record is None:
        return None
    return {
        "status": record.status,
        "reason_id": record.reason_id,
        "reason_name": record.reason.name if record.reason else None,
        "recorded_by": record.recorded_by_kind,
        "recorded_at": record.recorded_at,
    }


@router.get("/orgs/{slug}/upcoming-courses", response={200: list[UpcomingCourseOut], **REFUSALS})
@customer
def upcoming_courses(request: CustomerRequest, slug: str) -> list[dict[str, object]]:
    """A1: the household's courses with a meeting still to come, their meetings with any
    attendance recorded, and the balance owing on each course's order."""
    household = request.household
    return [
        {
            "registration_id": course.registration.pk,
            "offering_id": course.registration.offering_id,
            "offering_name": course.registration.offering.name,
            "participant_id": course.registration.participant_id,
            "participant_name": course.registration.participant.full_name if course.registration.participant else None,
            "order_id": course.registration.order_id,
            "order_number": course.registration.order.number,
            "balance": course.balance,
            "order_payable_online": course.order_payable_online,
            "order_in_cart": course.order_in_cart,
            "meetings": [
                {
                    "id": line.meeting.pk,
                    "starts_at": line.meeting.starts_at,
                    "ends_at": line.meeting.ends_at,
                    "is_upcoming": line.is_upcoming,
                    "can_change": line.can_change,
                    "attendance": _attendance(line.attendance),
                }
                for line in course.meetings
            ],
        }
        for course in attendance_selectors.upcoming_courses(household=household, now=timezone.now())
    ]


@router.get("/orgs/{slug}/absence-reasons", response={200: list[CustomerReasonOut], **REFUSALS})
@customer
def absence_reasons(request: CustomerRequest, slug: str) -> object:
    """A2: the reasons a household may give, those of the list marked usable by customers."""
    household = request.household
    return attendance_selectors.absence_reasons(organization_id=household.organization_id, for_customers=True)


@router.put(
    "/orgs/{slug}/household/participants/{participant_id}/meetings/{meeting_id}/absence",
    response={200: AttendanceOut, **REFUSALS},
)
@customer
def set_absence(request: CustomerRequest, slug: str, participant_id: Id, meeting_id: Id, payload: AbsenceIn) -> object:
    """A2, A3: mark the participant absent from an upcoming meeting, or change the reason; 409
    `recorded_by_instructor` or `meeting_started` when the household may not."""
    household = request.household
    record = mark_absent(
        household=household,
        participant_id=participant_id,
        meeting_id=meeting_id,
        reason_id=payload.reason_id,
        channel=Channel.API,
        actor_id=request.auth.pk,
    )
    return _attendance(record)


@router.delete(
    "/orgs/{slug}/household/participants/{participant_id}/meetings/{meeting_id}/absence",
    response={204: None, **REFUSALS},
)
@customer
def remove_absence(request: CustomerRequest, slug: str, participant_id: Id, meeting_id: Id) -> Status:
    """A3: take back an absence the household set, before the meeting starts."""
    household = request.household
    clear_absence(
        household=household,
        participant_id=participant_id,
        meeting_id=meeting_id,
        channel=Channel.API,
        actor_id=request.auth.pk,
    )
    return Status(204, None)


def payment_status_out(outcome: PaymentOutcome) -> dict[str, object]:
    return {
        "id": outcome.session.pk,
        "status": outcome.status,
        "amount": outcome.session.amount,
        "orders": [
            {
                "order_id": o.order.pk,
                "order_number": o.order.number,
                "status": o.order.status,
                "total": o.order.total,
                "amount_paid": o.order.amount_paid,
                "balance": o.order.balance,
                "deletion_due_at": o.deletion_due_at,
            }
            for o in outcome.orders
        ],
    }


def _outcome(request: CustomerRequest, slug: str, payment_id: Id) -> PaymentOutcome:
    household = request.household
    outcome = household_payment(household=household, session_id=payment_id, now=timezone.now())
    if outcome is None:
        raise PaymentNotFound
    return outcome


@router.get("/orgs/{slug}/payments/{payment_id}", response={200: PaymentStatusOut, **REFUSALS})
@customer
def payment_status(request: CustomerRequest, slug: str, payment_id: Id) -> dict[str, object]:
    """The confirmation status of a payment: still pending (the provider's webhook has not
    arrived), paid, declined or abandoned, and each of its orders as it is now."""
    return payment_status_out(_outcome(request, slug, payment_id))


@router.post("/orgs/{slug}/payments/{payment_id}/retry", response={201: PaymentSessionOut, **REFUSALS})
@customer
def pay_again(request: CustomerRequest, slug: str, payment_id: Id) -> Status:
    """Pay now, after a decline: a new payment for what is still owed on the same orders."""
    outcome = _outcome(request, slug, payment_id)
    plan = outcome.plan_again
    if not plan:
        raise NothingToPay
    session = start_online_payment(
        household=outcome.session.household,
        plan=plan,
        return_url=payment_return_url(slug),
        channel=Channel.API,
        actor_id=request.user.pk,
    )
    return Status(201, session)


def payment_return_url(slug: str) -> str:
    """Where the provider sends the customer back: the portal's page that waits for the
    webhook ("{payment}" becomes the payment's id), never a JSON page."""
    page = portal_link("portal:payment_return", slug=slug)
    if not page:  # an installation without the portal's pages: the household's orders
        return f"{settings.SITE_URL.rstrip('/')}/api/v1/orgs/{slug}/orders"
    return page + "?payment={payment}"
