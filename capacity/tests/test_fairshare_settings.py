"""X6, X7: the fair-share limits are organization settings with defaults, changed by an
administrator on the settings page and in the API, refused out of their range (1-1000)."""

import pytest
from django.test import Client

from accounts.tokens import issue_token
from organizations.models import FAIR_SHARE_DEFAULTS, Organization, Permission
from organizations.preferences import SETTINGS, json_schema
from organizations.tests.factories import make_staff


@pytest.fixture
def admin(org):
    return make_staff(org, [Permission.MANAGE_SETTINGS]).user


def test_x6_every_limit_has_its_default_and_its_range_in_the_schema(org):
    assert {name: getattr(org, name) for name in FAIR_SHARE_DEFAULTS} == FAIR_SHARE_DEFAULTS
    schema = json_schema()["properties"]
    for name in FAIR_SHARE_DEFAULTS:
        assert SETTINGS[name].section == "fair_share"
        assert (schema[name]["minimum"], schema[name]["maximum"]) == (1, 1000)


def test_x6_the_api_changes_a_limit_and_refuses_one_out_of_range(org, admin):
    client = Client(headers={"Authorization": f"Bearer {issue_token(user=admin)}"})
    url = f"/api/v1/orgs/{org.slug}/settings"
    changed = client.patch(url, {"max_unpaid_seats_per_household": 8}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["max_unpaid_seats_per_household"] == 8
    refused = client.patch(url, {"max_adds_per_minute": 0}, content_type="application/json")
    assert refused.status_code == 400
    assert "between 1 and 1000" in refused.json()["message"]
    assert Organization.objects.get(pk=org.pk).max_adds_per_minute == FAIR_SHARE_DEFAULTS["max_adds_per_minute"]


def test_x6_the_settings_page_shows_the_limits_in_their_own_section(org, admin):
    client = Client()
    client.force_login(admin)
    page = client.get(f"/office/{org.slug}/setup/settings/").content.decode()
    assert "Fair share" in page
    assert "Unpaid places per household" in page
    assert 'name="max_unpaid_seats_per_household"' in page
