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


def test_the_catalog_pages_reads_and_previews_are_in_the_api(org, api_for):
    from datetime import date

    from catalog.models import Closure, Facility

    manager = api_for(make_staff(org, [Permission.MANAGE_CATALOG]).user)
    made = manager.post(f"/orgs/{org.slug}/setup/offerings", {"kind": "class", "name": "Yoga", "price": "10.00"})
    assert [o["name"] for o in manager.get(f"/orgs/{org.slug}/setup/offerings").json()] == ["Yoga"]
    Closure.objects.create(organization=org, day=date(2026, 1, 8), name="Snow day")
    days = manager.post(
        f"/orgs/{org.slug}/setup/offerings/{made.json()['id']}/schedule/preview",
        {
            "weekdays": [1, 3],
            "starts_on": "2026-01-06",
            "ends_on": "2026-01-15",
            "starts_at": "18:00",
            "ends_at": "19:00",
            "exceptions": ["2026-01-13"],
        },
    ).json()
    assert [(d["day"], d["meets"], d["skipped_because"]) for d in days] == [
        ("2026-01-06", True, ""),
        ("2026-01-08", False, "Snow day"),
        ("2026-01-13", False, "exception"),
        ("2026-01-15", True, ""),
    ]
    assert manager.get(f"/orgs/{org.slug}/setup/closures").json() == [{"day": "2026-01-08", "name": "Snow day"}]
    hall = manager.post(f"/orgs/{org.slug}/setup/facilities", {"name": "Hall"}).json()
    changed = manager.patch(f"/orgs/{org.slug}/setup/facilities/{hall['id']}", {"requires_approval": True}).json()
    assert changed["requires_approval"] is True
    assert [f["name"] for f in manager.get(f"/orgs/{org.slug}/setup/facilities").json()] == ["Hall"]
    manager._call(
        "put",
        f"/orgs/{org.slug}/setup/facilities/{hall['id']}/hours",
        [{"weekday": 5, "opens_at": "09:00", "closes_at": "11:00"}],
    )
    two = [
        {"weekday": 0, "opens_at": "07:00:00", "closes_at": "12:00:00"},
        {"weekday": 0, "opens_at": "14:00:00", "closes_at": "21:00:00"},
    ]
    hours_path = f"/orgs/{org.slug}/setup/facilities/{hall['id']}/hours"
    assert (
        manager._call("put", hours_path, [*two, {"weekday": 5, "opens_at": "09:00", "closes_at": "11:00"}]).status_code
        == 204
    )
    assert manager.get(hours_path).json()[:2] == two  # several openings a weekday, read back
    overlap = manager._call("put", hours_path, [*two, {"weekday": 0, "opens_at": "11:00", "closes_at": "13:00"}])
    assert overlap.status_code == 400
    assert "hours" in overlap.json()["details"]["fields"]
    assert len(manager.get(hours_path).json()) == 3  # nothing changed
    manager._call("put", hours_path, [{"weekday": 5, "opens_at": "09:00", "closes_at": "11:00"}])
    slots = {"first_day": "2026-03-01", "last_day": "2026-03-08", "minutes": 60, "price": "20.00"}
    preview = manager.post(f"/orgs/{org.slug}/setup/facilities/{hall['id']}/slots/preview", slots).json()
    assert (preview["made"], preview["existing"]) == (2, 0)
    assert not Facility.objects.get(pk=hall["id"]).slots.exists()
    assert manager.post(f"/orgs/{org.slug}/setup/facilities/{hall['id']}/slots", slots).json()["made"] == 2
    assert (
        manager.post(
            f"/orgs/{org.slug}/setup/facilities/{hall['id']}/slots/preview", slots | {"minutes": 5}
        ).status_code
        == 400
    )
    program = manager.post(f"/orgs/{org.slug}/setup/programs", {"name": "Yoga", "season": "W"}).json()
    manager.patch(
        f"/orgs/{org.slug}/setup/offerings/{made.json()['id']}",
        {"program_id": program["id"], "starts_on": "2026-01-06"},
    )
    plan = manager.post(
        f"/orgs/{org.slug}/setup/programs/{program['id']}/copy/preview", {"starts_on": "2026-04-07", "season": "S"}
    ).json()
    assert (plan["shift_days"], [r["new_starts_on"] for r in plan["rows"]]) == (91, ["2026-04-07"])
