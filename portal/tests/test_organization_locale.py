"""An organization's "Language and formats" (issue 12, decision 0025): its portal shows money,
numbers and dates in its locale, the words in English; the next request, another organization's
pages and pages of no organization keep their own."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import translation

from attendance.tests.factories import make_meetings, register
from carts.services import add_to_cart
from catalog.tests.factories import make_offering, make_split_day_facility
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 2 March 2026, 9:00 a.m. in Toronto
MEETS = datetime(2026, 3, 9, 23, 15, tzinfo=UTC)  # Monday 9 March 2026, 7:15 p.m. in Toronto
# format_money in fr-ca: a no-break space between the thousands, a decimal comma. Where the
# symbol goes ("1 234,50 $") is the translation of "$%(amount)s", which comes with a catalog.
FRENCH_MONEY = "$1\xa0234,50"
ENGLISH_MONEY = "$1,234.50"


def shop(locale: str):
    organization = make_organization(locale=locale)
    household = make_household(organization)
    swim = make_offering(organization, name="Swim", price="1234.50")
    make_meetings(swim, first=MEETS, count=1)
    client = Client()
    client.force_login(household.payer)
    return organization, household, swim, client


def page(client, path, *, at=NOW):
    with time_machine.travel(at, tick=False):
        answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.content.decode()


def hold(household, offering):
    with time_machine.travel(NOW, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.get().pk,
            channel="portal",
        )


def test_a_french_canadian_organization_shows_french_money_and_month_names_in_its_catalog(db):
    organization, _, swim, client = shop("fr-ca")
    catalog = page(client, f"/o/{organization.slug}/")
    for html in (catalog, page(client, f"/o/{organization.slug}/offerings/{swim.pk}/")):
        assert FRENCH_MONEY in html
        assert "lundi 9 mars 2026" in html
        assert ENGLISH_MONEY not in html
        assert "March" not in html
        # The words stay English, even those Django's French catalogs hold ("Passer au contenu principal").
        assert "Skip to main content" in html
        assert '<html lang="en">' in html  # ... and so does the language a screen reader reads them in
    assert ">Search</button>" in catalog  # not "Rechercher"


def test_a_french_canadian_organization_shows_french_money_and_dates_in_the_cart(db):
    organization, household, swim, client = shop("fr-ca")
    hold(household, swim)
    cart = page(client, f"/o/{organization.slug}/cart/")
    assert f"Total: <strong>{FRENCH_MONEY}</strong>" in cart
    timed_out = page(client, f"/o/{organization.slug}/cart/", at=NOW + timedelta(minutes=30))
    assert "Your cart timed out at lundi 2 mars 2026" in timed_out


def test_a_french_canadian_organization_shows_french_money_and_dates_on_the_account_page(db):
    organization, household, swim, client = shop("fr-ca")
    with time_machine.travel(NOW, tick=False):
        register(household, swim)
    account = page(client, f"/o/{organization.slug}/account/")
    assert FRENCH_MONEY in account
    assert "lundi 2 mars 2026" in account  # the order's date
    courses = page(client, f"/o/{organization.slug}/account/courses/")
    assert "lundi 9 mars 2026" in courses
    assert f"<strong>{FRENCH_MONEY}</strong>" in courses  # owing on the order


def test_a_french_canadian_organizations_emailed_pay_link_shows_french_money(db):
    """The pay link's page (P7) is no portal_page: it chose no locale and said $1,234.50."""
    from orders.paylink import pay_token

    _organization, household, swim, _client = shop("fr-ca")
    with time_machine.travel(NOW, tick=False):
        order = register(household, swim).order
    pay_page = page(Client(), f"/pay/order/{pay_token(order)}/")  # signed out, from the email
    assert f"Amount due: {FRENCH_MONEY}" in pay_page
    assert ENGLISH_MONEY not in pay_page


def test_a_us_organization_shows_us_money_and_english_dates(db):
    organization, household, swim, client = shop("en-us")
    hold(household, swim)
    catalog = page(client, f"/o/{organization.slug}/")
    assert ENGLISH_MONEY in catalog
    assert "Monday 9 March 2026" in catalog
    assert '<html lang="en-US">' in catalog
    assert f"Total: <strong>{ENGLISH_MONEY}</strong>" in page(client, f"/o/{organization.slug}/cart/")


def test_an_english_canadian_organization_groups_thousands_with_a_comma(db):
    """Django's en_CA groups with a no-break space; money in English Canada is written "$1,234.50"
    (registrar/formats/en_CA), so the demo organization's pages look as they did."""
    organization, _, _, client = shop("en-ca")
    catalog = page(client, f"/o/{organization.slug}/")
    assert ENGLISH_MONEY in catalog
    assert '<html lang="en-CA">' in catalog


def test_one_organizations_locale_does_not_reach_the_next_request(db):
    french, _, _, french_client = shop("fr-ca")
    english, _, _, english_client = shop("en-us")
    assert FRENCH_MONEY in page(french_client, f"/o/{french.slug}/")
    assert translation.get_language() == "en-us"  # the thread is back to the default
    after = page(english_client, f"/o/{english.slug}/")
    assert ENGLISH_MONEY in after
    assert "mars" not in after
    landing = page(Client(), "/")  # no organization's page: the installation's language
    assert '<html lang="en-US">' in landing


@pytest.mark.django_db(transaction=True)
def test_two_organizations_served_at_once_each_keep_their_own_locale():
    """Two threads, each a web worker serving one organization's catalog over and over, side by
    side: the language is per request, so neither ever shows the other's money."""
    shops = {"fr-ca": shop("fr-ca"), "en-us": shop("en-us")}
    expected = {"fr-ca": (FRENCH_MONEY, ENGLISH_MONEY), "en-us": (ENGLISH_MONEY, FRENCH_MONEY)}
    start = threading.Barrier(len(shops))
    wrong: list[str] = []

    def serve(locale: str) -> None:
        organization, _, _, client = shops[locale]
        own, other = expected[locale]
        try:
            start.wait(timeout=30)
            for _ in range(10):
                html = client.get(f"/o/{organization.slug}/").content.decode()
                if own not in html or other in html:
                    wrong.append(locale)
        finally:
            connection.close()

    threads = [threading.Thread(target=serve, args=(locale,)) for locale in shops]
    with time_machine.travel(NOW, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert wrong == []


def test_a_french_canadian_family_is_told_the_day_of_its_rental_in_french(db):
    organization, _, _, client = shop("fr-ca")
    monday = date(2026, 3, 2)
    gym = make_split_day_facility(organization, monday, name="Gym B")
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        booked = client.post(
            f"/o/{organization.slug}/rentals/book/",
            {"facility": gym.pk, "day": monday, "from": "17:00", "until": "19:00"},
            follow=True,
        )
    assert "Gym B on lundi 2 mars, " in booked.content.decode()
