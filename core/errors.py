"""The base of every refusal a service can give. Interfaces turn `kind` into an HTTP status
and show `code` (stable, machine-readable) and `str(error)` (for people).

Every subclass is registered by its `code` (`DomainError.registry`), so that the API's one
table of refusals (api/refusals.py) lists them all, and a code always means one kind."""

from typing import Any, ClassVar, Literal

Kind = Literal["invalid", "not_found", "conflict", "forbidden", "busy", "throttled", "too_large"]


class DomainError(Exception):
    code: ClassVar[str] = "error"
    kind: ClassVar[Kind] = "invalid"
    default_message: ClassVar[str] = "The request could not be completed."
    # code -> the classes that raise it (normally one), filled as subclasses are defined.
    registry: ClassVar[dict[str, list[type["DomainError"]]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        DomainError.registry.setdefault(cls.code, []).append(cls)

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = details

    def __str__(self) -> str:
        return self.message


class InvalidText(DomainError):
    """Text with a NUL or another control character (other than tab, line feed, carriage
    return): refused before it reaches a database that cannot store it (PostgreSQL refuses NUL)."""

    code = "invalid_text"
    kind = "invalid"
    default_message = "Text may not contain control characters."


def control_character_in(text: str) -> bool:
    """True when `text` holds a C0 control character other than tab, line feed and carriage
    return, or DEL: characters no form field of ours means to hold."""
    return any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text)
