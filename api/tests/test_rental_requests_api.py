"""S6 in the API: ask, see, withdraw; the office's queue, approve, decline."""

from datetime import UTC, datetime, timedelta

import time_machine

from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def approval_hall(org):
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=3), slots=2, price="25.00")
    facility.requires_approval = True
    facility.save()
    return facility, slots


@time_machine.travel(T0, tick=False)
def test_s6_a_household_asks_and_the_office_approves(org, api_for):
    facility, slots = approval_hall(org)
    household = make_household(org)
    customer = api_for(household.payer)
    body = {
        "facility_id": facility.pk,
        "starts_at": slots[0].starts_at.isoformat(),
        "ends_at": slots[1].ends_at.isoformat(),
    }
    refused = customer.post(f"/orgs/{org.slug}/cart/rentals", body)
    assert (refused.status_code, refused.json()["code"]) == (409, "approval_required")
    asked = customer.post(f"/orgs/{org.slug}/rental-requests", body | {"note": "Choir practice"})
    assert asked.status_code == 201, asked.json()
    assert (asked.json()["status"], asked.json()["total"]) == ("pending", "50.00")
    assert [r["id"] for r in customer.get(f"/orgs/{org.slug}/rental-requests").json()] == [asked.json()["id"]]
    assert (
        customer.get(f"/orgs/{org.slug}/office/rental-requests").status_code == 404
    )  # not staff: the unknown organization's answer (decision 0013)

    desk = api_for(make_staff(org, [Permission.ENROLL]).user)
    [waiting] = desk.get(f"/orgs/{org.slug}/office/rental-requests?status=pending").json()
    assert waiting["note"] == "Choir practice"
    approved = desk.post(f"/orgs/{org.slug}/office/rental-requests/{waiting['id']}/approve", {"note": "Welcome"})
    assert approved.json()["status"] == "approved"
    assert approved.json()["order_id"]
    again = desk.post(f"/orgs/{org.slug}/office/rental-requests/{waiting['id']}/decline", {})
    assert (again.status_code, again.json()["code"]) == (409, "rental_request_decided")
    assert desk.get(f"/orgs/{org.slug}/office/rental-requests?status=bogus").status_code == 400


@time_machine.travel(T0, tick=False)
def test_s6_declined_or_withdrawn_requests_free_the_time(org, api_for):
    facility, slots = approval_hall(org)
    body = {
        "facility_id": facility.pk,
        "starts_at": slots[0].starts_at.isoformat(),
        "ends_at": slots[0].ends_at.isoformat(),
    }
    first = api_for(make_household(org).payer)
    request_id = first.post(f"/orgs/{org.slug}/rental-requests", body).json()["id"]
    second = api_for(make_household(org).payer)
    assert second.post(f"/orgs/{org.slug}/rental-requests", body).json()["code"] == "offering_full"
    assert first.delete(f"/orgs/{org.slug}/rental-requests/{request_id}").json()["status"] == "withdrawn"
    again = second.post(f"/orgs/{org.slug}/rental-requests", body).json()
    admin = api_for(make_staff(org).user)
    declined = admin.post(f"/orgs/{org.slug}/office/rental-requests/{again['id']}/decline", {"note": "Closed"})
    assert declined.json()["status"] == "declined"
    other = api_for(make_staff(make_organization()).user)
    assert (
        other.get(f"/orgs/{org.slug}/office/rental-requests").status_code == 404
    )  # another organization's staff: the unknown organization's answer
