"""The catalog page (issue 12, item 1): search and filters, availability in words (C4, C5),
the offering page with its meetings, a constant number of queries whatever the catalog's size."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from carts.services import add_to_cart
from catalog.models import Meeting, Offering, Schedule
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TORONTO = ZoneInfo("America/Toronto")


def local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=TORONTO)


def meet(offering, day, hour, location="Pool"):
    Meeting.objects.create(
        offering=offering, starts_at=local(day, hour), ends_at=local(day, hour) + timedelta(hours=1), location=location
    )


def page(client, org, query=""):
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/o/{org.slug}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def names(html, offerings):
    return {o.name for o in offerings if f">{o.name}</a>" in html}


def test_c5_availability_in_words(org, household):
    roomy = make_offering(org, capacity=20, name="Roomy")
    full_held = make_offering(org, capacity=2, name="Held full")
    full = make_offering(org, capacity=0, name="Really full")  # full, and nothing held
    unlimited = make_offering(org, capacity=None, name="Drop in")
    other = make_household(org, children=2)
    kids = list(other.participants.all())
    with time_machine.travel(NOW, tick=False):
        for kid in kids:
            add_to_cart(household=other, offering_id=full_held.pk, participant_id=kid.pk, channel="portal")
        add_to_cart(household=other, offering_id=roomy.pk, participant_id=kids[0].pk, channel="portal")
    html = page(Client(), org)
    assert "19 of 20 left" in html
    assert "Full — 2 seats are held in carts and may come back" in html
    assert ">Full</span>" in html
    assert "Open: no limit on places" in html
    assert {roomy.name, full_held.name, full.name, unlimited.name} <= names(html, [roomy, full_held, full, unlimited])


def test_filters_search_type_age_day_time_location_openings(org):
    monday = date(2026, 3, 9)  # a Monday
    swim = make_offering(org, name="Swim Tots", min_age=3, max_age=5, starts_on=monday)
    meet(swim, monday, 9, "Pool")
    art = make_offering(org, name="Art Club", min_age=8, max_age=12, starts_on=monday)
    meet(art, monday + timedelta(days=1), 18, "Studio")
    camp = make_offering(org, name="Summer Camp", kind=Offering.Kind.CAMP, capacity=1, starts_on=monday)
    meet(camp, monday, 13, "Park")
    everything = [swim, art, camp]
    client = Client()
    assert names(page(client, org), everything) == {"Swim Tots", "Art Club", "Summer Camp"}
    assert names(page(client, org, "?q=swim"), everything) == {"Swim Tots"}
    assert names(page(client, org, "?kind=camp"), everything) == {"Summer Camp"}
    assert names(page(client, org, "?age=10"), everything) == {"Art Club", "Summer Camp"}
    assert names(page(client, org, "?day=2"), everything) == {"Art Club"}  # Tuesday, in Toronto
    assert names(page(client, org, "?time=morning"), everything) == {"Swim Tots"}
    assert names(page(client, org, "?time=evening"), everything) == {"Art Club"}
    assert names(page(client, org, "?location=Park"), everything) == {"Summer Camp"}
    assert names(page(client, org, "?day=1&time=afternoon"), everything) == {"Summer Camp"}


def test_has_openings_leaves_out_full_offerings(org, household):
    full = make_offering(org, capacity=1, name="Tiny")
    roomy = make_offering(org, capacity=5, name="Roomy")
    with time_machine.travel(NOW, tick=False):
        add_to_cart(
            household=household, offering_id=full.pk, participant_id=household.participants.first().pk, channel="portal"
        )
    assert names(page(Client(), org, "?open=on"), [full, roomy]) == {"Roomy"}


def test_bad_filter_is_shown_beside_its_field_and_the_others_still_apply(org):
    make_offering(org, name="Swim Tots")
    html = page(Client(), org, "?age=old&q=swim")
    assert "Enter the age as a whole number of years." in html
    assert ">Swim Tots</a>" in html


def test_ended_archived_and_rental_offerings_are_not_in_the_shop(org):
    make_offering(org, name="Old", starts_on=date(2025, 1, 1), ends_on=date(2025, 2, 1))
    make_offering(org, name="Gone", is_archived=True)
    current = make_offering(org, name="Current", ends_on=date(2026, 6, 1))
    html = page(Client(), org)
    assert ">Current</a>" in html
    assert ">Old</a>" not in html
    assert ">Gone</a>" not in html
    assert current.name in html


def test_offering_page_lists_its_meetings_in_the_organizations_time(org):
    offering = make_offering(org, name="Swim Tots", min_age=3, max_age=5)
    Schedule.objects.create(
        offering=offering,
        weekdays=[0, 2],
        starts_on=date(2026, 3, 9),
        ends_on=date(2026, 3, 11),
        starts_at=time(9, 30),
        ends_at=time(10, 15),
        location="Pool",
    )
    meet(offering, date(2026, 3, 9), 9)
    meet(offering, date(2026, 3, 11), 9)
    with time_machine.travel(NOW, tick=False):
        html = Client().get(f"/o/{org.slug}/offerings/{offering.pk}/").content.decode()
    assert "<h1>Swim Tots</h1>" in html
    assert "Mondays and Wednesdays, 9:30 a.m. to 10:15 a.m., Pool" in html
    assert "Monday 9 March 2026" in html
    assert "9:00 a.m. EDT" in html
    assert "Ages 3 to 5" in html
    assert "2 meetings" in html
    assert Client().get(f"/o/{org.slug}/offerings/999999/").status_code == 404


def test_x1_another_organizations_offering_is_a_404(org):
    from organizations.tests.factories import make_organization

    other = make_organization(slug="other-org", name="Other")
    theirs = make_offering(other, name="Theirs")
    assert Client().get(f"/o/{org.slug}/offerings/{theirs.pk}/").status_code == 404
    html = Client().get(f"/o/{org.slug}/availability/?ids={theirs.pk}").content.decode()
    assert f"seats-{theirs.pk}" not in html


def test_polling_fragment_swaps_each_offerings_availability(org):
    a = make_offering(org, capacity=3)
    b = make_offering(org, capacity=None)
    html = Client().get(f"/o/{org.slug}/availability/?ids={a.pk},{b.pk},x").content.decode()
    assert f'<span id="seats-{a.pk}" hx-swap-oob="true">' not in html  # a bad id list is ignored whole
    html = Client().get(f"/o/{org.slug}/availability/?ids={a.pk},{b.pk}").content.decode()
    assert f'<span id="seats-{a.pk}" hx-swap-oob="true">' in html
    assert "3 of 3 left" in html
    assert f'<span id="seats-{b.pk}" hx-swap-oob="true">' in html


@pytest.mark.parametrize("size", [10, 1000])
def test_a_catalog_of_1000_offerings_renders_in_a_constant_number_of_queries(org, size, django_assert_max_num_queries):
    household = make_household(org, children=2)
    make_participant(household, first_name="Third")
    Offering.objects.bulk_create(
        Offering(organization=org, kind=Offering.Kind.CLASS, name=f"Class {i}", capacity=20, price=10)
        for i in range(size)
    )
    offerings = list(Offering.objects.filter(organization=org).order_by("pk")[:40])
    Meeting.objects.bulk_create(
        Meeting(offering=o, starts_at=NOW + timedelta(days=d), ends_at=NOW + timedelta(days=d, hours=1))
        for o in offerings
        for d in range(3)
    )
    client = Client()
    client.force_login(household.payer)
    # session, user, household with its organization, locations, count, page, ledger,
    # schedules, participants, the cart's count.
    with django_assert_max_num_queries(10):
        html = page(client, org, "?page=2")
    assert html.count('class="ui-offering"') == min(size, 20)
