"""X6: an administrator lists the lock-outs of the organization's people and lifts one (page
and API, audited); another organization's people, and other staff, are out of reach."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import LoginThrottle
from accounts.tokens import issue_token
from audit.models import AuditEvent
from households.models import Household
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff, make_user


def lock_out(user):
    now = timezone.now()
    return LoginThrottle.objects.create(
        scope="account",
        key=user.username.lower(),
        user=user,
        failures=10,
        window_started_at=now,
        last_failed_at=now,
        locked_until=now + timedelta(minutes=15),
    )


@pytest.fixture
def world(db):
    org, other = make_organization(slug="parks"), make_organization(slug="club")
    admin = make_staff(org, [Permission.MANAGE_SETTINGS])
    ours, theirs = make_household(org), make_household(other)
    return {"org": org, "admin": admin, "ours": lock_out(ours.payer), "theirs": lock_out(theirs.payer)}


def test_x6_the_office_page_lists_our_people_s_lock_outs_and_lifts_one(world):
    client = Client()
    client.force_login(world["admin"].user)
    page = client.get("/office/parks/setup/lockouts/").content.decode()
    assert world["ours"].key in page
    assert world["theirs"].key not in page
    lifted = client.post("/office/parks/setup/lockouts/", {"lockout": world["ours"].pk}, follow=True)
    assert f"{world['ours'].key} may sign in again." in lifted.content.decode()
    assert not LoginThrottle.objects.filter(pk=world["ours"].pk).exists()
    event = AuditEvent.objects.get(verb="account.lockout_lifted")
    assert (event.actor_id, event.subject_id, event.data["failures"]) == (
        world["admin"].user_id,
        world["ours"].user_id,
        10,
    )


def test_x6_another_organization_s_lock_out_cannot_be_lifted(world):
    client = Client()
    client.force_login(world["admin"].user)
    client.post("/office/parks/setup/lockouts/", {"lockout": world["theirs"].pk})
    assert LoginThrottle.objects.filter(pk=world["theirs"].pk).exists()


def test_x6_the_api_lists_and_lifts_lock_outs_for_administrators_only(world):
    admin = {"Authorization": f"Bearer {issue_token(user=world['admin'].user)}"}
    desk = {"Authorization": f"Bearer {issue_token(user=make_staff(world['org'], [Permission.ENROLL]).user)}"}
    client = Client()
    listed = client.get("/api/v1/orgs/parks/setup/lockouts", headers=admin)
    assert [row["username"] for row in listed.json()] == [world["ours"].key]
    assert client.get("/api/v1/orgs/parks/setup/lockouts", headers=desk).status_code == 403
    assert client.delete(f"/api/v1/orgs/parks/setup/lockouts/{world['ours'].pk}", headers=desk).status_code == 403
    assert client.delete(f"/api/v1/orgs/parks/setup/lockouts/{world['theirs'].pk}", headers=admin).status_code == 404
    assert client.delete(f"/api/v1/orgs/parks/setup/lockouts/{world['ours'].pk}", headers=admin).status_code == 204
    assert client.get("/api/v1/orgs/parks/setup/lockouts", headers=admin).json() == []


def test_x6_a_lifted_account_signs_in_again_at_once(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_user("locked-one")
    Household.objects.create(organization=world["org"], payer=user, name="Locked", email="locked@example.test")
    lockout = lock_out(user)
    attempt = {"username": "locked-one", "password": "pw-12345-secret"}
    client = Client()
    assert client.post("/api/v1/auth/token", attempt, content_type="application/json").status_code == 429
    client.force_login(world["admin"].user)
    client.post("/office/parks/setup/lockouts/", {"lockout": lockout.pk})
    assert Client().post("/api/v1/auth/token", attempt, content_type="application/json").status_code == 200
