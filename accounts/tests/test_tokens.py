"""X6: API tokens expire (sliding), end on a password change and on deactivation, can be
listed and revoked by their user; a missing or bad token is a 401 with WWW-Authenticate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import ApiToken
from accounts.tokens import issue
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

T0 = datetime(2027, 1, 9, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def family(db):
    return make_household(make_organization(slug="parks"))


def call(method, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(Client(), method)(f"/api/v1{path}", headers=headers, content_type="application/json", **kwargs)


def cart_of(token):
    return call("get", "/orgs/parks/cart", token)


@pytest.mark.django_db
def test_x6_a_token_lapses_after_the_idle_time_and_each_use_pushes_it_on(family, settings):
    settings.API_TOKEN_IDLE_HOURS = 24
    with time_machine.travel(T0, tick=False) as clock:
        raw = issue(user=family.payer).raw
        clock.shift(timedelta(hours=20))
        assert cart_of(raw).status_code == 200  # used: lapses 24 hours from now
        clock.shift(timedelta(hours=20))
        assert cart_of(raw).status_code == 200  # 40 hours after issue, still alive
        clock.shift(timedelta(hours=24, seconds=1))
        lapsed = cart_of(raw)
    assert lapsed.status_code == 401
    assert lapsed["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_x6_a_password_change_ends_every_token(family):
    raw = issue(user=family.payer).raw
    assert cart_of(raw).status_code == 200
    family.payer.set_password("a-new-pass-9876")
    family.payer.save()
    assert cart_of(raw).status_code == 401
    listed = Client()
    listed.force_login(family.payer)
    assert [t["state"] for t in listed.get("/api/v1/auth/tokens").json()] == ["password_changed"]


@pytest.mark.django_db
def test_x6_a_deactivated_user_s_tokens_stop_working(family):
    raw = issue(user=family.payer).raw
    family.payer.is_active = False
    family.payer.save()
    assert cart_of(raw).status_code == 401
    assert call("get", "/auth/tokens", raw).status_code == 401


@pytest.mark.django_db
def test_x6_logout_revokes_the_token_it_carries(family):
    first, second = issue(user=family.payer).raw, issue(user=family.payer).raw
    assert call("post", "/auth/logout", first).status_code == 204
    assert cart_of(first).status_code == 401
    assert cart_of(second).status_code == 200  # the other token is not touched
    assert ApiToken.objects.get(revoked_reason="logout").user_id == family.payer.pk


@pytest.mark.django_db
def test_x6_a_user_lists_their_tokens_and_revokes_one_never_another_s(family):
    other = make_household(family.organization)
    mine, theirs = issue(user=family.payer), issue(user=other.payer)
    listed = call("get", "/auth/tokens", mine.raw).json()
    assert [(t["id"], t["state"], t["is_current"]) for t in listed] == [(mine.token.pk, "active", True)]
    assert call("delete", f"/auth/tokens/{theirs.token.pk}", mine.raw).status_code == 404
    assert cart_of(theirs.raw).status_code == 200
    assert call("delete", f"/auth/tokens/{mine.token.pk}", mine.raw).status_code == 204
    assert cart_of(mine.raw).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("token", [None, "garbage"])
def test_x6_a_missing_or_bad_token_is_401_with_www_authenticate_on_every_method(family, method, token):
    answer = call(method, "/orgs/parks/cart" if method != "post" else "/orgs/parks/cart/items", token)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
    assert answer.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_x6_signing_in_for_a_token_says_when_it_expires(family, settings):
    settings.API_TOKEN_IDLE_HOURS = 48
    with time_machine.travel(T0, tick=False):
        answer = call("post", "/auth/token", data={"username": family.payer.username, "password": "pw-12345-secret"})
    assert answer.status_code == 200
    assert answer.json()["expires_at"] == "2027-01-11T09:00:00Z"
    assert cart_of(answer.json()["token"]).status_code == 200
