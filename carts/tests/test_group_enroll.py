"""Group enroll at the desk (issue 13, item 4; S4, C6): all or nothing, or as many as fit."""

import pytest

from audit.models import AuditEvent
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart
from carts.services.group import GroupDoesNotFit, Member, group_enroll
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


@pytest.fixture
def desk(db):
    org = make_organization()
    staff = make_staff(org, [Permission.ENROLL])
    families = [make_household(org, children=2) for _ in range(3)]
    members = [Member(h.pk, p.pk) for h in families for p in h.participants.order_by("pk")]
    return org, staff, families, members


def held(offering):
    return Claim.objects.filter(offering=offering, state="held").count()


def test_s4_all_or_nothing_enrolls_the_whole_group_when_it_fits(desk):
    org, staff, families, members = desk
    offering = make_offering(org, capacity=6)
    outcome = group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="all")
    assert (len(outcome.enrolled), outcome.refused) == (6, [])
    assert held(offering) == 6
    assert {c.timer for c in Cart.objects.filter(household__in=families)} == {"office_class"}


def test_s4_all_or_nothing_is_refused_naming_the_seats_held_in_carts(desk):
    org, staff, _, members = desk
    offering = make_offering(org, capacity=6)
    stranger = make_household(org)
    add_to_cart(
        household=stranger, offering_id=offering.pk, participant_id=stranger.participants.first().pk, channel="portal"
    )
    with pytest.raises(GroupDoesNotFit, match=r"5 free place.*1 held in carts.*needs 6"):
        group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="all")
    assert held(offering) == 1  # only the stranger's


def test_s4_as_many_as_fit_enrolls_in_order_and_lists_the_rest(desk):
    org, staff, _, members = desk
    offering = make_offering(org, capacity=4)
    outcome = group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="fit")
    assert [m for m, _ in outcome.enrolled] == members[:4]
    assert [r.member for r in outcome.refused] == members[4:]
    assert {r.code for r in outcome.refused} == {"offering_full"}
    assert "full" in outcome.refused[0].reason
    assert held(offering) == 4


def test_c6_the_group_may_exceed_capacity_only_with_the_override(desk):
    org, staff, _, members = desk
    offering = make_offering(org, capacity=2)
    with pytest.raises(PermissionDenied):
        group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="all", override_reason="Team")
    boss = make_staff(org, [Permission.ENROLL, Permission.OVERRIDE_CAPACITY])
    outcome = group_enroll(
        membership=boss, offering_id=offering.pk, members=members, mode="all", override_reason="Team"
    )
    assert len(outcome.enrolled) == 6
    assert set(Claim.objects.filter(offering=offering).values_list("override_reason", flat=True)) == {"Team"}


def test_x1_a_household_of_another_organization_is_refused(desk):
    org, staff, _, members = desk
    offering = make_offering(org, capacity=10)
    elsewhere = make_household(make_organization())
    with pytest.raises(Exception, match="No such household"):
        group_enroll(
            membership=staff,
            offering_id=offering.pk,
            members=[*members, Member(elsewhere.pk, elsewhere.participants.first().pk)],
            mode="fit",
        )
    assert held(offering) == 0


def test_s4_all_or_nothing_is_one_transaction_a_failure_on_the_last_participant_leaves_nothing(desk):
    org, staff, families, members = desk
    offering = make_offering(org, capacity=10)
    stranger = families[1].participants.first()  # not of families[0]: refused under the locks
    with pytest.raises(GroupDoesNotFit, match="Nothing was enrolled"):
        group_enroll(
            membership=staff,
            offering_id=offering.pk,
            members=[*members, Member(families[0].pk, stranger.pk)],
            mode="all",
        )
    # Not even a released claim, an emptied cart or an "added" event: the adds were rolled back.
    assert not Claim.objects.filter(offering=offering).exists()
    assert not Cart.objects.filter(household__in=families).exists()
    assert not AuditEvent.objects.filter(verb__in=["cart.item_added", "offering.group_enrolled"]).exists()


def test_s4_all_or_nothing_names_the_participant_it_refused(desk):
    """'Nothing was enrolled: Pottery is for ages 16 and up; this participant is 11' left the
    desk guessing which of the group it was."""
    org, staff, families, members = desk
    offering = make_offering(org, capacity=10, min_age=40)
    first = families[0].participants.order_by("pk").first()
    with pytest.raises(GroupDoesNotFit) as refused:
        group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="all")
    assert str(refused.value).startswith(f"Nothing was enrolled: {first.full_name} ({families[0].name}): ")
    assert "is for ages 40 and up" in str(refused.value)
