"""Issue 15 item 4 (no 500 from any input), for dates, instants and times of day: every one the
API accepts goes through one validator of its kind (api.types.Day, Instant, LocalTime), so a
time of day with a UTC offset, an instant without one, or a date near Python's ends (where adding
a day or turning local time into UTC overflowed) is a 400 naming the field, never a 500."""

from urllib.parse import quote

import pytest

from api.tests.schema_inputs import schema_inputs
from catalog.models import Meeting
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_staff

FORMATS = {"date": "x-range", "date-time": "x-range", "time": "x-local"}


def test_x5_every_date_instant_and_time_the_api_accepts_goes_through_its_validator():
    found = list(schema_inputs(lambda schema: schema.get("format") in FORMATS))
    unchecked = [where for where, value in found if FORMATS[value["format"]] not in value]
    assert unchecked == []
    assert len(found) > 20  # the walk sees the inputs: the schedule's times, the offering's instants, ...


@pytest.fixture
def manager(org, api_for):
    staff = make_staff(org, [Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS, Permission.ENROLL])
    return api_for(staff.user)


@pytest.fixture
def offering_id(org, manager):
    return manager.post(f"/orgs/{org.slug}/setup/offerings", {"kind": "class", "name": "Swim", "price": "1"}).json()[
        "id"
    ]


def _refused(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_request"
    assert field in body["message"]
    return body["message"]


WEEKLY = {"weekdays": [1], "starts_on": "2026-01-06", "ends_on": "2026-02-05", "starts_at": "09:00", "ends_at": "10:00"}


@pytest.mark.parametrize(("field", "value"), [("starts_at", "09:00:00+02:00"), ("ends_at", "10:00Z")])
def test_x5_a_schedule_time_with_a_utc_offset_is_400_naming_the_field(org, manager, offering_id, field, value):
    response = manager.put(f"/orgs/{org.slug}/setup/offerings/{offering_id}/schedule", WEEKLY | {field: value})
    assert "without a UTC offset" in _refused(response, field)
    assert not Meeting.objects.filter(offering_id=offering_id).exists()


@pytest.mark.parametrize(("field", "value"), [("opens_at", "09:00:00+02:00"), ("closes_at", "11:00-05:00")])
def test_x5_facility_hours_with_a_utc_offset_are_400_naming_the_field(org, manager, field, value):
    hall = manager.post(f"/orgs/{org.slug}/setup/facilities", {"name": "Hall"}).json()
    hours = {"weekday": 5, "opens_at": "09:00", "closes_at": "11:00"} | {field: value}
    response = manager.put(f"/orgs/{org.slug}/setup/facilities/{hall['id']}/hours", [hours])
    assert "without a UTC offset" in _refused(response, field)


@pytest.mark.parametrize("field", ["registration_opens_at", "registration_closes_at", "starts_at", "ends_at"])
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-01-01T09:00:00", "with its UTC offset"),
        ("0001-01-01T00:00:00+05:00", "from 1900-01-01 to 2999-12-31"),
        ("9999-12-31T23:59:59-05:00", "from 1900-01-01 to 2999-12-31"),
    ],
)
def test_x5_an_offering_instant_without_an_offset_or_out_of_range_is_400(
    org, manager, offering_id, field, value, problem
):
    response = manager.patch(f"/orgs/{org.slug}/setup/offerings/{offering_id}", {field: value})
    assert problem in _refused(response, field)


@pytest.mark.parametrize("field", ["age_cutoff_on", "starts_on", "ends_on"])
def test_x5_an_offering_date_out_of_range_is_400(org, manager, offering_id, field):
    _refused(manager.patch(f"/orgs/{org.slug}/setup/offerings/{offering_id}", {field: "9999-12-31"}), field)


@pytest.mark.parametrize(("field", "value"), [("starts_on", "0001-01-01"), ("ends_on", "9999-12-31")])
def test_x5_a_schedule_date_out_of_range_is_400(org, manager, offering_id, field, value):
    body = (
        WEEKLY | {"starts_on": "9999-12-20", "ends_on": "9999-12-31"} if field == "ends_on" else WEEKLY | {field: value}
    )
    _refused(manager.put(f"/orgs/{org.slug}/setup/offerings/{offering_id}/schedule", body), field)


def test_x5_dates_out_of_range_in_slots_closures_and_reports_are_400(org, manager):
    hall = manager.post(f"/orgs/{org.slug}/setup/facilities", {"name": "Hall"}).json()
    slots = {"first_day": "9999-12-20", "last_day": "9999-12-31", "minutes": 60, "price": "20.00"}
    _refused(manager.post(f"/orgs/{org.slug}/setup/facilities/{hall['id']}/slots/preview", slots), "first_day")
    _refused(manager.post(f"/orgs/{org.slug}/setup/facilities/{hall['id']}/slots", slots), "first_day")
    _refused(manager.put(f"/orgs/{org.slug}/setup/closures/9999-12-31", {"name": "x"}), "day")
    _refused(manager.get(f"/orgs/{org.slug}/reports/days?first=2026-01-01&last=9999-12-31"), "last")


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T00:00:00-05:00"])
def test_x5_the_catalog_filters_refuse_a_bad_instant(org, client, value):
    response = client.get(f"/api/v1/orgs/{org.slug}/offerings?starts_from={quote(value)}")
    _refused(response, "starts_from")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_x5_a_birth_date_out_of_range_is_400(org, api_for, value):
    customer = api_for(make_household(org).payer)
    body = {"first_name": "Sam", "last_name": "Lee", "date_of_birth": value}
    _refused(customer.post(f"/orgs/{org.slug}/household/participants", body), "date_of_birth")


@pytest.mark.parametrize("path", ["cart/rentals", "rental-requests"])
def test_x5_a_rental_instant_without_an_offset_is_400(org, api_for, path):
    customer = api_for(make_household(org).payer)
    body = {"facility_id": 1, "starts_at": "2027-01-09T10:00:00", "ends_at": "2027-01-09T11:00:00-05:00"}
    _refused(customer.post(f"/orgs/{org.slug}/{path}", body), "starts_at")
