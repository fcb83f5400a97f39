"""X6: sign-ins are throttled per account and per client address, on the sign-in page, the
admin's sign-in and the API token endpoint alike; an administrator can lift a lock-out."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import LoginThrottle
from accounts.throttle import Limits, after_failure
from organizations.tests.factories import make_user

PASSWORD = "pw-12345-secret"
T0 = datetime(2027, 1, 9, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_attempt(username, password, address="203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_x6_policy_counts_within_the_window_and_locks_at_the_limit():
    limits = Limits(failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    state = after_failure(failures=0, window_started_at=None, now=T0, limits=limits)
    assert state == (1, T0, None)
    state = after_failure(failures=2, window_started_at=T0, now=T0 + timedelta(minutes=5), limits=limits)
    assert state == (3, T0, T0 + timedelta(minutes=20))
    # An old window starts over.
    state = after_failure(failures=2, window_started_at=T0, now=T0 + timedelta(minutes=16), limits=limits)
    assert state == (1, T0 + timedelta(minutes=16), None)


@pytest.mark.django_db
def test_x6_fifty_wrong_passwords_on_the_api_answer_429_with_retry_after_even_for_the_right_one():
    make_user("admin")
    with time_machine.travel(T0, tick=False):
        answers = [token_attempt("admin", f"guess-{i}").status_code for i in range(50)]
        assert answers[:9] == [403] * 9  # wrong password, said as such
        assert set(answers[9:]) == {429}  # the 10th failure locks the account
        right = token_attempt("admin", PASSWORD)
    assert right.status_code == 429
    assert right.json()["code"] == "too_many_sign_in_attempts"
    assert int(right["Retry-After"]) == 15 * 60
    with time_machine.travel(T0 + timedelta(minutes=15, seconds=1), tick=False):
        assert token_attempt("admin", PASSWORD).status_code == 200  # the lock-out ends by itself


@pytest.mark.django_db
def test_x6_the_api_lock_out_message_is_marked_for_translation_and_keeps_its_code(monkeypatch):
    """The API's message is the sign-in page's sentence, through the translation catalog
    (ngettext: "1 minute", "15 minutes"), no longer English written into the error."""
    make_user("admin")
    with time_machine.travel(T0, tick=False):
        for i in range(10):
            token_attempt("admin", f"guess-{i}")
        english = token_attempt("admin", PASSWORD).json()
        monkeypatch.setattr(
            "accounts.throttle.ngettext", lambda one, many, n: "Trop de tentatives. Réessayez dans %(minutes)s min."
        )
        translated = token_attempt("admin", PASSWORD).json()
    assert english["message"] == (
        "Too many failed sign-in attempts. Try again in 15 minutes, or ask an administrator to lift the lock-out."
    )
    assert translated["message"] == "Trop de tentatives. Réessayez dans 15 min."
    assert (english["code"], translated["code"]) == ("too_many_sign_in_attempts",) * 2


@pytest.mark.django_db
def test_x6_one_address_guessing_many_accounts_is_locked_out_by_address(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    make_user("bob")
    with time_machine.travel(T0, tick=False):
        for i in range(5):
            token_attempt(f"someone{i}", "nope")
        assert token_attempt("bob", PASSWORD).status_code == 429  # same address
        assert token_attempt("bob", PASSWORD, address="198.51.100.2").status_code == 200  # another address


@pytest.mark.django_db
def test_x6_a_right_password_before_the_limit_starts_the_account_count_again():
    make_user("carol")
    with time_machine.travel(T0, tick=False):
        for _ in range(9):
            token_attempt("carol", "nope")
        assert token_attempt("carol", PASSWORD).status_code == 200
        assert token_attempt("carol", "nope").status_code == 403
        assert LoginThrottle.objects.get(scope="account", key="carol").failures == 1


@pytest.mark.django_db
def test_x6_the_sign_in_page_says_it_is_locked_out_with_429():
    user = make_user("dana")
    client = Client()
    with time_machine.travel(T0, tick=False):
        for _ in range(10):
            client.post("/accounts/login/", {"username": "Dana", "password": "nope"})  # any case: one account
        page = client.post("/accounts/login/", {"username": "dana", "password": PASSWORD})
    assert page.status_code == 429
    assert page["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in page.content.decode()
    assert SESSION_KEY not in client.session
    assert LoginThrottle.objects.get(scope="account", key="dana").user_id == user.pk


@pytest.mark.django_db
def test_x6_the_admin_sign_in_is_throttled_too():
    make_user("erin")
    client = Client()
    with time_machine.travel(T0, tick=False):
        for _ in range(10):
            client.post("/admin/login/", {"username": "erin", "password": "nope"})
        page = client.post("/admin/login/", {"username": "erin", "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in page.content.decode()
