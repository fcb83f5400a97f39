"""Group enroll at the desk (issue 13, item 4; S4, C6): several participants, of one household or
several, into one class at once. The staff member chooses:

* `all`: all or nothing, in ONE transaction: every member's add, or none. Refused at once,
  naming the free and the held seats (S4), when the class has fewer free places than the group
  needs; any refusal of any member (a seat taken meanwhile, an ineligible participant) rolls
  back the others' holds, so nothing is ever written half. The households and their carts are
  locked first, in household order, then each add locks the offering, as every add does (cart
  before offering), so a group never deadlocks with another group or a family's add; a family's
  very first add racing the group for the same household is answered `group_busy`, nothing held;
* `fit`: as many as fit, in the order given; the others are listed with why.

Each seat is a hold in its household's cart on the office wizard's timer (T5), through the same
add as enrolling one participant (office_add_to_cart: the ledger's lock, count and insert, D1);
the family's checkout (or the office's, for them) turns the holds into registrations. With the
override permission and a reason, the group may exceed capacity (C6), recorded on every claim."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from capacity.locks import lock_one
from capacity.selectors import availability
from carts import errors
from carts.models import Cart
from carts.services.adding import AddResult, office_add_to_cart, staff_override
from catalog.models import Offering
from core.errors import DomainError
from core.words import counted
from households.models import Household, Participant
from organizations.models import Permission, StaffMembership
from organizations.services import require_permission

MODES = ("all", "fit")
MAX_GROUP = 100


@dataclass(frozen=True)
class Member:
    household_id: int
    participant_id: int | None


class Refusal(NamedTuple):
    """A member that `fit` turned away: the refusal's stable code (as the single add answers it,
    and as /metrics counts it) and its sentence."""

    member: Member
    code: str
    reason: str


@dataclass(frozen=True)
class GroupOutcome:
    mode: str
    enrolled: list[tuple[Member, AddResult]] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


class GroupDoesNotFit(DomainError):
    code = "group_does_not_fit"
    kind = "conflict"


class GroupBusy(DomainError):
    code = "group_busy"
    kind = "busy"
    default_message = "A family was adding to its cart at the same moment. Nothing was enrolled; try again."


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
                f"{offering.name} has {counted(live.free or 0, 'free place', 'free places')}{held}; the group needs "
                f"{len(wanted)}. "
                "Enroll as many as fit, or fewer participants.",
                field="members",
            )

    def enroll() -> GroupOutcome:
        outcome = _enroll_each(membership, offering, households, wanted, override_reason, all_or_nothing=mode == "all")
        _record(membership, offering, outcome, override_reason)  # all or nothing: in its transaction
        return outcome

    return _in_one_transaction(sorted(households), enroll) if mode == "all" else enroll()


def _enroll_each(
    membership: StaffMembership,
    offering: Offering,
    households: dict[int, Household],
    wanted: Sequence[Member],
    override_reason: str | None,
    *,
    all_or_nothing: bool,
) -> GroupOutcome:
    """Each member's add in the order given: all or nothing in the caller's transaction, the
    first refusal ending it; as many as fit each in its own, refusals listed with why."""
    outcome = GroupOutcome(mode="all" if all_or_nothing else "fit")
    for member in wanted:
        try:
            result = office_add_to_cart(
                membership=membership,
                household=households[member.household_id],
                offering_id=offering.pk,
                participant_id=member.participant_id,
                override_reason=override_reason,
                in_callers_transaction=all_or_nothing,
            )
        except DomainError as refused:
            if all_or_nothing:
                who = _who(member, households[member.household_id])
                raise GroupDoesNotFit(f"Nothing was enrolled: {who}: {refused}", field="members") from refused
            outcome.refused.append(Refusal(member, refused.code, str(refused)))
            continue
        outcome.enrolled.append((member, result))
    return outcome


def _who(member: Member, household: Household) -> str:
    """The member a group's refusal is about, by name: "Ava Lee (Lee household)"."""
    if member.participant_id is None:
        return household.name
    person = Participant.objects.filter(pk=member.participant_id, household_id=household.pk).first()
    return f"{person.full_name} ({household.name})" if person else household.name


def _in_one_transaction(household_ids: list[int], enroll: Callable[[], GroupOutcome]) -> GroupOutcome:
    """All or nothing: `enroll` in one transaction, after locking the households, then their
    carts, each in household order, before any add locks the offering: two groups sharing a
    household wait for each other here, before either makes a cart."""
    try:
        with transaction.atomic(durable=True):
            list(Household.objects.filter(pk__in=household_ids).order_by("pk").select_for_update())
            for household_id in household_ids:
                lock_one(Cart.objects.filter(household_id=household_id, status=Cart.Status.OPEN))
            return enroll()
    except (IntegrityError, OperationalError) as busy:
        # A family's first add created its cart at the same instant (one open cart each), or
        # the database broke a lock cycle: rolled back whole, so nothing is held.
        raise GroupBusy from busy


def _record(
    membership: StaffMembership, offering: Offering, outcome: GroupOutcome, override_reason: str | None
) -> None:
    record(
        organization_id=membership.organization_id,
        verb="offering.group_enrolled",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="offering",
        subject_id=offering.pk,
        data={
            "mode": outcome.mode,
            "enrolled": [[m.household_id, m.participant_id] for m, _ in outcome.enrolled],
            "refused": [[r.member.household_id, r.member.participant_id, r.reason] for r in outcome.refused],
            "override": override_reason or "",
        },
        now=timezone.now(),
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
