import pytest

from attendance import errors
from attendance.selectors import absence_reasons, all_absence_reasons
from attendance.services import add_absence_reason, change_absence_reason
from audit.models import AuditEvent
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


def test_a5_administrators_add_and_change_reasons_and_each_change_is_audited(org):
    admin = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])
    sick = add_absence_reason(membership=admin, name="  Sick ", is_customer_usable=True, channel="office")
    no_show = add_absence_reason(membership=admin, name="No show", is_customer_usable=False, channel="office")
    assert (sick.name, sick.position, no_show.position) == ("Sick", 1, 2)
    assert absence_reasons(organization_id=org.pk, for_customers=True) == [sick]
    assert absence_reasons(organization_id=org.pk, for_customers=False) == [sick, no_show]

    change_absence_reason(membership=admin, reason_id=sick.pk, is_active=False, channel="office")
    assert absence_reasons(organization_id=org.pk, for_customers=False) == [no_show]
    assert [r.name for r in all_absence_reasons(organization_id=org.pk)] == ["Sick", "No show"]
    changed = AuditEvent.objects.get(verb="absence_reason.changed")
    assert (changed.data["before"]["is_active"], changed.data["after"]["is_active"]) == (True, False)
    assert AuditEvent.objects.filter(verb="absence_reason.added").count() == 2


def test_a5_a_name_already_in_the_list_is_refused_whatever_its_case(org):
    admin = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])
    add_absence_reason(membership=admin, name="Sick", is_customer_usable=True, channel="office")
    with pytest.raises(errors.InvalidAbsenceReason, match="already in the list"):
        add_absence_reason(membership=admin, name="sick", is_customer_usable=False, channel="office")
    with pytest.raises(errors.InvalidAbsenceReason, match="Enter"):
        add_absence_reason(membership=admin, name="   ", is_customer_usable=False, channel="office")
    assert len(all_absence_reasons(organization_id=org.pk)) == 1


def test_a5_only_settings_managers_of_the_organization_change_the_list(org):
    admin = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])
    reason = add_absence_reason(membership=admin, name="Sick", is_customer_usable=True, channel="office")
    with pytest.raises(PermissionDenied):
        add_absence_reason(
            membership=make_staff(org, permissions=[Permission.TEACH]),
            name="Late",
            is_customer_usable=True,
            channel="office",
        )
    other_admin = make_staff(make_organization(), permissions=[Permission.MANAGE_SETTINGS])
    with pytest.raises(errors.InvalidAbsenceReason):
        change_absence_reason(membership=other_admin, reason_id=reason.pk, name="Ill", channel="office")
    reason.refresh_from_db()
    assert reason.name == "Sick"
