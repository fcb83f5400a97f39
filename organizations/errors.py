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
