"""Pure capacity rules (D5): offerings and the ledger's counts in, the decision out."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from capacity.errors import AlreadyClaimed, CapacityShortfall, Shortfall
from capacity.selectors import ClaimCounts


@dataclass(frozen=True)
class SeatRequest:
    """One unit of one offering, for one participant (None for household-level items such
    as facility rentals)."""

    offering_id: int
    participant_id: int | None = None


class OfferingFacts(Protocol):
    """What the rule reads of an offering (catalog.models.Offering has it)."""

    name: str
    capacity: int | None


class Offerings(Protocol):
    """Offerings by id: a dict, or what capacity.locks reads (LockedOfferings, OfferingsRead)."""

    def __getitem__(self, offering_id: int, /) -> OfferingFacts: ...


def refusal(
    *,
    offerings: Offerings,
    counts: Mapping[int, ClaimCounts],
    wanted: Sequence[SeatRequest],
    override: bool,
) -> AlreadyClaimed | CapacityShortfall | None:
    """Why these seats cannot all be had (C2, C4), or None if they can: a participant asked
    for twice (already in a cart or registered), or an offering without room for them all.
    A staff `override` (C6) lifts capacity, never the double booking. One rule for both who
    ask: `claim_seats()` under the offering locks, before it writes; and an add refusing a full
    offering from an unlocked snapshot, before it waits for that lock (carts.services)."""
    shortfalls = []
    for offering_id, seats in Counter(request.offering_id for request in wanted).items():
        offering = offerings[offering_id]
        current = counts.get(offering_id, ClaimCounts())
        asking = {r.participant_id for r in wanted if r.offering_id == offering_id}
        if asking & current.participants_present:
            return AlreadyClaimed(
                f"This participant is already in a cart or registered for {offering.name}.",
                offering_id=offering_id,
            )
        if offering.capacity is None or override:
            continue
        if current.taken + seats > offering.capacity:
            shortfalls.append(
                Shortfall(
                    offering_id=offering_id,
                    offering_name=offering.name,
                    capacity=offering.capacity,
                    taken=current.taken,
                    held_in_carts=current.held,
                    wanted=seats,
                )
            )
    return CapacityShortfall(shortfalls) if shortfalls else None
