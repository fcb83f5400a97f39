"""The base of every refusal a service can give. Interfaces turn `kind` into an HTTP status
and show `code` (stable, machine-readable) and `str(error)` (for people)."""

from typing import Any, ClassVar, Literal

Kind = Literal["invalid", "not_found", "conflict", "forbidden", "busy", "throttled"]


class DomainError(Exception):
    code: ClassVar[str] = "error"
    kind: ClassVar[Kind] = "invalid"
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = details

    def __str__(self) -> str:
        return self.message
