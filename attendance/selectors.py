"""Reads of attendance: the absence-reason list (A2, A5), a household's upcoming courses with
their meetings, attendance and the balance owing on each course's order (A1-A3), and the
roster of one meeting (A4)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef

from attendance.models import AbsenceReason, Attendance
from capacity.models import Claim
from carts.selectors import orders_in_cart
from catalog.models import Meeting
from households.models import Household
from orders.selectors import payable_balances
from registrations.models import Registration

LIVE_REGISTRATION_STATES = (Claim.State.TENTATIVE, Claim.State.CONFIRMED)


def absence_reasons(*, organization_id: int, for_customers: bool) -> list[AbsenceReason]:
    """The active reasons of the organization's list, in its order; for a household only those
    marked usable by customers (A2)."""
    reasons = AbsenceReason.objects.filter(organization_id=organization_id, is_active=True)
    if for_customers:
        reasons = reasons.filter(is_customer_usable=True)
    return list(reasons.order_by("position", "name", "pk"))


def all_absence_reasons(*, organization_id: int) -> list[AbsenceReason]:
    """Every reason of the list, retired ones included, for the administrators' page (A5)."""
    return list(AbsenceReason.objects.filter(organization_id=organization_id).order_by("position", "name", "pk"))


@dataclass(frozen=True)
class MeetingLine:
    meeting: Meeting
    attendance: Attendance | None
    is_upcoming: bool  # not started yet: the household may still say the participant will miss it

    @property
    def can_change(self) -> bool:
        """A2, A3: the household may mark, change or clear the absence."""
        return self.is_upcoming and (self.attendance is None or self.attendance.is_customer_changeable)


@dataclass(frozen=True)
class UpcomingCourse:
    registration: Registration  # with its offering, participant and order loaded
    meetings: list[MeetingLine]
    order_in_cart: bool  # B4: the order's balance is in the household's cart
    order_payable_online: bool  # B3: its balance may be added to the cart

    @property
    def balance(self) -> Decimal:
        return self.registration.order.balance

    @property
    def order_awaiting_payment(self) -> bool:
        """A checkout that was not paid (P2): paid through its own pay page (P7), not the cart."""
        order = self.registration.order
        return order.balance > 0 and order.payment_required and not order.on_account


def upcoming_courses(*, household: Household, now: datetime) -> list[UpcomingCourse]:
    """A1: the household's live registrations in courses with a meeting still to come, each
    with all its meetings (the past ones as its attendance history) and what it owes. Five
    queries, whatever the number of courses and meetings."""
    registrations = list(
        Registration.objects.filter(
            household_id=household.pk,
            deleted_at__isnull=True,
            claim__state__in=LIVE_REGISTRATION_STATES,
        )
        .filter(Exists(Meeting.objects.filter(offering_id=OuterRef("offering_id"), ends_at__gt=now)))
        .select_related("offering", "participant", "order")
        .order_by("offering__starts_on", "offering__name", "participant__first_name", "pk")
    )
    if not registrations:
        return []
    meetings: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in Meeting.objects.filter(offering_id__in={r.offering_id for r in registrations}).order_by(
        "starts_at", "pk"
    ):
        meetings[meeting.offering_id].append(meeting)
    records = attendance_of(
        participant_ids={r.participant_id for r in registrations if r.participant_id},
        meeting_ids={m.pk for ms in meetings.values() for m in ms},
    )
    payable = {order.pk for order in payable_balances(household=household)}
    in_cart = orders_in_cart(household=household, now=now)
    return [
        UpcomingCourse(
            registration=r,
            meetings=[
                MeetingLine(meeting=m, attendance=records.get((m.pk, r.participant_id)), is_upcoming=m.starts_at > now)
                for m in meetings[r.offering_id]
            ],
            order_in_cart=r.order_id in in_cart,
            order_payable_online=r.order_id in payable,
        )
        for r in registrations
    ]


def attendance_of(*, participant_ids: set[int], meeting_ids: set[int]) -> dict[tuple[int, int | None], Attendance]:
    """The live attendance records of these participants at these meetings, by (meeting,
    participant); a registration without a participant finds none there."""
    if not participant_ids or not meeting_ids:
        return {}
    return {
        (a.meeting_id, a.participant_id): a
        for a in Attendance.objects.filter(
            participant_id__in=participant_ids, meeting_id__in=meeting_ids, cleared_at__isnull=True
        ).select_related("reason")
    }


@dataclass(frozen=True)
class RosterLine:
    registration: Registration  # with its participant and household loaded
    attendance: Attendance | None


def meeting_roster(*, organization_id: int, meeting_id: int) -> tuple[Meeting, list[RosterLine]] | None:
    """A4: one meeting of the organization and every participant registered for its offering,
    with what is recorded for each; None for a meeting of another organization. Three queries."""
    meeting = (
        Meeting.objects.filter(pk=meeting_id, offering__organization_id=organization_id)
        .select_related("offering")
        .first()
    )
    if meeting is None:
        return None
    registrations = list(
        Registration.objects.filter(
            organization_id=organization_id,
            offering_id=meeting.offering_id,
            deleted_at__isnull=True,
            claim__state__in=LIVE_REGISTRATION_STATES,
            participant__isnull=False,
        )
        .select_related("participant", "household")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    records = attendance_of(
        participant_ids={
            r.participant_id for r in registrations if r.participant_id is not None
        },  # each: the query asks for one
        meeting_ids={meeting.pk},
    )
    return meeting, [RosterLine(r, records.get((meeting.pk, r.participant_id))) for r in registrations]
