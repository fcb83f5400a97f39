"""H1 through the API (X3): the same extension as the cart page's button, the same refusals."""

from datetime import UTC, datetime, timedelta

import time_machine

from carts.services import add_to_cart

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_h1_x3_extend_restarts_the_timeout_and_answers_the_cart(org, household, offering, api_for):
    with time_machine.travel(T0, tick=False):
        add_to_cart(
            household=household, offering_id=offering.pk, participant_id=household.participants.get().pk, channel="api"
        )
    api = api_for(household.payer)
    with time_machine.travel(T0 + timedelta(minutes=18), tick=False):
        response = api.post(f"/orgs/{org.slug}/cart/extend")
    assert response.status_code == 200, response.content
    cart = response.json()
    assert cart["expires_at"] == "2026-03-02T14:38:00Z"
    assert cart["seconds_left"] == 1200
    assert [i["offering_id"] for i in cart["items"]] == [offering.pk]


def test_h1_x3_refusals_match_the_page(org, household, offering, api_for):
    api = api_for(household.payer)
    empty = api.post(f"/orgs/{org.slug}/cart/extend")
    assert empty.status_code == 409
    assert empty.json()["code"] == "cart_empty"
    with time_machine.travel(T0, tick=False):
        add_to_cart(
            household=household, offering_id=offering.pk, participant_id=household.participants.get().pk, channel="api"
        )
    for minute in (15, 30, 45):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            assert api.post(f"/orgs/{org.slug}/cart/extend").status_code == 200
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        limited = api.post(f"/orgs/{org.slug}/cart/extend")
    assert limited.status_code == 409
    assert limited.json()["code"] == "cart_at_time_limit"
    assert "time limit of 60 minutes" in limited.json()["message"]
    assert api_for(None).post(f"/orgs/{org.slug}/cart/extend").status_code == 401
