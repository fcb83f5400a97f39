"""The staff JSON API of instructors' classes and rosters (issue 13, item 7; A3, A4): what the
office's roster pages do."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id
from attendance.instructors import assign_instructor
from attendance.rosters import Mark, classes_for, roster, save_roster
from attendance.selectors import RosterLine
from audit.models import Channel
from catalog.models import Meeting
from organizations.models import Permission

router = Router(tags=["staff"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


class ClassOut(Schema):
    id: int
    name: str
    next_meeting_at: datetime | None
    meeting_count: int


class RosterLineOut(Schema):
    registration_id: int
    participant_id: int
    participant_name: str
    household_id: int
    household_name: str
    status: str = Field(description='"present", "absent" or "" (nothing recorded)')
    reason_id: int | None
    reason_name: str | None
    recorded_by: str | None = Field(description="customer (the household may change it) or staff (read-only to it, A3)")


class RosterOut(Schema):
    meeting_id: int
    offering_id: int
    offering_name: str
    starts_at: datetime
    ends_at: datetime
    lines: list[RosterLineOut]


class MarkIn(Schema):
    participant_id: int = Field(ge=1, le=2**31 - 1)
    status: str = Field(default="", description='"present", "absent", or "" to clear')
    reason_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RosterIn(Schema):
    marks: list[MarkIn] = Field(max_length=1000)


def roster_out(meeting: Meeting, lines: list[RosterLine]) -> dict[str, object]:
    return {
        "meeting_id": meeting.pk,
        "offering_id": meeting.offering_id,
        "offering_name": meeting.offering.name,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "lines": [
            {
                "registration_id": line.registration.pk,
                "participant_id": line.registration.participant_id,
                "participant_name": line.registration.participant.full_name if line.registration.participant else "",
                "household_id": line.registration.household_id,
                "household_name": line.registration.household.name,
                "status": line.attendance.status if line.attendance else "",
                "reason_id": line.attendance.reason_id if line.attendance else None,
                "reason_name": line.attendance.reason.name if line.attendance and line.attendance.reason else None,
                "recorded_by": line.attendance.recorded_by_kind if line.attendance else None,
            }
            for line in lines
        ],
    }


@router.get("/orgs/{slug}/staff/classes", response={200: list[ClassOut], **REFUSALS})
@staff(Permission.ENROLL, Permission.TEACH)
def classes(request: StaffRequest, slug: str) -> list[dict[str, object]]:
    """A4: the classes this staff member teaches (every class for staff who enroll), soonest first."""
    membership = request.membership
    return [
        {
            "id": o.pk,
            "name": o.name,
            "next_meeting_at": getattr(o, "next_meeting_at", None),  # annotated by classes_for
            "meeting_count": getattr(o, "meeting_count", 0),
        }
        for o in classes_for(membership=membership, now=timezone.now())[:500]
    ]


@router.get("/orgs/{slug}/staff/meetings/{meeting_id}/roster", response={200: RosterOut, **REFUSALS})
@staff(Permission.ENROLL, Permission.TEACH)
def get_roster(request: StaffRequest, slug: str, meeting_id: Id) -> dict[str, object]:
    """A4: a meeting's roster with what is recorded for each participant."""
    meeting, lines = roster(membership=request.membership, meeting_id=meeting_id)
    return roster_out(meeting, lines)


@router.put("/orgs/{slug}/staff/meetings/{meeting_id}/attendance", response={200: RosterOut, **REFUSALS})
@staff(Permission.ENROLL, Permission.TEACH)
def put_attendance(request: StaffRequest, slug: str, meeting_id: Id, payload: RosterIn) -> dict[str, object]:
    """A4: record attendance for some or all of the roster; an empty status clears a record.
    What staff record is read-only to the household (A3)."""
    membership = request.membership
    save_roster(
        membership=membership,
        meeting_id=meeting_id,
        marks=[Mark(m.participant_id, m.status, m.reason_id) for m in payload.marks],
        channel=Channel.API,
    )
    meeting, lines = roster(membership=membership, meeting_id=meeting_id)
    return roster_out(meeting, lines)


@router.put("/orgs/{slug}/staff/offerings/{offering_id}/instructors/{membership_id}", response={204: None, **REFUSALS})
@staff(Permission.MANAGE_CATALOG)
def add_instructor(request: StaffRequest, slug: str, offering_id: Id, membership_id: Id) -> Status:
    """Assign an instructor (a staff membership with *teach*) to the class (needs *manage catalog*)."""
    assign_instructor(membership=request.membership, offering_id=offering_id, instructor_id=membership_id, teaches=True)
    return Status(204, None)


@router.delete(
    "/orgs/{slug}/staff/offerings/{offering_id}/instructors/{membership_id}", response={204: None, **REFUSALS}
)
@staff(Permission.MANAGE_CATALOG)
def remove_instructor(request: StaffRequest, slug: str, offering_id: Id, membership_id: Id) -> Status:
    assign_instructor(
        membership=request.membership, offering_id=offering_id, instructor_id=membership_id, teaches=False
    )
    return Status(204, None)
