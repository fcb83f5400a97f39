"""The range of days Registrar accepts from outside (a page's ?day=, an API parameter): Python's
dates end at 0001-01-01 and 9999-12-31, so a day near either end overflowed (a 500) as soon as the
code added a day to it or turned a local time into UTC. Every interface checks against these."""

import datetime as dt

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def day_within_range(value: str, default: dt.date) -> dt.date:
    """`value` (YYYY-MM-DD) as a date when it is one between FIRST_DAY and LAST_DAY, else `default`."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return default
    return day if FIRST_DAY <= day <= LAST_DAY else default
