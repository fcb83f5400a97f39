"""S3, S4, C6, T5 and the walk-up sale at the desk, with Django's test client: a cart the family
started is announced and taken over explicitly; staff add (held seats shown beside confirmed,
a warning before a seat that is only held), override with a reason, book a rental by time
range, remove, check out and take the payment until paid in full."""

import datetime as dt
from datetime import timedelta

import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.models import Offering
from catalog.tests.factories import make_facility_with_slots, make_offering
from households.tests.factories import make_household
from orders.models import Order
from payments.models import Payment


def url(world, path=""):
    return f"/office/{world.organization.slug}/{path}"


def test_s3_a_cart_the_family_started_is_announced_and_taken_over_only_explicitly(world, client_for):
    household = Claim.objects.get(pk=world.url_kwargs["claim_id"]).household  # a family holding a seat from the portal
    desk = client_for("frontdesk")
    page = desk.get(url(world, f"households/{household.pk}/enroll/")).content.decode()
    assert "This contact has already started a registration" in page
    assert f"households/{household.pk}/#cart" in page
    offering = make_offering(world.organization, capacity=5, name="Karate")
    kid = household.participants.first()
    refused = desk.post(
        url(world, f"households/{household.pk}/enroll/add/"), {"offering": offering.pk, "participant": kid.pk}
    )
    assert refused.status_code in (200, 400, 409)
    assert not Claim.objects.filter(offering=offering).exists()
    taken = desk.post(url(world, f"households/{household.pk}/cart/take-over/"))
    assert taken.status_code == 302
    cart = Cart.objects.get(household=household, status=Cart.Status.OPEN)
    assert cart.taken_over_by_id == world.users["frontdesk"].pk
    assert cart.timer in (Cart.Timer.OFFICE_CLASS, Cart.Timer.OFFICE_CAMP)
    assert AuditEvent.objects.filter(verb="cart.taken_over", household_id=household.pk).exists()
    added = desk.post(
        url(world, f"households/{household.pk}/enroll/add/"), {"offering": offering.pk, "participant": kid.pk}
    )
    assert added.status_code == 302
    assert Claim.objects.filter(offering=offering, state=Claim.State.HELD, cart=cart).exists()


def test_t5_a_camp_enrolled_at_the_desk_runs_on_the_camp_wizards_timer(world, client_for):
    household = make_household(world.organization)
    camp = make_offering(world.organization, capacity=5, kind=Offering.Kind.CAMP, name="Camp Week 1")
    client_for("frontdesk").post(
        url(world, f"households/{household.pk}/enroll/add/"),
        {"offering": camp.pk, "participant": household.participants.first().pk},
    )
    cart = Cart.objects.get(household=household, status=Cart.Status.OPEN)
    assert cart.timer == Cart.Timer.OFFICE_CAMP
    assert cart.channel == "office"


def test_s4_choices_show_held_seats_beside_confirmed_and_warn_before_needing_a_held_one(world, client_for):
    offering = make_offering(world.organization, capacity=1, name="Tiny Class")
    other = make_household(world.organization)
    add_to_cart(
        household=other, offering_id=offering.pk, participant_id=other.participants.first().pk, channel="portal"
    )
    household = make_household(world.organization)
    desk = client_for("frontdesk")
    page = desk.get(url(world, f"households/{household.pk}/enroll/")).content.decode()
    assert "Tiny Class (0 free; 0 confirmed, 1 held in carts — full unless a held seat comes back)" in page
    warned = desk.post(
        url(world, f"households/{household.pk}/enroll/add/"),
        {"offering": offering.pk, "participant": household.participants.first().pk},
    )
    assert warned.status_code == 409
    assert (
        "1 are held in other families" in warned.content.decode() or "held in other families" in warned.content.decode()
    )
    assert not Claim.objects.filter(offering=offering, household=household).exists()


def test_c5_choices_tell_unpaid_registrations_apart_from_confirmed_ones(world, client_for):
    """A tentative (unpaid) registration keeps its seat (P2) but is not confirmed: the desk's
    choices say so instead of counting it as confirmed."""
    offering = make_offering(world.organization, capacity=3, name="Pottery")
    other = make_household(world.organization)
    add_to_cart(
        household=other, offering_id=offering.pk, participant_id=other.participants.first().pk, channel="portal"
    )
    checkout(household=other, channel="portal")  # unpaid: tentative
    household = make_household(world.organization)
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/enroll/")).content.decode()
    assert "Pottery (2 free; 0 confirmed, 1 unpaid, 0 held in carts)" in page


def test_c6_override_beyond_capacity_needs_the_permission_and_a_reason_and_is_recorded(world, client_for):
    offering = make_offering(world.organization, capacity=1, name="Full Class")
    other = make_household(world.organization)
    add_to_cart(
        household=other, offering_id=offering.pk, participant_id=other.participants.first().pk, channel="portal"
    )
    household = make_household(world.organization)
    kid = household.participants.first()
    form = {"offering": offering.pk, "participant": kid.pk, "override_reason": "Sibling already enrolled"}
    assert (
        "Reason to enroll beyond capacity"
        not in client_for("frontdesk").get(url(world, f"households/{household.pk}/enroll/")).content.decode()
    )
    refused = client_for("frontdesk").post(url(world, f"households/{household.pk}/enroll/add/"), form)
    assert refused.status_code == 403  # a missing permission, as the API says it (it was a 400)
    assert "Enroll beyond capacity" in refused.content.decode()
    assert not Claim.objects.filter(offering=offering, household=household).exists()
    done = client_for("manager").post(url(world, f"households/{household.pk}/enroll/add/"), form)
    assert done.status_code == 302
    claim = Claim.objects.get(offering=offering, household=household)
    assert claim.override_reason == "Sibling already enrolled"
    assert claim.override_by_id == world.users["manager"].pk


def test_c6_an_override_reason_over_500_characters_is_refused_beside_it_not_cut_short(world, client_for):
    """The reason was cut to 500 characters without a word (the input's maxlength, the service's
    slice): it is refused whole, beside the field, naming the limit, and nothing is held."""
    offering = make_offering(world.organization, capacity=0, name="Full Class")
    household = make_household(world.organization)
    kid = household.participants.first()
    page = client_for("manager").get(url(world, f"households/{household.pk}/enroll/")).content.decode()
    assert 'name="override_reason" maxlength' not in page
    assert "at most 500 characters" in page
    form = {"offering": offering.pk, "participant": kid.pk, "override_reason": "x" * 501}
    refused = client_for("manager").post(url(world, f"households/{household.pk}/enroll/add/"), form)
    assert refused.status_code == 400
    assert "The reason may be at most 500 characters; this one has 501." in refused.content.decode()
    assert refused.context["form"].errors["override_reason"]
    assert not Claim.objects.filter(offering=offering, household=household).exists()
    form["override_reason"] = "x" * 500
    assert client_for("manager").post(url(world, f"households/{household.pk}/enroll/add/"), form).status_code == 302
    assert Claim.objects.get(offering=offering, household=household).override_reason == "x" * 500


def test_c6_the_group_page_refuses_an_override_reason_over_500_characters(world, client_for):
    offering = make_offering(world.organization, capacity=0, name="Team swim")
    household = make_household(world.organization)
    member = f"{household.pk}:{household.participants.first().pk}"
    group_url = url(world, f"offerings/{offering.pk}/group-enroll/")
    answer = client_for("manager").post(group_url, {"member": [member], "mode": "all", "override_reason": "y" * 600})
    assert answer.status_code == 400
    assert "at most 500 characters; this one has 600" in answer.content.decode()
    assert not Claim.objects.filter(offering=offering).exists()


def test_s5_a_rental_is_booked_at_the_desk_by_time_range(world, client_for):
    zone = world.organization.zone
    day = (timezone.now() + timedelta(days=3)).astimezone(zone).date()
    facility, _slots = make_facility_with_slots(
        world.organization, first_slot=dt.datetime.combine(day, dt.time(10), tzinfo=zone), slots=3
    )
    household = make_household(world.organization)
    booked = client_for("frontdesk").post(
        url(world, f"households/{household.pk}/enroll/rental/"),
        {"facility": facility.pk, "day": day.isoformat(), "starts": "10:00", "ends": "12:00"},
    )
    assert booked.status_code == 302
    assert Claim.objects.filter(household=household, state=Claim.State.HELD).count() == 2


def test_s5_a_rental_that_has_started_is_refused_at_the_desk_as_started(world, client_for):
    zone = world.organization.zone
    first = dt.datetime.combine(timezone.now().astimezone(zone).date(), dt.time(14), tzinfo=zone)
    facility, _slots = make_facility_with_slots(world.organization, first_slot=first, slots=2)
    household = make_household(world.organization)
    desk = client_for("frontdesk")
    with time_machine.travel(first + timedelta(minutes=90), tick=False):  # in the second slot
        refused = desk.post(
            url(world, f"households/{household.pk}/enroll/rental/"),
            {"facility": facility.pk, "day": first.date().isoformat(), "starts": "14:00", "ends": "16:00"},
        )
    assert refused.status_code == 409
    assert "That time has already started" in refused.content.decode()
    assert not Claim.objects.filter(household=household).exists()


def test_walk_up_sale_from_an_empty_cart_to_paid_in_full(world, client_for):
    offering = make_offering(world.organization, capacity=5, price="45.00", name="Swim Lessons")
    household = make_household(world.organization)
    desk = client_for("frontdesk")
    assert household.name in desk.get(url(world, "walk-up/"), {"q": household.name}).content.decode()
    desk.post(
        url(world, f"households/{household.pk}/enroll/add/"),
        {"offering": offering.pk, "participant": household.participants.first().pk, "walkup": "1"},
    )
    removed_and_back = desk.get(url(world, f"households/{household.pk}/enroll/?walkup=1")).content.decode()
    assert "Swim Lessons" in removed_and_back
    assert "Check out and take the payment" in removed_and_back
    checked_out = desk.post(url(world, f"households/{household.pk}/checkout/"))
    order = Order.objects.get(household=household)
    assert checked_out.status_code == 302
    assert checked_out["Location"].endswith(f"walk-up/orders/{order.pk}/")
    pay_page = desk.get(checked_out["Location"])
    key = pay_page.context["form"].initial["key"]
    paid = desk.post(checked_out["Location"], {"method": "cash", "amount": "45.00", "key": key})
    assert paid.status_code == 302
    again = desk.post(checked_out["Location"], {"method": "cash", "amount": "45.00", "key": key})  # a double submit
    assert again.status_code in (302, 400)
    order.refresh_from_db()
    assert order.balance == 0
    assert Payment.objects.filter(household=household).count() == 1
    assert "Paid in full" in desk.get(checked_out["Location"]).content.decode()


def test_s3_staff_remove_an_item_from_the_cart_the_office_holds(world, client_for):
    offering = make_offering(world.organization, capacity=5, name="Yoga")
    household = make_household(world.organization)
    desk = client_for("frontdesk")
    desk.post(
        url(world, f"households/{household.pk}/enroll/add/"),
        {"offering": offering.pk, "participant": household.participants.first().pk},
    )
    claim = Claim.objects.get(household=household, state=Claim.State.HELD)
    assert desk.post(url(world, f"households/{household.pk}/cart/remove/"), {"claim": claim.pk}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.RELEASED
