"""Issue 14: catalog management through the API, with ranges and enums in the schema."""

from organizations.models import Permission
from organizations.tests.factories import make_staff


def test_an_offering_with_a_weekly_schedule_is_made_through_the_api(org, api_for):
    manager = api_for(make_staff(org, [Permission.MANAGE_CATALOG]).user)
    program = manager.post(f"/orgs/{org.slug}/setup/programs", {"name": "Swim", "season": "Winter 2026"})
    assert program.status_code == 201
    made = manager.post(
        f"/orgs/{org.slug}/setup/offerings",
        {
            "kind": "class",
            "name": "Swim 1",
            "price": "60.00",
            "capacity": 8,
            "program_id": program.json()["id"],
            "min_age": 5,
            "age_cutoff_on": "2026-12-31",
            "registration_opens_at": "2025-12-01T09:00:00-05:00",
        },
    )
    assert made.status_code == 201, made.json()
    schedule = manager._call(
        "put",
        f"/orgs/{org.slug}/setup/offerings/{made.json()['id']}/schedule",
        {
            "weekdays": [1, 3],
            "starts_on": "2026-01-06",
            "ends_on": "2026-02-05",
            "starts_at": "18:00",
            "ends_at": "18:45",
            "exceptions": ["2026-01-27"],
        },
    )
    assert schedule.status_code == 200, schedule.json()
    assert schedule.json()["meetings"] == 9


def test_x5_x1_bad_input_is_a_400_and_others_get_a_403(org, api_for):
    manager = api_for(make_staff(org, [Permission.MANAGE_CATALOG]).user)
    bad = manager.post(f"/orgs/{org.slug}/setup/offerings", {"kind": "party", "name": "x", "price": "-1"})
    assert bad.status_code == 400
    frontdesk = api_for(make_staff(org, [Permission.ENROLL]).user)
    refused = frontdesk.post(f"/orgs/{org.slug}/setup/offerings", {"kind": "class", "name": "x", "price": "1"})
    assert refused.status_code == 403
    assert not org.offerings.exists()


def test_x3_the_catalog_schemas_state_ranges_and_enums(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    offering = schemas["OfferingIn"]["properties"]
    assert offering["capacity"]["anyOf"][0]["maximum"] == 100_000
    assert schemas["HoursIn"]["properties"]["weekday"]["maximum"] == 6
    assert "rental" in str(offering["kind"])
