from datetime import UTC, datetime

import time_machine

from audit.models import AuditEvent
from households.models import Participant
from households.tests.factories import make_household

TODAY = datetime(2026, 9, 1, 16, 0, tzinfo=UTC)


def test_a_household_adds_a_participant_and_sees_it(org, api_for):
    household = make_household(org)
    api = api_for(household.payer)
    with time_machine.travel(TODAY, tick=False):
        added = api.post(
            f"/orgs/{org.slug}/household/participants",
            {"first_name": " Tom ", "last_name": "Lee", "date_of_birth": "2019-04-02"},
        )
    assert added.status_code == 201
    assert added.json() | {"id": 0} == {"id": 0, "first_name": "Tom", "last_name": "Lee", "date_of_birth": "2019-04-02"}
    names = [p["first_name"] for p in api.get(f"/orgs/{org.slug}/household").json()["participants"]]
    assert names[-1] == "Tom"
    event = AuditEvent.objects.get(verb="household.participant_added")
    assert (event.subject_id, event.household_id, event.channel) == (added.json()["id"], household.pk, "api")


def test_x5_a_second_submit_of_the_same_person_is_409_and_adds_nobody(org, api_for):
    household = make_household(org)
    api = api_for(household.payer)
    url = f"/orgs/{org.slug}/household/participants"
    with time_machine.travel(TODAY, tick=False):
        assert (
            api.post(url, {"first_name": "Tom", "last_name": "Lee", "date_of_birth": "2019-04-02"}).status_code == 201
        )
        again = api.post(url, {"first_name": "tom ", "last_name": "LEE", "date_of_birth": "2019-04-02"})
        sibling = api.post(url, {"first_name": "Tom", "last_name": "Lee", "date_of_birth": "2021-06-30"})
    assert (again.status_code, again.json()["code"]) == (409, "participant_exists")
    assert "already in this household" in again.json()["message"]
    assert sibling.status_code == 201  # another birth date is another person
    assert Participant.objects.filter(household=household, last_name="Lee").count() == 2
    assert AuditEvent.objects.filter(verb="household.participant_added").count() == 2
    other = make_household(org)  # another household may have a Tom Lee of its own
    with time_machine.travel(TODAY, tick=False):
        assert (
            api_for(other.payer)
            .post(url, {"first_name": "Tom", "last_name": "Lee", "date_of_birth": "2019-04-02"})
            .status_code
            == 201
        )


def test_x5_impossible_birth_dates_and_blank_names_are_400_and_add_nobody(org, api_for):
    household = make_household(org)
    api = api_for(household.payer)
    url = f"/orgs/{org.slug}/household/participants"
    before = Participant.objects.count()
    with time_machine.travel(TODAY, tick=False):
        for body, message in (
            ({"first_name": "A", "last_name": "B", "date_of_birth": "2026-09-02"}, "cannot be in the future"),
            ({"first_name": "A", "last_name": "B", "date_of_birth": "1900-01-01"}, "more than 120 years ago"),
            (
                {"first_name": "   ", "last_name": "B", "date_of_birth": "2019-01-01"},
                "First and last name are required",
            ),
            ({"first_name": "A", "last_name": "B", "date_of_birth": "2019-02-30"}, "date_of_birth"),
            ({"first_name": "", "last_name": "B", "date_of_birth": "2019-01-01"}, "first_name"),
        ):
            refused = api.post(url, body)
            assert refused.status_code == 400, body
            assert message in refused.json()["message"], refused.json()
    assert Participant.objects.count() == before


def test_b6_the_household_shows_its_credit(org, api_for):
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from attendance.tests.factories import register
    from catalog.tests.factories import make_offering
    from orders.policies import Share
    from payments.services import record_payment

    household = make_household(org)
    api = api_for(household.payer)
    assert api.get(f"/orgs/{org.slug}/household").json()["credit"] == "0.00"
    registration = register(household, make_offering(org, price="30.00"))
    for ref in ("first-tab", "second-tab"):  # the same order paid from two pages
        with transaction.atomic():
            record_payment(
                organization=org,
                household_id=household.pk,
                amount=Decimal("30.00"),
                plan=[Share(registration.order_id, Decimal("30.00"))],
                provider="sandbox",
                method="card",
                channel="api",
                now=timezone.now(),
                provider_ref=ref,
            )
    assert api.get(f"/orgs/{org.slug}/household").json()["credit"] == "30.00"
