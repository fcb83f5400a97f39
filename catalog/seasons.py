"""Copying a season forward (issue 14): a program's offerings duplicated into new dates, with
their schedules and meetings remade there; nobody's registration comes along. Previewed first
(F2): `plan_season_copy` says what each offering becomes, and `copy_season` makes exactly the
plan it computes again in its transaction."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from catalog import policies
from catalog.errors import InvalidCatalogItem
from catalog.models import Closure, Offering, Program, Schedule
from catalog.services import access_catalog_item, make_meetings, record_change
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission


@dataclass(frozen=True)
class SeasonRow:
    """One offering of the copy: where it was and where it goes."""

    offering_id: int
    name: str
    kind: str
    starts_on: date | None
    new_starts_on: date | None
    new_ends_on: date | None
    new_registration_opens_at: datetime | None
    meetings: int  # meetings the copy will have, around the new dates' closures


@dataclass(frozen=True)
class SeasonPlan:
    program: Program
    season: str
    shift_days: int
    rows: list[SeasonRow]


@dataclass(frozen=True)
class SeasonCopy:
    program: Program
    offerings: list[Offering]
    shift_days: int
    plan: SeasonPlan


def plan_season_copy(*, membership: StaffMembership, program_id: int, starts_on: date, season: str) -> SeasonPlan:
    """What copying the program to a season starting on `starts_on` would make, written
    nowhere: every date moves by the same whole number of weeks (a Tuesday class stays on
    Tuesdays), registration opening and closing and the age cutoff too. Refused, naming the
    field, when the program has no dated offering or the season is empty or already taken."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    source = access_catalog_item(Program, membership.organization_id, program_id)
    offerings = list(source.offerings.filter(is_archived=False).prefetch_related("schedules").order_by("pk"))
    firsts = [o.starts_on for o in offerings if o.starts_on]
    if not firsts:
        raise InvalidCatalogItem(
            "This program has no dated offering to copy.", fields={"program": "no offering with a first day"}
        )
    season = season.strip()[:60]
    if (
        not season
        or Program.objects.filter(organization_id=membership.organization_id, name=source.name, season=season).exists()
    ):
        raise InvalidCatalogItem(
            "Name a new season for the copy.", fields={"season": "required, and not a season this program already has"}
        )
    shift = policies.week_aligned_shift(min(firsts), starts_on)
    moved = timedelta(days=shift)
    schedules = [s for o in offerings for s in o.schedules.all()]
    closed: set[date] = set()
    if schedules:
        closed = set(
            Closure.objects.filter(
                organization_id=membership.organization_id,
                day__gte=min(s.starts_on for s in schedules) + moved,
                day__lte=max(s.ends_on for s in schedules) + moved,
            ).values_list("day", flat=True)
        )
    rows = [
        SeasonRow(
            offering_id=o.pk,
            name=o.name,
            kind=o.kind,
            starts_on=o.starts_on,
            new_starts_on=policies.shifted(o.starts_on, shift),
            new_ends_on=policies.shifted(o.ends_on, shift),
            new_registration_opens_at=o.registration_opens_at + moved if o.registration_opens_at else None,
            meetings=sum(
                len(
                    policies.meeting_days(
                        starts_on=s.starts_on + moved,
                        ends_on=s.ends_on + moved,
                        weekdays=s.weekdays,
                        skipped=closed | {date.fromisoformat(d) + moved for d in s.exceptions},
                    )
                )
                for s in o.schedules.all()
            ),
        )
        for o in offerings
    ]
    return SeasonPlan(program=source, season=season, shift_days=shift, rows=rows)


@transaction.atomic
def copy_season(*, membership: StaffMembership, program_id: int, starts_on: date, season: str) -> SeasonCopy:
    """Make the copy `plan_season_copy` previews: a new program for the season, each offering
    with its dates moved, its schedules and their meetings (skipping the new dates' closures).
    Capacity, prices and rules are copied; registrations are not."""
    plan = plan_season_copy(membership=membership, program_id=program_id, starts_on=starts_on, season=season)
    source, shift = plan.program, plan.shift_days
    moved = timedelta(days=shift)
    program = Program.objects.create(
        organization_id=membership.organization_id,
        name=source.name,
        description=source.description,
        season=plan.season,
    )
    organization = Organization.objects.get(pk=membership.organization_id)
    by_id = {o.pk: o for o in source.offerings.filter(pk__in=[r.offering_id for r in plan.rows])}
    copies = []
    for row in plan.rows:
        offering = by_id[row.offering_id]
        schedules = list(offering.schedules.all())
        offering.pk = None
        offering._state.adding = True
        offering.program = program
        offering.starts_on, offering.ends_on = row.new_starts_on, row.new_ends_on
        offering.age_cutoff_on = policies.shifted(offering.age_cutoff_on, shift)
        for name in ("registration_opens_at", "registration_closes_at", "starts_at", "ends_at"):
            value = getattr(offering, name)
            setattr(offering, name, value + moved if value else None)
        offering.save()
        for schedule in schedules:
            copy = Schedule.objects.create(
                offering=offering,
                weekdays=schedule.weekdays,
                starts_on=schedule.starts_on + moved,
                ends_on=schedule.ends_on + moved,
                starts_at=schedule.starts_at,
                ends_at=schedule.ends_at,
                location=schedule.location,
                exceptions=[(date.fromisoformat(d) + moved).isoformat() for d in schedule.exceptions],
            )
            make_meetings(copy, organization)
        copies.append(offering)
    record_change(
        membership,
        "program.season_copied",
        ("program", program.pk),
        {"from_program": source.pk, "shift_days": shift, "offerings": [o.pk for o in copies]},
    )
    return SeasonCopy(program=program, offerings=copies, shift_days=shift, plan=plan)
