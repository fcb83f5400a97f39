"""Add to cart from the shop (issue 12, item 3) and the cart page (item 4): refusals in words,
remove, empty, the countdown's facts (T6), extend (H1), a cart the office took over (S3)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import issue_token
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart, take_over_cart
from catalog.tests.factories import make_offering
from core import sqlbatch
from households.tests.factories import make_household, make_participant
from organizations.models import Permission
from organizations.tests.factories import make_staff

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def client(household):
    client = Client()
    client.force_login(household.payer)
    return client


def post(client, path, data, *, at=NOW, **headers):
    with time_machine.travel(at, tick=False):
        return client.post(path, data, headers=headers)


def get(client, path, *, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.get(path)


def add_form(offering, *participants, next_path=""):
    return {"offering": offering.pk, "participants": [p.pk for p in participants], "next": next_path}


def test_c1_add_without_javascript_holds_the_seat_and_shows_the_cart(org, household, offering, client):
    kid = household.participants.get()
    response = post(client, f"/o/{org.slug}/cart/add/", add_form(offering, kid))
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/cart/"
    assert Claim.objects.get(offering=offering).participant == kid
    html = get(client, f"/o/{org.slug}/cart/").content.decode()
    assert f"{offering.name} for {kid.full_name} is in your cart." in html
    assert "Your places are held until <strong>9:20 a.m. EST</strong>." in html  # T6 without JS
    assert 'data-expires-at="2026-03-02T14:20:00+00:00"' in html
    assert "$50.00" in html
    assert "Check out" in html


def test_e1_an_age_refusal_says_the_age_on_the_day_ages_are_counted(org, household, client):
    """A baby is 'under 1', not '0'; an offering starting today says 'is ... today', one with an
    age cutoff day gone by says 'was ... on' that day, in the organization's words."""
    baby = make_participant(household, first_name="Noa", born=date(2026, 1, 10))
    today = make_offering(org, name="Little Movers", min_age=1, max_age=3, starts_on=date(2026, 3, 2))
    cutoff = make_offering(org, name="Juniors", min_age=2, starts_on=date(2026, 4, 1), age_cutoff_on=date(2026, 2, 1))
    expected = {
        today: f"{baby.full_name} cannot register for Little Movers: it is for ages 1 to 3, and {baby.full_name} "
        "is under 1 today, the day ages are counted.",
        cutoff: f"{baby.full_name} cannot register for Juniors: it is for ages 2 and up, and {baby.full_name} "
        "was under 1 on 1 February 2026, the day ages are counted.",
    }
    for offering, words in expected.items():
        response = post(client, f"/o/{org.slug}/cart/add/", add_form(offering, baby), HX_Request="true")
        assert words in response.content.decode(), words
    assert not Claim.objects.filter(participant=baby).exists()


def test_add_for_two_participants_at_once(org, household, offering, client):
    second = make_participant(household, first_name="Zoe")
    post(client, f"/o/{org.slug}/cart/add/", add_form(offering, household.participants.first(), second))
    assert Claim.objects.filter(offering=offering, state="held").count() == 2


def test_c4_refusals_in_plain_words(org, household, client):
    kid = household.participants.get()  # born 2016-05-01: 9 on 2026-03-02
    full = make_offering(org, capacity=1, name="Full class")
    other = make_household(org)
    with time_machine.travel(NOW, tick=False):
        add_to_cart(household=other, offering_id=full.pk, participant_id=other.participants.get().pk, channel="portal")
    too_old = make_offering(org, name="Tots", min_age=3, max_age=5, starts_on=date(2026, 4, 1))
    later = make_offering(org, name="Later", registration_opens_at=datetime(2026, 3, 4, 14, 0, tzinfo=UTC))
    taken = make_offering(org, name="Taken")
    with time_machine.travel(NOW, tick=False):
        add_to_cart(household=household, offering_id=taken.pk, participant_id=kid.pk, channel="portal")
    expected = {
        full: "Full class is full, but 1 place is held in another cart and may come back",
        too_old: (
            f"{kid.full_name} cannot register for Tots: it is for ages 3 to 5, and {kid.full_name} will be 9 "
            "on 1 April 2026, the day ages are counted."
        ),
        later: "Registration for Later opens Wednesday 4 March 2026, 9:00 a.m. EST.",
        taken: f"{kid.full_name} is already in a cart or registered for Taken.",
    }
    for offering, words in expected.items():
        response = post(client, f"/o/{org.slug}/cart/add/", add_form(offering, kid, next_path=f"/o/{org.slug}/"))
        assert response["Location"] == f"/o/{org.slug}/"  # back where they were
        html = get(client, f"/o/{org.slug}/").content.decode()
        assert words in html, words


def test_add_without_choosing_anyone_says_so(org, household, offering, client):
    post(client, f"/o/{org.slug}/cart/add/", add_form(offering))
    assert "Choose who to register." in get(client, f"/o/{org.slug}/cart/").content.decode()
    assert not Claim.objects.exists()


def test_x1_add_for_a_participant_of_another_household_is_refused(org, household, offering, client):
    stranger = make_household(org).participants.get()
    post(client, f"/o/{org.slug}/cart/add/", add_form(offering, stranger))
    assert not Claim.objects.exists()


def test_htmx_add_answers_in_place_and_updates_the_count(org, household, offering, client):
    response = post(
        client, f"/o/{org.slug}/cart/add/", add_form(offering, household.participants.get()), HX_Request="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is in your cart." in html
    assert f'<a class="usa-link" href="/o/{org.slug}/cart/">Go to your cart</a>' in html
    assert '<span id="portal-cart-count" hx-swap-oob="true"><span class="usa-tag bg-primary">1</span>' in html


def test_t7_remove_and_t6_empty(org, household, client):
    kid = household.participants.get()
    a, b = make_offering(org, name="A"), make_offering(org, name="B")
    with time_machine.travel(NOW, tick=False):
        held = add_to_cart(household=household, offering_id=a.pk, participant_id=kid.pk, channel="portal").claims[0]
        add_to_cart(household=household, offering_id=b.pk, participant_id=kid.pk, channel="portal")
    response = post(client, f"/o/{org.slug}/cart/items/{held.pk}/remove/", {})
    assert response.status_code == 302
    assert Claim.objects.get(pk=held.pk).state == "released"
    response = post(client, f"/o/{org.slug}/cart/empty/", {})
    assert "Empty your cart?" in response.content.decode()  # asked first
    assert Claim.objects.filter(state="held").count() == 1
    post(client, f"/o/{org.slug}/cart/empty/", {"confirmed": "yes"})
    assert not Claim.objects.filter(state="held").exists()
    assert "Your cart is empty." in get(client, f"/o/{org.slug}/cart/").content.decode()


@pytest.fixture
def held(household, offering):
    """The household's child holds a seat of `offering` in the cart, added at NOW."""
    with time_machine.travel(NOW, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.get().pk,
            channel="portal",
        )


def test_h1_extend_from_the_page(org, held, client):
    post(client, f"/o/{org.slug}/cart/extend/", {}, at=NOW + timedelta(minutes=18))
    assert Cart.objects.get().expires_at == NOW + timedelta(minutes=38)
    html = get(client, f"/o/{org.slug}/cart/", at=NOW + timedelta(minutes=18)).content.decode()
    assert "Your cart&#x27;s time was extended." in html or "Your cart's time was extended." in html


def test_h1_at_the_time_limit_the_page_says_it_cannot_be_extended(org, held, client):
    for minute in (15, 30, 45):  # timeout 20, limit 60: the last one reaches the limit
        post(client, f"/o/{org.slug}/cart/extend/", {}, at=NOW + timedelta(minutes=minute))
    assert Cart.objects.get().expires_at == NOW + timedelta(minutes=60)
    html = get(client, f"/o/{org.slug}/cart/", at=NOW + timedelta(minutes=51)).content.decode()
    assert "it cannot be extended again" in html
    assert "Extend my time</button>" not in html


@pytest.mark.parametrize(
    ("page", "minutes", "expected"),
    [
        # H1: two minutes before expiry the page offers the extension and warns at 120 s and 20 s.
        ("cart/", 18, ["Extend my time", 'data-warn-seconds="120,20"']),
        # T6: the timer fragment gives the expiry again, and the server's clock to correct the browser's.
        (
            "cart/timer/",
            5,
            [
                'id="cart-timer"',
                'data-expires-at="2026-03-02T14:20:00+00:00"',
                'data-server-now="2026-03-02T14:05:00+00:00"',
            ],
        ),
        # T4: an expired cart says when it timed out, in the organization's time zone.
        ("cart/", 21, ["Your cart timed out at Monday 2 March 2026, 9:20 a.m. EST"]),
    ],
    ids=["h1_extend_offered", "t6_timer_fragment", "t4_timed_out"],
)
def test_the_cart_page_over_the_holds_life(org, held, client, page, minutes, expected):
    html = get(client, f"/o/{org.slug}/{page}", at=NOW + timedelta(minutes=minutes)).content.decode()
    for words in expected:
        assert words in html, words


def test_s3_the_page_says_the_office_is_completing_the_cart(org, household, held, client):
    with time_machine.travel(NOW, tick=False):
        take_over_cart(membership=make_staff(org, permissions=[Permission.ENROLL]), household=household)
    html = get(client, f"/o/{org.slug}/cart/").content.decode()
    assert "The office is completing this registration with you" in html
    assert "Extend my time</button>" not in html
    assert "Check out</button>" not in html
    assert "Empty the cart" in html
    # What the page says matches what it offers: taking an item out is still the family's to do.
    assert "Remove" in html
    assert "you cannot add to it or check it out here; you can still take items out" in html


def statement_tables(captured):
    """The table each statement reads or writes first, transaction control left out."""
    return [
        re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', q["sql"]).group(1)
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"))
    ]


def test_htmx_add_makes_the_api_adds_queries_and_only_the_sessions_besides(org, household, offering, client):
    """Registration morning's request (bench/morning.py) against the API's add (surge): the same
    statements of the add, its cart count taken from the add's own result; the page reads the
    session and its user where the API reads the token (with its household, in one query)."""
    kid = household.participants.get()
    other = make_household(org)
    other_kid = other.participants.get()
    api = Client()
    bearer = {"Authorization": f"Bearer {issue_token(user=other.payer)}"}
    with time_machine.travel(NOW, tick=False):
        client.get(f"/o/{org.slug}/")  # the session and the CSRF cookie, as after the catalog page
        api.get(f"/api/v1/orgs/{org.slug}/cart", headers=bearer)
        with CaptureQueriesContext(connection) as page_add:
            page = client.post(f"/o/{org.slug}/cart/add/", add_form(offering, kid), headers={"HX-Request": "true"})
        with CaptureQueriesContext(connection) as api_add:
            answer = api.post(
                f"/api/v1/orgs/{org.slug}/cart/items",
                {"offering_id": offering.pk, "participant_id": other_kid.pk},
                content_type="application/json",
                headers=bearer,
            )
    assert (page.status_code, answer.status_code) == (200, 201)
    assert Claim.objects.filter(state="held").count() == 2
    page_tables, api_tables = statement_tables(page_add), statement_tables(api_add)
    assert api_tables[0] == "households_household"  # the token, its user and household
    assert page_tables == ["django_session", "auth_user", "households_household", *api_tables[1:]]
    # On PostgreSQL the add's writes are one statement (decision 0006), one each on SQLite.
    assert len(page_tables) == (8 if connection.vendor == "postgresql" else 10)
    assert '<span class="usa-tag bg-primary">1</span>' in page.content.decode()


def test_htmx_add_to_a_cart_that_holds_seats_already_counts_them_all(org, household, client):
    kid, zoe = household.participants.get(), make_participant(household, first_name="Zoe")
    first, second = make_offering(org, name="First"), make_offering(org, name="Second")
    page = post(client, f"/o/{org.slug}/cart/add/", add_form(first, kid, zoe), HX_Request="true")
    assert '<span class="usa-tag bg-primary">2</span>' in page.content.decode()  # a new cart: no count read
    page = post(client, f"/o/{org.slug}/cart/add/", add_form(second, kid), HX_Request="true")
    assert '<span class="usa-tag bg-primary">3</span>' in page.content.decode()  # counted: the cart was there


def test_c4_htmx_refusal_reads_its_words_in_two_statements_besides_the_api_refusals(org, household, client):
    """Registration morning's refused add (a class already full): the API refusal's statements,
    the session and its user, and the offering and participant its words name, read once each."""
    kid, zoe = household.participants.get(), make_participant(household, first_name="Zoe")
    full = make_offering(org, capacity=1, name="Full class")
    taker, other = make_household(org), make_household(org)
    api = Client()
    bearer = {"Authorization": f"Bearer {issue_token(user=other.payer)}"}
    other_kid = other.participants.get()

    def api_add():
        return api.post(
            f"/api/v1/orgs/{org.slug}/cart/items",
            {"offering_id": full.pk, "participant_id": other_kid.pk},
            content_type="application/json",
            headers=bearer,
        )

    with time_machine.travel(NOW, tick=False):
        add_to_cart(household=taker, offering_id=full.pk, participant_id=taker.participants.get().pk, channel="portal")
        client.get(f"/o/{org.slug}/")
        assert api_add().status_code == 409  # the class is now known full: both refuse without the lock
        client.post(f"/o/{org.slug}/cart/add/", add_form(full, zoe), headers={"HX-Request": "true"})  # warmed up
        before = sqlbatch.round_trips(connection)
        with CaptureQueriesContext(connection) as page_add:
            page = client.post(f"/o/{org.slug}/cart/add/", add_form(full, kid), headers={"HX-Request": "true"})
        page_round_trips = sqlbatch.round_trips(connection) - before
        with CaptureQueriesContext(connection) as api_refusal:
            assert api_add().status_code == 409
    assert "Full class is full, but 1 place is held in another cart" in page.content.decode()
    assert not Claim.objects.filter(household=household).exists()
    api_tables = statement_tables(api_refusal)
    assert api_tables[0] == "households_household"
    assert statement_tables(page_add) == [
        "django_session",
        "auth_user",
        "households_household",
        *api_tables[1:],
        "catalog_offering",
        "households_participant",
    ]
    # All of it compiled SQL (core.sqlbatch): the session; the user with the household (decision
    # 0026); the refusal by the look; the words' two reads.
    if connection.vendor == "postgresql":
        assert page_round_trips == 4
