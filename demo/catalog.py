"""The demo's catalog: classes with their weekly meetings, camp weeks, memberships and
rental slots. Dates follow the clock: the term starts next Monday, registration windows are
refreshed around now, rental slots are topped up for the next 14 days, and class schedules
are rewritten in place when the term moves on."""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from catalog.models import Facility, Meeting, Offering
from demo.data import (
    CAMPS,
    CLASS_DESCRIPTIONS,
    CLASS_WEEKS,
    CLASSES,
    FACILITIES,
    MEMBERSHIPS,
    RENTAL_DAYS,
    RENTAL_HOURS,
    WEEKDAYS,
)
from organizations.models import Organization


def upsert_offerings(organization: Organization, *, now: datetime) -> None:
    zone = organization.zone
    today = timezone.localdate(now, zone)
    term_starts = today + timedelta(days=7 - today.weekday())  # next Monday
    opened = _local(today - timedelta(days=14), time(9, 0), zone)
    schedules: dict[int, list[tuple[datetime, datetime, str]]] = {}

    for spec in CLASSES:
        first_day = term_starts + timedelta(days=spec.weekday)
        meetings = [
            _slot(first_day + timedelta(weeks=week), spec.at, spec.minutes, zone, spec.location)
            for week in range(CLASS_WEEKS)
        ]
        opens_at, closes_at = _window(spec.window, today=today, opened=opened, starts=meetings[0][0], zone=zone)
        offering = _upsert_offering(
            organization,
            spec.code,
            kind=Offering.Kind.CLASS,
            name=spec.name,
            description=CLASS_DESCRIPTIONS.get(spec.stem, f"{CLASS_WEEKS} weekly classes at {spec.location}."),
            price=Decimal(spec.price),
            capacity=spec.capacity,
            registration_opens_at=opens_at,
            registration_closes_at=closes_at,
            min_age=spec.ages[0],
            max_age=spec.ages[1],
            starts_on=first_day,
            ends_on=first_day + timedelta(weeks=CLASS_WEEKS - 1),
        )
        schedules[offering.pk] = meetings

    camp_monday = _first_summer_camp_monday(today)
    for camp in CAMPS:
        for week in range(camp.weeks):
            monday = camp_monday + timedelta(weeks=week)
            days = [_slot(monday + timedelta(days=d), time(9, 0), 7 * 60, zone, camp.location) for d in range(5)]
            friday = monday + timedelta(days=4)
            offering = _upsert_offering(
                organization,
                f"{camp.stem}-W{week + 1}",
                kind=Offering.Kind.CAMP,
                name=f"{camp.title}: Week {week + 1} ({_date_range(monday, friday)})",
                description=camp.description,
                price=Decimal(camp.price),
                capacity=camp.capacity,
                registration_opens_at=opened,
                registration_closes_at=days[0][0],
                min_age=camp.ages[0],
                max_age=camp.ages[1],
                starts_on=monday,
                ends_on=friday,
            )
            schedules[offering.pk] = days

    for membership in MEMBERSHIPS:
        _upsert_offering(
            organization,
            membership.code,
            kind=Offering.Kind.MEMBERSHIP,
            name=membership.name,
            description=membership.description,
            price=Decimal(membership.price),
            capacity=None,
            registration_opens_at=opened,
            registration_closes_at=None,
            min_age=membership.ages[0],
            max_age=membership.ages[1],
            starts_on=today,
            ends_on=_add_months(today, membership.months) - timedelta(days=1),
        )

    _sync_meetings(schedules)


def _upsert_offering(organization: Organization, code: str, **fields: object) -> Offering:
    offering, _ = Offering.objects.update_or_create(
        organization=organization, code=code, defaults={**fields, "is_archived": False}
    )
    return offering


def _window(
    kind: str, *, today: date, opened: datetime, starts: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime | None]:
    if kind == "future":
        return _local(today + timedelta(days=3), time(9, 0), zone), starts
    if kind == "closed":
        return opened, _local(today - timedelta(days=1), time(17, 0), zone)
    return opened, starts


def _sync_meetings(schedules: dict[int, list[tuple[datetime, datetime, str]]]) -> None:
    """Make each offering's meetings exactly its schedule, editing rows in place: the n-th
    meeting stays the n-th meeting when the term moves, so nothing is duplicated."""
    existing: dict[int, list[Meeting]] = {pk: [] for pk in schedules}
    for meeting in Meeting.objects.filter(offering_id__in=schedules).order_by("offering_id", "starts_at", "pk"):
        existing[meeting.offering_id].append(meeting)
    to_create, to_update, to_delete = [], [], []
    for offering_id, wanted in schedules.items():
        have = existing[offering_id]
        for meeting, (starts_at, ends_at, location) in zip(have, wanted, strict=False):
            if (meeting.starts_at, meeting.ends_at, meeting.location) != (starts_at, ends_at, location):
                meeting.starts_at, meeting.ends_at, meeting.location = starts_at, ends_at, location
                to_update.append(meeting)
        to_create += [
            Meeting(offering_id=offering_id, starts_at=s, ends_at=e, location=loc) for s, e, loc in wanted[len(have) :]
        ]
        to_delete += [meeting.pk for meeting in have[len(wanted) :]]
    Meeting.objects.filter(pk__in=to_delete).delete()
    Meeting.objects.bulk_update(to_update, ["starts_at", "ends_at", "location"])
    Meeting.objects.bulk_create(to_create)


def top_up_rental_slots(organization: Organization, *, now: datetime) -> int:
    """Hourly slots, 9:00-21:00 local, for the next 14 days. Slots already there are kept
    (they may be booked); only missing ones are added. Booking closes when a slot starts."""
    zone = organization.zone
    today = timezone.localdate(now, zone)
    created = 0
    for spec in FACILITIES:
        facility, _ = Facility.objects.update_or_create(
            organization=organization, name=spec.name, defaults={"description": spec.description}
        )
        wanted = [
            _local(today + timedelta(days=d), time(hour, 0), zone) for d in range(RENTAL_DAYS) for hour in RENTAL_HOURS
        ]
        wanted = [starts_at for starts_at in wanted if starts_at > now]
        have = set(Offering.objects.filter(facility=facility, starts_at__in=wanted).values_list("starts_at", flat=True))
        slots = [
            Offering(
                organization=organization,
                kind=Offering.Kind.RENTAL,
                facility=facility,
                code=f"{spec.code}-{starts_at.astimezone(zone):%Y%m%d-%H%M}",
                name=f"{spec.name}, {_day_label(starts_at.astimezone(zone))} {_hour_range(starts_at, zone)}",
                price=Decimal(spec.hourly_price),
                capacity=1,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                registration_closes_at=starts_at,
            )
            for starts_at in wanted
            if starts_at not in have
        ]
        Offering.objects.bulk_create(slots)
        created += len(slots)
    return created


def _first_summer_camp_monday(today: date) -> date:
    """Camps run in July and August; once this summer's camps are over, show next summer's."""
    year = today.year if today < date(today.year, 8, 15) else today.year + 1
    after_canada_day = date(year, 7, 2)
    return after_canada_day + timedelta(days=-after_canada_day.weekday() % 7)


def _slot(day: date, at: time, minutes: int, zone: ZoneInfo, location: str) -> tuple[datetime, datetime, str]:
    starts_at = _local(day, at, zone)
    return starts_at, starts_at + timedelta(minutes=minutes), location


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the organization's zone, as a UTC instant (X4)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date_range(first: date, last: date) -> str:
    end = f"{last.day}" if last.month == first.month else f"{last:%b} {last.day}"
    return f"{first:%b} {first.day}-{end}"


def _day_label(local: datetime) -> str:
    return f"{WEEKDAYS[local.weekday()]} {local:%b} {local.day}"


def _hour_range(starts_at: datetime, zone: ZoneInfo) -> str:
    local = starts_at.astimezone(zone)
    return f"{local:%H:%M}-{(local + timedelta(hours=1)):%H:%M}"
