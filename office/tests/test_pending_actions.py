"""The Pending list's row actions and its CSV (S7, P6, P7; issue 13 items 2, 5 and 7): each row
carries what this staff member may do to it, absent without the permission; the actions come back
to the list with its filters; `?format=csv` exports every matching row with the same filters."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from bulk.tests.helpers import enroll
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.models import Notification
from organizations.models import Organization
from registrations.models import Registration


def url(world, path=""):
    return f"/office/{world.organization.slug}/{path}"


@pytest.fixture
def unpaid(world):
    Organization.objects.filter(pk=world.organization.pk).update(payment_provider="sandbox")
    offering = make_offering(world.organization, capacity=10, price="40.00", name="Archery")
    return enroll(world.organization, offering, when=timezone.now() - timedelta(hours=2))


def test_s7_row_actions_are_there_only_for_who_may_use_them(world, client_for, unpaid):
    frontdesk = client_for("frontdesk").get(url(world, "pending/")).content.decode()  # enroll, take payments
    assert f"Email a pay link for {unpaid.order.number}" in frontdesk
    assert f"/registrations/{unpaid.pk}/delete/" not in frontdesk  # no "delete enrollments"
    assert f"/office/{world.organization.slug}/households/{unpaid.household_id}/" in frontdesk
    manager = client_for("manager").get(url(world, "pending/")).content.decode()  # enroll, delete enrollments
    assert f"/registrations/{unpaid.pk}/delete/" in manager
    Organization.objects.filter(pk=world.organization.pk).update(payment_provider="none")
    offline = client_for("manager").get(url(world, "pending/")).content.decode()
    assert "Email a pay link" not in offline  # no online payment: no link to send


def test_p7_a_pay_link_sent_from_the_list_comes_back_to_the_list_with_its_filters(world, client_for, unpaid):
    here = url(world, "pending/?state=payment_incomplete&sort=newest")
    sent = client_for("frontdesk").post(url(world, f"orders/{unpaid.order_id}/pay-link/"), {"next": here})
    assert (sent.status_code, sent["Location"]) == (302, here)
    assert Notification.objects.filter(kind="registrant_pay_link", to_email=unpaid.household.email).count() == 1
    elsewhere = client_for("frontdesk").post(
        url(world, f"orders/{unpaid.order_id}/pay-link/"), {"next": "https://evil.example/"}
    )
    assert elsewhere["Location"].endswith(f"/households/{unpaid.household_id}/money/")  # never another site


def test_p6_deleting_from_the_list_asks_first_then_comes_back(world, client_for, unpaid):
    here = url(world, "pending/?q=" + unpaid.household.name.replace(" ", "+"))
    desk = client_for("manager")
    asked = desk.post(url(world, f"registrations/{unpaid.pk}/delete/"), {"note": "Moved away", "next": here})
    assert asked.status_code == 200
    assert "Delete the registration of" in asked.content.decode()
    assert Registration.objects.get(pk=unpaid.pk).deleted_at is None
    done = desk.post(
        url(world, f"registrations/{unpaid.pk}/delete/"), {"note": "Moved away", "next": here, "confirmed": "yes"}
    )
    assert (done.status_code, done["Location"]) == (302, here)
    assert Registration.objects.get(pk=unpaid.pk).deleted_note == "Moved away"


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_s7_the_pending_list_exports_as_csv_with_the_same_filters(world, client_for, unpaid):
    offering = make_offering(world.organization, capacity=80, price="20.00", name="Fencing")
    partly = enroll(world.organization, offering, paid="5.00")
    for _ in range(55):  # more than one page: the export has them all
        enroll(world.organization, offering)
    desk = client_for("frontdesk")
    everything = csv_rows(desk.get(url(world, "pending/"), {"format": "csv"}))
    assert everything[0][:4] == ["Household", "Email", "Participant", "Offering"]
    shown = desk.get(url(world, "pending/")).context["page_obj"].paginator.count
    assert len(everything) - 1 == shown > 50
    only_partly = csv_rows(desk.get(url(world, "pending/"), {"format": "csv", "state": "partially_paid"}))
    assert [row[0] for row in only_partly[1:]] == [partly.household.name]
    assert only_partly[1][8] == "Partially paid"
    # the amounts are the order's, whatever number of its registrations are listed: the columns say so
    assert only_partly[0][6:8] == ["Order total", "Paid on the order"]
    assert only_partly[1][6:8] == ["20.00", "5.00"]
    searched = csv_rows(desk.get(url(world, "pending/"), {"format": "csv", "q": unpaid.household.email}))
    assert [row[0] for row in searched[1:]] == [unpaid.household.name]
    page = desk.get(url(world, "pending/"), {"state": "partially_paid"}).content.decode()
    assert "state=partially_paid&amp;format=csv" in page  # the link keeps the filters


def test_s7_open_carts_export_as_csv(world, client_for):
    household = make_household(world.organization)
    offering = make_offering(world.organization, capacity=5, name="Pottery")
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )
    rows = csv_rows(client_for("frontdesk").get(url(world, "pending/"), {"show": "carts", "format": "csv"}))
    mine = [row for row in rows[1:] if row[0] == household.name]
    assert len(mine) == 1
    assert "Pottery" in mine[0][2]
