"""What a database error means, read from the driver's codes, never from its message.

Django wraps the driver's exception (`django.db.IntegrityError` and so on) and keeps it as
`__cause__`. PostgreSQL's errors carry a SQLSTATE and, for a violated constraint, its name
(psycopg: `.sqlstate`, `.diag.constraint_name`); SQLite's carry an extended result code
(`sqlite3.Error.sqlite_errorcode`) but no constraint name. Messages change with the server's
version and `lc_messages`; these codes do not.
"""

import sqlite3
from typing import Any

LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out, or NOWAIT
QUERY_CANCELED = "57014"  # statement_timeout, or a cancel request
UNIQUE_VIOLATION = "23505"

_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}  # primary codes: "database is locked"
_SQLITE_UNIQUE = {sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY}


def _driver_error(exc: BaseException) -> Any:
    """The driver's own exception behind Django's (itself, if it is one)."""
    seen: BaseException | None = exc
    while seen is not None:
        if hasattr(seen, "sqlstate") or hasattr(seen, "sqlite_errorcode"):
            return seen
        seen = seen.__cause__
    return None


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of the error, or None (another database, or not from the server)."""
    return getattr(_driver_error(exc), "sqlstate", None)


def is_busy(exc: BaseException) -> bool:
    """Whether the database gave up waiting (for a lock, or a statement's time): "try again"
    rather than a fault. PostgreSQL: lock_not_available, query_canceled; SQLite: busy, locked."""
    error = _driver_error(exc)
    if error is None:
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY
    return getattr(error, "sqlstate", None) in (LOCK_NOT_AVAILABLE, QUERY_CANCELED)


def violates_unique(exc: BaseException, constraint: str) -> bool:
    """Whether the error is a unique violation of `constraint`. PostgreSQL names the
    constraint; SQLite does not, so there any unique violation answers yes."""
    error = _driver_error(exc)
    if error is None:
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code in _SQLITE_UNIQUE
    if getattr(error, "sqlstate", None) != UNIQUE_VIOLATION:
        return False
    diag = getattr(error, "diag", None)
    return getattr(diag, "constraint_name", None) == constraint
