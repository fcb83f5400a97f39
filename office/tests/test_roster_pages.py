"""Instructors at the roster (issue 13, item 7; A3, A4): their classes, a meeting's roster where
attendance is recorded, a CSV of it, and the household's view of what the instructor recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.errors import RecordedByInstructor
from attendance.instructors import assign_instructor
from attendance.models import AbsenceReason, Attendance
from attendance.services import mark_absent
from audit.models import AuditEvent
from catalog.models import Meeting
from catalog.tests.factories import make_offering
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_staff


def roster_url(world):
    return reverse("office:roster", args=[world.organization.slug, world.url_kwargs["meeting_id"]])


def participant(world):
    return world.household.participants.order_by("pk").first()


def test_a4_the_instructor_records_attendance_at_the_roster(world, client_for):
    instructor = client_for("instructor")
    page = instructor.get(roster_url(world)).content.decode()
    child = participant(world)
    assert child.full_name in page
    reason = AbsenceReason.objects.create(organization=world.organization, name="Sick", created_at=timezone.now())
    answer = instructor.post(roster_url(world), {f"status-{child.pk}": "absent", f"reason-{child.pk}": reason.pk})
    assert answer.status_code == 302
    record = Attendance.objects.get(participant=child, cleared_at__isnull=True)
    assert (record.status, record.reason_id, record.recorded_by_kind) == ("absent", reason.pk, "staff")
    assert AuditEvent.objects.filter(actor_id=world.users["instructor"].pk).exists()
    # the same form again changes nothing
    instructor.post(roster_url(world), {f"status-{child.pk}": "absent", f"reason-{child.pk}": reason.pk})
    assert Attendance.objects.filter(participant=child).count() == 1


def test_a4_present_with_an_absence_reason_records_present_and_says_the_reason_was_not_kept(world, client_for):
    """The roster saved 'Present' and dropped the reason without a word. A reason belongs to an
    absence (A2, A5): present is recorded and the page says the reason was not kept, naming the
    participant and the reason; the other rows are saved as entered."""
    instructor = client_for("instructor")
    child = participant(world)
    reason = AbsenceReason.objects.create(organization=world.organization, name="Sick", created_at=timezone.now())
    answer = instructor.post(
        roster_url(world), {f"status-{child.pk}": "present", f"reason-{child.pk}": reason.pk}, follow=True
    )
    page = answer.content.decode()
    assert "Attendance saved (1 changed)." in page
    assert (
        f"{child.full_name} is recorded present; the absence reason Sick was not kept: only an absence has a reason."
        in page
    )
    record = Attendance.objects.get(participant=child, cleared_at__isnull=True)
    assert (record.status, record.reason_id) == ("present", None)
    quiet = instructor.post(roster_url(world), {f"status-{child.pk}": "present", f"reason-{child.pk}": ""}, follow=True)
    assert "was not kept" not in quiet.content.decode()


def test_a3_what_the_instructor_recorded_the_household_cannot_change(world, client_for):
    child = participant(world)
    reason = AbsenceReason.objects.create(organization=world.organization, name="Sick", created_at=timezone.now())
    client_for("instructor").post(roster_url(world), {f"status-{child.pk}": "absent", f"reason-{child.pk}": reason.pk})
    with pytest.raises(RecordedByInstructor):
        mark_absent(
            household=world.household,
            participant_id=child.pk,
            meeting_id=world.url_kwargs["meeting_id"],
            reason_id=reason.pk,
            channel="portal",
            actor_id=world.users["customer"].pk,
        )


def test_a4_the_roster_downloads_as_csv(world, client_for):
    child = participant(world)
    client_for("frontdesk").post(roster_url(world), {f"status-{child.pk}": "present"})
    answer = client_for("frontdesk").get(roster_url(world) + "?format=csv")
    assert answer["Content-Type"].startswith("text/csv")
    body = answer.content.decode()
    assert body.splitlines()[0] == "Participant,Household,Phone,Attendance"
    assert f"{child.full_name},{world.household.name}" in body
    assert "Present" in body


def test_a4_an_instructor_sees_their_classes_and_not_a_colleagues(world, client_for):
    admin = world.staff["admin"]
    other_teacher = make_staff(world.organization, [Permission.TEACH])
    theirs = make_offering(world.organization, name="Colleague's pottery")
    Meeting.objects.create(
        offering=theirs,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    assign_instructor(membership=admin, offering_id=theirs.pk, instructor_id=other_teacher.pk, teaches=True)
    page = client_for("instructor").get(reverse("office:classes", args=[world.organization.slug])).content.decode()
    assert "Colleague&#x27;s pottery" not in page
    mine = world.url_kwargs["offering_id"]
    assert reverse("office:class_meetings", args=[world.organization.slug, mine]) in page
    answer = client_for("instructor").get(reverse("office:class_meetings", args=[world.organization.slug, theirs.pk]))
    assert answer.status_code == 404


def test_a4_only_catalog_managers_assign_instructors(world):
    teacher = world.staff["instructor"]
    with pytest.raises(PermissionDenied):
        assign_instructor(
            membership=world.staff["frontdesk"],
            offering_id=world.url_kwargs["offering_id"],
            instructor_id=teacher.pk,
            teaches=True,
        )
