"""S6 with S7 and the facility calendar: a rental request waiting for the office shows on the
Pending list (its age, a way to decide it) and as "requested" on the calendar, in words."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household
from rentals.services import request_rental

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def asked(organization, *, when=T0):
    facility, slots = make_facility_with_slots(organization, first_slot=T0 + timedelta(days=2), slots=2)
    facility.requires_approval = True
    facility.save()
    with time_machine.travel(when, tick=False):
        request = request_rental(
            household=make_household(organization),
            facility_id=facility.pk,
            starts_at=slots[0].starts_at,
            ends_at=slots[0].ends_at,
            channel="portal",
        )
    return request, slots


@time_machine.travel(T0 + timedelta(hours=3), tick=False)
def test_s6_s7_pending_lists_waiting_rental_requests_with_their_age_and_the_way_to_decide(world, client_for):
    request, _slots = asked(world.organization)
    page = client_for("frontdesk").get(reverse("office:pending", args=[world.organization.slug]))
    body = page.content.decode()
    assert "1 rental request waiting for approval" in body
    assert request.household.name in body
    assert "Waiting for 3\xa0hours" in body
    assert reverse("office:approvals", args=[world.organization.slug]) in body
    assert page.context["requests_count"] == 1


@time_machine.travel(T0, tick=False)
def test_s6_pending_shows_a_request_until_it_is_decided(world, client_for):
    request, _slots = asked(world.organization)
    body = client_for("manager").get(reverse("office:pending", args=[world.organization.slug])).content.decode()
    assert "rental request" in body
    client_for("frontdesk").post(
        reverse("office:approvals", args=[world.organization.slug]), {"request": request.pk, "action": "decline"}
    )
    body = client_for("frontdesk").get(reverse("office:pending", args=[world.organization.slug])).content.decode()
    assert "waiting for approval" not in body


@time_machine.travel(T0, tick=False)
def test_s6_the_calendar_shows_requested_time_in_words_apart_from_held_and_booked(world, client_for):
    request, slots = asked(world.organization)
    zone = world.organization.zone
    day = slots[0].starts_at.astimezone(zone).date()
    url = reverse("office:calendar", args=[world.organization.slug])
    page = client_for("frontdesk").get(f"{url}?facility={request.facility_id}&day={day.isoformat()}")
    body = page.content.decode()
    assert "Requested, awaiting approval" in body
    assert "Held in a cart" not in body
