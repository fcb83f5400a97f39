import pytest

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from capacity.models import Claim
from capacity.selectors import claim_counts
from carts import errors
from carts.services import add_to_cart, delete_hold, office_add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


def portal_add(household, offering):
    return add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )


def office_add(staff, household, offering, **kw):
    return office_add_to_cart(
        membership=staff,
        household=household,
        offering_id=offering.pk,
        participant_id=household.participants.first().pk,
        **kw,
    )


def test_s4_office_enrollment_counts_portal_holds_as_taken(org):
    offering = make_offering(org, capacity=1)
    portal_add(make_household(org), offering)
    with pytest.raises(CapacityShortfall) as refused:
        office_add(make_staff(org), make_household(org), offering)
    assert refused.value.details["held_in_carts"] == 1


def test_c6_override_exceeds_capacity_with_who_and_why(org):
    offering = make_offering(org, capacity=1)
    portal_add(make_household(org), offering)
    staff = make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY])
    claim = office_add(
        staff, make_household(org), offering, override_reason="Instructor approved a 9th swimmer"
    ).claims[0]
    assert (claim.override_by_id, claim.override_reason) == (staff.user_id, "Instructor approved a 9th swimmer")
    assert claim_counts(offering_ids=[offering.pk], now=claim.created_at)[offering.pk].taken == 2
    event = AuditEvent.objects.get(subject_id=claim.pk, verb="cart.item_added")
    assert event.data["override_reason"] == "Instructor approved a 9th swimmer"
    assert event.actor_id == staff.user_id


def test_c6_override_needs_the_permission_and_a_reason(org):
    offering = make_offering(org, capacity=0)
    enroll_only = make_staff(org, [Permission.ENROLL])
    with pytest.raises(PermissionDenied):
        office_add(enroll_only, make_household(org), offering, override_reason="please")
    allowed = make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY])
    with pytest.raises(errors.OverrideNotAllowed):
        office_add(allowed, make_household(org), offering, override_reason="   ")
    assert not Claim.objects.exists()


def test_staff_without_enroll_cannot_enroll(org, offering):
    with pytest.raises(PermissionDenied):
        office_add(make_staff(org, []), make_household(org), offering)


def test_x1_staff_cannot_enroll_a_household_of_another_organization(org, offering):
    staff = make_staff(org)
    stranger = make_household(make_organization())
    with pytest.raises(errors.ItemNotFound):
        office_add(staff, stranger, offering)


def test_s2_staff_with_delete_enrollments_frees_a_hold_at_once(org):
    offering = make_offering(org, capacity=1)
    household = make_household(org)
    claim = portal_add(household, offering).claims[0]
    staff = make_staff(org, [Permission.DELETE_ENROLLMENTS])
    delete_hold(membership=staff, claim_id=claim.pk)
    claim.refresh_from_db()
    assert (claim.state, claim.end_reason) == ("released", "deleted_by_staff")
    assert portal_add(make_household(org), offering).claims  # the seat is free at once
    event = AuditEvent.objects.get(verb="cart.hold_deleted")
    assert (event.actor_id, event.channel, event.subject_id) == (staff.user_id, "office", claim.pk)


def test_s2_staff_without_delete_enrollments_is_refused_and_nothing_changes(org, offering):
    claim = portal_add(make_household(org), offering).claims[0]
    with pytest.raises(PermissionDenied):
        delete_hold(membership=make_staff(org, [Permission.ENROLL]), claim_id=claim.pk)
    other_org_staff = make_staff(make_organization())
    with pytest.raises(errors.ItemNotFound):
        delete_hold(membership=other_org_staff, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.state == "held"
