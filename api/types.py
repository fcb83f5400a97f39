"""Bounded input types for the API's parameters and schemas: every integer within what the
database can hold (PostgreSQL's bigint, SQLite's 64-bit integer), so that a number too large
is a 400 naming the parameter, never an overflow (500) in the database driver."""

from datetime import date, datetime, time
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator, WithJsonSchema

from core.days import FIRST_DAY, LAST_DAY

DB_MAX = 2**63 - 1  # bigint; ids are BigAutoField
INT_MAX = 2**31 - 1  # integer columns (capacity, counts, minutes)

Id = Annotated[int, Ge(1), Le(DB_MAX)]
Count = Annotated[int, Ge(0), Le(INT_MAX)]
Offset = Annotated[int, Ge(0), Le(INT_MAX)]
Limit = Annotated[int, Ge(1), Le(1000)]
Int = Annotated[int, Ge(-INT_MAX - 1), Le(INT_MAX)]  # an integer column's range, sign allowed

# Days, instants and times of day (issue 15 item 4). Python's dates end at 9999-12-31 and begin
# at 0001-01-01, so a date near either end overflowed (500) as soon as the code added a day or
# turned a local time into UTC; a time of day with a UTC offset could not be compared with one
# without (500). One validator per kind, used by every schema and parameter: the schema walk in
# api/tests/test_dates_and_times.py fails for an input that uses a bare date, datetime or time.
_RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def _within_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a date {_RANGE}")
    return value


def _an_instant(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a date and time with its UTC offset, e.g. 2027-01-09T10:00:00-05:00")
    _within_range(value.date())
    return value


def _a_local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a time of day without a UTC offset (the organization's own time zone), e.g. 09:00")
    return value


Day = Annotated[
    date,
    AfterValidator(_within_range),
    WithJsonSchema({"type": "string", "format": "date", "x-range": _RANGE, "description": f"a date {_RANGE}"}),
]
Instant = Annotated[
    datetime,
    AfterValidator(_an_instant),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "x-range": _RANGE,
            "description": f"an instant with its UTC offset, {_RANGE}",
        }
    ),
]
LocalTime = Annotated[
    time,
    AfterValidator(_a_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "format": "time",
            "x-local": True,
            "description": "a time of day in the organization's time zone, without a UTC offset",
        }
    ),
]
