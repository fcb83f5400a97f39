"""S1, S2, S7 at the desk with Django's test client: the occupancy view and its Enrollment
Reservations, deleting a hold or a cart (permission, confirmation, audit, email), and the
Pending list; their query counts do not grow with the number of seats or rows."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from bulk.tests.helpers import enroll
from capacity.models import Claim
from carts.services import add_to_cart
from catalog.models import Offering
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.models import Organization


def url(world, path=""):
    return f"/office/{world.organization.slug}/{path}"


def hold_for(organization, offering, household=None):
    household = household or make_household(organization)
    return add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    ).claims[0]


def test_s1_occupancy_shows_the_seats_and_every_live_hold_with_who_since_time_left_and_channel(world, client_for):
    offering = make_offering(world.organization, capacity=4, name="Judo", kind=Offering.Kind.CLASS)
    claim = hold_for(world.organization, offering)
    page = client_for("frontdesk").get(url(world, f"occupancy/{offering.pk}/"))
    body = page.content.decode()
    assert "Enrollment Reservations" in body
    assert claim.household.name in body
    assert claim.participant.full_name in body
    assert "Portal" in body
    assert " min " in body
    assert page.context["seats"].held == 1
    assert page.context["seats"].free == 3
    # the polling request gets only the live part
    partial = client_for("frontdesk").get(url(world, f"occupancy/{offering.pk}/"), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'hx-trigger="every 10s"' in partial.content.decode()


def test_s2_the_delete_control_is_absent_without_the_permission_and_the_server_refuses(world, client_for):
    offering = make_offering(world.organization, capacity=4)
    claim = hold_for(world.organization, offering)
    desk_page = client_for("frontdesk").get(url(world, f"occupancy/{offering.pk}/")).content.decode()
    assert "Delete the hold" not in desk_page
    refused = client_for("frontdesk").post(url(world, f"holds/{claim.pk}/delete/"), {"confirmed": "yes"})
    assert refused.status_code == 403
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.HELD
    assert "Delete the hold" in client_for("manager").get(url(world, f"occupancy/{offering.pk}/")).content.decode()


def test_s2_deleting_a_hold_asks_first_then_frees_the_seat_audits_and_emails_the_family(world, client_for):
    offering = make_offering(world.organization, capacity=1, name="Ceramics")
    claim = hold_for(world.organization, offering)
    manager = client_for("manager")
    asked = manager.post(url(world, f"holds/{claim.pk}/delete/"))
    assert asked.status_code == 200
    assert "Delete the hold" in asked.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.HELD
    done = manager.post(url(world, f"holds/{claim.pk}/delete/"), {"confirmed": "yes"})
    assert done.status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.RELEASED
    event = AuditEvent.objects.get(verb="cart.hold_deleted")
    assert event.actor_id == world.users["manager"].pk
    email = Notification.objects.get(kind="holds_released")
    assert email.to_email == claim.household.email
    assert "Ceramics" in email.body_text
    assert claim.participant.full_name in email.body_text


def test_s2_deleting_a_whole_cart_frees_every_seat_and_tells_the_family_which(world, client_for):
    household = make_household(world.organization, children=2)
    first, second = (make_offering(world.organization, capacity=3, name=n) for n in ("Chess", "Drama"))
    hold_for(world.organization, first, household)
    hold_for(world.organization, second, household)
    manager = client_for("manager")
    assert manager.post(url(world, f"households/{household.pk}/cart/delete/")).status_code == 200  # the question
    done = manager.post(url(world, f"households/{household.pk}/cart/delete/"), {"confirmed": "yes"})
    assert done.status_code == 302
    assert not Claim.objects.filter(household=household, state=Claim.State.HELD).exists()
    email = Notification.objects.get(kind="holds_released")
    assert "Chess" in email.body_text
    assert "Drama" in email.body_text
    assert AuditEvent.objects.filter(verb="cart.deleted", household_id=household.pk).count() == 1


def test_s1_occupancy_of_a_500_seat_camp_takes_as_many_queries_as_of_a_small_one(world, client_for):
    small = make_offering(world.organization, capacity=500, kind=Offering.Kind.CAMP)
    big = make_offering(world.organization, capacity=500, kind=Offering.Kind.CAMP)
    hold_for(world.organization, small)
    for _ in range(60):  # 60 households' holds; the count does not depend on how many
        hold_for(world.organization, big)
    for _ in range(20):
        enroll(world.organization, big)
    desk = client_for("frontdesk")
    desk.get(url(world, f"occupancy/{small.pk}/"))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        desk.get(url(world, f"occupancy/{small.pk}/"))
    with CaptureQueriesContext(connection) as many:
        page = desk.get(url(world, f"occupancy/{big.pk}/"))
    assert page.context["seats"].held == 60
    assert len(many) == len(one) <= 8, [q["sql"][:80] for q in many.captured_queries]


def test_s7_pending_lists_incomplete_registrations_with_their_payment_state_in_words(world, client_for):
    offering = make_offering(world.organization, capacity=10, price="40.00", name="Archery")
    t0 = timezone.now()
    unpaid = enroll(world.organization, offering, when=t0 - timedelta(hours=2))
    enroll(world.organization, offering, paid="40.00")
    partly = enroll(world.organization, offering, paid="10.00")
    desk = client_for("frontdesk")
    body = desk.get(url(world, "pending/")).content.decode()
    assert "Payment incomplete" in body
    assert "Partially paid" in body
    assert unpaid.household.name in body
    assert partly.household.name in body
    only_partial = desk.get(url(world, "pending/"), {"state": "partially_paid"}).content.decode()
    assert partly.household.name in only_partial
    assert unpaid.household.name not in only_partial
    searched = desk.get(url(world, "pending/"), {"q": unpaid.household.name}).content.decode()
    assert unpaid.household.name in searched
    assert partly.household.name not in searched


def test_s7_pending_lists_open_carts_with_time_left_and_who_holds_them(world, client_for):
    offering = make_offering(world.organization, capacity=10, name="Fencing")
    claim = hold_for(world.organization, offering)
    body = client_for("frontdesk").get(url(world, "pending/"), {"show": "carts"}).content.decode()
    assert claim.household.name in body
    assert "Fencing" in body
    assert "the family" in body
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        lapsed = client_for("frontdesk").get(url(world, "pending/"), {"show": "carts"}).content.decode()
    assert claim.household.name not in lapsed


def test_s7_a_pending_page_takes_as_many_queries_for_many_rows_as_for_few(world, client_for):
    offering = make_offering(world.organization, capacity=None, price="15.00")
    # Every row action shown (pay link, delete, delete the cart): an administrator, payments on.
    Organization.objects.filter(pk=world.organization.pk).update(payment_provider="sandbox")
    desk = client_for("admin")
    enroll(world.organization, offering)
    hold_for(world.organization, offering)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            page = desk.get(url(world, "pending/"), params)
        return len(captured), page

    queries()  # warm the session
    few_registrations, few_page = queries()
    few_carts, _ = queries(show="carts")
    for _ in range(70):
        enroll(world.organization, offering)
        hold_for(world.organization, offering)
    many_registrations, page = queries()
    many_carts, carts_page = queries(show="carts")
    assert page.context["page_obj"].paginator.count == few_page.context["page_obj"].paginator.count + 70
    assert len(page.context["registrations"]) == 50
    assert len(carts_page.context["carts"]) == 50
    assert (many_registrations, many_carts) == (few_registrations, few_carts)
    assert page.content.decode().count("Email a pay link for") == 50
    assert page.content.decode().count("Why delete it?") == 50
    assert carts_page.content.decode().count("Delete the cart of") == 50
