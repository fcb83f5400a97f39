from core.errors import DomainError


class RegistrationNotFound(DomainError):
    code = "registration_not_found"
    kind = "not_found"
    default_message = "No such registration in this organization."
