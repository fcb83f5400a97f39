"""F2 / P6 / N1 / B6: cancelling an offering is previewed (who is released, deleted, told and
owed money back) and the cancellation does exactly that, in batches of bounded size."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulk import cancellation
from bulk.cancellation import cancel_offering, preview_cancellation
from bulk.errors import OfferingAlreadyCancelled
from bulk.tests.helpers import T0
from capacity.models import Claim
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from core.errors import DomainError
from households.tests.factories import make_household
from notifications.models import Notification
from payments.models import StaffAlert
from registrations.models import Registration

LATER = T0 + timedelta(minutes=10)


@pytest.fixture
def camp(org, enroll, hold):
    offering = make_offering(org, capacity=10, price="100.00", name="Robotics camp")
    enroll(org, offering, paid="100.00")  # paid in full: owed 100
    enroll(org, offering, paid="30.00")  # partly paid: owed 30
    enroll(org, offering)  # unpaid: owed nothing
    hold(org, offering, when=T0 + timedelta(minutes=5))  # in a cart
    return offering


def test_f2_cancelling_previews_who_is_released_deleted_told_and_owed_and_does_exactly_that(org, admin, camp):
    preview = preview_cancellation(membership=admin, offering_id=camp.pk, now=LATER)
    assert [(row.kind, row.owed_back) for row in preview.rows] == [
        ("hold", Decimal("0")),
        ("registration", Decimal("100.00")),
        ("registration", Decimal("30.00")),
        ("registration", Decimal("0")),
    ]
    assert len(preview.households_told) == 4

    with time_machine.travel(LATER, tick=False):
        done = cancel_offering(membership=admin, offering_id=camp.pk, reason="Instructor unavailable", batch_size=2)
    assert done.rows == preview.rows  # row for row

    camp.refresh_from_db()
    assert camp.is_archived
    assert camp.cancelled_at == LATER
    assert set(Claim.objects.filter(offering=camp).values_list("state", flat=True)) == {"released", "cancelled"}
    assert set(Registration.objects.filter(offering=camp).values_list("deleted_reason", flat=True)) == {
        "offering_cancelled"
    }
    told = Notification.objects.filter(kind="offering_cancelled")
    assert told.count() == 4
    assert "Instructor unavailable" in told.first().body_text
    assert sorted(StaffAlert.objects.filter(kind="refund_due").values_list("order_id", flat=True)) == sorted(
        row.order_id for row in preview.rows if row.owed_back
    )


def test_f2_a_cancelled_offering_takes_no_new_seat_and_cannot_be_cancelled_twice(org, admin, camp):
    with time_machine.travel(LATER, tick=False):
        cancel_offering(membership=admin, offering_id=camp.pk, reason="")
        household = make_household(org)
        with pytest.raises(DomainError):
            add_to_cart(
                household=household,
                offering_id=camp.pk,
                participant_id=household.participants.first().pk,
                channel="portal",
            )
        with pytest.raises(OfferingAlreadyCancelled):
            cancel_offering(membership=admin, offering_id=camp.pk, reason="")


def test_f2_a_cancellation_batch_takes_the_same_number_of_queries_whatever_its_size(org, admin, enroll):
    small, large = (make_offering(org, capacity=None, price="20.00") for _ in range(2))
    for _ in range(2):
        enroll(org, small, paid="20.00")
    for _ in range(8):
        enroll(org, large, paid="20.00")
    counts = []
    for offering in (small, large):
        cancellation._archive_offering(admin, offering.pk, "")
        [order_ids] = list(cancellation._order_batches(offering.pk, batch_size=100))
        with CaptureQueriesContext(connection) as queries:
            cancellation._cancel_registration_batch(org, offering, order_ids, admin.user_id)
        counts.append(len(queries))
    assert counts[0] == counts[1]
