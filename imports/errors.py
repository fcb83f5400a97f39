from core.errors import DomainError


class InvalidImport(DomainError):
    code = "invalid_import"
    kind = "invalid"
    default_message = "This file cannot be imported."


class ImportNotFound(DomainError):
    code = "import_not_found"
    kind = "not_found"
    default_message = "No such import in this organization."


class ImportNotRunnable(DomainError):
    code = "import_not_runnable"
    kind = "conflict"
    default_message = "This import is finished or cancelled."
