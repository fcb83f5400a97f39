"""Issue 15 item 4: no 500 from any input. Every integer the API accepts is bounded to what
the database holds, text with control characters is refused naming the field, a body over
the limit is 413, every error is JSON."""

import json
from typing import get_args

import pytest
from pydantic import BaseModel

from api.root import ROUTERS, api
from api.tests.schema_inputs import schema_inputs
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_staff


def test_x5_every_integer_the_api_accepts_is_bounded_by_the_database_range():
    integers = list(schema_inputs(lambda schema: schema.get("type") == "integer"))
    unbounded = [where for where, integer in integers if "maximum" not in integer or "minimum" not in integer]
    assert unbounded == []
    assert len(integers) > 20  # the walk sees the inputs: ids in paths, offsets, counts in bodies, ...


BIG = 2**63  # one past the database's largest integer


def test_x5_integers_beyond_64_bits_are_400_naming_the_parameter(org, api_for, client):
    household = make_household(org)
    customer = api_for(household.payer)
    refused = [
        client.get(f"/api/v1/orgs/{org.slug}/offerings?offset={2**70}"),
        client.get(f"/api/v1/orgs/{org.slug}/offerings/{BIG}"),
        customer.post(f"/orgs/{org.slug}/cart/items", {"offering_id": BIG, "participant_id": 1}),
        customer.post(f"/orgs/{org.slug}/cart/items", {"offering_id": 1, "participant_id": -(2**70)}),
        customer.delete(f"/orgs/{org.slug}/cart/items/{2**70}"),
    ]
    for response in refused:
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid_request"
    assert "offset" in refused[0].json()["message"]
    assert "offering_id" in refused[2].json()["message"]


@pytest.mark.parametrize("text", ["Sam\x00", "a\x07b", "\x1b[31m", "x\x7f"])
def test_x5_control_characters_in_text_are_400_naming_the_field(org, api_for, text):
    household = make_household(org)
    customer = api_for(household.payer)
    response = customer.post(
        f"/orgs/{org.slug}/household/participants",
        {"first_name": text, "last_name": "Lee", "birth_date": "2016-01-01"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_text"
    assert response.json()["details"] == {"field": "first_name"}
    assert household.participants.count() == 1


def test_x5_control_characters_in_a_query_or_a_settings_body_are_400(org, api_for, client):
    response = client.get(f"/api/v1/orgs/{org.slug}/offerings?kind=class%00")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_text")
    admin = api_for(make_staff(org, [Permission.MANAGE_SETTINGS]).user)
    response = admin.patch(f"/orgs/{org.slug}/settings", {"admin_email": "a\x00@example.org"})
    assert (response.status_code, response.json()["details"]) == (400, {"field": "admin_email"})


def test_x5_a_nul_in_the_path_is_the_json_404_of_any_unknown_path(client, db):
    response = client.get("/api/v1/orgs/river%00side/offerings")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_x7_a_null_setting_is_refused_naming_it(org, api_for):
    admin = api_for(make_staff(org, [Permission.MANAGE_SETTINGS]).user)
    for body in ({"admin_email": None}, {"cart_timeout_minutes": None}, {"time_zone": None}):
        response = admin.patch(f"/orgs/{org.slug}/settings", body)
        assert response.status_code == 400, response.content
        assert list(body) == list(response.json()["details"]["fields"])


def test_x5_a_null_for_a_text_that_cannot_be_null_is_refused_naming_it_and_changes_nothing(org, api_for):
    # the long Schemathesis run: PATCH {"description": null} was the database's NOT NULL error, a 500
    from catalog.models import Facility

    admin = api_for(make_staff(org, [Permission.MANAGE_CATALOG]).user)
    offering = make_offering(org, name="Pottery")
    facility = Facility.objects.create(organization=org, name="Gym A", description="By the pool")
    for path, body in (
        (f"/orgs/{org.slug}/setup/offerings/{offering.pk}", {"description": None}),
        (f"/orgs/{org.slug}/setup/offerings/{offering.pk}", {"name": None, "description": None}),
        (f"/orgs/{org.slug}/setup/facilities/{facility.pk}", {"description": None}),
    ):
        response = admin.patch(path, body)
        assert response.status_code == 400, response.content
        assert sorted(response.json()["details"]["fields"]) == sorted(body)
    offering.refresh_from_db()
    assert (offering.name, offering.description) == ("Pottery", "")
    assert Facility.objects.get(pk=facility.pk).description == "By the pool"
    cleared = admin.patch(f"/orgs/{org.slug}/setup/offerings/{offering.pk}", {"registration_closes_at": None})
    assert cleared.status_code == 200, cleared.content  # a field that may be null still takes one


def test_x5_a_body_over_the_limit_is_413_in_the_json_shape(org, api_for, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    household = make_household(org)
    big = json.dumps({"offering_id": 1, "padding": "x" * 2000})
    for response in (
        api_for(household.payer).post(f"/orgs/{org.slug}/cart/items", raw=big),
        client.post("/api/v1/payments/webhooks/sandbox", data=big, content_type="application/json"),
        client.post("/api/v1/auth/token", data=big, content_type="application/json"),
    ):
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert response.json()["details"] == {"limit": 1000}


def test_x5_an_address_over_the_limit_is_414_in_the_json_shape_and_changes_nothing(org, api_for):
    from core.middleware import MAX_REQUEST_TARGET

    household = make_household(org)
    customer = api_for(household.payer)
    offering = make_offering(org)
    participant = household.participants.first()
    item = {"offering_id": offering.pk, "participant_id": participant.pk}
    assert customer.post(f"/orgs/{org.slug}/cart/items", item).status_code == 201
    note = "\u00f0" * MAX_REQUEST_TARGET  # what the long fuzz run sent: a query string of 4 to 6 KB
    long_read = customer.get(f"/orgs/{org.slug}/offerings?q={note}")
    long_delete = customer.delete(f"/orgs/{org.slug}/cart?note={note}")
    for response in (long_read, long_delete):
        assert response.status_code == 414, response.content
        assert response.json()["code"] == "uri_too_long"
        assert response.json()["details"] == {"limit": MAX_REQUEST_TARGET}
    assert len(customer.get(f"/orgs/{org.slug}/cart").json()["items"]) == 1  # the cart was not emptied
    assert customer.get(f"/orgs/{org.slug}/offerings?q=swim").status_code == 200  # a normal one reads
    # the limit is in bytes as sent: 1000 two-byte letters are 2000 bytes, not their 6000-character escapes
    assert customer.get(f"/orgs/{org.slug}/offerings?q={chr(0xF0) * 1000}").status_code == 200


def test_x5_a_missing_or_bad_bearer_on_a_write_is_401_not_a_csrf_403(org, client):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        response = client.post(
            f"/api/v1/orgs/{org.slug}/cart/items", data="{}", content_type="application/json", headers=headers
        )
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["code"] == "not_authenticated"


def test_x5_the_schema_documents_every_refusal_status():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "403", "404", "409", "413", "414", "429", "503"} <= {str(s) for s in documented}, (
                method,
                path,
            )


def test_x3_no_two_schemas_share_a_name():
    """The schema's components are named after the classes: two `FacilityOut`s made the
    catalog's facilities documented with the setup's fields (schemathesis found it)."""
    seen: dict[str, set[type]] = {}

    def walk(model):
        if isinstance(model, type) and issubclass(model, BaseModel):
            if model in seen.setdefault(model.__name__, set()):
                return
            seen[model.__name__].add(model)
            for field in model.model_fields.values():
                for inner in (field.annotation, *get_args(field.annotation)):
                    for leaf in (inner, *get_args(inner)):
                        walk(leaf)

    for router in ROUTERS:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    walk(model)
    seen.pop("NinjaResponseSchema", None)  # ninja's wrapper of each answer, not a component
    assert {name: classes for name, classes in seen.items() if len(classes) > 1} == {}


def test_x5_what_schemathesis_found_in_setup_is_400_not_500(org, api_for):
    admin = api_for(make_staff(org, [Permission.MANAGE_CATALOG]).user)
    body = {"name": "Aquatics", "description": "", "season": ""}
    assert admin.post(f"/orgs/{org.slug}/setup/programs", body).status_code == 201
    again = admin.post(f"/orgs/{org.slug}/setup/programs", body)
    assert (again.status_code, again.json()["code"]) == (400, "invalid_catalog_item")
    facility = admin.post(f"/orgs/{org.slug}/setup/facilities", {"name": "Hall", "description": ""}).json()
    hours = [{"weekday": 0, "opens_at": "09:00:00Z", "closes_at": "17:00:00Z"}]
    response = admin._call("put", f"/orgs/{org.slug}/setup/facilities/{facility['id']}/hours", hours)
    assert response.status_code == 400, response.content
    assert "offset" in response.json()["message"]
