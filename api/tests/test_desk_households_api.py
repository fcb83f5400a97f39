"""S8 through the staff API: the same search, creation and household view as the office pages."""

from django.utils import timezone

from audit.models import AuditEvent
from bulk.tests.helpers import enroll, hold
from catalog.tests.factories import make_offering
from households.models import Household
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


def test_s8_api_finds_creates_and_shows_a_household(org, api_for):
    desk = api_for(make_staff(org, [Permission.ENROLL]).user)
    created = desk.post(
        f"/orgs/{org.slug}/staff/households",
        {
            "name": "Robin Okoye",
            "email": "robin@example.test",
            "participants": [{"first_name": "Ada", "last_name": "Okoye", "date_of_birth": "2017-03-04"}],
        },
    )
    assert created.status_code == 201, created.json()
    household_id = created.json()["id"]
    assert [p["first_name"] for p in created.json()["participants"]] == ["Ada"]
    found = desk.get(f"/orgs/{org.slug}/staff/households?q=ada").json()
    assert [h["id"] for h in found] == [household_id]
    note = desk.post(f"/orgs/{org.slug}/staff/households/{household_id}/notes", {"text": "Call after 5"})
    assert note.status_code == 201
    shown = desk.get(f"/orgs/{org.slug}/staff/households/{household_id}").json()
    assert shown["notes"][0]["text"] == "Call after 5"
    assert {"household.created", "household.note_added"} <= {e["verb"] for e in shown["events"]}
    assert AuditEvent.objects.filter(verb="household.created", channel="api").count() == 1


def test_x5_api_refuses_a_second_household_with_the_same_email_naming_the_first(org, api_for):
    household = make_household(org)
    desk = api_for(make_staff(org, [Permission.ENROLL]).user)
    refused = desk.post(f"/orgs/{org.slug}/staff/households", {"name": "Again", "email": household.email.upper()})
    assert refused.status_code == 409
    assert refused.json()["details"]["household_id"] == household.pk
    assert Household.objects.filter(organization=org).count() == 1


def test_x1_api_household_search_and_view_stay_in_the_organization(org, api_for):
    other = make_organization(slug="other-api")
    theirs = make_household(other)
    desk = api_for(make_staff(org, [Permission.ENROLL]).user)
    assert desk.get(f"/orgs/{org.slug}/staff/households?q={theirs.name}").json() == []
    assert desk.get(f"/orgs/{org.slug}/staff/households/{theirs.pk}").status_code == 404
    teacher = api_for(make_staff(org, [Permission.TEACH]).user)
    assert teacher.get(f"/orgs/{org.slug}/staff/households?q=x").status_code == 403
    assert (
        teacher.post(f"/orgs/{org.slug}/staff/households", {"name": "T", "email": "t@example.test"}).status_code == 403
    )


def test_s7_api_pending_lists_incomplete_registrations_and_open_carts(org, api_for):
    offering = make_offering(org, capacity=10, price="25.00")
    unpaid = enroll(org, offering)
    held = hold(org, offering, when=timezone.now())
    desk = api_for(make_staff(org, [Permission.TAKE_PAYMENTS]).user)
    registrations = desk.get(f"/orgs/{org.slug}/staff/pending").json()
    assert registrations["count"] == 1
    assert registrations["registrations"][0]["household_id"] == unpaid.household_id
    assert registrations["registrations"][0]["payment_state"] == "payment_incomplete"
    carts = desk.get(f"/orgs/{org.slug}/staff/pending?show=carts").json()
    assert [c["household_id"] for c in carts["carts"]] == [held.pk]
    assert desk.get(f"/orgs/{org.slug}/staff/pending?state=paid_in_full").status_code == 400


def test_s3_api_takes_over_a_family_cart_then_removes_from_it(org, api_for):
    offering = make_offering(org, capacity=10, price="25.00")
    family = hold(org, offering, when=timezone.now())
    desk = api_for(make_staff(org, [Permission.ENROLL]).user)
    item_id = desk.get(f"/orgs/{org.slug}/staff/households/{family.pk}/cart").json()["items"][0]["id"]
    refused = desk.delete(f"/orgs/{org.slug}/staff/households/{family.pk}/cart/items/{item_id}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "customer_cart_open"
    taken = desk.post(f"/orgs/{org.slug}/staff/households/{family.pk}/cart/take-over")
    assert taken.status_code == 200
    assert taken.json()["held_by_office"] is True
    emptied = desk.delete(f"/orgs/{org.slug}/staff/households/{family.pk}/cart/items/{item_id}")
    assert emptied.status_code == 200
    assert emptied.json()["items"] == []
