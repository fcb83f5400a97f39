"""Writes on attendance: a household marks, changes or clears an absence (A2, A3); instructors
and staff record attendance (A4); administrators keep the absence-reason list (A5). Every
change is audited (X2) and none crosses organizations or households (X1)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance import errors, policies
from attendance.instructors import require_teaches
from attendance.models import AbsenceReason, Attendance
from audit.services import record
from capacity.models import Claim
from catalog.models import Meeting
from core.db.errors import violates_unique
from households.models import Household
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission
from registrations.models import Registration

LIVE_REGISTRATION_STATES = (Claim.State.TENTATIVE, Claim.State.CONFIRMED)


@transaction.atomic(durable=True)
def mark_absent(
    *, household: Household, participant_id: int, meeting_id: int, reason_id: int, channel: str, actor_id: int | None
) -> Attendance:
    """A2: the household says its participant will miss an upcoming meeting, with one of the
    organization's reasons usable by customers. Marking again changes the reason (A3); an
    attendance an instructor recorded is refused (A3)."""
    meeting, registration = _meeting_and_registration(
        organization_id=household.organization_id,
        household_id=household.pk,
        participant_id=participant_id,
        meeting_id=meeting_id,
    )
    reason = AbsenceReason.objects.filter(
        organization_id=household.organization_id, pk=reason_id, is_active=True, is_customer_usable=True
    ).first()
    if reason is None:
        raise errors.ReasonNotAvailable
    now = timezone.now()
    existing = _lock_live(meeting_id=meeting.pk, participant_id=participant_id)
    refusal = policies.customer_change_refusal(
        meeting_starts_at=meeting.starts_at, now=now, recorded_by_kind=existing.recorded_by_kind if existing else None
    )
    if refusal is not None:
        raise refusal
    return _write(
        existing,
        registration=registration,
        participant_id=participant_id,
        meeting=meeting,
        status=Attendance.Status.ABSENT,
        reason=reason,
        kind=Attendance.RecordedBy.CUSTOMER,
        channel=channel,
        actor_id=actor_id,
        now=now,
    )


@transaction.atomic(durable=True)
def clear_absence(
    *, household: Household, participant_id: int, meeting_id: int, channel: str, actor_id: int | None
) -> None:
    """A3: the household takes back an absence it set, before the meeting starts. An
    attendance an instructor recorded stays as it is."""
    meeting, _registration = _meeting_and_registration(
        organization_id=household.organization_id,
        household_id=household.pk,
        participant_id=participant_id,
        meeting_id=meeting_id,
    )
    now = timezone.now()
    existing = _lock_live(meeting_id=meeting.pk, participant_id=participant_id)
    if existing is None:
        raise errors.MeetingNotFound("No absence is recorded for this meeting.")
    refusal = policies.customer_change_refusal(
        meeting_starts_at=meeting.starts_at, now=now, recorded_by_kind=existing.recorded_by_kind
    )
    if refusal is not None:
        raise refusal
    _clear(existing, channel=channel, actor_id=actor_id, now=now)


@transaction.atomic(durable=True)
def record_attendance(
    *,
    membership: StaffMembership,
    meeting_id: int,
    participant_id: int,
    status: str,
    reason_id: int | None = None,
    channel: str,
) -> Attendance:
    """A4: an instructor or staff member records a participant present or absent (with any
    active reason of the list, or none). It replaces whatever the household had set, and the
    household then sees it read-only (A3)."""
    _require_attendance_permission(membership)
    if status not in Attendance.Status.values:
        raise errors.InvalidAttendance(f"Status must be one of: {', '.join(Attendance.Status.values)}.")
    meeting, registration = _meeting_and_registration(
        organization_id=membership.organization_id,
        household_id=None,
        participant_id=participant_id,
        meeting_id=meeting_id,
    )
    require_teaches(membership, meeting.offering_id)  # A4: an instructor, only their own classes
    reason = None
    if reason_id is not None:
        if status != Attendance.Status.ABSENT:
            raise errors.InvalidAttendance("Only an absence has a reason.")
        reason = AbsenceReason.objects.filter(
            organization_id=membership.organization_id, pk=reason_id, is_active=True
        ).first()
        if reason is None:
            raise errors.ReasonNotAvailable
    return _write(
        _lock_live(meeting_id=meeting.pk, participant_id=participant_id),
        registration=registration,
        participant_id=participant_id,
        meeting=meeting,
        status=status,
        reason=reason,
        kind=Attendance.RecordedBy.STAFF,
        channel=channel,
        actor_id=membership.user_id,
        now=timezone.now(),
    )


@transaction.atomic(durable=True)
def clear_attendance(*, membership: StaffMembership, meeting_id: int, participant_id: int, channel: str) -> None:
    """A4: staff take back an attendance record, whoever set it."""
    _require_attendance_permission(membership)
    meeting, _registration = _meeting_and_registration(
        organization_id=membership.organization_id,
        household_id=None,
        participant_id=participant_id,
        meeting_id=meeting_id,
    )
    require_teaches(membership, meeting.offering_id)
    existing = _lock_live(meeting_id=meeting.pk, participant_id=participant_id)
    if existing is None:
        raise errors.MeetingNotFound("No attendance is recorded for this meeting.")
    _clear(existing, channel=channel, actor_id=membership.user_id, now=timezone.now())


@transaction.atomic(durable=True)
def add_absence_reason(
    *, membership: StaffMembership, name: str, is_customer_usable: bool, channel: str
) -> AbsenceReason:
    """A5: a new entry of the organization's absence-reason list, at its end."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    name = _reason_name(name)
    last = (
        AbsenceReason.objects.filter(organization_id=membership.organization_id)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            reason = AbsenceReason.objects.create(
                organization_id=membership.organization_id,
                name=name,
                is_customer_usable=is_customer_usable,
                position=(last or 0) + 1,
                created_at=now,
            )
    except IntegrityError as exc:
        if not violates_unique(exc, "absence_reason_once_per_org"):
            raise
        raise errors.InvalidAbsenceReason(f"{name!r} is already in the list.", field="name") from exc
    _audit_reason(reason, "absence_reason.added", membership, channel, now, {"after": _reason_facts(reason)})
    return reason


@transaction.atomic(durable=True)
def change_absence_reason(
    *,
    membership: StaffMembership,
    reason_id: int,
    channel: str,
    name: str | None = None,
    is_customer_usable: bool | None = None,
    is_active: bool | None = None,
) -> AbsenceReason:
    """A5: rename a reason, say whether customers may use it, or retire it (inactive). Records
    already made keep the reason they were given."""
    require_permission(membership, Permission.MANAGE_SETTINGS)
    reason = (
        AbsenceReason.objects.select_for_update()
        .filter(organization_id=membership.organization_id, pk=reason_id)
        .first()
    )
    if reason is None:
        raise errors.InvalidAbsenceReason("No such absence reason in this organization.")
    before = _reason_facts(reason)
    if name is not None:
        reason.name = _reason_name(name)
    if is_customer_usable is not None:
        reason.is_customer_usable = is_customer_usable
    if is_active is not None:
        reason.is_active = is_active
    try:
        with transaction.atomic():
            reason.save(update_fields=["name", "is_customer_usable", "is_active"])
    except IntegrityError as exc:
        if not violates_unique(exc, "absence_reason_once_per_org"):
            raise
        raise errors.InvalidAbsenceReason(f"{reason.name!r} is already in the list.", field="name") from exc
    _audit_reason(
        reason,
        "absence_reason.changed",
        membership,
        channel,
        timezone.now(),
        {"before": before, "after": _reason_facts(reason)},
    )
    return reason


def _require_attendance_permission(membership: StaffMembership) -> None:
    if not membership.has_permission(Permission.ENROLL):
        require_permission(membership, Permission.TEACH)


def _meeting_and_registration(
    *, organization_id: int, household_id: int | None, participant_id: int, meeting_id: int
) -> tuple[Meeting, Registration]:
    """The meeting and the participant's live registration in its offering, in this
    organization (and household, for a household's own request); else MeetingNotFound."""
    meeting = Meeting.objects.filter(pk=meeting_id, offering__organization_id=organization_id).first()
    registrations = Registration.objects.filter(
        organization_id=organization_id,
        participant_id=participant_id,
        deleted_at__isnull=True,
        claim__state__in=LIVE_REGISTRATION_STATES,
    )
    if household_id is not None:
        registrations = registrations.filter(household_id=household_id)
    registration = (
        registrations.filter(offering_id=meeting.offering_id).order_by("pk").first() if meeting is not None else None
    )
    if meeting is None or registration is None:
        raise errors.MeetingNotFound
    return meeting, registration


def _lock_live(*, meeting_id: int, participant_id: int) -> Attendance | None:
    return (
        Attendance.objects.select_for_update(of=("self",))
        .filter(meeting_id=meeting_id, participant_id=participant_id, cleared_at__isnull=True)
        .select_related("reason", "registration")
        .first()
    )


def _write(
    existing: Attendance | None,
    *,
    registration: Registration,
    participant_id: int,  # the registration's
    meeting: Meeting,
    status: str,
    reason: AbsenceReason | None,
    kind: str,
    channel: str,
    actor_id: int | None,
    now: datetime,
) -> Attendance:
    before = _facts(existing) if existing else None
    if existing is None:
        try:
            with transaction.atomic():  # savepoint: a concurrent first record wins on the unique key
                attendance = Attendance.objects.create(
                    organization_id=registration.organization_id,
                    meeting=meeting,
                    participant_id=participant_id,
                    registration=registration,
                    status=status,
                    reason=reason,
                    recorded_by_kind=kind,
                    recorded_by_id=actor_id,
                    channel=channel,
                    recorded_at=now,
                )
        except IntegrityError as exc:
            if not violates_unique(exc, "attendance_once_per_meeting"):
                raise
            raise errors.InvalidAttendance("Attendance for this meeting was just recorded; reload to see it.") from exc
    else:
        attendance = existing
        attendance.status, attendance.reason = status, reason
        attendance.recorded_by_kind, attendance.recorded_by_id = kind, actor_id
        attendance.channel, attendance.recorded_at = channel, now
        attendance.save(update_fields=["status", "reason", "recorded_by_kind", "recorded_by", "channel", "recorded_at"])
    verb = "attendance.absence_marked" if kind == Attendance.RecordedBy.CUSTOMER else "attendance.recorded"
    _audit(attendance, verb, channel, actor_id, now, {"before": before, "after": _facts(attendance)})
    return attendance


def _clear(attendance: Attendance, *, channel: str, actor_id: int | None, now: datetime) -> None:
    attendance.cleared_at, attendance.cleared_by_id = now, actor_id
    attendance.save(update_fields=["cleared_at", "cleared_by"])
    _audit(attendance, "attendance.cleared", channel, actor_id, now, {"before": _facts(attendance)})


def _facts(attendance: Attendance) -> dict[str, object]:
    return {
        "status": attendance.status,
        "reason": attendance.reason.name if attendance.reason else None,
        "recorded_by": attendance.recorded_by_kind,
    }


def _audit(
    attendance: Attendance, verb: str, channel: str, actor_id: int | None, now: datetime, data: dict[str, object]
) -> None:
    record(
        organization_id=attendance.organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        subject_type="attendance",
        subject_id=attendance.pk,
        household_id=attendance.registration.household_id,
        data={"meeting": attendance.meeting_id, "participant": attendance.participant_id} | data,
        now=now,
    )


def _reason_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise errors.InvalidAbsenceReason("Enter the reason's name.", field="name")
    limit = AbsenceReason._meta.get_field("name").max_length
    if limit is not None and len(cleaned) > limit:
        raise errors.InvalidAbsenceReason("A reason's name is at most 100 characters.", field="name")
    return cleaned


def _reason_facts(reason: AbsenceReason) -> dict[str, object]:
    return {"name": reason.name, "is_customer_usable": reason.is_customer_usable, "is_active": reason.is_active}


def _audit_reason(
    reason: AbsenceReason, verb: str, membership: StaffMembership, channel: str, now: datetime, data: dict[str, object]
) -> None:
    record(
        organization_id=reason.organization_id,
        verb=verb,
        channel=channel,
        actor_id=membership.user_id,
        subject_type="absence_reason",
        subject_id=reason.pk,
        data=data,
        now=now,
    )
