"""Group enroll (issue 13, item 4; S4, C6): several participants, of one household or several,
into one class at once, all or nothing or as many as fit, as the staff member chooses. The page
shows the class's confirmed, tentative, held and free seats first (S4)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Channel
from capacity.selectors import availability
from carts.services.group import GroupOutcome, Member, group_candidates, group_enroll
from catalog.models import Offering
from core.errors import DomainError
from households.selectors import participants_by_id
from monitoring import counters
from office.access import OfficeRequest, staff_page
from office.rendering import refusal_status
from organizations.models import Permission


def _refused(organization_id: int, outcome: GroupOutcome | None) -> list[tuple[str, str, str]]:
    """Who was not enrolled, by name and household name, and why (one query for all of them)."""
    if outcome is None or not outcome.refused:
        return []
    people = participants_by_id(
        organization_id=organization_id,
        participant_ids=[r.member.participant_id for r in outcome.refused if r.member.participant_id is not None],
    )
    named = []
    for member, _code, why in outcome.refused:
        person = people.get(member.participant_id or 0)
        if person is None:  # no such participant in this organization: the reason says so
            label = _("Participant %(id)s") % {"id": member.participant_id} if member.participant_id else ""
            named.append((label or _("A participant"), "", why))
        else:
            named.append((person.full_name, person.household.name, why))
    return named


def _members(values: list[str]) -> list[Member]:
    members = []
    for value in values:
        household, _sep, participant = value.partition(":")
        if household.isdigit() and participant.isdigit():
            members.append(Member(int(household), int(participant)))
    return members


@staff_page(Permission.ENROLL, methods=("GET", "POST"))
def group(request: OfficeRequest, offering_id: int) -> HttpResponse:
    """GET ?q=name or ?households=1,2: participants to tick. POST member=<household>:<participant>
    (several), mode=all|fit, override_reason: enroll them."""
    offering = Offering.objects.filter(organization_id=request.organization.pk, pk=offering_id).first()
    if offering is None:
        raise Http404("No such offering.")
    query = request.GET.get("q", "")
    household_ids = [int(h) for h in request.GET.get("households", "").split(",") if h.strip().isdigit()]
    outcome: GroupOutcome | None = None
    refusal, status = "", 200
    chosen = _members(request.POST.getlist("member")) if request.method == "POST" else []
    mode = request.POST.get("mode", "all")
    if request.method == "POST":
        reason = request.POST.get("override_reason", "").strip()
        try:
            outcome = group_enroll(
                membership=request.membership,
                offering_id=offering.pk,
                members=chosen,
                mode=mode,
                override_reason=reason or None,
            )
        except DomainError as refused:
            counters.count_refusal("add", Channel.OFFICE, refused.code)
            refusal, status = str(refused), refusal_status(refused)
        else:
            counters.count_add(Channel.OFFICE, len(outcome.enrolled))
            for turned_away in outcome.refused:  # as many as fit: each member turned away, by its code
                counters.count_refusal("add", Channel.OFFICE, turned_away.code)
        household_ids = household_ids or sorted({m.household_id for m in chosen})
    live = availability(offerings=[(offering.pk, offering.capacity)], now=timezone.now())[offering.pk]
    candidates = group_candidates(organization_id=request.organization.pk, query=query, household_ids=household_ids)
    ticked = {(m.household_id, m.participant_id) for m in chosen}
    return render(
        request,
        "office/group.html",
        {
            "offering": offering,
            "live": live,
            "query": query,
            "candidates": [(p, (p.household_id, p.pk) in ticked) for p in candidates],
            "mode": mode,
            "outcome": outcome,
            "refused": _refused(request.organization.pk, outcome),
            "refusal": refusal,
            "can_override": request.membership.has_permission(Permission.OVERRIDE_CAPACITY),
            "searched": bool(query or household_ids),
            "heading": _("Group enroll"),
        },
        status=status,
    )
