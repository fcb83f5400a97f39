"""F2 / C2 / C6: lowering an offering's capacity is previewed (who would be over) and nobody
loses a seat silently; the preview and the change agree row for row."""

from datetime import timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from bulk.capacity import change_capacity, preview_capacity_change
from bulk.errors import CapacityBelowTaken, InvalidCapacity
from bulk.tests.helpers import T0
from capacity.models import Claim
from catalog.tests.factories import make_offering
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_staff


@pytest.fixture
def full_class(org, enroll, hold):
    offering = make_offering(org, capacity=5, price="40.00")
    for minute in range(3):
        enroll(org, offering, when=T0 + timedelta(minutes=minute))
    hold(org, offering, when=T0 + timedelta(minutes=5))
    return offering


def test_f2_lowering_capacity_previews_who_is_over_and_the_change_agrees_row_for_row(org, admin, full_class):
    now = T0 + timedelta(minutes=10)
    preview = preview_capacity_change(membership=admin, offering_id=full_class.pk, capacity=2, now=now)
    assert preview.taken == 4
    assert [seat.state for seat in preview.over] == ["tentative", "held"]  # the latest two taken
    states_before = dict(Claim.objects.values_list("pk", "state"))

    with time_machine.travel(now, tick=False):
        with pytest.raises(CapacityBelowTaken) as refused:
            change_capacity(membership=admin, offering_id=full_class.pk, capacity=2)
        assert refused.value.details["over"] == [seat.claim_id for seat in preview.over]
        full_class.refresh_from_db()
        assert full_class.capacity == 5  # refused: nothing changed

        done = change_capacity(membership=admin, offering_id=full_class.pk, capacity=2, override_reason="Pool closed")
    assert done.over == preview.over
    full_class.refresh_from_db()
    assert full_class.capacity == 2
    assert dict(Claim.objects.values_list("pk", "state")) == states_before  # nobody lost a seat
    event = AuditEvent.objects.get(verb="offering.capacity_changed")
    assert event.data["over"] == [seat.claim_id for seat in preview.over]
    assert event.data["reason"] == "Pool closed"


def test_f2_raising_capacity_leaves_nobody_over(org, admin, full_class):
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        plan = change_capacity(membership=admin, offering_id=full_class.pk, capacity=8)
    assert (plan.over, plan.free_after) == ([], 4)


@pytest.mark.parametrize("bad", [-1, 100_001, "ten", True, 2.5])
def test_x5_a_bad_capacity_is_refused(org, admin, full_class, bad):
    with pytest.raises(InvalidCapacity):
        change_capacity(membership=admin, offering_id=full_class.pk, capacity=bad)


def test_x1_changing_capacity_needs_manage_catalog(org, full_class):
    with pytest.raises(PermissionDenied):
        change_capacity(membership=make_staff(org, [Permission.ENROLL]), offering_id=full_class.pk, capacity=9)
