"""The staff API of rosters (issue 13, item 7; A4): the same services as the roster page."""

from datetime import timedelta

from django.utils import timezone

from bulk.tests.helpers import enroll
from catalog.models import Meeting
from catalog.tests.factories import make_offering
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


def test_a4_an_instructor_reads_the_roster_and_records_attendance(db, api_for):
    org = make_organization()
    offering = make_offering(org, name="Judo")
    enroll(org, offering, paid="50.00")
    meeting = Meeting.objects.create(
        offering=offering,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    teacher = make_staff(org, [Permission.TEACH])
    api = api_for(teacher.user)
    assert api.get(f"/orgs/{org.slug}/staff/classes").json() == []  # nobody's class is every instructor's
    assert api.get(f"/orgs/{org.slug}/staff/meetings/{meeting.pk}/roster").status_code == 403
    admin = api_for(make_staff(org, list(Permission.values)).user)
    assert admin.put(f"/orgs/{org.slug}/staff/offerings/{offering.pk}/instructors/{teacher.pk}").status_code == 204
    [judo] = api.get(f"/orgs/{org.slug}/staff/classes").json()
    assert (judo["name"], judo["meeting_count"]) == ("Judo", 1)
    roster = api.get(f"/orgs/{org.slug}/staff/meetings/{meeting.pk}/roster").json()
    [line] = roster["lines"]
    assert line["status"] == ""
    saved = api.put(
        f"/orgs/{org.slug}/staff/meetings/{meeting.pk}/attendance",
        {"marks": [{"participant_id": line["participant_id"], "status": "present"}]},
    )
    assert saved.status_code == 200
    assert (saved.json()["lines"][0]["status"], saved.json()["lines"][0]["recorded_by"]) == ("present", "staff")
    assert admin.delete(f"/orgs/{org.slug}/staff/offerings/{offering.pk}/instructors/{teacher.pk}").status_code == 204
    assert api.get(f"/orgs/{org.slug}/staff/meetings/{meeting.pk}/roster").status_code == 403
    assert api.get(f"/orgs/{org.slug}/staff/classes").json() == []
