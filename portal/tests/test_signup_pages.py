"""Sign-up, the verification link, sign-in with `next`, and password reset in the portal (issue
12 item 2): forms without JavaScript, errors next to their fields, CSRF."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from households import signup
from households.models import Household
from notifications.models import Notification


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FORM = {"name": "Ada Lovelace", "email": "ada@example.test", "phone": "", "password": "a long passphrase 42"}


def test_sign_up_without_javascript_signs_in_and_sends_the_verification_link(org):
    client = Client()
    assert "Create an account" in client.get(f"/o/{org.slug}/signup/").content.decode()
    response = client.post(f"/o/{org.slug}/signup/", FORM)
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/account/"
    home = client.get(response["Location"]).content.decode()
    assert "Your account is ready" in home
    assert "Confirm your email address" in home
    email = Notification.objects.get(kind="household_verify_email")
    link = re.search(r"https?://[^/\s]+(/o/\S+/account/verify/\S+/)", email.body_text).group(1)
    verified = Client().get(link)
    assert verified.status_code == 200
    assert "ada@example.test is confirmed" in verified.content.decode()
    assert Household.objects.get().email_verified_at is not None
    assert "Confirm your email address" not in client.get(f"/o/{org.slug}/account/").content.decode()


def test_x5_bad_sign_up_shows_the_error_next_to_the_field_and_changes_nothing(org):
    response = Client().post(f"/o/{org.slug}/signup/", FORM | {"password": "12345678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password_error"' in html
    assert "too common" in html or "entirely numeric" in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.exists()


def test_x5_a_password_of_spaces_only_is_refused_next_to_the_field(org):
    response = Client().post(f"/o/{org.slug}/signup/", FORM | {"password": " " * 12})
    html = response.content.decode()
    assert 'id="id_password_error"' in html
    assert "can&#x27;t be only spaces" in html
    assert not User.objects.exists()


def test_signing_up_with_a_taken_address_points_to_sign_in(org):
    Client().post(f"/o/{org.slug}/signup/", FORM)
    html = Client().post(f"/o/{org.slug}/signup/", FORM | {"email": "ADA@example.test"}).content.decode()
    assert "exists already: sign in, or reset your password" in html
    assert 'id="id_email_error"' in html


def test_a_bad_verification_link_says_so(org):
    response = Client().get(f"/o/{org.slug}/account/verify/nonsense/")
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_sign_up_needs_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/o/{org.slug}/signup/", FORM).status_code == 403
    assert not User.objects.exists()


def test_a_login_without_a_household_here_makes_one(org):
    from organizations.tests.factories import make_user

    client = Client()
    client.force_login(make_user("walkin"))
    page = client.get(f"/o/{org.slug}/signup/").content.decode()
    assert "Give your household a name" in page
    response = client.post(f"/o/{org.slug}/signup/", {"name": "The Walk-ins", "phone": ""})
    assert response.status_code == 302
    assert Household.objects.get().name == "The Walk-ins"


def test_sign_in_brings_the_family_back_where_it_was(org, household):
    household.payer.set_password("a long passphrase 42")
    household.payer.save()
    client = Client()
    gate = client.get(f"/o/{org.slug}/account/courses/")
    assert gate.status_code == 302
    login = client.post(
        f"/o/{org.slug}/account/login/",
        {
            "username": household.payer.username,
            "password": "a long passphrase 42",
            "next": f"/o/{org.slug}/account/courses/",
        },
    )
    assert (login.status_code, login["Location"]) == (302, f"/o/{org.slug}/account/courses/")


def test_password_reset_by_email_then_sign_in_with_the_new_password(org, household):
    household.payer.email = household.email
    household.payer.save()
    client = Client()
    sent = client.post(f"/o/{org.slug}/account/password-reset/", {"email": household.email})
    assert sent["Location"] == f"/o/{org.slug}/account/password-reset/sent/"
    assert (
        client.post(f"/o/{org.slug}/account/password-reset/", {"email": "nobody@example.test"})["Location"]
        == sent["Location"]
    )
    email = Notification.objects.get(kind="password_reset")
    link = re.search(r"https?://[^/\s]+(/o/\S+/password-reset/\S+/\S+/)", email.body_text).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert done["Location"] == f"/o/{org.slug}/account/password-reset/done/"
    household.payer.refresh_from_db()
    assert household.payer.check_password("another long passphrase")
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_verification_token_of_another_organization_is_refused(org, household):
    from organizations.tests.factories import make_organization

    other = make_organization(slug="lakeside")
    response = Client().get(f"/o/{other.slug}/account/verify/{signup.verification_token(household)}/")
    assert response.status_code == 400


def test_emailed_links_start_with_site_url_whatever_the_host_header(org, household, settings):
    settings.SITE_URL = "https://registrar.example"
    settings.ALLOWED_HOSTS = ["*"]
    household.payer.email = household.email
    household.payer.save()
    Client(HTTP_HOST="evil.example").post(f"/o/{org.slug}/account/password-reset/", {"email": household.email})
    Client(HTTP_HOST="evil.example").post(f"/o/{org.slug}/signup/", FORM)
    for email in Notification.objects.all():
        assert "evil.example" not in email.body_text
        assert "https://registrar.example/o/" in email.body_text
