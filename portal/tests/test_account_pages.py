"""My account (issue 12 items 2, 6, 8): orders, balances payable online (B3, B4), participants,
the calendar feed; one household never sees another's (X1: 404)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from attendance.tests.factories import make_meetings, make_reason, register
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paying_org(db):
    return make_organization(pay_balances_online=True, payment_provider="sandbox")


def client_for(household):
    client = Client()
    client.force_login(household.payer)
    return client


def test_b3_b4_a_balance_payable_online_shows_its_note_and_goes_to_the_cart_once(paying_org, clock):
    household = make_household(paying_org)
    offering = make_offering(paying_org, name="Pottery")
    registration = register(household, offering)
    put_on_account(
        membership=make_staff(paying_org),
        order_id=registration.order_id,
        payable_online=True,
        customer_note="Pay by May",
    )
    client = client_for(household)
    number = registration.order.number
    home = client.get(f"/o/{paying_org.slug}/account/").content.decode()
    assert "Pay by May" in home
    assert f"Add order {number} to cart" in home
    # Its registration says so too, as its order does, not "Awaiting payment" as if it could be lost.
    assert "Awaiting payment" not in home
    assert home.count("On account") == 2
    assert (
        f"Add order {number} to cart" in client.get(f"/o/{paying_org.slug}/cart/").content.decode()
    )  # B3: the cart too
    added = client.post(f"/o/{paying_org.slug}/account/balances/{registration.order_id}/add/")
    assert added["Location"] == f"/o/{paying_org.slug}/cart/"
    home = client.get(f"/o/{paying_org.slug}/account/").content.decode()
    assert f"Add order {number} to cart" not in home
    assert "In cart" in home
    cart = client.get(f"/o/{paying_org.slug}/cart/").content.decode()
    assert "In cart" in cart
    assert f"Balance of order {number}" in cart
    assert "Pottery" in home  # its registration


def test_b3_a_balance_in_the_cart_can_be_taken_out_from_the_cart_page(paying_org, clock):
    """The cart page offers to take a balance out, as it does an item (the API's DELETE
    /cart/balances/{order_id}); the family no longer has to empty the whole cart for it."""
    household = make_household(paying_org)
    registration = register(household, make_offering(paying_org, name="Pottery"))
    put_on_account(membership=make_staff(paying_org), order_id=registration.order_id, payable_online=True)
    client = client_for(household)
    number = registration.order.number
    client.post(f"/o/{paying_org.slug}/account/balances/{registration.order_id}/add/")
    cart = client.get(f"/o/{paying_org.slug}/cart/").content.decode()
    remove = f"/o/{paying_org.slug}/account/balances/{registration.order_id}/remove/"
    assert f'action="{remove}"' in cart
    assert f"Take the balance of order {number} out of the cart" in cart
    taken = client.post(remove)
    assert taken["Location"] == f"/o/{paying_org.slug}/cart/"
    assert f"Add order {number} to cart" in client.get(f"/o/{paying_org.slug}/account/").content.decode()
    assert client.post(remove).status_code == 404  # not in the cart any more
    client.post(f"/o/{paying_org.slug}/account/balances/{registration.order_id}/add/")
    alone = client.get(f"/o/{paying_org.slug}/cart/").content.decode()
    assert "Your places are held" not in alone  # a balance holds no place
    assert "Your cart is kept until" in alone
    stranger = client_for(make_household(paying_org))
    assert stranger.post(remove).status_code == 404


def test_x1_another_households_order_participant_and_balance_are_404(paying_org, clock):
    mine, theirs = make_household(paying_org), make_household(paying_org)
    registration = register(theirs, make_offering(paying_org))
    client = client_for(mine)
    kid = theirs.participants.get()
    assert client.get(f"/o/{paying_org.slug}/account/participants/{kid.pk}/").status_code == 404
    assert client.get(f"/o/{paying_org.slug}/account/orders/{registration.order_id}/pay/").status_code == 404
    assert client.post(f"/o/{paying_org.slug}/account/balances/{registration.order_id}/add/").status_code == 404


def test_account_pages_send_a_visitor_to_sign_in_with_next(paying_org):
    response = Client().get(f"/o/{paying_org.slug}/account/")
    assert response.status_code == 302
    assert f"next=/o/{paying_org.slug}/account/" in response["Location"]


def test_participants_are_added_and_edited_with_errors_next_to_the_field(paying_org, clock):
    household = make_household(paying_org)
    client = client_for(household)
    url = f"/o/{paying_org.slug}/account/participants/"
    bad = client.post(url, {"first_name": "Ana", "last_name": "Lee", "date_of_birth": "2030-01-01"})
    assert 'id="id_date_of_birth_error"' in bad.content.decode()
    assert "cannot be in the future" in bad.content.decode()
    assert household.participants.count() == 1
    good = client.post(url, {"first_name": "Ana", "last_name": "Lee", "date_of_birth": "2018-04-05"})
    assert good["Location"] == url
    ana = household.participants.get(first_name="Ana")
    edited = client.post(f"{url}{ana.pk}/", {"first_name": "Anna", "last_name": "Lee", "date_of_birth": "2018-04-06"})
    assert edited["Location"] == url
    ana.refresh_from_db()
    assert (ana.first_name, ana.date_of_birth) == ("Anna", date(2018, 4, 6))


def test_participants_are_listed_by_name_whatever_their_case(paying_org, clock):
    """A family reads its children's names in the order of the alphabet: 'mia' typed in lower
    case comes beside 'Mia', not after every capitalised name as a byte order puts it."""
    household = make_household(paying_org, children=0)
    for day, first_name in enumerate(("XXX", "mia", "Baby", "Zoe", "Mia"), start=1):
        make_participant(household, first_name=first_name, born=date(2016, 5, day))
    client = client_for(household)
    for path in ("account/participants/",):
        page = client.get(f"/o/{paying_org.slug}/{path}").content.decode()
        where = [page.index(f">{name} ") for name in ("Baby", "mia", "Mia", "XXX", "Zoe")]
        assert where == sorted(where), path


def test_the_calendar_feed_lists_upcoming_meetings_at_a_private_revocable_address(paying_org, clock):
    household = make_household(paying_org)
    offering = make_offering(paying_org, name="Swim")
    meetings = make_meetings(offering, first=T0 + timedelta(days=1), count=2)
    make_meetings(make_offering(paying_org, name="Old"), first=T0 - timedelta(days=30), count=1)
    register(household, offering)
    client = client_for(household)
    client.post(f"/o/{paying_org.slug}/account/calendar/reset/")
    household.refresh_from_db()
    feed_url = f"/o/{paying_org.slug}/account/calendar/{household.calendar_token}.ics"
    assert feed_url in client.get(f"/o/{paying_org.slug}/account/").content.decode()

    feed = Client().get(feed_url)  # no sign-in: the address is the secret
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [m.starts_at for m in meetings]
    assert str(events[0]["summary"]).startswith("Swim: ")

    client.post(f"/o/{paying_org.slug}/account/calendar/reset/")
    assert Client().get(feed_url).status_code == 404
    assert Client().get(f"/o/{paying_org.slug}/account/calendar/wrong.ics").status_code == 404


def test_a1_a2_a3_upcoming_courses_page_marks_changes_and_clears_an_absence(paying_org, clock):
    household = make_household(paying_org)
    offering = make_offering(paying_org, name="Swim")
    meetings = make_meetings(offering, first=T0 + timedelta(days=1), count=2)
    registration = register(household, offering)
    sick = make_reason(paying_org, "Sick")
    make_reason(paying_org, "Staff only", customer_usable=False)
    client = client_for(household)
    page_url = f"/o/{paying_org.slug}/account/courses/"
    page = client.get(page_url).content.decode()
    assert "Owing on order" in page
    assert "Pay order" in page
    assert "Staff only" not in page
    pid, mid = registration.participant_id, meetings[0].pk
    url = f"/o/{paying_org.slug}/account/courses/{pid}/meetings/{mid}/absence/"
    missing = client.post(url, {"action": "mark"})
    assert "Choose one of the listed absence reasons." in missing.content.decode()
    marked = client.post(url, {"action": "mark", f"absence-{pid}-{mid}-reason": sick.pk})
    assert marked.status_code == 302
    page = client.get(page_url).content.decode()
    assert "Absent: Sick" in page
    assert "Clear the absence" in page
    client.post(url, {"action": "clear"})
    assert "Absent: Sick" not in client.get(page_url).content.decode()
    stranger = client_for(make_household(paying_org))
    assert stranger.post(url, {"action": "clear"}).status_code == 404


def test_the_account_and_upcoming_pages_take_the_same_queries_for_one_order_or_many(paying_org, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    household = make_household(paying_org)
    client = client_for(household)

    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    offering = make_offering(paying_org)
    make_meetings(offering, first=T0 + timedelta(days=1), count=3)
    register(household, offering)
    one = (queries(f"/o/{paying_org.slug}/account/"), queries(f"/o/{paying_org.slug}/account/courses/"))
    for _ in range(4):
        more = make_offering(paying_org)
        make_meetings(more, first=T0 + timedelta(days=2), count=3)
        register(household, more)
    many = (queries(f"/o/{paying_org.slug}/account/"), queries(f"/o/{paying_org.slug}/account/courses/"))
    assert many == one, (one, many)
