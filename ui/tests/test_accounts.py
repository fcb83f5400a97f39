"""One sign-in for customers and staff: /accounts/login/ with ?next=, sign-out by POST only."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from organizations.tests.factories import make_staff

PASSWORD = "pw-12345-secret"  # the factories' default


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def customer(household):
    return household.payer


@pytest.fixture
def staff(org):
    return make_staff(org).user


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


@pytest.mark.django_db
def test_the_sign_in_page_has_labelled_fields_and_no_navigation_to_leave_by():
    page = Client().get("/accounts/login/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Sign in | Registrar</title>" in html
    assert '<label class="usa-label" for="id_username">Username</label>' in html
    assert '<label class="usa-label" for="id_password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "usa-menu-btn" not in html


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_customers_and_staff_sign_in_on_the_same_page_and_land_on_next(request, who):
    user = request.getfixturevalue(who)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "/o/riverside/cart/?tab=2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/riverside/cart/?tab=2"
    assert signed_in_user_id(client) == str(user.pk)


def test_next_is_kept_from_the_query_string_into_the_form(customer):
    html = Client().get("/accounts/login/?next=/o/riverside/cart/").content.decode()
    assert '<input type="hidden" name="next" value="/o/riverside/cart/">' in html


def test_a_next_on_another_site_is_ignored(customer):
    response = Client().post(
        "/accounts/login/", {"username": customer.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_error_summary_and_signs_nobody_in(customer):
    client = Client()
    response = client.post("/accounts/login/", {"username": customer.username, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in | Registrar</title>" in html
    assert "There is a problem" in html
    assert "Please enter a correct username and password." in html
    assert signed_in_user_id(client) is None


def test_signing_out_needs_a_post(customer):
    client = Client()
    client.force_login(customer)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) == str(customer.pk)


def test_signing_out_by_post_ends_the_session_and_says_so_on_the_home_page(customer):
    client = Client()
    client.force_login(customer)
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert signed_in_user_id(client) is None
    html = response.content.decode()
    assert "You have signed out." in html
    assert 'href="/accounts/login/?next=/"' in html


def test_the_header_shows_who_is_signed_in_and_a_sign_out_button(customer):
    client = Client()
    client.force_login(customer)
    html = client.get("/").content.decode()
    assert f"Signed in as {customer.username}" in html
    assert '<form class="ui-nav-form" method="post" action="/accounts/logout/">' in html


def test_a_sign_in_form_sent_without_its_csrf_token_gets_the_expired_form_page(customer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": customer.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_page_that_needs_a_login_sends_people_to_this_sign_in(rf):
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/o/riverside/account/")
    request.user = AnonymousUser()
    response = login_required(lambda request: None)(request)
    assert response["Location"] == "/accounts/login/?next=/o/riverside/account/"
