"""X3: upcoming courses, absences (A1-A3) and the confirmation status of a payment in the API."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from attendance.services import record_attendance
from attendance.tests.factories import make_meetings, make_reason, register
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.tests.factories import make_organization, make_staff
from payments.services import start_online_payment
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, SandboxSigner

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def course(db, clock, settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    org = make_organization(payment_provider="sandbox", pay_balances_online=True)
    household = make_household(org)
    offering = make_offering(org, name="Swim")
    meetings = make_meetings(offering, first=T0 + timedelta(days=1), count=2)
    registration = register(household, offering)
    return org, household, meetings, registration


def test_a1_a2_a3_mark_change_and_clear_an_absence(course, api_for):
    org, household, meetings, registration = course
    sick, trip = make_reason(org, "Sick"), make_reason(org, "Trip")
    make_reason(org, "Staff only", customer_usable=False)
    api = api_for(household.payer)
    assert [r["name"] for r in api.get(f"/orgs/{org.slug}/absence-reasons").json()] == ["Sick", "Trip"]
    url = f"/orgs/{org.slug}/household/participants/{registration.participant_id}/meetings/{meetings[0].pk}/absence"

    marked = api._call("put", url, {"reason_id": sick.pk})
    assert (marked.status_code, marked.json()["reason_name"], marked.json()["recorded_by"]) == (200, "Sick", "customer")
    assert api._call("put", url, {"reason_id": trip.pk}).json()["reason_name"] == "Trip"
    [upcoming] = api.get(f"/orgs/{org.slug}/upcoming-courses").json()
    assert upcoming["offering_name"] == "Swim"
    assert upcoming["balance"] == "50.00"
    assert [m["attendance"]["reason_name"] if m["attendance"] else None for m in upcoming["meetings"]] == ["Trip", None]
    assert api.delete(url).status_code == 204
    assert api.get(f"/orgs/{org.slug}/upcoming-courses").json()[0]["meetings"][0]["attendance"] is None


def test_a3_an_instructors_record_is_read_only_and_x1_another_household_is_refused(course, api_for):
    org, household, meetings, registration = course
    sick = make_reason(org, "Sick")
    record_attendance(
        membership=make_staff(org),
        meeting_id=meetings[1].pk,
        participant_id=registration.participant_id,
        status="absent",
        reason_id=sick.pk,
        channel="office",
    )
    api = api_for(household.payer)
    url = f"/orgs/{org.slug}/household/participants/{registration.participant_id}/meetings/{meetings[1].pk}/absence"
    refused = api._call("put", url, {"reason_id": sick.pk})
    assert (refused.status_code, refused.json()["code"]) == (409, "recorded_by_instructor")
    assert api.get(f"/orgs/{org.slug}/upcoming-courses").json()[0]["meetings"][1]["can_change"] is False
    stranger = api_for(make_household(org).payer)
    url0 = f"/orgs/{org.slug}/household/participants/{registration.participant_id}/meetings/{meetings[0].pk}/absence"
    assert stranger._call("put", url0, {"reason_id": sick.pk}).status_code == 404


def test_payment_status_is_pending_then_declined_then_paid_after_pay_now(course, api_for, client):
    org, household, _meetings, registration = course
    session = start_online_payment(household=household, plan=[_share(registration)], return_url="x")
    api = api_for(household.payer)
    status = api.get(f"/orgs/{org.slug}/payments/{session.pk}").json()
    assert (status["status"], status["orders"][0]["balance"]) == ("open", "50.00")
    signer = SandboxSigner(client)
    signer.deliver(signer.declined(session))
    assert api.get(f"/orgs/{org.slug}/payments/{session.pk}").json()["status"] == "declined"

    again = api.post(f"/orgs/{org.slug}/payments/{session.pk}/retry")
    assert again.status_code == 201
    from payments.models import PaymentSession

    new = PaymentSession.objects.get(pk=again.json()["id"])
    signer.deliver(signer.paid(new))
    paid = api.get(f"/orgs/{org.slug}/payments/{new.pk}").json()
    assert (paid["status"], paid["orders"][0]["status"], paid["orders"][0]["balance"]) == ("paid", "paid", "0.00")
    assert api.post(f"/orgs/{org.slug}/payments/{new.pk}/retry").json()["code"] == "nothing_to_pay"
    assert api_for(make_household(org).payer).get(f"/orgs/{org.slug}/payments/{new.pk}").status_code == 404


def _share(registration):
    from orders.policies import Share

    return Share(registration.order_id, registration.order.balance)
