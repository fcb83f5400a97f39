"""A facility's calendar for the office (issue 13, item 4; S5, S6): each rental slot of a day or a
week with what the ledger says of it now: free, started (free, but its time has begun, so it is
refused as rental_started), held in a cart, requested (awaiting approval, S6) or booked (a
tentative or confirmed registration), and by whom. Two queries. And the same slots as a family
sees them (`facility_availability`): free, started or taken, by nobody named."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from capacity.models import Claim, counting_q
from catalog.models import Offering


@dataclass(frozen=True)
class SlotLine:
    slot: Offering
    state: str  # free, started (free but begun: no longer bookable), held, requested, booked
    household_name: str
    channel: str
    household_id: int | None = None


def facility_calendar(
    *, organization_id: int, facility_id: int, start: datetime, end: datetime, now: datetime
) -> list[SlotLine]:
    """The facility's slots starting in [start, end), in time order."""
    slots = list(
        Offering.objects.filter(
            organization_id=organization_id,
            facility_id=facility_id,
            kind=Offering.Kind.RENTAL,
            is_archived=False,
            starts_at__gte=start,
            starts_at__lt=end,
        ).order_by("starts_at", "pk")
    )
    claims = (
        Claim.objects.filter(counting_q(now), offering_id__in=[s.pk for s in slots])
        .select_related("household")
        .order_by("pk")
    )
    by_slot: dict[int, Claim] = {}
    for each in claims:
        by_slot.setdefault(each.offering_id, each)
    lines = []
    for slot in slots:
        found = by_slot.get(slot.pk)
        if found is None:
            # A slot whose time has begun is refused as rental_started: never offered as free.
            begun = slot.starts_at is not None and slot.starts_at <= now
            lines.append(SlotLine(slot, "started" if begun else "free", "", ""))
            continue
        claim = found
        if claim.state in (Claim.State.TENTATIVE, Claim.State.CONFIRMED):
            state = "booked"
        elif claim.kind == Claim.Kind.RENTAL_REQUEST:
            state = "requested"
        else:
            state = "held"
        lines.append(SlotLine(slot, state, claim.household.name, claim.channel, claim.household_id))
    return lines


@dataclass(frozen=True)
class OpenSlot:
    """A rental slot as a family sees it (S5, S6): free or taken, never by whom; the viewer's
    own claims are told apart (in their cart, requested by them, booked by them)."""

    offering_id: int
    starts_at: datetime
    ends_at: datetime
    price: Decimal
    state: str  # free, started (free but begun: no longer bookable), taken, yours_held, yours_requested, yours_booked


def facility_availability(
    *, organization_id: int, facility_id: int, start: datetime, end: datetime, now: datetime, household_id: int | None
) -> list[OpenSlot]:
    """The facility's slots starting in [start, end) for the portal and the API: the ledger's
    state now, with no other family's name. Two queries."""
    lines = facility_calendar(organization_id=organization_id, facility_id=facility_id, start=start, end=end, now=now)
    return [
        OpenSlot(
            offering_id=line.slot.pk,
            starts_at=line.slot.starts_at,  # type: ignore[arg-type]
            ends_at=line.slot.ends_at,  # type: ignore[arg-type]
            price=line.slot.price,
            state=_public_state(line, household_id),
        )
        for line in lines
    ]


def _public_state(line: SlotLine, household_id: int | None) -> str:
    if line.state in ("free", "started"):
        return line.state
    if household_id is not None and line.household_id == household_id:
        return f"yours_{line.state}"
    return "taken"
