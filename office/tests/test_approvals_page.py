"""S6's approvals queue in the office: approve invoices on account, decline frees the time."""

from datetime import UTC, datetime, timedelta

import time_machine

from capacity.models import Claim
from catalog.tests.factories import make_facility_with_slots
from households.tests.factories import make_household
from notifications.models import Notification
from rentals.models import RentalRequest
from rentals.services import request_rental

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def asked(organization):
    facility, slots = make_facility_with_slots(organization, first_slot=T0 + timedelta(days=2), slots=1)
    facility.requires_approval = True
    facility.save()
    return request_rental(
        household=make_household(organization),
        facility_id=facility.pk,
        starts_at=slots[0].starts_at,
        ends_at=slots[0].ends_at,
        channel="portal",
        note="Scout meeting",
    )


@time_machine.travel(T0, tick=False)
def test_s6_the_desk_approves_a_waiting_request_from_the_queue(world, client_for):
    request = asked(world.organization)
    desk = client_for("frontdesk")
    page = desk.get(f"/office/{world.organization.slug}/approvals/").content.decode()
    assert "Scout meeting" in page
    assert request.household.name in page
    done = desk.post(
        f"/office/{world.organization.slug}/approvals/",
        {"request": request.pk, "action": "approve", "note": "See you there"},
        follow=True,
    )
    request.refresh_from_db()
    assert request.status == RentalRequest.Status.APPROVED
    assert request.order.on_account
    assert request.order.number in done.content.decode()
    assert Notification.objects.filter(kind="rental_approved", to_email=request.household.email).exists()


@time_machine.travel(T0, tick=False)
def test_s6_declining_from_the_queue_releases_the_time(world, client_for):
    request = asked(world.organization)
    client_for("frontdesk").post(
        f"/office/{world.organization.slug}/approvals/", {"request": request.pk, "action": "decline", "note": "Full"}
    )
    assert set(request.claims.values_list("state", flat=True)) == {Claim.State.RELEASED}
    again = client_for("frontdesk").post(
        f"/office/{world.organization.slug}/approvals/", {"request": request.pk, "action": "approve"}
    )
    assert "already been decided" in again.content.decode()
