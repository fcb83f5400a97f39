from core.errors import DomainError


class PermissionDenied(DomainError):
    code = "permission_denied"
    kind = "forbidden"
    default_message = "You do not have permission to do that in this organization."


class OrganizationNotFound(DomainError):
    code = "organization_not_found"
    kind = "not_found"
    default_message = "No such organization."


class InvalidSettings(DomainError):
    code = "invalid_settings"
    kind = "invalid"


class StaffChangeRefused(DomainError):
    """A change to a staff member that would leave the organization without anyone able to
    manage its settings (and so its staff), or an unknown permission."""

    code = "staff_change_refused"
    kind = "conflict"
    default_message = "That change to the staff is not possible."


class StaffMemberNotFound(DomainError):
    code = "staff_member_not_found"
    kind = "not_found"
    default_message = "No such staff member in this organization."
