"""X3: the portal's sign-up and account actions in the API."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from households import signup
from households.models import Household
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.tests.factories import make_organization


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SIGN_UP = {"name": "Ada Lovelace", "email": "ada@example.test", "phone": "555-0100", "password": "a long passphrase 42"}


def test_sign_up_answers_the_household_and_a_token_that_works(org, api_for):
    answer = api_for().post(f"/orgs/{org.slug}/signup", SIGN_UP)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["household"]["email"], body["email_verified"]) == ("ada@example.test", False)
    api = api_for()
    api.headers = {"Authorization": f"Bearer {body['token']}"}
    assert api.get(f"/orgs/{org.slug}/household").json()["name"] == "Ada Lovelace"


def test_x5_sign_up_refusals_name_the_field_and_change_nothing(org, api_for):
    weak = api_for().post(f"/orgs/{org.slug}/signup", SIGN_UP | {"password": "123"})
    assert (weak.status_code, weak.json()["code"], weak.json()["details"]["field"]) == (
        400,
        "invalid_signup",
        "password",
    )
    api_for().post(f"/orgs/{org.slug}/signup", SIGN_UP)
    taken = api_for().post(f"/orgs/{org.slug}/signup", SIGN_UP | {"email": "ADA@example.test"})
    assert (taken.status_code, taken.json()["code"]) == (409, "email_taken")
    assert api_for().post("/orgs/nowhere/signup", SIGN_UP | {"email": "b@example.test"}).status_code == 404
    assert User.objects.count() == Household.objects.count() == 1


def test_verification_by_token_and_resend(org, api_for):
    body = api_for().post(f"/orgs/{org.slug}/signup", SIGN_UP).json()
    household = Household.objects.get(pk=body["household"]["id"])
    bad = api_for().post(f"/orgs/{org.slug}/household/email-verification", {"token": "nonsense"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_verification_link")
    ok = api_for().post(
        f"/orgs/{org.slug}/household/email-verification", {"token": signup.verification_token(household)}
    )
    assert ok.json() == {"email": "ada@example.test", "email_verified": True}
    api = api_for(household.payer)
    assert api.post(f"/orgs/{org.slug}/household/email-verification/resend").json() == {"sent": False}


def test_a_login_adds_its_household_in_a_second_organization(org, api_for):
    household = make_household(org)
    other = make_organization(slug="lakeside")
    api = api_for(household.payer)
    made = api.post(f"/orgs/{other.slug}/household", {"name": "Family at the lake"})
    assert made.status_code == 201
    assert api.post(f"/orgs/{other.slug}/household", {"name": "Again"}).json()["code"] == "household_exists"


def test_x1_a_participant_is_edited_only_by_its_own_household(org, api_for):
    mine, theirs = make_household(org), make_household(org)
    kid = mine.participants.get()
    body = {"first_name": "Samuel", "last_name": "Lee", "date_of_birth": "2017-01-02"}
    url = f"/orgs/{org.slug}/household/participants/{kid.pk}"
    assert api_for(theirs.payer).patch(url, body).status_code == 404
    changed = api_for(mine.payer).patch(url, body)
    assert changed.status_code == 200
    assert changed.json() == {"id": kid.pk, "first_name": "Samuel", "last_name": "Lee", "date_of_birth": "2017-01-02"}
    kid.refresh_from_db()
    assert kid.date_of_birth == date(2017, 1, 2)


def test_the_calendar_url_stays_until_reset(org, api_for):
    household = make_household(org)
    api = api_for(household.payer)
    first = api.get(f"/orgs/{org.slug}/household/calendar")
    assert first.status_code == 200
    household.refresh_from_db()
    assert household.calendar_token
    assert api.get(f"/orgs/{org.slug}/household/calendar").json() == first.json()
    api.post(f"/orgs/{org.slug}/household/calendar/reset")
    old = household.calendar_token
    household.refresh_from_db()
    assert household.calendar_token != old


def test_password_reset_answers_the_same_for_any_address(org, api_for):
    make_household(org)
    known = api_for().post(f"/orgs/{org.slug}/password-reset", {"email": "family1@example.test"})
    unknown = api_for().post(f"/orgs/{org.slug}/password-reset", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert Notification.objects.filter(kind="password_reset").count() <= 1
