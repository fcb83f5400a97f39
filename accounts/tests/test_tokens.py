"""X6: API tokens expire (sliding), end on a password change and on deactivation, can be
listed and revoked by their user; a missing or bad token is a 401 with WWW-Authenticate."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import ApiToken
from accounts.tokens import deactivate_user, issue
from households.tests.factories import make_household
from organizations.models import Permission, StaffMembership
from organizations.tests.factories import make_organization, make_staff

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


def _admin():
    root = User.objects.create_superuser("root", "root@example.test", "pw-12345-secret")
    client = Client()
    client.force_login(root)
    return client


def _save_user_in_the_admin(admin, user, *, active):
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": "2027-01-01",
        "date_joined_1": "09:00:00",
        **({"is_active": "on"} if active else {}),
    }
    response = admin.post(f"/admin/auth/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_x6_deactivating_a_user_in_the_admin_revokes_their_tokens_for_good(family):
    admin = _admin()
    raw = issue(user=family.payer).raw
    assert cart_of(raw).status_code == 200
    _save_user_in_the_admin(admin, family.payer, active=False)
    assert cart_of(raw).status_code == 401
    _save_user_in_the_admin(admin, family.payer, active=True)
    assert cart_of(raw).status_code == 401  # reactivation does not bring the old token back
    assert ApiToken.objects.get().revoked_reason == "deactivated"
    assert cart_of(issue(user=family.payer).raw).status_code == 200  # a new sign-in works


@pytest.mark.django_db
def test_x6_a_token_tried_while_its_user_is_inactive_stays_dead_after_reactivation(family):
    """Deactivated another way (the shell, a bulk update): the first refusal revokes it."""
    raw = issue(user=family.payer).raw
    User.objects.filter(pk=family.payer.pk).update(is_active=False)
    assert cart_of(raw).status_code == 401
    User.objects.filter(pk=family.payer.pk).update(is_active=True)
    assert cart_of(raw).status_code == 401
    assert call("get", "/auth/tokens", raw).status_code == 401


@pytest.mark.django_db
def test_x6_deactivate_user_revokes_every_token_of_theirs(family):
    raws = [issue(user=family.payer).raw for _ in range(2)]
    assert deactivate_user(user=family.payer) == 2
    family.payer.is_active = True
    family.payer.save()
    assert [cart_of(raw).status_code for raw in raws] == [401, 401]


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["deactivated", "deleted"])
def test_x6_ending_a_staff_membership_in_the_admin_revokes_the_tokens_for_good(how):
    org = make_organization(slug="parks")
    membership = make_staff(org, [Permission.MANAGE_SETTINGS])
    raw = issue(user=membership.user).raw
    assert call("get", "/orgs/parks/settings", raw).status_code == 200
    admin = _admin()
    change = f"/admin/organizations/staffmembership/{membership.pk}/"
    if how == "deactivated":
        form = {"organization": org.pk, "user": membership.user_id, "permissions": '["manage_settings"]'}
        assert admin.post(f"{change}change/", form).status_code == 302
        assert not StaffMembership.objects.get(pk=membership.pk).is_active
    else:
        assert admin.post(f"{change}delete/", {"post": "yes"}).status_code == 302
    assert call("get", "/orgs/parks/settings", raw).status_code == 401
    StaffMembership.objects.update_or_create(
        organization=org, user=membership.user, defaults={"is_active": True, "permissions": ["manage_settings"]}
    )
    assert call("get", "/orgs/parks/settings", raw).status_code == 401  # still: revoked for good
    assert call("get", "/orgs/parks/settings", issue(user=membership.user).raw).status_code == 200


@pytest.mark.django_db
def test_x6_saving_an_active_user_in_the_admin_revokes_nothing(family):
    raw = issue(user=family.payer).raw
    _save_user_in_the_admin(_admin(), family.payer, active=True)
    assert cart_of(raw).status_code == 200


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
