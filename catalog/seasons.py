"""Copying a season forward (issue 14): a program's offerings duplicated into new dates, with
their schedules and meetings remade there; nobody's registration comes along."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from catalog import policies
from catalog.errors import InvalidCatalogItem
from catalog.models import Offering, Program, Schedule
from catalog.services import access_catalog_item, make_meetings, record_change
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission


@dataclass(frozen=True)
class SeasonCopy:
    program: Program
    offerings: list[Offering]
    shift_days: int


@transaction.atomic
def copy_season(*, membership: StaffMembership, program_id: int, starts_on: date, season: str) -> SeasonCopy:
    """Duplicate a program and its offerings so that the season starts on `starts_on`: every
    date moves by the same whole number of weeks (a Tuesday class stays on Tuesdays), with
    registration opening and closing, age cutoff, schedules and their meetings (skipping the
    new dates' closures). Capacity, prices and rules are copied; registrations are not."""
    require_permission(membership, Permission.MANAGE_CATALOG)
    source = access_catalog_item(Program, membership.organization_id, program_id)
    offerings = list(source.offerings.filter(is_archived=False).order_by("pk"))
    firsts = [o.starts_on for o in offerings if o.starts_on]
    if not firsts:
        raise InvalidCatalogItem(
            "This program has no dated offering to copy.", fields={"program": "no offering with a first day"}
        )
    if (
        not season.strip()
        or Program.objects.filter(
            organization_id=membership.organization_id, name=source.name, season=season.strip()
        ).exists()
    ):
        raise InvalidCatalogItem(
            "Name a new season for the copy.", fields={"season": "required, and not a season this program already has"}
        )
    shift = policies.week_aligned_shift(min(firsts), starts_on)
    moved = timedelta(days=shift)
    program = Program.objects.create(
        organization_id=membership.organization_id,
        name=source.name,
        description=source.description,
        season=season.strip()[:60],
    )
    organization = Organization.objects.get(pk=membership.organization_id)
    copies = []
    for offering in offerings:
        schedules = list(offering.schedules.all())
        offering.pk = None
        offering._state.adding = True
        offering.program = program
        offering.starts_on = policies.shifted(offering.starts_on, shift)
        offering.ends_on = policies.shifted(offering.ends_on, shift)
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
    return SeasonCopy(program=program, offerings=copies, shift_days=shift)
