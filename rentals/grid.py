"""The office's facility calendar as a time grid (issue 13, item 4; S5, S6): a row per half-hour
within the facility's bookable hours, a column per day, each cell free, started (free, but its
time has begun: rental_started), held in a cart, requested (awaiting approval), booked, or
closed (outside the openings), with the household for staff; and the times the booking form
offers. Three queries, whatever the number of days."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from capacity.calendar import SlotLine, facility_calendar
from carts.errors import ItemNotFound
from catalog.models import Facility
from catalog.selectors import openings
from organizations.models import Organization

STEP = timedelta(minutes=30)
DEFAULT_HOURS = (time(8), time(22))  # a facility with neither hours nor slots


@dataclass(frozen=True)
class Cell:
    day: date
    at: time
    state: str  # free, started, held, requested, booked, closed (outside the openings), unlisted (open, no slot)
    household_name: str = ""
    first: bool = False  # the first half-hour of its slot (where the grid names the household)


@dataclass(frozen=True)
class Grid:
    facility: Facility
    days: list[date]
    rows: list[tuple[time, list[Cell]]]
    times: list[time]  # every half-hour boundary from the first row to the end of the last
    spans: list[tuple[datetime, datetime]]  # every slot's start and end, in time order


def facility_grid(*, organization: Organization, facility_id: int, first: date, days: int, now: datetime) -> Grid:
    """The grid of `days` days (1-7) from `first`; another organization's facility is not found."""
    facility = Facility.objects.filter(organization_id=organization.pk, pk=facility_id).first()
    if facility is None:
        raise ItemNotFound("No such facility in this organization.")
    zone = organization.zone
    shown = [first + timedelta(days=n) for n in range(max(1, min(days, 7)))]
    start = datetime.combine(shown[0], time(0), zone)
    lines = facility_calendar(
        organization_id=organization.pk,
        facility_id=facility.pk,
        start=start,
        end=datetime.combine(shown[-1] + timedelta(days=1), time(0), zone),
        now=now,
    )
    hours = openings(facility_id=facility.pk)
    by_day = {day: [(o, c) for w, o, c in hours if w == day.weekday()] for day in shown}
    local = [(line, line.slot.starts_at.astimezone(zone), line.slot.ends_at.astimezone(zone)) for line in lines]  # type: ignore[union-attr]
    bounds = [t for spans in by_day.values() for span in spans for t in span]
    bounds += [t for _line, s, e in local for t in (s.time(), e.time() if e.date() == s.date() else time(23, 30))]
    top, bottom = (min(bounds), max(bounds)) if bounds else DEFAULT_HOURS
    times = _half_hours(top, bottom)
    rows = []
    for at in times[:-1]:
        cells = []
        for day in shown:
            instant = datetime.combine(day, at, zone)
            found = next(((line, s) for line, s, e in local if s <= instant < e), None)
            cells.append(
                _cell(day, at, found, open_now=any(o <= at < c for o, c in by_day[day]), has_hours=bool(hours))
            )
        rows.append((at, cells))
    spans = [(line.slot.starts_at, line.slot.ends_at) for line in lines]
    return Grid(facility=facility, days=shown, rows=rows, times=times, spans=spans)  # type: ignore[arg-type]


def booking_times(grid: Grid, *, day: date, zone: tzinfo, now: datetime) -> tuple[list[time], list[time]]:
    """The booking form's choices on `day`, from the grid's half-hours: the starts not yet begun
    nor inside a slot that has begun (a rental that has started is refused as rental_started, as
    the portal's form offers only free slots), and the ends after the first of them. Both empty
    once the day's time is over."""
    running = [(s, e) for s, e in grid.spans if s <= now < e]
    instants = [(t, datetime.combine(day, t, zone)) for t in grid.times[:-1]]
    starts = [t for t, at in instants if at > now and not any(s <= at < e for s, e in running)]
    ends = [t for t in grid.times[1:] if starts and t > starts[0]]
    return starts, ends


def _half_hours(top: time, bottom: time) -> list[time]:
    """Half-hour boundaries from `top` (rounded down) to the first one at or after `bottom`."""
    moment = datetime.combine(date.min, top.replace(minute=0 if top.minute < 30 else 30, second=0, microsecond=0))
    end = datetime.combine(date.min, bottom)
    found = []
    while moment < end:
        found.append(moment.time())
        moment += STEP
    found.append(moment.time())
    return found


def _cell(day: date, at: time, found: tuple[SlotLine, datetime] | None, *, open_now: bool, has_hours: bool) -> Cell:
    if found is not None:
        line, starts = found
        return Cell(day, at, line.state, line.household_name, first=starts.time() == at)
    if has_hours and not open_now:
        return Cell(day, at, "closed")
    return Cell(day, at, "unlisted")
