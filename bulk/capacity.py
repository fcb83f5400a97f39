"""Changing an offering's capacity, previewed first (F2, C2, C6).

Lowering capacity below the seats already taken would leave somebody over: the preview lists
who (the latest seats taken, beyond the new capacity) and the change is refused unless staff
give a reason, in which case nobody loses a seat: the offering simply has no free seat until
enough are released (recorded like an override, C6). The preview and the change share
`_plan`, which the change runs again under the offering's lock.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from bulk.errors import CapacityBelowTaken, InvalidCapacity
from bulk.policies import MAX_CAPACITY, seats_over
from capacity.errors import UnknownOffering
from capacity.locks import lock_offerings
from capacity.models import Claim
from catalog.models import Offering
from core.words import counted
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission


@dataclass(frozen=True)
class Seat:
    """One seat that counts (C2), as staff see it."""

    claim_id: int
    state: str  # held, tentative or confirmed
    household_id: int
    household_name: str
    participant_name: str | None
    taken_at: datetime


@dataclass(frozen=True)
class CapacityPlan:
    offering_id: int
    offering_name: str
    capacity_before: int | None
    capacity_after: int | None
    taken: int
    over: list[Seat]  # the seats beyond the new capacity, latest last

    @property
    def free_after(self) -> int | None:
        return None if self.capacity_after is None else max(0, self.capacity_after - self.taken)


def check_capacity(capacity: object) -> int | None:
    if capacity is None:
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
        raise InvalidCapacity(fields={"capacity": f"empty (unlimited) or a whole number between 0 and {MAX_CAPACITY}"})
    return capacity


def preview_capacity_change(
    *, membership: StaffMembership, offering_id: int, capacity: object, now: datetime
) -> CapacityPlan:
    """Who would be over if the offering had `capacity` seats: nothing is changed."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    new_capacity = check_capacity(capacity)
    offering = Offering.objects.filter(organization_id=membership.organization_id, pk=offering_id).first()
    if offering is None:
        raise UnknownOffering
    return _plan(offering, new_capacity, now)


@transaction.atomic(durable=True)
def change_capacity(
    *, membership: StaffMembership, offering_id: int, capacity: object, override_reason: str = ""
) -> CapacityPlan:
    """Set the offering's capacity under its lock (D3), so no add slips in between the count
    and the change. Refused with the preview's rows when seats would be over and no reason
    is given; with a reason nobody loses a seat and the change is recorded with who was over."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    new_capacity = check_capacity(capacity)
    locked = lock_offerings(organization_id=membership.organization_id, offering_ids=[offering_id])
    now = timezone.now()  # after the lock: every claim committed before it is counted
    offering = locked[offering_id]
    plan = _plan(offering, new_capacity, now)
    reason = override_reason.strip()
    if plan.over and not reason:
        raise CapacityBelowTaken(
            f"{counted(len(plan.over), 'seat', 'seats')} of {offering.name} "
            f"{'is' if len(plan.over) == 1 else 'are'} taken beyond a capacity of {new_capacity}; "
            "release them first or give a reason to lower it anyway (nobody loses a seat).",
            over=[seat.claim_id for seat in plan.over],
            taken=plan.taken,
        )
    Offering.objects.filter(pk=offering.pk).update(capacity=new_capacity)
    record(
        organization_id=offering.organization_id,
        verb="offering.capacity_changed",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="offering",
        subject_id=offering.pk,
        data={
            "before": plan.capacity_before,
            "after": new_capacity,
            "taken": plan.taken,
            "over": [seat.claim_id for seat in plan.over],
            "reason": reason,
        },
        now=now,
    )
    return plan


def _plan(offering: Offering, capacity: int | None, now: datetime) -> CapacityPlan:
    seats = [
        Seat(
            claim_id=claim.pk,
            state=claim.state,
            household_id=claim.household_id,
            household_name=claim.household.name,
            participant_name=claim.participant.full_name if claim.participant else None,
            taken_at=claim.created_at,
        )
        for claim in Claim.objects.counting_at(now)
        .filter(offering_id=offering.pk)
        .select_related("household", "participant")
        .order_by("created_at", "pk")
    ]
    return CapacityPlan(
        offering_id=offering.pk,
        offering_name=offering.name,
        capacity_before=offering.capacity,
        capacity_after=capacity,
        taken=len(seats),
        over=seats_over(capacity, seats),
    )
