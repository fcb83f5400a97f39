from core.errors import DomainError


class CapacityBelowTaken(DomainError):
    code = "capacity_below_taken"
    kind = "conflict"
    default_message = "That capacity is below the seats already taken; nobody loses a seat silently."


class OfferingAlreadyCancelled(DomainError):
    code = "offering_already_cancelled"
    kind = "conflict"
    default_message = "This offering is already cancelled."


class InvalidCapacity(DomainError):
    code = "invalid_capacity"
    kind = "invalid"
    default_message = "Capacity must be empty (unlimited) or a whole number between 0 and 100000."
