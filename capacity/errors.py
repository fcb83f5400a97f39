from dataclasses import asdict, dataclass

from core.errors import DomainError
from core.words import counted


class CapacityBusy(DomainError):
    """The offering lock could not be taken in time: answer "busy, try again", never 500."""

    code = "busy"
    kind = "busy"
    default_message = "Registration is very busy right now; please try again in a moment."


class UnknownOffering(DomainError):
    code = "offering_not_found"
    kind = "not_found"
    default_message = "No such offering in this organization."


class AlreadyClaimed(DomainError):
    code = "already_enrolled"
    kind = "conflict"
    default_message = "This participant is already in a cart or registered for this offering."


@dataclass(frozen=True)
class Shortfall:
    """Why one offering could not take the seats asked for (C4)."""

    offering_id: int
    offering_name: str
    capacity: int
    taken: int
    held_in_carts: int
    wanted: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    def message(self) -> str:
        if self.free > 0:
            return f"{self.offering_name} has only {counted(self.free, 'place', 'places')} left; you asked for {self.wanted}."
        if self.held_in_carts:
            return (
                f"{self.offering_name} is full, but {counted(self.held_in_carts, 'place is', 'places are')} held in other carts "
                "and may come back if they are not checked out. Try again in a few minutes."
            )
        return f"{self.offering_name} is full."


class CapacityShortfall(DomainError):
    """C4: refused because the offering is full; says whether seats may come back from carts
    and whether a waitlist is available."""

    code = "offering_full"
    kind = "conflict"

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        super().__init__(
            " ".join(s.message() for s in shortfalls),
            offerings=[asdict(s) | {"free": s.free} for s in shortfalls],
            held_in_carts=sum(s.held_in_carts for s in shortfalls),
            waitlist_available=False,
        )
        self.shortfalls = shortfalls
