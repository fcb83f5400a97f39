"""Issue 14: the catalog is managed by staff with *manage catalog*, every change audited:
offerings with their rules, weekly schedules around closures, facilities, a season copied."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEvent
from carts.errors import AgeIneligible
from carts.services import add_to_cart
from catalog.errors import InvalidCatalogItem, UnknownCatalogItem
from catalog.models import Meeting
from catalog.seasons import copy_season
from catalog.services import create_offering, save_program, set_bookable_hours, set_closure, set_schedule
from households.models import Participant
from households.tests.factories import make_household
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff


@pytest.fixture
def manager(org):
    return make_staff(org, [Permission.MANAGE_CATALOG])


def swim(manager, **extra):
    return create_offering(
        membership=manager,
        fields={"kind": "class", "name": "Swim 1", "price": Decimal("60.00"), "capacity": 8} | extra,
    )


def test_x1_the_catalog_needs_manage_catalog_checked_by_the_server(org):
    with pytest.raises(PermissionDenied):
        swim(make_staff(org, [Permission.ENROLL]))


def test_weekly_schedule_makes_meetings_on_the_chosen_days_skipping_closures_and_exceptions(org, manager):
    offering = swim(manager, starts_on=date(2026, 1, 6), ends_on=date(2026, 2, 5))
    set_closure(membership=manager, day=date(2026, 1, 15), name="Pool maintenance")
    schedule = set_schedule(
        membership=manager,
        offering_id=offering.pk,
        weekdays=[1, 3],  # Tuesdays and Thursdays
        starts_on=date(2026, 1, 6),
        ends_on=date(2026, 2, 5),
        starts_at=time(18, 0),
        ends_at=time(18, 45),
        location="Pool",
        exceptions=[date(2026, 1, 27)],
    )
    days = [m.starts_at.astimezone(org.zone).date() for m in Meeting.objects.filter(offering=offering)]
    assert len(days) == 8  # 10 Tuesdays and Thursdays less the closure and the exception
    assert date(2026, 1, 15) not in days
    assert date(2026, 1, 27) not in days
    first = Meeting.objects.filter(offering=offering).first()
    assert first.starts_at == datetime(2026, 1, 6, 23, 0, tzinfo=UTC)  # 6 p.m. in Toronto
    # A closure added later removes that day's meeting too.
    set_closure(membership=manager, day=date(2026, 2, 3), name="Snow day")
    assert schedule.meetings.count() == 7
    assert AuditEvent.objects.filter(verb="offering.schedule_set", subject_id=offering.pk).exists()


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        (
            {
                "registration_opens_at": datetime(2026, 3, 1, tzinfo=UTC),
                "registration_closes_at": datetime(2026, 2, 1, tzinfo=UTC),
            },
            "registration_closes_at",
        ),
        ({"min_age": 9, "max_age": 6}, "max_age"),
        ({"price": Decimal("-1")}, "price"),
        ({"kind": "party"}, "kind"),
        ({"bogus": 1}, "bogus"),
        ({"kind": "rental"}, "facility"),
    ],
)
def test_x5_a_bad_offering_is_refused_naming_the_field_and_nothing_is_made(org, manager, fields, bad):
    with pytest.raises(InvalidCatalogItem) as refused:
        swim(manager, **fields)
    assert bad in refused.value.details["fields"]
    assert not org.offerings.exists()


def test_x1_another_organizations_program_is_not_found(org, manager):
    elsewhere = save_program(membership=make_staff(make_organization()), fields={"name": "Theirs"})
    with pytest.raises(UnknownCatalogItem):
        swim(manager, program=elsewhere.pk)


def test_e1_ages_are_taken_on_the_offerings_cutoff_day(org, manager):
    offering = swim(manager, min_age=6, starts_on=date(2026, 9, 1), age_cutoff_on=date(2026, 12, 31))
    household = make_household(org)
    child = Participant.objects.create(
        household=household, first_name="Ada", last_name="B", date_of_birth=date(2020, 11, 30)
    )
    young = Participant.objects.create(
        household=household, first_name="Bo", last_name="B", date_of_birth=date(2021, 1, 2)
    )
    with time_machine.travel(datetime(2026, 8, 1, tzinfo=UTC), tick=False):
        add_to_cart(household=household, offering_id=offering.pk, participant_id=child.pk, channel="portal")
        with pytest.raises(AgeIneligible):
            add_to_cart(household=household, offering_id=offering.pk, participant_id=young.pk, channel="portal")


def test_a_season_is_copied_forward_by_whole_weeks_with_its_schedule(org, manager):
    program = save_program(membership=manager, fields={"name": "Swim", "season": "Winter 2026"})
    offering = swim(
        manager,
        program=program.pk,
        starts_on=date(2026, 1, 6),
        ends_on=date(2026, 2, 5),
        registration_opens_at=datetime(2025, 12, 1, 14, tzinfo=UTC),
    )
    set_schedule(
        membership=manager,
        offering_id=offering.pk,
        weekdays=[1],
        starts_on=date(2026, 1, 6),
        ends_on=date(2026, 2, 5),
        starts_at=time(18),
        ends_at=time(19),
    )
    copied = copy_season(membership=manager, program_id=program.pk, starts_on=date(2026, 4, 8), season="Spring 2026")
    [new] = copied.offerings
    assert copied.shift_days % 7 == 0
    assert new.starts_on.weekday() == offering.starts_on.weekday()
    assert new.program.season == "Spring 2026"
    assert (new.capacity, new.price) == (8, Decimal("60.00"))
    assert new.meetings.count() == offering.meetings.count() == 5
    assert not new.claims.exists()
    with pytest.raises(InvalidCatalogItem):
        copy_season(membership=manager, program_id=program.pk, starts_on=date(2026, 4, 8), season="Spring 2026")


def test_bookable_hours_are_replaced_and_checked(org, manager):
    from catalog.services import save_facility

    hall = save_facility(membership=manager, fields={"name": "Hall", "requires_approval": True})
    set_bookable_hours(membership=manager, facility_id=hall.pk, hours=[(0, time(9), time(17)), (5, time(10), time(14))])
    assert hall.hours.count() == 2
    with pytest.raises(InvalidCatalogItem):
        set_bookable_hours(membership=manager, facility_id=hall.pk, hours=[(7, time(9), time(17))])
    assert hall.hours.count() == 2
