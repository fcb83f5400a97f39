"""Facility rentals in the portal (S5, S6): a family sees a facility's free and taken time for a
day or a week (its bookable openings, no other family's name), books a range into the cart or,
where the office approves, sends a request that holds the time; its requests and their state
are on the account home, with refusals in plain words."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from carts.services import add_rental_to_cart
from catalog.tests.factories import make_facility_with_slots, make_split_day_facility
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.models import Permission
from organizations.tests.factories import make_staff
from rentals.models import RentalRequest
from rentals.services import decline_request

NOW = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)  # a Sunday; the rentals are on Monday 2 March
MONDAY = dt.date(2026, 3, 2)


def make_gym(org, *, approval=False, name="Gym B"):
    """Open 07:00-12:00 and 14:00-21:00 on Mondays, with hourly slots in those hours on 2 March."""
    return make_split_day_facility(org, MONDAY, name=name, requires_approval=approval)


def at(org, hour):
    return dt.datetime.combine(MONDAY, dt.time(hour), org.zone)


@pytest.fixture
def family(org, client):
    household = make_household(org)
    client.force_login(household.payer)
    return household


def page(client, org, facility, view="day", day=MONDAY):
    return client.get(reverse("portal:rentals", args=[org.slug]), {"facility": facility.pk, "day": day, "view": view})


@time_machine.travel(NOW, tick=False)
def test_s5_a_family_sees_free_and_taken_time_without_other_families_names(org, family, client):
    gym = make_gym(org)
    stranger = make_household(org)
    add_rental_to_cart(
        household=stranger, facility_id=gym.pk, starts_at=at(org, 9), ends_at=at(org, 10), channel="portal"
    )
    add_rental_to_cart(
        household=family, facility_id=gym.pk, starts_at=at(org, 15), ends_at=at(org, 16), channel="portal"
    )
    body = page(client, org, gym).content.decode()
    assert "Open 7:00 a.m.\u201312:00 p.m., 2:00 p.m.\u20139:00 p.m." in body
    assert body.count(">Taken<") == 1
    assert body.count(">In your cart<") == 1
    assert body.count(">Free<") == 10
    assert stranger.name not in body
    form = page(client, org, gym).context
    assert dt.time(9) not in form["starts"]  # only free time is offered
    assert dt.time(15) not in form["starts"]
    week = page(client, org, gym, view="week", day=MONDAY).content.decode()
    assert "Book on Monday 2 March" in week


@time_machine.travel(NOW, tick=False)
def test_s5_the_booking_form_says_its_times_as_the_slot_table_does(org, family, client):
    """The From and Until choices read 5:00 p.m., as the table of slots above them does; what
    the form posts back stays HH:MM."""
    body = page(client, org, make_gym(org)).content.decode()
    assert '<option value="17:00">5:00 p.m.</option>' in body
    assert '<option value="21:00">9:00 p.m.</option>' in body
    assert ">17:00<" not in body


@time_machine.travel(NOW, tick=False)
def test_s5_a_facility_booked_by_its_listed_slots_alone_does_not_say_it_has_no_hours(org, family, client):
    """A facility without bookable hours is booked by its listed slots (the demo's Community
    Hall): its day shows the free slots and the booking form, never "No bookable hours"."""
    hall, _slots = make_facility_with_slots(org, first_slot=at(org, 9), slots=3)
    body = page(client, org, hall).content.decode()
    assert "No bookable hours" not in body
    assert body.count(">Free<") == 3
    assert '<option value="09:00">9:00 a.m.</option>' in body
    empty = page(client, org, hall, day=MONDAY + dt.timedelta(days=1)).content.decode()
    assert empty.count("No bookable hours this day.") == 1  # said once, not twice


@time_machine.travel(NOW, tick=False)
def test_s5_a_family_books_a_range_into_the_cart_and_a_gap_is_refused_in_words(org, family, client):
    gym = make_gym(org)
    url = reverse("portal:rental_book", args=[org.slug])
    done = client.post(url, {"facility": gym.pk, "day": MONDAY, "from": "17:00", "until": "19:00"})
    assert done.status_code == 302
    said = client.get(done["Location"]).content.decode()
    assert "Gym B on Monday 2 March, 5:00 p.m. to 7:00 p.m. is in your cart" in said  # as the form says times
    assert done["Location"] == reverse("portal:cart", args=[org.slug])
    assert family.claims.filter(state="held").count() == 2
    refused = client.post(url, {"facility": gym.pk, "day": MONDAY, "from": "11:00", "until": "15:00"}, follow=True)
    assert "bookable hours: on Monday it is open 07:00-12:00, 14:00-21:00" in refused.content.decode()
    taken = client.post(url, {"facility": gym.pk, "day": MONDAY, "from": "18:00", "until": "20:00"}, follow=True)
    assert "Part of that time is already taken" in taken.content.decode()
    assert family.claims.filter(state="held").count() == 2  # nothing more held


def test_s5_a_time_of_today_that_has_started_is_refused_in_words_for_a_booking_and_a_request(org, family, client):
    gym, asked = make_gym(org), make_gym(org, approval=True, name="Hall")
    url = reverse("portal:rental_book", args=[org.slug])
    with time_machine.travel(at(org, 16) + dt.timedelta(minutes=30), tick=False):
        shown = page(client, org, gym).content.decode()
        assert (shown.count(">Started<"), shown.count(">Free<")) == (8, 4)  # 7:00-12:00 and 14:00-17:00 began
        assert 'value="16:00"' not in shown  # the form offers no start that has begun
        for facility in (gym, asked):
            refused = client.post(
                url, {"facility": facility.pk, "day": MONDAY, "from": "09:00", "until": "11:00"}, follow=True
            )
            assert "That time has already started: choose a rental time later than now." in refused.content.decode()
    assert not family.claims.exists()


@time_machine.travel(NOW, tick=False)
def test_s6_a_request_holds_its_time_and_the_page_says_it_waits_for_approval(org, family, client):
    gym = make_gym(org, approval=True)
    url = reverse("portal:rental_book", args=[org.slug])
    answer = client.post(
        url,
        {"facility": gym.pk, "day": MONDAY, "from": "09:00", "until": "11:00", "note": "Team practice"},
        follow=True,
    )
    body = answer.content.decode()
    assert "Requested, waiting for approval" in body
    request = RentalRequest.objects.get(household=family)
    assert (request.status, request.note, request.claims.count()) == ("pending", "Team practice", 2)
    assert body.count(">Requested, waiting for approval<") == 2  # its two slots, on the day's table
    other = make_household(org)
    client.force_login(other.payer)
    assert page(client, org, gym).content.decode().count(">Taken<") == 2  # held for the family


@time_machine.travel(NOW, tick=False)
def test_s6_the_account_home_shows_requests_with_their_state_and_a_refusal_in_plain_words(org, family, client):
    gym = make_gym(org, approval=True)
    url = reverse("portal:rental_book", args=[org.slug])
    client.post(url, {"facility": gym.pk, "day": MONDAY, "from": "09:00", "until": "10:00"})
    client.post(url, {"facility": gym.pk, "day": MONDAY, "from": "15:00", "until": "16:00"})
    first, second = RentalRequest.objects.filter(household=family).order_by("pk")
    decline_request(
        membership=make_staff(org, [Permission.ENROLL]), request_id=first.pk, reason="The gym floor is being redone."
    )
    home = client.get(reverse("portal:account", args=[org.slug])).content.decode()
    assert "The office declined it: The gym floor is being redone." in home
    assert "Requested, waiting for approval" in home
    withdrawn = client.post(reverse("portal:rental_withdraw", args=[org.slug, second.pk]), follow=True)
    assert "Your request was withdrawn" in withdrawn.content.decode()
    second.refresh_from_db()
    assert second.status == "withdrawn"
    assert Notification.objects.filter(kind="rental_declined", to_email=family.email).exists()


@time_machine.travel(NOW, tick=False)
def test_x1_another_familys_request_cannot_be_withdrawn_and_a_visitor_must_sign_in(org, client):
    gym = make_gym(org, approval=True)
    owner, other = make_household(org), make_household(org)
    client.force_login(owner.payer)
    client.post(
        reverse("portal:rental_book", args=[org.slug]),
        {"facility": gym.pk, "day": MONDAY, "from": "09:00", "until": "10:00"},
    )
    request = RentalRequest.objects.get(household=owner)
    client.force_login(other.payer)
    assert client.post(reverse("portal:rental_withdraw", args=[org.slug, request.pk])).status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"
    client.logout()
    assert page(client, org, gym).status_code == 200  # anyone may look
    html = page(client, org, gym).content.decode()
    assert "Sign in to book" in html
    assert f'href="/o/{org.slug}/account/login/?next=' in html  # the organization's sign-in, not the site's
    refused = client.post(reverse("portal:rental_book", args=[org.slug]), {"facility": gym.pk})
    assert refused.status_code == 302
    assert refused["Location"].startswith(f"/o/{org.slug}/account/login/?next=")


@time_machine.travel(NOW, tick=False)
def test_s5_the_rental_page_takes_as_many_queries_for_a_week_as_for_a_day(org, family, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gym = make_gym(org)
    page(client, org, gym)  # warm the session

    def queries(view):
        with CaptureQueriesContext(connection) as captured:
            assert page(client, org, gym, view=view).status_code == 200
        return len(captured)

    day, week = queries("day"), queries("week")
    assert day == week <= 12, (day, week)


@time_machine.travel(NOW, tick=False)
def test_x5_a_day_at_the_end_of_the_calendar_is_refused_gently_not_a_server_error(org, family, client):
    """?day=9999-12-31 overflowed when the page added a day to it (a 500); it reads as today."""
    gym = make_gym(org)
    for view in ("day", "week"):
        answer = page(client, org, gym, view=view, day="9999-12-31")
        assert answer.status_code == 200
        assert answer.context["day"] == NOW.astimezone(org.zone).date()
