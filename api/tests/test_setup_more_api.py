"""Issue 14 in the API: imports (dry run, then chunks), reports, the absence-reason list."""

from bulk.tests.helpers import enroll
from catalog.models import Offering
from catalog.tests.factories import make_offering
from organizations.models import Permission
from organizations.tests.factories import make_staff


def test_an_import_is_dry_run_then_applied_chunk_by_chunk(org, api_for):
    admin = api_for(make_staff(org).user)
    text = "code,kind,name,price\n" + "".join(f"K{i},class,Class {i},5.00\n" for i in range(5))
    planned = admin.post(f"/orgs/{org.slug}/setup/imports", {"kind": "offerings", "csv": text})
    assert planned.status_code == 201, planned.json()
    body = planned.json()
    assert [row["action"] for row in body["plan"]] == ["create"] * 5
    assert not Offering.objects.filter(organization=org).exists()
    first = admin.post(f"/orgs/{org.slug}/setup/imports/{body['id']}/chunks?size=2").json()
    assert (first["status"], first["done"], first["percent"]) == ("running", 2, 40)
    admin.post(f"/orgs/{org.slug}/setup/imports/{body['id']}/chunks?size=2")
    last = admin.post(f"/orgs/{org.slug}/setup/imports/{body['id']}/chunks?size=2").json()
    assert (last["status"], last["done"]) == ("done", 5)
    assert Offering.objects.filter(organization=org).count() == 5
    assert admin.post(f"/orgs/{org.slug}/setup/imports/{body['id']}/chunks").status_code == 409


def test_reports_answer_for_administrators_only(org, api_for):
    admin = api_for(make_staff(org).user)
    enroll(org, make_offering(org, capacity=4, price="10.00"))
    [row] = admin.get(f"/orgs/{org.slug}/reports/occupancy").json()
    assert (row["capacity"], row["tentative"], row["free"]) == (4, 1, 3)
    assert len(admin.get(f"/orgs/{org.slug}/reports/days").json()) == 30
    assert admin.get(f"/orgs/{org.slug}/reports/days?first=2026-01-10&last=2026-01-01").status_code == 400
    states = {r["payment_state"]: r["registrations"] for r in admin.get(f"/orgs/{org.slug}/reports/incomplete").json()}
    assert sum(states.values()) == 1
    frontdesk = api_for(make_staff(org, [Permission.ENROLL]).user)
    assert frontdesk.get(f"/orgs/{org.slug}/reports/occupancy").status_code == 403


def test_a5_absence_reasons_are_managed_through_the_api(org, api_for):
    admin = api_for(make_staff(org).user)
    added = admin.post(f"/orgs/{org.slug}/setup/absence-reasons", {"name": "Sick", "is_customer_usable": True})
    assert added.status_code == 201
    changed = admin.patch(f"/orgs/{org.slug}/setup/absence-reasons/{added.json()['id']}", {"is_customer_usable": False})
    assert changed.json()["is_customer_usable"] is False
    assert [r["name"] for r in admin.get(f"/orgs/{org.slug}/setup/absence-reasons").json()] == ["Sick"]
    assert (
        admin.post(f"/orgs/{org.slug}/setup/absence-reasons", {"name": "sick", "is_customer_usable": True}).status_code
        == 400
    )
