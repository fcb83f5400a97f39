from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from audit.models import AuditEvent
from households import signup
from households.models import Household
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.tests.factories import make_organization

LINK = "https://registrar.example/verify/{}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def details(**fields):
    return signup.SignUp(
        **(
            {"name": "Ada Lovelace", "email": "Ada@Example.test", "phone": "", "password": "a long passphrase 42"}
            | fields
        )
    )


def sign_up(org, **fields):
    return signup.sign_up(organization=org, details=details(**fields), channel="portal", link_for=LINK.format)


def test_sign_up_makes_a_login_and_household_and_queues_one_verification_email(org):
    household = sign_up(org)

    assert (household.name, household.email, household.email_verified_at) == ("Ada Lovelace", "ada@example.test", None)
    assert household.payer.username == "ada@example.test"
    assert household.payer.check_password("a long passphrase 42")
    [email] = Notification.objects.filter(kind="household_verify_email")
    assert email.to_email == "ada@example.test"
    token = signup.verification_token(household)
    assert LINK.format(token) in email.body_text
    assert AuditEvent.objects.filter(verb="household.signed_up", subject_id=household.pk).exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "Enter the name"),
        ({"email": "not-an-address"}, "email", "Enter an email address"),
        ({"password": "short"}, "password", "too short"),
        ({"password": "ada@example.test"}, "password", "too similar"),
    ],
)
def test_x5_bad_sign_up_is_refused_next_to_its_field_and_changes_nothing(org, fields, field, words):
    with pytest.raises(signup.InvalidSignup) as refused:
        sign_up(org, **fields)
    assert refused.value.details["field"] == field
    assert words in refused.value.message
    assert not User.objects.exists()
    assert not Household.objects.exists()
    assert not Notification.objects.exists()


def test_an_address_with_a_login_is_refused_whatever_its_case(org):
    sign_up(org)
    with pytest.raises(signup.EmailTaken):
        sign_up(org, email="ADA@example.test")
    assert User.objects.count() == Household.objects.count() == 1


def test_a_login_makes_its_household_in_a_second_organization_once(org):
    household = sign_up(org)
    other = make_organization(slug="lakeside")
    second = signup.add_household(
        organization=other, user=household.payer, name="Ada L.", phone="555", channel="portal", link_for=LINK.format
    )
    assert (second.organization, second.payer, second.email) == (other, household.payer, "ada@example.test")
    with pytest.raises(signup.AlreadyHasHousehold):
        signup.add_household(
            organization=other, user=household.payer, name="Ada", phone="", channel="portal", link_for=LINK.format
        )


def test_the_link_verifies_once_and_only_in_its_organization_for_a_week(org):
    household = sign_up(org)
    token = signup.verification_token(household)
    with pytest.raises(signup.InvalidVerificationLink):
        signup.verify_email(organization=make_organization(slug="elsewhere"), token=token, channel="portal")
    with pytest.raises(signup.InvalidVerificationLink):
        signup.verify_email(organization=org, token=token + "x", channel="portal")
    with (
        time_machine.travel(timezone.now() + timedelta(days=8), tick=False),
        pytest.raises(signup.InvalidVerificationLink),
    ):
        signup.verify_email(organization=org, token=token, channel="portal")

    verified = signup.verify_email(organization=org, token=token, channel="portal")
    first = verified.email_verified_at
    assert first is not None
    assert signup.verify_email(organization=org, token=token, channel="portal").email_verified_at == first
    assert AuditEvent.objects.filter(verb="household.email_verified").count() == 1
    assert signup.resend_verification(household=verified, link_for=LINK.format) is False


def test_a_link_for_an_address_the_household_no_longer_has_is_refused(org):
    household = sign_up(org)
    token = signup.verification_token(household)
    Household.objects.filter(pk=household.pk).update(email="new@example.test")
    with pytest.raises(signup.InvalidVerificationLink):
        signup.verify_email(organization=org, token=token, channel="portal")


def test_n1_resending_on_the_same_day_queues_no_second_email(org):
    household = sign_up(org)
    assert signup.resend_verification(household=household, link_for=LINK.format) is False
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert signup.resend_verification(household=household, link_for=LINK.format) is True
    assert Notification.objects.filter(kind="household_verify_email").count() == 2


def test_password_reset_is_queued_for_a_login_and_silent_for_an_unknown_address(org):
    household = sign_up(org)
    links = []
    queued = signup.request_password_reset(
        organization=org,
        email=" ADA@example.test ",
        link_for=lambda uid, token: links.append(token) or f"/r/{uid}/{token}",
    )
    assert queued == 1
    [email] = Notification.objects.filter(kind="password_reset")
    assert (email.to_email, email.organization_id) == (household.payer.email, org.pk)
    assert "/r/" in email.body_text
    assert links[0] in email.body_text
    assert signup.request_password_reset(organization=org, email="nobody@example.test", link_for=lambda u, t: "") == 0


def test_the_calendar_secret_is_made_once_and_a_reset_revokes_the_old_one(org):
    household = make_household(org)
    token = signup.calendar_token(household=household, channel="portal", actor_id=None)
    assert signup.calendar_token(household=household, channel="portal", actor_id=None) == token
    assert signup.household_by_calendar_token(organization_slug=org.slug, token=token) == household
    assert signup.household_by_calendar_token(organization_slug="elsewhere", token=token) is None
    new = signup.reset_calendar_token(household=household, channel="portal", actor_id=None)
    assert new != token
    assert signup.household_by_calendar_token(organization_slug=org.slug, token=token) is None
    assert signup.household_by_calendar_token(organization_slug=org.slug, token="") is None
