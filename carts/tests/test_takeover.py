"""S3: the office takes over a cart the customer started, explicitly, and completes it; T5: the
office's class and camp wizards run on their own timers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from capacity.models import Claim
from carts import errors
from carts.models import Cart
from carts.selectors import open_cart_view
from carts.services import (
    add_rental_to_cart,
    add_to_cart,
    empty_cart,
    office_add_rental_to_cart,
    office_add_to_cart,
    remove_from_cart,
    take_over_cart,
)
from carts.services.checkout import checkout
from catalog.models import Offering
from catalog.tests.factories import make_facility_with_slots, make_offering
from households.tests.factories import make_household
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def at(minutes):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


@pytest.fixture
def timed(db):
    return make_organization(
        cart_timeout_minutes=20,
        cart_limit_minutes=60,
        office_class_timeout_minutes=45,
        office_class_limit_minutes=90,
        office_camp_timeout_minutes=30,
        office_camp_limit_minutes=100,
    )


def portal_add(household, offering, person=0):
    return add_to_cart(
        household=household,
        offering_id=offering.pk,
        participant_id=list(household.participants.order_by("pk"))[person].pk,
        channel="portal",
        actor_id=household.payer_id,
    )


def office_add(staff, household, offering, person=0, **kw):
    return office_add_to_cart(
        membership=staff,
        household=household,
        offering_id=offering.pk,
        participant_id=list(household.participants.order_by("pk"))[person].pk,
        **kw,
    )


def test_t5_the_camp_wizard_and_the_class_wizard_have_their_own_timers(timed):
    staff = make_staff(timed)
    with at(0):
        camp = office_add(staff, make_household(timed), make_offering(timed, kind=Offering.Kind.CAMP)).cart
        lesson = office_add(staff, make_household(timed), make_offering(timed)).cart
    assert (camp.timer, camp.expires_at) == (Cart.Timer.OFFICE_CAMP, T0 + timedelta(minutes=30))
    assert (lesson.timer, lesson.expires_at) == (Cart.Timer.OFFICE_CLASS, T0 + timedelta(minutes=45))


def test_s3_staff_cannot_add_to_a_customers_cart_without_taking_it_over(timed):
    household = make_household(timed, children=2)
    with at(0):
        portal_add(household, make_offering(timed))
    with at(1), pytest.raises(errors.CustomerCartOpen) as refused:
        office_add(make_staff(timed), household, make_offering(timed), person=1)
    assert "already started a registration" in str(refused.value)
    assert Claim.objects.filter(household=household).count() == 1


def test_s3_taking_over_puts_the_cart_on_the_office_timer_from_now_and_is_audited(timed):
    household = make_household(timed, children=2)
    staff = make_staff(timed, [Permission.ENROLL])
    with at(0):
        held = portal_add(household, make_offering(timed)).claims[0]
    with at(10):
        cart = take_over_cart(membership=staff, household=household)
    assert cart.taken_over_by_id == staff.user_id
    assert cart.expires_at == T0 + timedelta(minutes=10 + 45)  # was 0 + 20 on the portal's timer
    event = AuditEvent.objects.get(verb="cart.taken_over")
    assert (event.actor_id, event.channel, event.household_id) == (staff.user_id, "office", household.pk)
    assert event.data["expires_at_before"] == (T0 + timedelta(minutes=20)).isoformat()
    # Staff now add, remove and check out for the household; the customer's seat stayed held.
    with at(30):
        office_add(staff, household, make_offering(timed), person=1)
        remove_from_cart(household=household, claim_id=held.pk, channel="office", actor_id=staff.user_id)
        order = checkout(household=household, channel="office", actor_id=staff.user_id).order
    assert order.lines.count() == 1
    assert order.payment_required is False  # an office order waits for staff (G4)


def test_s3_the_customer_sees_the_office_completing_the_cart_and_cannot_add_to_it(timed):
    household = make_household(timed, children=2)
    with at(0):
        portal_add(household, make_offering(timed))
        take_over_cart(membership=make_staff(timed), household=household)
        view = open_cart_view(household=household, now=T0)
    assert view.held_by_office
    assert view.taken_over_at == T0
    with at(1), pytest.raises(errors.CartHeldByOffice):
        portal_add(household, make_offering(timed), person=1)
    with at(2):  # but may still empty it (T6), and the next add starts afresh as theirs
        empty_cart(household=household, channel="portal")
        again = portal_add(household, make_offering(timed), person=1).cart
    assert (again.timer, again.taken_over_by_id, again.is_held_by_office) == (Cart.Timer.PORTAL, None, False)


def test_s3_s5_a_rental_in_a_customers_cart_is_taken_over_and_completed_at_the_desk(timed):
    household = make_household(timed)
    facility, slots = make_facility_with_slots(timed, first_slot=T0 + timedelta(days=3))
    staff = make_staff(timed)
    with at(0):
        add_rental_to_cart(
            household=household,
            facility_id=facility.pk,
            starts_at=slots[0].starts_at,
            ends_at=slots[1].ends_at,
            channel="portal",
        )
        take_over_cart(membership=staff, household=household)
        office_add_rental_to_cart(
            membership=staff,
            household=household,
            facility_id=facility.pk,
            starts_at=slots[2].starts_at,
            ends_at=slots[2].ends_at,
        )
        order = checkout(household=household, channel="office", actor_id=staff.user_id).order
    assert sorted(line.offering_id for line in order.lines.all()) == [s.pk for s in slots[:3]]


def test_s3_nothing_to_take_over_and_no_permission_are_refused(timed):
    household = make_household(timed)
    with pytest.raises(errors.NothingToTakeOver):
        take_over_cart(membership=make_staff(timed), household=household)
    with at(0):
        portal_add(household, make_offering(timed))
    with pytest.raises(PermissionDenied):
        take_over_cart(membership=make_staff(timed, [Permission.TAKE_PAYMENTS]), household=household)
    with pytest.raises(errors.ItemNotFound):  # another organization's household
        take_over_cart(membership=make_staff(make_organization()), household=household)
    with at(21), pytest.raises(errors.NothingToTakeOver):  # its timer ran out: nothing is held
        take_over_cart(membership=make_staff(timed), household=household)
    assert not Cart.objects.filter(taken_over_by__isnull=False).exists()
