"""Setup > Staff and permissions (X1, X2): an administrator changes what a staff member may do
from the office, audited; nobody can remove the organization's last manager of the settings."""

from django.urls import reverse

from audit.models import AuditEvent
from organizations.models import Permission, StaffMembership


def page_url(world):
    return reverse("office:setup_staff", args=[world.organization.slug])


def test_x1_an_administrator_gives_the_front_desk_the_delete_permission_and_it_is_audited(world, client_for):
    desk = world.staff["frontdesk"]
    admin = client_for("admin")
    assert (
        "Staff and permissions" in admin.get(reverse("office:setup", args=[world.organization.slug])).content.decode()
    )
    page = admin.get(page_url(world)).content.decode()
    assert "Delete enrollments" in page
    wanted = [*desk.permissions, Permission.DELETE_ENROLLMENTS]
    answer = admin.post(page_url(world), {"member": desk.pk, "permissions": wanted, "active": "yes"})
    assert answer.status_code == 302
    desk.refresh_from_db()
    assert Permission.DELETE_ENROLLMENTS in desk.permissions
    event = AuditEvent.objects.get(verb="staff.changed")
    assert Permission.DELETE_ENROLLMENTS not in event.data["before"]["permissions"]
    assert Permission.DELETE_ENROLLMENTS in event.data["after"]["permissions"]
    log = admin.get(reverse("office:setup_audit", args=[world.organization.slug])).content.decode()
    assert "Changed a staff member&#x27;s permissions" in log


def test_x1_only_a_manager_of_the_settings_may_change_staff_and_never_another_organizations(world, client_for):
    desk = world.staff["frontdesk"]
    before = list(StaffMembership.objects.values("pk", "permissions", "is_active").order_by("pk"))
    for role in ("frontdesk", "manager", "instructor"):
        answer = client_for(role).post(page_url(world), {"member": desk.pk, "permissions": ["manage_settings"]})
        assert answer.status_code == 403, role
    outsider = StaffMembership.objects.filter(organization=world.other_organization).first()
    answer = client_for("admin").post(page_url(world), {"member": outsider.pk, "permissions": [], "active": "yes"})
    assert answer.status_code == 404  # another organization's member: not found here, nothing said of it
    assert outsider.user.get_username() not in answer.content.decode()
    assert list(StaffMembership.objects.values("pk", "permissions", "is_active").order_by("pk")) == before


def test_x1_the_last_manager_of_the_settings_cannot_lose_it_or_be_made_inactive(world, client_for):
    me = world.staff["admin"]
    admin = client_for("admin")
    others = StaffMembership.objects.filter(organization=world.organization).exclude(pk=me.pk)
    assert not any(Permission.MANAGE_SETTINGS in m.permissions for m in others)
    kept = [p for p in me.permissions if p != Permission.MANAGE_SETTINGS]
    for form in ({"permissions": kept, "active": "yes"}, {"permissions": me.permissions}):
        answer = admin.post(page_url(world), {"member": me.pk, **form})
        assert answer.status_code == 409
        assert "last active staff member who may manage the settings" in answer.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert Permission.MANAGE_SETTINGS in me.permissions
    assert not AuditEvent.objects.filter(verb="staff.changed").exists()
