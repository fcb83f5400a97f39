from datetime import UTC, datetime, timedelta

import time_machine

from capacity.models import Claim
from catalog.tests.factories import make_facility_with_slots, make_offering
from households.tests.factories import make_household
from orders.models import Order
from organizations.tests.factories import make_organization

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def item(household, offering):
    return {"offering_id": offering.pk, "participant_id": household.participants.first().pk}


def test_c1_t6_add_returns_cart_with_expiry_instant(org, household, offering, api_for):
    api = api_for(household.payer)
    with time_machine.travel(T0, tick=False):
        response = api.post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["expires_at"] == "2026-03-02T14:20:00Z"  # default timeout 20 min
    assert added["seconds_left"] == 1200
    assert [(i["offering_id"], i["offering_name"], i["price"]) for i in added["added"]] == [
        (offering.pk, offering.name, "50.00")
    ]
    assert added["added"][0]["participant_name"] == household.participants.first().full_name
    with time_machine.travel(T0, tick=False):
        cart = api.get(f"/orgs/{org.slug}/cart").json()
    assert cart["id"] == added["cart_id"]
    assert [i["offering_id"] for i in cart["items"]] == [offering.pk]
    assert cart["total"] == "50.00"
    assert cart["expires_at"] == "2026-03-02T14:20:00Z"


def test_add_answer_is_exactly_its_schema(org, household, api_for):
    """The 201 of an add is rendered without ninja's output validation (api.carts.created):
    it must still be exactly what validating it against CartAddOut would give, for a class
    and for a rental, with prices, instants and a missing participant."""
    import json

    from ninja.responses import NinjaJSONEncoder

    from api.schemas import CartAddOut

    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=7), slots=1)
    api = api_for(household.payer)
    with time_machine.travel(T0 + timedelta(microseconds=123456), tick=False):
        answers = [
            api.post(f"/orgs/{org.slug}/cart/items", item(household, make_offering(org, price="12.50"))),
            api.post(
                f"/orgs/{org.slug}/cart/rentals",
                {
                    "facility_id": facility.pk,
                    "starts_at": slots[0].starts_at.isoformat(),
                    "ends_at": slots[0].ends_at.isoformat(),
                },
            ),
        ]
    for answer in answers:
        assert answer.status_code == 201, answer.content
        assert answer["Content-Type"] == "application/json; charset=utf-8"
        validated = CartAddOut.model_validate_json(answer.content)
        assert json.loads(json.dumps(validated.model_dump(), cls=NinjaJSONEncoder)) == answer.json()
    assert answers[0].json()["added"][0]["price"] == "12.50"
    assert answers[1].json()["added"][0]["participant_id"] is None


def test_c4_full_answer_is_409_with_code_and_held_count(org, api_for):
    offering = make_offering(org, capacity=1)
    first, second = make_household(org), make_household(org)
    assert api_for(first.payer).post(f"/orgs/{org.slug}/cart/items", item(first, offering)).status_code == 201
    response = api_for(second.payer).post(f"/orgs/{org.slug}/cart/items", item(second, offering))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "offering_full"
    assert body["details"]["held_in_carts"] == 1
    assert "may come back" in body["message"]


def test_c5_catalog_shows_live_availability(org, household, offering, api_for):
    api_for(household.payer).post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    response = api_for().get(f"/orgs/{org.slug}/offerings")
    assert response.status_code == 200
    [listed] = [o for o in response.json()["results"] if o["id"] == offering.pk]
    assert listed["availability"] == {"capacity": 20, "confirmed": 0, "tentative": 0, "held": 1, "free": 19}


def test_c3_expired_cart_shows_empty_and_seat_is_free(org, household, offering, api_for):
    api = api_for(household.payer)
    with time_machine.travel(T0, tick=False):
        api.post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        cart = api.get(f"/orgs/{org.slug}/cart").json()
        listed = api.get(f"/orgs/{org.slug}/offerings/{offering.pk}").json()
    assert cart["items"] == []
    assert cart["expired_at"] == "2026-03-02T14:20:00Z"
    assert listed["availability"]["held"] == 0
    assert listed["availability"]["free"] == 20


def test_t6_t7_remove_and_empty(org, household, api_for):
    api = api_for(household.payer)
    a, b = make_offering(org), make_offering(org)
    with time_machine.travel(T0, tick=False):
        api.post(f"/orgs/{org.slug}/cart/items", item(household, a))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert (
            api.post(f"/orgs/{org.slug}/cart/items", item(household, b)).json()["expires_at"] == "2026-03-02T14:25:00Z"
        )
        cart = api.get(f"/orgs/{org.slug}/cart").json()
    with time_machine.travel(T0 + timedelta(minutes=8), tick=False):
        first_item = cart["items"][0]["id"]
        after_remove = api.delete(f"/orgs/{org.slug}/cart/items/{first_item}").json()
        assert after_remove["expires_at"] == "2026-03-02T14:25:00Z"  # T7: no restart
        assert [i["offering_id"] for i in after_remove["items"]] == [b.pk]
        emptied = api.delete(f"/orgs/{org.slug}/cart")
        assert emptied.status_code == 200
        assert emptied.json()["items"] == []
        assert emptied.json()["expires_at"] is None  # T7: an emptied cart has no timer
        assert emptied.json()["total"] == "0.00"  # money as everywhere else, not "0"
    assert not Claim.objects.filter(state="held").exists()


def test_p1_p2_checkout_creates_order_with_tentative_registrations_and_is_idempotent(org, household, offering, api_for):
    api = api_for(household.payer)
    cart_id = api.post(f"/orgs/{org.slug}/cart/items", item(household, offering)).json()["cart_id"]
    first = api.post(f"/orgs/{org.slug}/checkout", {"cart_id": cart_id})
    again = api.post(f"/orgs/{org.slug}/checkout", {"cart_id": cart_id})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["order"]["id"] == again.json()["order"]["id"]
    assert first.json()["payment"] is None  # this organization takes payments at the office
    order = first.json()["order"]
    assert order["status"] == "awaiting_payment"
    assert order["balance"] == "50.00"
    assert [r["state"] for r in order["registrations"]] == ["tentative"]
    assert Order.objects.count() == 1
    regs = api.get(f"/orgs/{org.slug}/registrations").json()
    assert [r["offering_id"] for r in regs] == [offering.pk]


def test_p1_free_order_confirms_at_once(org, household, api_for):
    free = make_offering(org, price="0")
    api = api_for(household.payer)
    api.post(f"/orgs/{org.slug}/cart/items", item(household, free))
    order = api.post(f"/orgs/{org.slug}/checkout", {}).json()["order"]
    assert order["status"] == "paid"
    assert [r["state"] for r in order["registrations"]] == ["confirmed"]


@time_machine.travel(T0, tick=False)  # a month before the slots
def test_s5_rental_range_held_once(org, api_for):
    facility, _ = make_facility_with_slots(org, first_slot=datetime(2026, 4, 1, 13, tzinfo=UTC), slots=4)
    first, second = make_household(org), make_household(org)
    body = {"facility_id": facility.pk, "starts_at": "2026-04-01T13:00:00Z", "ends_at": "2026-04-01T15:00:00Z"}
    ok = api_for(first.payer).post(f"/orgs/{org.slug}/cart/rentals", body)
    assert ok.status_code == 201
    assert [i["starts_at"] for i in ok.json()["added"]] == ["2026-04-01T13:00:00Z", "2026-04-01T14:00:00Z"]
    overlap = {"facility_id": facility.pk, "starts_at": "2026-04-01T14:00:00Z", "ends_at": "2026-04-01T16:00:00Z"}
    refused = api_for(second.payer).post(f"/orgs/{org.slug}/cart/rentals", overlap)
    assert refused.status_code == 409
    assert refused.json()["code"] == "offering_full"
    assert not Claim.objects.filter(household=second).exists()
    crooked = {"facility_id": facility.pk, "starts_at": "2026-04-01T14:30:00Z", "ends_at": "2026-04-01T16:00:00Z"}
    assert (
        api_for(second.payer).post(f"/orgs/{org.slug}/cart/rentals", crooked).json()["code"] == "rental_not_available"
    )


@time_machine.travel(T0, tick=False)  # a month before the slots
def test_x5_a_rental_range_that_is_backwards_naive_or_of_an_unknown_facility_is_refused(org, api_for):
    facility, _ = make_facility_with_slots(org, first_slot=datetime(2026, 4, 1, 13, tzinfo=UTC), slots=4)
    other_facility, _ = make_facility_with_slots(make_organization(), first_slot=datetime(2026, 4, 1, 13, tzinfo=UTC))
    api = api_for(make_household(org).payer)

    def rent(facility_id, starts_at, ends_at):
        body = {"facility_id": facility_id, "starts_at": starts_at, "ends_at": ends_at}
        answer = api.post(f"/orgs/{org.slug}/cart/rentals", body)
        return answer.status_code, answer.json().get("code"), answer.json().get("message")

    assert rent(facility.pk, "2026-04-01T15:00:00Z", "2026-04-01T13:00:00Z") == (
        400,
        "invalid_item",
        "A rental must end after it starts.",
    )
    status, code, message = rent(facility.pk, "2026-04-01T13:00:00", "2026-04-01T14:00:00")
    assert (status, code) == (400, "invalid_request")  # the schema's Instant, before the service
    assert "starts_at" in message
    assert "UTC offset" in message
    assert rent(other_facility.pk, "2026-04-01T13:00:00Z", "2026-04-01T14:00:00Z")[:2] == (404, "item_not_found")
    assert not Claim.objects.exists()
    assert rent(facility.pk, "2026-04-01T09:00:00-04:00", "2026-04-01T10:00:00-04:00")[:2] == (201, None)


def test_s5_a_rental_time_that_has_started_is_refused_as_started_not_as_unlisted(org, api_for):
    """A cart's rental and a request alike: a started time is `rental_started`, whether its slots
    are still listed (it was held before) or gone (it was "not made of listed slots")."""
    facility, _slots = make_facility_with_slots(org, first_slot=datetime(2026, 4, 1, 13, tzinfo=UTC), slots=4)
    asked, _ = make_facility_with_slots(org, first_slot=datetime(2026, 4, 1, 13, tzinfo=UTC), slots=4)
    asked.requires_approval = True
    asked.save()
    api = api_for(make_household(org).payer)

    def rent(path, facility_id, starts_at, ends_at):
        body = {"facility_id": facility_id, "starts_at": starts_at, "ends_at": ends_at}
        answer = api.post(f"/orgs/{org.slug}/{path}", body)
        return answer.status_code, answer.json().get("code"), answer.json().get("message")

    started = (409, "rental_started", "That time has already started: choose a rental time later than now.")
    with time_machine.travel(datetime(2026, 4, 1, 14, 30, tzinfo=UTC), tick=False):
        assert rent("cart/rentals", facility.pk, "2026-04-01T13:00:00Z", "2026-04-01T15:00:00Z") == started
        assert rent("cart/rentals", facility.pk, "2026-03-30T13:00:00Z", "2026-03-30T14:00:00Z") == started
        assert rent("rental-requests", asked.pk, "2026-04-01T14:00:00Z", "2026-04-01T15:00:00Z") == started
        assert not Claim.objects.exists()
        assert rent("cart/rentals", facility.pk, "2026-04-01T15:00:00Z", "2026-04-01T16:00:00Z")[:2] == (201, None)


def test_x1_household_sees_only_its_own_and_other_org_is_refused(org, household, offering, api_for):
    other_org = make_organization()
    api = api_for(household.payer)
    api.post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    api.post(f"/orgs/{org.slug}/checkout", {})
    stranger = make_household(org)
    assert api_for(stranger.payer).get(f"/orgs/{org.slug}/orders").json() == []
    order_id = Order.objects.get().pk
    assert api_for(stranger.payer).get(f"/orgs/{org.slug}/orders/{order_id}").status_code == 404
    no_account = api.get(f"/orgs/{other_org.slug}/cart")
    assert no_account.status_code == 403
    assert api.get("/orgs/no-such-org/cart").status_code == 404


def test_x5_bad_input_is_4xx_json_and_changes_nothing(org, household, offering, api_for):
    api = api_for(household.payer)
    cases = [
        api.post(f"/orgs/{org.slug}/cart/items", raw="{not json"),
        api.post(f"/orgs/{org.slug}/cart/items", {"offering_id": "abc"}),
        api.post(
            f"/orgs/{org.slug}/cart/items", {"offering_id": 999999, "participant_id": household.participants.first().pk}
        ),
        api.post(f"/orgs/{org.slug}/cart/items", {"offering_id": offering.pk, "participant_id": 999999}),
        api.post(f"/orgs/{org.slug}/cart/items", {"offering_id": offering.pk}),
        api.delete(f"/orgs/{org.slug}/cart/items/999999"),
        api.post(f"/orgs/{org.slug}/checkout", {}),
    ]
    assert [r.status_code for r in cases] == [400, 400, 404, 404, 400, 404, 409]
    assert all({"code", "message"} <= r.json().keys() for r in cases)
    assert [r.json()["code"] for r in cases][2:] == [
        "offering_not_found",
        "participant_not_found",
        "participant_required",
        "item_not_found",
        "cart_empty",
    ]
    assert not Claim.objects.exists()


def test_unauthenticated_is_401(org):
    from django.test import Client

    response = Client().get(f"/api/v1/orgs/{org.slug}/cart")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_login(org, household, api_for):
    household.payer.set_password("right-password-1")
    household.payer.save()
    anon = api_for()
    assert anon.post("/auth/token", {"username": household.payer.username, "password": "wrong"}).status_code == 403
    token = anon.post("/auth/token", {"username": household.payer.username, "password": "right-password-1"}).json()[
        "token"
    ]
    from django.test import Client

    assert (
        Client().get(f"/api/v1/orgs/{org.slug}/household", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_openapi_schema_is_served():
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/{slug}/cart/items" in schema["paths"]
    assert "/api/v1/orgs/{slug}/checkout" in schema["paths"]


def test_add_through_the_api_costs_one_lookup_plus_the_service(org, household, offering, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(household.payer)
    body = item(household, offering)
    with CaptureQueriesContext(connection) as captured:
        assert api.post(f"/orgs/{org.slug}/cart/items", body).status_code == 201
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(sql) <= 8, sql  # token+household in one query, then at most seven in add_to_cart


def test_revoked_or_foreign_tokens_are_refused(org, household, offering, api_for):
    from accounts.models import ApiToken

    api = api_for(household.payer)
    ApiToken.objects.filter(user=household.payer).update(revoked_at=T0)
    assert api.post(f"/orgs/{org.slug}/cart/items", item(household, offering)).status_code == 401
    stranger = api_for(make_household(org).payer)
    response = stranger.post(f"/orgs/{org.slug}/cart/items", item(household, offering))
    assert (response.status_code, response.json()["code"]) == (404, "participant_not_found")
    assert not Claim.objects.exists()
