from core.errors import DomainError


class RegistrationNotFound(DomainError):
    code = "registration_not_found"
    kind = "not_found"
    default_message = "No such registration in this organization."


class RegistrationNotDeleted(DomainError):
    code = "registration_not_deleted"
    kind = "conflict"
    default_message = "This registration is not deleted: there is nothing to restore."
