"""Writes on the catalog (issue 14): programs, offerings, weekly schedules and their meetings,
closures, facilities and their bookable hours. Every entry point checks *manage catalog*
server-side and is audited. An offering's capacity is set here only when it is created:
changing it later goes through bulk.capacity, under the offering's lock (F2, C2)."""

from collections.abc import Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from catalog import policies
from catalog.errors import InvalidCatalogItem, UnknownCatalogItem
from catalog.models import BookableHours, Closure, Facility, Meeting, Offering, Program, Schedule
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission

OFFERING_FIELDS = (
    "kind",
    "code",
    "name",
    "description",
    "price",
    "capacity",
    "program",
    "registration_opens_at",
    "registration_closes_at",
    "min_age",
    "max_age",
    "age_cutoff_on",
    "starts_on",
    "ends_on",
    "facility",
    "starts_at",
    "ends_at",
    "registration_notifications",
    "notification_email",
)
EDITABLE_OFFERING_FIELDS = tuple(f for f in OFFERING_FIELDS if f != "capacity")  # capacity: bulk.capacity
PROGRAM_FIELDS = ("name", "description", "season")
FACILITY_FIELDS = ("name", "description", "requires_approval")


def record_change(membership: StaffMembership, verb: str, subject: tuple[str, int], data: dict[str, Any]) -> None:
    record(
        organization_id=membership.organization_id,
        verb=verb,
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type=subject[0],
        subject_id=subject[1],
        data=data,
        now=timezone.now(),
    )


def _validated(obj: Any, exclude: list[str] | None = None, *, constraints: bool = True) -> None:
    """The model's own validation (field types, ranges, choices, constraints) as one refusal
    naming each bad field."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=constraints)
    except ValidationError as exc:
        fields = {k: " ".join(v) for k, v in exc.message_dict.items()}
        raise InvalidCatalogItem(" ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields) from None


def _check_known(changes: Mapping[str, Any], allowed: tuple[str, ...], model: type[Any]) -> None:
    """Only fields this change may set, and no null for a field that cannot hold one: the
    model's full_clean lets a null through for a field that may be blank ("" is its empty
    value), and the database then refuses it with a server error (a PATCH with
    {"description": null}, found by the long Schemathesis run)."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidCatalogItem(
            f"{'Unknown field' if len(unknown) == 1 else 'Unknown fields'}: {', '.join(unknown)}.",
            fields=dict.fromkeys(unknown, "unknown field"),
        )
    nulls = sorted(name for name, value in changes.items() if value is None and not model._meta.get_field(name).null)
    if nulls:
        raise InvalidCatalogItem(
            " ".join(f"{name}: This field cannot be null." for name in nulls),
            fields=dict.fromkeys(nulls, "This field cannot be null."),
        )


def access_catalog_item(model: type[Any], organization_id: int, pk: int | None) -> Any:
    """A row of this organization, or the same not-found for any other (X1)."""
    if pk is None:
        return None
    found = model.objects.filter(organization_id=organization_id, pk=pk).first()
    if found is None:
        raise UnknownCatalogItem(f"No such {model._meta.verbose_name} in this organization.")
    return found


def _offering_checks(offering: Offering) -> None:
    problems = {}
    if offering.price is not None and offering.price < 0:
        problems["price"] = "must be zero or more"
    opens, closes = offering.registration_opens_at, offering.registration_closes_at
    if opens and closes and closes <= opens:
        problems["registration_closes_at"] = "must be after registration_opens_at"
    if offering.starts_on and offering.ends_on and offering.ends_on < offering.starts_on:
        problems["ends_on"] = "must be on or after starts_on"
    if offering.min_age is not None and offering.max_age is not None and offering.max_age < offering.min_age:
        problems["max_age"] = "must be at least min_age"
    if offering.kind == Offering.Kind.RENTAL and not (
        offering.facility_id and offering.starts_at and offering.ends_at and offering.starts_at < offering.ends_at
    ):
        problems["facility"] = "a rental slot needs a facility and a start before its end"
    if problems:
        raise InvalidCatalogItem(" ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)


def _assign(membership: StaffMembership, offering: Offering, changes: Mapping[str, Any]) -> None:
    for name, value in changes.items():
        if name == "program":
            offering.program = access_catalog_item(Program, membership.organization_id, value)
        elif name == "facility":
            offering.facility = access_catalog_item(Facility, membership.organization_id, value)
        else:
            setattr(offering, name, value)


@transaction.atomic
def create_offering(
    *, membership: StaffMembership, fields: Mapping[str, Any], schedule: Mapping[str, Any] | None = None
) -> Offering:
    """A new class, camp, membership or rental slot, with its price, age rule, registration
    opening and capacity (None: unlimited), and its weekly schedule if given (`set_schedule`'s
    arguments): made together or not at all."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    _check_known(fields, OFFERING_FIELDS, Offering)
    offering = Offering(organization_id=membership.organization_id)
    _assign(membership, offering, fields)
    _validated(offering, exclude=["organization"], constraints=False)
    _offering_checks(offering)  # named fields, before the constraints' own words
    _validated(offering, exclude=["organization"])
    offering.save()
    record_change(
        membership, "offering.created", ("offering", offering.pk), {"name": offering.name, "kind": offering.kind}
    )
    if schedule:
        set_schedule(membership=membership, offering_id=offering.pk, **schedule)
    return offering


@transaction.atomic
def update_offering(*, membership: StaffMembership, offering_id: int, changes: Mapping[str, Any]) -> Offering:
    """Change an offering's description, price, dates and rules; capacity is changed with
    bulk.capacity.change_capacity, which previews who would be over."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    _check_known(changes, EDITABLE_OFFERING_FIELDS, Offering)
    offering = access_catalog_item(Offering, membership.organization_id, offering_id)
    zone = membership.organization.zone
    before = {name: _shown(offering, name, zone) for name in changes}
    _assign(membership, offering, changes)
    _validated(offering, exclude=["organization"], constraints=False)
    _offering_checks(offering)  # named fields, before the constraints' own words
    _validated(offering, exclude=["organization"])
    offering.save(update_fields=[*changes] or None)
    after = {name: _shown(offering, name, zone) for name in changes}
    changed = [name for name in changes if before[name] != after[name]]
    if changed:  # the trail names what changed, not every field the form sent back as it was
        record_change(
            membership,
            "offering.changed",
            ("offering", offering.pk),
            {"before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}},
        )
    return offering


def _shown(offering: Offering, name: str, zone: tzinfo) -> str:
    """A field's value as the audit trail writes it: an instant in the organization's time zone,
    so that the same instant reads the same before and after whichever zone it was given in."""
    value = getattr(offering, name if name not in ("program", "facility") else f"{name}_id")
    return str(timezone.localtime(value, zone) if isinstance(value, datetime) else value)


@transaction.atomic
def save_program(*, membership: StaffMembership, fields: Mapping[str, Any], program_id: int | None = None) -> Program:
    require_permission(membership, Permission.MANAGE_CATALOG)
    _check_known(fields, PROGRAM_FIELDS, Program)
    program = access_catalog_item(Program, membership.organization_id, program_id) or Program(
        organization_id=membership.organization_id
    )
    for name, value in fields.items():
        setattr(program, name, value)
    _validated(program)  # with the organization: a name and season it already has is refused, not a 500
    program.save()
    record_change(membership, "program.saved", ("program", program.pk), {k: str(v) for k, v in fields.items()})
    return program


@transaction.atomic
def save_facility(
    *, membership: StaffMembership, fields: Mapping[str, Any], facility_id: int | None = None
) -> Facility:
    require_permission(membership, Permission.MANAGE_CATALOG)
    _check_known(fields, FACILITY_FIELDS, Facility)
    facility = access_catalog_item(Facility, membership.organization_id, facility_id) or Facility(
        organization_id=membership.organization_id
    )
    for name, value in fields.items():
        setattr(facility, name, value)
    _validated(facility, exclude=["organization"])
    facility.save()
    record_change(membership, "facility.saved", ("facility", facility.pk), {k: str(v) for k, v in fields.items()})
    return facility


@transaction.atomic
def set_bookable_hours(
    *, membership: StaffMembership, facility_id: int, hours: list[tuple[int, time, time]]
) -> list[BookableHours]:
    """Replace a facility's bookable hours: (weekday 0-6, opens, closes) per row, several
    openings a day allowed (07:00-12:00 and 14:00-21:00) as long as they do not overlap."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    facility = access_catalog_item(Facility, membership.organization_id, facility_id)
    rows = [BookableHours(facility=facility, weekday=w, opens_at=o, closes_at=c) for w, o, c in hours]
    for row in rows:
        _validated(row, exclude=["facility"])
        if row.weekday > 6 or row.closes_at <= row.opens_at:
            raise InvalidCatalogItem(
                "Each day needs a weekday from 0 (Monday) to 6 and a closing time after its opening time.",
                fields={"hours": "weekday 0-6, closes after opens"},
            )
    clash = policies.overlapping_opening(hours)
    if clash is not None:
        raise InvalidCatalogItem(
            f"Two openings overlap on weekday {clash[0]} at {clash[1]:%H:%M}: a day may have several openings, "
            "each closing before the next opens.",
            fields={"hours": f"openings overlap on weekday {clash[0]}"},
        )
    BookableHours.objects.filter(facility=facility).delete()
    BookableHours.objects.bulk_create(rows)
    record_change(
        membership,
        "facility.hours_set",
        ("facility", facility.pk),
        {"hours": [[w, o.isoformat(), c.isoformat()] for w, o, c in hours]},
    )
    return rows


@transaction.atomic
def set_closure(*, membership: StaffMembership, day: date, name: str, closed: bool = True) -> None:
    """Mark a day closed (a holiday) or open again; every weekly schedule is remade around it."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    if closed:
        if not name.strip():
            raise InvalidCatalogItem("Name the closure.", fields={"name": "required"})
        Closure.objects.update_or_create(
            organization_id=membership.organization_id, day=day, defaults={"name": name.strip()[:200]}
        )
    else:
        Closure.objects.filter(organization_id=membership.organization_id, day=day).delete()
    organization = Organization.objects.get(pk=membership.organization_id)
    for schedule in Schedule.objects.filter(
        offering__organization_id=membership.organization_id, starts_on__lte=day, ends_on__gte=day
    ).select_related("offering"):
        make_meetings(schedule, organization)
    record_change(
        membership,
        "closure.set",
        ("organization", membership.organization_id),
        {"day": day.isoformat(), "closed": closed},
    )


@transaction.atomic
def set_schedule(
    *,
    membership: StaffMembership,
    offering_id: int,
    weekdays: list[int],
    starts_on: date,
    ends_on: date,
    starts_at: time,
    ends_at: time,
    location: str = "",
    exceptions: list[date] | None = None,
) -> Schedule:
    """Give an offering a weekly schedule (on the chosen weekdays between two dates), and make
    its meetings, skipping the organization's closures and the given exceptions. Replaces the
    offering's earlier schedule and the meetings made from it."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    offering = access_catalog_item(Offering, membership.organization_id, offering_id)
    problems = {}
    if not weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        problems["weekdays"] = "choose at least one day, 0 (Monday) to 6 (Sunday)"
    if ends_on < starts_on:
        problems["ends_on"] = "must be on or after starts_on"
    if ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    if (
        not problems
        and len(policies.meeting_days(starts_on=starts_on, ends_on=ends_on, weekdays=weekdays)) > policies.MAX_MEETINGS
    ):
        problems["ends_on"] = f"a schedule makes at most {policies.MAX_MEETINGS} meetings"
    if problems:
        raise InvalidCatalogItem(" ".join(f"{k}: {v}" for k, v in problems.items()), fields=problems)
    fields = {
        "weekdays": sorted(set(weekdays)),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location[:200],
        "exceptions": sorted({d.isoformat() for d in exceptions or []}),
    }
    # One weekly schedule per offering, changed in place: its meetings are remade around the
    # ones that stay (make_meetings), so attendance already recorded keeps its meeting.
    schedule = Schedule.objects.filter(offering=offering).order_by("pk").first()
    if schedule is None:
        schedule = Schedule.objects.create(offering=offering, **fields)
    else:
        Schedule.objects.filter(offering=offering).exclude(pk=schedule.pk).delete()
        for name, value in fields.items():
            setattr(schedule, name, value)
        schedule.save()
    meetings = make_meetings(schedule, Organization.objects.get(pk=membership.organization_id))
    record_change(
        membership,
        "offering.schedule_set",
        ("offering", offering.pk),
        {"weekdays": schedule.weekdays, "from": starts_on.isoformat(), "to": ends_on.isoformat(), "meetings": meetings},
    )
    return schedule


def make_meetings(schedule: Schedule, organization: Organization) -> int:
    """(Re)make a schedule's meetings from its pattern; returns how many it has."""
    closed = set(
        Closure.objects.filter(
            organization_id=organization.pk, day__gte=schedule.starts_on, day__lte=schedule.ends_on
        ).values_list("day", flat=True)
    )
    skipped = closed | {date.fromisoformat(d) for d in schedule.exceptions}
    days = policies.meeting_days(
        starts_on=schedule.starts_on, ends_on=schedule.ends_on, weekdays=schedule.weekdays, skipped=skipped
    )
    wanted = {}
    for day in days:
        starts, ends = policies.meeting_instants(day, schedule.starts_at, schedule.ends_at, organization.zone)
        wanted[starts] = ends
    # The offering's meetings from this schedule, and those made by hand or by an earlier one.
    current = Meeting.objects.filter(offering_id=schedule.offering_id).filter(
        models.Q(schedule=schedule) | models.Q(schedule__isnull=True)
    )
    kept = {m.starts_at: m for m in current if m.starts_at in wanted}
    gone = current.exclude(pk__in=[m.pk for m in kept.values()])
    recorded = sorted(gone.filter(attendance__isnull=False).values_list("starts_at", flat=True).distinct())
    if recorded:
        days_text = ", ".join(f"{moment.astimezone(organization.zone):%Y-%m-%d}" for moment in recorded)
        raise InvalidCatalogItem(
            f"Attendance is recorded at meetings this change would remove ({days_text}); keep those days.",
            fields={"exceptions": f"attendance is recorded on {days_text}"},
        )
    gone.delete()
    for meeting in kept.values():
        meeting.ends_at, meeting.location, meeting.schedule = wanted[meeting.starts_at], schedule.location, schedule
    Meeting.objects.bulk_update(kept.values(), ["ends_at", "location", "schedule"])
    Meeting.objects.bulk_create(
        Meeting(
            offering_id=schedule.offering_id,
            schedule=schedule,
            starts_at=starts,
            ends_at=ends,
            location=schedule.location,
        )
        for starts, ends in wanted.items()
        if starts not in kept
    )
    return len(wanted)


def parse_instant(value: str | datetime | None, organization: Organization) -> datetime | None:
    """A wall-clock time in the organization's zone (a page's datetime-local) as an instant."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=organization.zone)
