"""Pure catalog rules (D5): facts in, decisions out. No ORM, no clock."""

from collections.abc import Collection, Iterator
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

MAX_MEETINGS = 400  # a weekly schedule longer than a few years is a typing mistake


def meeting_days(
    *, starts_on: date, ends_on: date, weekdays: Collection[int], skipped: Collection[date] = ()
) -> list[date]:
    """The days a weekly schedule meets: each chosen weekday (0 Monday ... 6 Sunday) from
    `starts_on` to `ends_on` inclusive, except the skipped days (closures, exceptions)."""
    chosen = set(weekdays)
    skip = set(skipped)
    return [day for day in _days(starts_on, ends_on) if day.weekday() in chosen and day not in skip]


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def meeting_instants(day: date, starts_at: time, ends_at: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A meeting's start and end as instants, from the organization's wall clock (X4)."""
    return datetime.combine(day, starts_at, tzinfo=zone), datetime.combine(day, ends_at, tzinfo=zone)


def shifted(value: date | None, days: int) -> date | None:
    """A date moved by a whole number of days (copying a season forward)."""
    return None if value is None else value + timedelta(days=days)


def week_aligned_shift(from_day: date, to_day: date) -> int:
    """Days between two season starts, rounded to whole weeks, so a Tuesday class stays on
    Tuesdays when a season is copied forward."""
    return round((to_day - from_day).days / 7) * 7


MAX_SLOTS = 2000  # one request makes at most this many rental slots


def slot_times(opens_at: time, closes_at: time, minutes: int) -> list[tuple[time, time]]:
    """Back-to-back slots of `minutes` from opening to closing; a remainder too short for a
    slot is left out (8:00-11:30 in hours: 8-9, 9-10, 10-11)."""
    start = datetime.combine(date.min, opens_at)
    end = datetime.combine(date.min, closes_at)
    step = timedelta(minutes=minutes)
    slots = []
    while start + step <= end:
        slots.append((start.time(), (start + step).time()))
        start += step
    return slots


Opening = tuple[int, time, time]  # weekday (0 Monday ... 6 Sunday), opens, closes: one bookable opening


def overlapping_opening(openings: Collection[Opening]) -> Opening | None:
    """The first opening that overlaps (or touches) an earlier one on its weekday, or None: a
    day may have several openings (07:00-12:00 and 14:00-21:00), apart from each other."""
    ordered = sorted(openings)
    for earlier, later in pairwise(ordered):
        if earlier[0] == later[0] and later[1] <= earlier[2]:
            return later
    return None


def within_openings(*, starts_at: datetime, ends_at: datetime, openings: Collection[Opening], zone: ZoneInfo) -> bool:
    """Whether [starts_at, ends_at) lies inside one opening of its day, on the organization's
    wall clock (X4): a range that crosses a gap between two openings (noon to two) is not."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if end.date() != start.date() and not (end.date() == start.date() + timedelta(days=1) and end.time() == time(0)):
        return False
    end_time = time.max if end.time() == time(0) and end.date() != start.date() else end.time()
    return any(
        weekday == start.weekday() and opens <= start.time() and end_time <= closes
        for weekday, opens, closes in openings
    )


def describe_openings(openings: Collection[Opening], weekday: int) -> str:
    """A day's openings in words for a refusal: "07:00-12:00, 14:00-21:00" (or "closed")."""
    found = sorted((o, c) for w, o, c in openings if w == weekday)
    return ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in found) or "closed"
