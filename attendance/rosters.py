"""Instructors' classes and rosters (A4, issue 13 item 7): the classes a staff member teaches with
their next meeting, a class's meetings, and a whole roster's attendance saved at once."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from attendance import errors
from attendance.instructors import require_teaches, sees_every_class
from attendance.models import Attendance, Teaching
from attendance.selectors import RosterLine, meeting_roster
from attendance.services import clear_attendance, record_attendance
from catalog.models import Meeting, Offering
from organizations.models import StaffMembership


def classes_for(*, membership: StaffMembership, now: datetime) -> QuerySet[Offering]:
    """The classes this staff member teaches (every class with meetings for staff who enroll),
    each with `next_meeting_at` and `meeting_count`, soonest first. One query."""
    offerings = Offering.objects.filter(
        organization_id=membership.organization_id, is_archived=False, meetings__isnull=False
    ).distinct()
    if not sees_every_class(membership):
        mine = Teaching.objects.filter(offering_id=OuterRef("pk"), membership_id=membership.pk)
        offerings = offerings.filter(Exists(mine))
    return offerings.annotate(
        next_meeting_at=Min("meetings__starts_at", filter=Q(meetings__ends_at__gte=now)),
        meeting_count=Count("meetings", distinct=True),
    ).order_by("next_meeting_at", "name", "pk")


@dataclass(frozen=True)
class ClassMeetings:
    offering: Offering
    meetings: list[Meeting]
    instructors: list[StaffMembership]


def class_meetings(*, membership: StaffMembership, offering_id: int) -> ClassMeetings | None:
    """A class of the organization this staff member teaches, with its meetings and instructors."""
    offering = Offering.objects.filter(organization_id=membership.organization_id, pk=offering_id).first()
    if offering is None:
        return None
    require_teaches(membership, offering.pk)
    return ClassMeetings(
        offering=offering,
        meetings=list(offering.meetings.order_by("starts_at")),
        instructors=[
            t.membership for t in Teaching.objects.filter(offering=offering).select_related("membership__user")
        ],
    )


def roster(*, membership: StaffMembership, meeting_id: int) -> tuple[Meeting, list[RosterLine]]:
    """A4: one meeting's roster, for a staff member who teaches the class."""
    found = meeting_roster(organization_id=membership.organization_id, meeting_id=meeting_id)
    if found is None:
        raise errors.MeetingNotFound
    require_teaches(membership, found[0].offering_id)
    return found


@dataclass(frozen=True)
class Mark:
    participant_id: int
    status: str  # "present", "absent", or "" (nothing recorded)
    reason_id: int | None = None


def reasons_not_kept(marks: Sequence[Mark]) -> list[Mark]:
    """The marks that say present with an absence reason: present is recorded and the reason is
    not (A2, A5: a reason belongs to an absence), which the roster says rather than drop unsaid."""
    return [m for m in marks if m.status == Attendance.Status.PRESENT and m.reason_id is not None]


def save_roster(*, membership: StaffMembership, meeting_id: int, marks: Sequence[Mark], channel: str) -> int:
    """Save what the roster form says, participant by participant: a change is recorded (by
    staff: the household then sees it read-only, A3), a row emptied clears what was there, an
    unchanged row writes nothing. Returns how many rows changed."""
    meeting, lines = roster(membership=membership, meeting_id=meeting_id)
    current: dict[int, Attendance | None] = {
        line.registration.participant_id: line.attendance
        for line in lines
        if line.registration.participant_id is not None
    }
    changed = 0
    for mark in marks:
        if mark.participant_id not in current:
            raise errors.MeetingNotFound("This participant is not on the roster.")
        was = current[mark.participant_id]
        if not mark.status:
            if was is not None:
                clear_attendance(
                    membership=membership, meeting_id=meeting.pk, participant_id=mark.participant_id, channel=channel
                )
                changed += 1
            continue
        reason_id = mark.reason_id if mark.status == Attendance.Status.ABSENT else None
        if was is not None and was.status == mark.status and was.reason_id == reason_id:
            continue
        record_attendance(
            membership=membership,
            meeting_id=meeting.pk,
            participant_id=mark.participant_id,
            status=mark.status,
            reason_id=reason_id,
            channel=channel,
        )
        changed += 1
    return changed
