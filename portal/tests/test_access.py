"""portal.access: the organization from the slug, the household of the signed-in person, and
one household never reaching another's cart (X1)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from core import sqlbatch
from households.tests.factories import make_household
from organizations.tests.factories import make_organization, make_user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_unknown_organization_is_a_404_on_every_portal_page(db):
    for path in ("/o/nowhere/", "/o/nowhere/cart/", "/o/nowhere/offerings/1/"):
        assert Client().get(path).status_code == 404


def test_catalog_is_open_to_visitors_and_the_cart_asks_them_to_sign_in(org, offering):
    assert Client().get(f"/o/{org.slug}/").status_code == 200
    response = Client().get(f"/o/{org.slug}/cart/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/account/login/?next=/o/{org.slug}/cart/"


def test_signed_in_without_a_household_here_is_told_so(org):
    response = signed_in(make_user("stranger")).get(f"/o/{org.slug}/cart/")
    assert response.status_code == 403
    assert "no family account with" in response.content.decode()


def test_x1_a_household_of_another_organization_does_not_carry_over(org, household):
    other = make_organization(slug="elsewhere", name="Elsewhere")
    response = signed_in(household.payer).get(f"/o/{other.slug}/cart/")
    assert response.status_code == 403


def test_x1_one_household_cannot_remove_anothers_item(org, household, offering):
    held = add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    ).claims[0]
    neighbour = make_household(org)
    response = signed_in(neighbour.payer).post(f"/o/{org.slug}/cart/items/{held.pk}/remove/")
    assert response.status_code == 404
    assert household.carts.get().claims.filter(state="held").count() == 1


def test_header_names_the_organization_and_counts_the_cart(org, household, offering):
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )
    html = signed_in(household.payer).get(f"/o/{org.slug}/").content.decode()
    assert f">{org.name}</a>" in html
    assert '<span id="portal-cart-count"><span class="usa-tag bg-primary">1</span>' in html
    assert "Sign out" in html


def test_portal_pages_refuse_other_methods(org, household):
    client = signed_in(household.payer)
    assert client.post(f"/o/{org.slug}/").status_code == 405
    assert client.get(f"/o/{org.slug}/cart/extend/").status_code == 405


def test_x6_a_session_from_before_a_password_change_reaches_no_household(org, household):
    """The household is read in the same round trip as the session's user (accounts.backends.
    user_along_with), but only handed over once Django has checked the session as always."""
    client = signed_in(household.payer)
    household.payer.set_password("another password 4321")
    household.payer.save()
    response = client.get(f"/o/{org.slug}/cart/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/account/login/?next=/o/{org.slug}/cart/"
    assert "_auth_user_id" not in client.session  # Django flushed it


def test_an_inactive_payer_reaches_no_household(org, household):
    client = signed_in(household.payer)
    household.payer.is_active = False
    household.payer.save()
    response = client.get(f"/o/{org.slug}/cart/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/account/login/?next=/o/{org.slug}/cart/"


@pytest.mark.postgres
def test_a_page_add_reads_the_user_and_the_household_in_one_round_trip(org, household, offering):
    """Registration morning's page add (bench/morning.py): the session; the user with the
    household (decision 0026); the add's two (carts.tests.test_query_counts)."""
    client = signed_in(household.payer)
    participant_id = household.participants.first().pk
    data = {"offering": offering.pk, "participants": participant_id}
    client.post(f"/o/{org.slug}/cart/add/", {"offering": make_offering(org).pk, "participants": participant_id})
    before = sqlbatch.round_trips(connection)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/o/{org.slug}/cart/add/", data, headers={"HX-Request": "true"})
    assert "is in your cart." in response.content.decode()
    users = [q["sql"] for q in captured.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert len(users) == 1, users
    assert sqlbatch.round_trips(connection) - before == 4
