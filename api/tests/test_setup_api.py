"""X7 / F2 through the API: every preview and its action, permission-checked, in the schema."""

from datetime import timedelta

import pytest
import time_machine

from bulk.tests.helpers import T0, enroll
from catalog.tests.factories import make_offering
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


@pytest.fixture
def admin_api(org, api_for):
    return api_for(make_staff(org).user)


def test_g6_settings_preview_shows_the_impacts_and_saves_nothing(org, admin_api):
    offering = make_offering(org, capacity=5, price="80.00")
    registration = enroll(org, offering, when=T0)
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        preview = admin_api.post(f"/orgs/{org.slug}/settings/preview", {"grace_period_hours": 24})
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert body["changed"] == [{"name": "grace_period_hours", "before": 0, "after": 24}]
    assert [row["registration_id"] for row in body["grace"]["rows"] if row["deletes_now"]] == [registration.pk]
    assert admin_api.get(f"/orgs/{org.slug}/settings").json()["grace_period_hours"] == 0
    refused = admin_api.post(f"/orgs/{org.slug}/settings/preview", {"grace_period_hours": 10**6})
    assert refused.status_code == 400
    assert "grace_period_hours" in refused.json()["details"]["fields"]


def test_f2_capacity_preview_then_change_through_the_api(org, admin_api):
    offering = make_offering(org, capacity=3, price="10.00")
    enroll(org, offering)
    enroll(org, offering)
    url = f"/orgs/{org.slug}/setup/offerings/{offering.pk}/capacity"
    preview = admin_api.get(f"{url}?capacity=1").json()
    assert preview["taken"] == 2
    over = [seat["claim_id"] for seat in preview["over"]]
    refused = admin_api._call("put", url, {"capacity": 1})
    assert refused.status_code == 409
    assert refused.json()["details"]["over"] == over
    done = admin_api._call("put", url, {"capacity": 1, "override_reason": "smaller room"})
    assert done.status_code == 200
    assert [seat["claim_id"] for seat in done.json()["over"]] == over


def test_f2_cancellation_preview_then_cancel_through_the_api(org, admin_api):
    offering = make_offering(org, capacity=3, price="10.00")
    enroll(org, offering, paid="10.00")
    url = f"/orgs/{org.slug}/setup/offerings/{offering.pk}/cancellation"
    preview = admin_api.get(url).json()
    assert (preview["households_told"], preview["total_owed"]) == (1, "10.00")
    done = admin_api.post(url, {"reason": "Pool repairs"})
    assert done.status_code == 200
    assert done.json()["rows"] == preview["rows"]
    assert admin_api.post(url, {"reason": ""}).status_code == 409


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/setup/offerings/{id}/capacity?capacity=1"),
        ("get", "/setup/offerings/{id}/cancellation"),
        ("post", "/setup/offerings/{id}/cancellation"),
    ],
)
def test_x1_setup_endpoints_need_manage_catalog_and_stay_in_their_organization(org, api_for, method, path):
    offering = make_offering(org)
    frontdesk = api_for(make_staff(org, [Permission.ENROLL]).user)
    url = f"/orgs/{org.slug}" + path.format(id=offering.pk)
    answer = frontdesk.get(url) if method == "get" else frontdesk.post(url, {})
    assert answer.status_code == 403
    other = make_organization()
    stranger = api_for(make_staff(other).user)
    answer = (
        stranger.get(url.replace(org.slug, other.slug))
        if method == "get"
        else stranger.post(url.replace(org.slug, other.slug), {})
    )
    assert answer.status_code == 404
