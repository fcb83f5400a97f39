"""Staff and permissions in the API (X1, X2), as Setup > Staff and permissions."""

from audit.models import AuditEvent
from organizations.models import Permission, StaffMembership
from organizations.tests.factories import make_organization, make_staff


def test_x1_an_administrator_lists_staff_and_changes_a_members_permissions(org, api_for):
    admin_member = make_staff(org)
    desk_member = make_staff(org, [Permission.ENROLL])
    admin = api_for(admin_member.user)
    listed = admin.get(f"/orgs/{org.slug}/setup/staff")
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()} == {admin_member.pk, desk_member.pk}
    changed = admin.patch(
        f"/orgs/{org.slug}/setup/staff/{desk_member.pk}", {"permissions": ["enroll", "take_payments"]}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["permissions"] == ["enroll", "take_payments"]
    event = AuditEvent.objects.get(verb="staff.changed")
    assert (event.channel, event.data["after"]["permissions"]) == ("api", ["enroll", "take_payments"])


def test_x5_unknown_fields_permissions_other_organizations_and_the_last_manager_are_refused(org, api_for):
    admin_member = make_staff(org)
    desk_member = make_staff(org, [Permission.ENROLL])
    outsider = make_staff(make_organization())
    admin = api_for(admin_member.user)
    base = f"/orgs/{org.slug}/setup/staff"
    assert admin.patch(f"{base}/{desk_member.pk}", {"permissions": ["fly"]}).status_code == 400
    assert admin.patch(f"{base}/{desk_member.pk}", {"bogus": 1}).status_code == 400
    assert admin.patch(f"{base}/{outsider.pk}", {"is_active": False}).status_code == 404
    assert admin.patch(f"{base}/{admin_member.pk}", {"is_active": False}).status_code == 409
    assert api_for(desk_member.user).get(base).status_code == 403
    assert StaffMembership.objects.get(pk=outsider.pk).is_active
    assert StaffMembership.objects.get(pk=admin_member.pk).is_active
    assert not AuditEvent.objects.filter(verb="staff.changed").exists()
