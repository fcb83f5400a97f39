from core.errors import DomainError


class HouseholdNotFound(DomainError):
    code = "household_not_found"
    kind = "not_found"
    default_message = "No such household in this organization."
