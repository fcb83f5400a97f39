"""Group enroll at the desk (issue 13, item 4; S4, C6): several participants, of one household or
several, into one class at once. The staff member chooses:

* `all`: all or nothing. Refused at once, naming the free and the held seats (S4), when the
  class has fewer free places than the group needs; if a seat is taken meanwhile by someone
  else, the holds this call already made are released again and nothing is left held;
* `fit`: as many as fit, in the order given; the others are listed with why.

Each seat is a hold in its household's cart on the office wizard's timer (T5), through the same
add as enrolling one participant (office_add_to_cart: the ledger's lock, count and insert, D1);
the family's checkout (or the office's, for them) turns the holds into registrations. With the
override permission and a reason, the group may exceed capacity (C6), recorded on every claim."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from capacity.locks import lock_one
from capacity.selectors import availability
from capacity.services import release_claims
from carts import errors
from carts.models import Cart
from carts.services.adding import AddResult, office_add_to_cart, staff_override
from carts.services.open_cart import clear_timer, has_items
from catalog.models import Offering
from core.errors import DomainError
from households.models import Household, Participant
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission

MODES = ("all", "fit")
MAX_GROUP = 100


@dataclass(frozen=True)
class Member:
    household_id: int
    participant_id: int | None


@dataclass(frozen=True)
class GroupOutcome:
    mode: str
    enrolled: list[tuple[Member, AddResult]] = field(default_factory=list)
    refused: list[tuple[Member, str]] = field(default_factory=list)


class GroupDoesNotFit(DomainError):
    code = "group_does_not_fit"
    kind = "conflict"


def group_enroll(
    *,
    membership: StaffMembership,
    offering_id: int,
    members: Sequence[Member],
    mode: str,
    override_reason: str | None = None,
) -> GroupOutcome:
    require_permission(membership, Permission.ENROLL)
    if mode not in MODES:
        raise errors.InvalidItem("Choose all or nothing, or as many as fit.", field="mode")
    wanted = list(dict.fromkeys(members))
    if not wanted:
        raise errors.InvalidItem("Choose at least one participant.", field="members")
    if len(wanted) > MAX_GROUP:
        raise errors.InvalidItem(f"A group enrolls at most {MAX_GROUP} participants at once.", field="members")
    staff_override(membership, override_reason)  # C6: the permission and a reason, before anything
    offering = Offering.objects.filter(organization_id=membership.organization_id, pk=offering_id).first()
    if offering is None:
        raise errors.ItemNotFound("No such offering in this organization.")
    households = {
        h.pk: h
        for h in Household.objects.filter(
            organization_id=membership.organization_id, pk__in={m.household_id for m in wanted}
        ).select_related("organization")
    }
    if len(households) != len({m.household_id for m in wanted}):
        raise errors.ItemNotFound("No such household in this organization.")
    if mode == "all" and override_reason is None and offering.capacity is not None:
        live = availability(offerings=[(offering.pk, offering.capacity)], now=timezone.now())[offering.pk]
        if (live.free or 0) < len(wanted):
            held = f", and {live.held} held in carts that may come back" if live.held else ""
            raise GroupDoesNotFit(
                f"{offering.name} has {live.free} free place(s){held}; the group needs {len(wanted)}. "
                "Enroll as many as fit, or fewer participants.",
                field="members",
            )
    outcome = GroupOutcome(mode=mode)
    for member in wanted:
        try:
            result = office_add_to_cart(
                membership=membership,
                household=households[member.household_id],
                offering_id=offering.pk,
                participant_id=member.participant_id,
                override_reason=override_reason,
            )
        except DomainError as refused:
            if mode == "all":
                _undo(outcome, membership)
                raise GroupDoesNotFit(
                    f"Nothing was enrolled: {refused}",
                    field="members",
                ) from refused
            outcome.refused.append((member, str(refused)))
            continue
        outcome.enrolled.append((member, result))
    record(
        organization_id=membership.organization_id,
        verb="offering.group_enrolled",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="offering",
        subject_id=offering.pk,
        data={
            "mode": mode,
            "enrolled": [[m.household_id, m.participant_id] for m, _ in outcome.enrolled],
            "refused": [[m.household_id, m.participant_id, why] for m, why in outcome.refused],
            "override": override_reason or "",
        },
        now=timezone.now(),
    )
    return outcome


def _undo(outcome: GroupOutcome, membership: StaffMembership) -> None:
    """All or nothing: release the holds this group already made (each audited as released)."""
    claim_ids = [claim.pk for _, result in outcome.enrolled for claim in result.claims]
    if not claim_ids:
        return
    now = timezone.now()
    with transaction.atomic(durable=True):
        release_claims(claim_ids=claim_ids, reason="group_enroll_undone", now=now)
        for cart in {result.cart.pk: result.cart for _, result in outcome.enrolled}.values():
            locked = lock_one(Cart.objects.filter(pk=cart.pk))
            if locked is not None and not has_items(locked):
                clear_timer(locked)  # T7: an emptied cart has no timer
        record(
            organization_id=membership.organization_id,
            verb="offering.group_enroll_undone",
            channel=Channel.OFFICE,
            actor_id=membership.user_id,
            subject_type="claim",
            subject_id=claim_ids[0],
            data={"claims": claim_ids},
            now=now,
        )


def group_candidates(
    *, organization_id: int, query: str, household_ids: Sequence[int] = (), limit: int = 60
) -> list[Participant]:
    """Participants the group page offers to tick: those of the households named, or whose
    name or household's name contains `query` (at least two characters); this organization's only."""
    people = Participant.objects.filter(household__organization_id=organization_id)
    if household_ids:
        people = people.filter(household_id__in=list(household_ids))
    elif len(query.strip()) >= 2:
        q = query.strip()
        people = people.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(household__name__icontains=q))
    else:
        return []
    return list(people.select_related("household").order_by("household__name", "last_name", "first_name")[:limit])
