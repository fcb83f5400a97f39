from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from attendance import errors
from attendance.models import Attendance
from attendance.services import clear_absence, clear_attendance, mark_absent, record_attendance
from attendance.tests.factories import make_instructor, make_meetings, make_reason, register
from audit.models import AuditEvent
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from registrations.services import delete_registration

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def course(org, clock):
    """A household registered for a class of three weekly meetings, the first in a week."""
    household = make_household(org)
    offering = make_offering(org)
    meetings = make_meetings(offering, first=T0 + timedelta(days=7))
    registration = register(household, offering)
    return household, registration, meetings


@pytest.fixture
def sick(org):
    return make_reason(org, "Sick")


def mark(household, registration, meeting, reason, **kw):
    return mark_absent(
        household=household,
        participant_id=registration.participant_id,
        meeting_id=meeting.pk,
        reason_id=reason.pk,
        channel="portal",
        actor_id=household.payer_id,
        **kw,
    )


def live(meeting, registration):
    return Attendance.objects.filter(meeting=meeting, participant_id=registration.participant_id, cleared_at=None)


def test_a2_household_marks_a_participant_absent_with_a_customer_reason(course, sick):
    household, registration, meetings = course
    attendance = mark(household, registration, meetings[1], sick)
    assert (attendance.status, attendance.reason, attendance.recorded_by_kind) == ("absent", sick, "customer")
    assert attendance.recorded_by_id == household.payer_id
    event = AuditEvent.objects.get(verb="attendance.absence_marked")
    assert (event.household_id, event.data["after"]["reason"], event.data["before"]) == (household.pk, "Sick", None)


@pytest.mark.parametrize("which", ["staff_only", "inactive", "other_organization"])
def test_a2_reasons_not_usable_by_customers_are_refused_and_nothing_is_written(course, which):
    household, registration, meetings = course
    reason = {
        "staff_only": lambda: make_reason(household.organization, "No show", customer_usable=False),
        "inactive": lambda: make_reason(household.organization, "Old", active=False),
        "other_organization": lambda: make_reason(make_organization(), "Sick"),
    }[which]()
    with pytest.raises(errors.ReasonNotAvailable):
        mark(household, registration, meetings[0], reason)
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="attendance.").exists()


def test_a3_household_changes_then_clears_its_own_absence(course, sick, clock):
    household, registration, meetings = course
    vacation = make_reason(household.organization, "Vacation")
    first = mark(household, registration, meetings[0], sick)
    changed = mark(household, registration, meetings[0], vacation)
    assert changed.pk == first.pk
    assert changed.reason == vacation
    clear_absence(
        household=household,
        participant_id=registration.participant_id,
        meeting_id=meetings[0].pk,
        channel="portal",
        actor_id=household.payer_id,
    )
    assert not live(meetings[0], registration).exists()
    archived = Attendance.objects.get(pk=first.pk)
    assert archived.cleared_at == T0
    assert archived.reason == vacation
    again = mark(household, registration, meetings[0], sick)
    assert again.pk != first.pk
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="attendance.").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["attendance.absence_marked"] * 2 + ["attendance.cleared", "attendance.absence_marked"]


def test_a3_what_an_instructor_recorded_cannot_be_changed_or_cleared_by_the_household(course, sick, org):
    household, registration, meetings = course
    instructor = make_instructor(org, registration.offering)
    no_show = make_reason(org, "Excused", customer_usable=False)
    mark(household, registration, meetings[0], sick)
    record_attendance(
        membership=instructor,
        meeting_id=meetings[0].pk,
        participant_id=registration.participant_id,
        status="absent",
        reason_id=no_show.pk,
        channel="office",
    )
    with pytest.raises(errors.RecordedByInstructor):
        mark(household, registration, meetings[0], sick)
    with pytest.raises(errors.RecordedByInstructor):
        clear_absence(
            household=household,
            participant_id=registration.participant_id,
            meeting_id=meetings[0].pk,
            channel="portal",
            actor_id=household.payer_id,
        )
    record = live(meetings[0], registration).get()
    assert (record.reason, record.recorded_by_kind, record.recorded_by_id) == (no_show, "staff", instructor.user_id)


def test_a2_a_meeting_that_has_started_cannot_be_marked(course, sick, clock):
    household, registration, meetings = course
    clock.move_to(meetings[0].starts_at)
    with pytest.raises(errors.MeetingStarted):
        mark(household, registration, meetings[0], sick)
    assert mark(household, registration, meetings[1], sick).status == "absent"


def test_x1_another_household_or_an_unregistered_meeting_is_not_found(course, sick, org):
    household, registration, meetings = course
    stranger = make_household(org)
    with pytest.raises(errors.MeetingNotFound):
        mark(stranger, registration, meetings[0], sick)  # someone else's participant
    other_meetings = make_meetings(make_offering(org), first=T0 + timedelta(days=3))
    with pytest.raises(errors.MeetingNotFound):
        mark(household, registration, other_meetings[0], sick)  # not registered for it
    assert not Attendance.objects.exists()


def test_a2_a_deleted_registration_can_no_longer_mark_absences(course, sick, org):
    household, registration, meetings = course
    delete_registration(membership=make_staff(org), registration_id=registration.pk)
    with pytest.raises(errors.MeetingNotFound):
        mark(household, registration, meetings[0], sick)


def test_a4_staff_need_teach_or_enroll_and_their_record_replaces_the_households(course, sick, org):
    household, registration, meetings = course
    mark(household, registration, meetings[0], sick)
    cashier = make_staff(org, permissions=[Permission.TAKE_PAYMENTS])
    with pytest.raises(Exception, match="permission"):
        record_attendance(
            membership=cashier,
            meeting_id=meetings[0].pk,
            participant_id=registration.participant_id,
            status="present",
            channel="office",
        )
    desk = make_staff(org, permissions=[Permission.ENROLL])
    record_attendance(
        membership=desk,
        meeting_id=meetings[0].pk,
        participant_id=registration.participant_id,
        status="present",
        channel="office",
    )
    record = live(meetings[0], registration).get()
    assert (record.status, record.reason, record.recorded_by_kind) == ("present", None, "staff")
    clear_attendance(
        membership=desk, meeting_id=meetings[0].pk, participant_id=registration.participant_id, channel="office"
    )
    assert not live(meetings[0], registration).exists()


def test_a4_staff_of_another_organization_cannot_record(course):
    _household, registration, meetings = course
    outsider = make_staff(make_organization())
    with pytest.raises(errors.MeetingNotFound):
        record_attendance(
            membership=outsider,
            meeting_id=meetings[0].pk,
            participant_id=registration.participant_id,
            status="present",
            channel="office",
        )


def test_a4_a_present_participant_has_no_absence_reason(course, sick, org):
    _household, registration, meetings = course
    with pytest.raises(errors.InvalidAttendance):
        record_attendance(
            membership=make_staff(org),
            meeting_id=meetings[0].pk,
            participant_id=registration.participant_id,
            status="present",
            reason_id=sick.pk,
            channel="office",
        )
    assert not Attendance.objects.exists()


def test_a4_an_instructor_records_attendance_only_in_the_classes_assigned_to_them(course, org):
    """Issue 15 item 3: a class with no instructor assigned was every instructor's."""
    _household, registration, meetings = course
    unassigned = make_staff(org, permissions=[Permission.TEACH])
    colleague = make_instructor(org, make_offering(org))
    for instructor in (unassigned, colleague):
        with pytest.raises(PermissionDenied):
            record_attendance(
                membership=instructor,
                meeting_id=meetings[0].pk,
                participant_id=registration.participant_id,
                status="present",
                channel="office",
            )
    assert not live(meetings[0], registration).exists()
    record_attendance(
        membership=make_instructor(org, registration.offering),
        meeting_id=meetings[0].pk,
        participant_id=registration.participant_id,
        status="present",
        channel="office",
    )
    assert live(meetings[0], registration).get().status == "present"
