"""S5, S6 in the API: a facility's day or week as a family sees it (openings, slots free or
taken, nobody named), the same facts the portal's rental page shows; booking and requesting
go through cart/rentals and rental-requests."""

import datetime as dt

import time_machine

from carts.services import add_rental_to_cart
from households.tests.factories import make_household
from portal.tests.test_rental_pages import MONDAY, NOW, at, make_gym


@time_machine.travel(NOW, tick=False)
def test_s5_the_api_shows_a_facilitys_openings_and_free_or_taken_slots_without_names(org, client):
    gym = make_gym(org, approval=False)
    stranger = make_household(org)
    add_rental_to_cart(
        household=stranger, facility_id=gym.pk, starts_at=at(org, 9), ends_at=at(org, 10), channel="portal"
    )
    answer = client.get(f"/api/v1/orgs/{org.slug}/facilities/{gym.pk}/availability", {"day": MONDAY, "days": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert body["facility"]["requires_approval"] is False
    monday, tuesday = body["days"]
    assert monday["openings"] == [
        {"opens_at": "07:00:00", "closes_at": "12:00:00"},
        {"opens_at": "14:00:00", "closes_at": "21:00:00"},
    ]
    assert [s["state"] for s in monday["slots"]].count("taken") == 1
    assert len(monday["slots"]) == 12
    assert (tuesday["openings"], tuesday["slots"]) == ([], [])
    assert stranger.name not in answer.content.decode()


def test_s5_a_free_slot_whose_time_has_begun_is_started_not_free_in_the_api(org, client):
    gym = make_gym(org)
    now = at(org, 10) + dt.timedelta(minutes=30)
    with time_machine.travel(now, tick=False):
        answer = client.get(f"/api/v1/orgs/{org.slug}/facilities/{gym.pk}/availability", {"day": MONDAY})
    slots = answer.json()["days"][0]["slots"]
    begun = {dt.datetime.fromisoformat(s["starts_at"]) <= now for s in slots if s["state"] == "started"}
    assert [s["state"] for s in slots].count("started") == 4  # 7:00, 8:00, 9:00 and the running 10:00
    assert begun == {True}
    assert all(dt.datetime.fromisoformat(s["starts_at"]) > now for s in slots if s["state"] == "free")


@time_machine.travel(NOW, tick=False)
def test_s5_the_availability_refuses_bad_input_naming_the_field_and_hides_other_organizations(org, client):
    from organizations.tests.factories import make_organization

    gym = make_gym(org)
    path = f"/api/v1/orgs/{org.slug}/facilities/{gym.pk}/availability"
    too_many = client.get(path, {"day": MONDAY, "days": 8})
    assert too_many.status_code == 400
    assert "days" in too_many.content.decode()
    assert client.get(path).status_code == 400  # day is required
    elsewhere = make_organization()
    assert (
        client.get(f"/api/v1/orgs/{elsewhere.slug}/facilities/{gym.pk}/availability", {"day": MONDAY}).status_code
        == 404
    )
    assert dt.date.fromisoformat(client.get(path, {"day": MONDAY}).json()["days"][0]["day"]) == MONDAY
