"""Dates on the portal's pages are on the organization's clock, whatever the server's
(TIME_ZONE is UTC) or the factories' default organization (Toronto): an organization in
Vancouver sees every instant in Pacific time, on every page that shows one."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from attendance.tests.factories import make_meetings, register
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 6:00 a.m. in Vancouver, 9:00 a.m. in Toronto
OPENS = datetime(2026, 3, 4, 17, 30, tzinfo=UTC)  # Wednesday, 9:30 a.m. PST (12:30 p.m. EST)
MEETS = datetime(2026, 3, 9, 2, 15, tzinfo=UTC)  # Sunday 8 March, 7:15 p.m. PDT: after the switch to daylight time


@pytest.fixture
def world(db):
    organization = make_organization(time_zone="America/Vancouver", payment_provider="sandbox")
    household = make_household(organization)
    later = make_offering(organization, name="Later", registration_opens_at=OPENS)
    swim = make_offering(organization, name="Swim")
    make_meetings(swim, first=MEETS, count=1)
    client = Client()
    client.force_login(household.payer)
    return organization, household, later, swim, client


def page(client, path, *, at=NOW):
    with time_machine.travel(at, tick=False):
        answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.content.decode()


def test_the_registration_opening_instant_on_the_catalog_the_offering_and_the_refusal(world):
    organization, household, later, _, client = world
    opens = "Wednesday 4 March 2026, 9:30 a.m. PST"
    assert f"Opens {opens}" in page(client, f"/o/{organization.slug}/")
    assert opens in page(client, f"/o/{organization.slug}/offerings/{later.pk}/")
    with time_machine.travel(NOW, tick=False):
        client.post(
            f"/o/{organization.slug}/cart/add/",
            {"offering": later.pk, "participants": [household.participants.get().pk], "next": ""},
        )
    assert f"Registration for Later opens {opens}." in page(client, f"/o/{organization.slug}/cart/")


def test_meetings_on_the_offering_and_upcoming_pages_in_local_time_across_the_daylight_switch(world):
    organization, household, _, swim, client = world
    with time_machine.travel(NOW, tick=False):
        register(household, swim)
    offering_page = page(client, f"/o/{organization.slug}/offerings/{swim.pk}/")
    upcoming = page(client, f"/o/{organization.slug}/account/courses/")
    for html in (offering_page, upcoming):
        assert "Sunday 8 March 2026" in html
        assert "7:15 p.m. PDT" in html
        assert "10:15 p.m." not in html  # Toronto's clock
        assert "2:15 a.m." not in html  # the server's (UTC)


def test_the_cart_says_until_when_its_places_are_held_and_when_it_timed_out(world):
    organization, household, _, swim, client = world
    with time_machine.travel(NOW, tick=False):
        add_to_cart(
            household=household, offering_id=swim.pk, participant_id=household.participants.get().pk, channel="portal"
        )
    assert "held until <strong>6:20 a.m. PST</strong>" in page(client, f"/o/{organization.slug}/cart/")
    expired = page(client, f"/o/{organization.slug}/cart/", at=NOW + timedelta(minutes=30))
    assert "Your cart timed out at Monday 2 March 2026, 6:20 a.m. PST" in expired
