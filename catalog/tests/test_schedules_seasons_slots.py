"""Issue 14's catalog, continued (decision 0018): a schedule changed in place keeps the meetings
that stay (and refuses to remove one with attendance), a season copy makes exactly its
preview, rental slots are made from bookable hours around closures."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from attendance.models import Attendance
from bulk.tests.helpers import enroll
from catalog.errors import InvalidCatalogItem
from catalog.models import Facility, Meeting, Offering
from catalog.rental_slots import make_rental_slots, plan_rental_slots
from catalog.seasons import copy_season, plan_season_copy
from catalog.services import create_offering, save_program, set_bookable_hours, set_closure, set_schedule
from organizations.models import Permission
from organizations.tests.factories import make_staff

TUE_THU = [1, 3]


@pytest.fixture
def manager(org):
    return make_staff(org, [Permission.MANAGE_CATALOG])


def weekly(manager, offering, **changes):
    arguments = {
        "weekdays": TUE_THU,
        "starts_on": date(2026, 1, 6),
        "ends_on": date(2026, 1, 29),
        "starts_at": time(18, 0),
        "ends_at": time(19, 30),
    }
    return set_schedule(membership=manager, offering_id=offering.pk, **(arguments | changes))


def test_a_changed_schedule_keeps_the_meetings_that_stay(org, manager):
    pottery = create_offering(membership=manager, fields={"kind": "class", "name": "Pottery", "price": Decimal("90")})
    weekly(manager, pottery)
    first = list(Meeting.objects.filter(offering=pottery).values_list("pk", "starts_at"))
    assert len(first) == 8
    weekly(manager, pottery, ends_at=time(20, 0), exceptions=[date(2026, 1, 15)])
    after = dict(Meeting.objects.filter(offering=pottery).values_list("starts_at", "pk"))
    assert len(after) == 7
    assert all(after[starts] == pk for pk, starts in first if starts in after)  # same rows, same ids
    assert set(Meeting.objects.filter(offering=pottery).values_list("ends_at__hour", flat=True)) == {1}  # 20:00 EST


def test_a_schedule_change_never_removes_a_meeting_with_attendance(org, manager):
    pottery = create_offering(
        membership=manager, fields={"kind": "class", "name": "Pottery", "price": Decimal("0"), "capacity": 5}
    )
    weekly(manager, pottery)
    registration = enroll(org, Offering.objects.get(pk=pottery.pk))
    meeting = Meeting.objects.filter(offering=pottery).order_by("starts_at").first()
    Attendance.objects.create(
        organization=org,
        meeting=meeting,
        participant_id=registration.participant_id,
        registration=registration,
        status="present",
        recorded_by_kind="staff",
        channel="office",
        recorded_at=datetime(2026, 1, 6, 23, 0, tzinfo=UTC),
    )
    with pytest.raises(InvalidCatalogItem, match="2026-01-06"):
        weekly(manager, pottery, starts_on=date(2026, 1, 8))
    with pytest.raises(InvalidCatalogItem):
        set_closure(membership=manager, day=date(2026, 1, 6), name="Snow day")
    assert Meeting.objects.filter(offering=pottery).count() == 8  # nothing changed


def test_f2_the_season_copy_makes_exactly_its_preview(org, manager):
    program = save_program(membership=manager, fields={"name": "Swim", "season": "Winter 2026"})
    for name in ("Level 1", "Level 2"):
        offering = create_offering(
            membership=manager,
            fields={
                "kind": "class",
                "name": name,
                "price": Decimal("80"),
                "program": program.pk,
                "starts_on": date(2026, 1, 6),
                "ends_on": date(2026, 1, 29),
                "registration_opens_at": datetime(2025, 12, 1, 14, 0, tzinfo=UTC),
            },
        )
        weekly(manager, offering)
    set_closure(membership=manager, day=date(2026, 4, 9), name="Holiday")  # a Thursday of the new season
    plan = plan_season_copy(membership=manager, program_id=program.pk, starts_on=date(2026, 4, 7), season="Spring")
    assert not Offering.objects.filter(program__season="Spring").exists()  # the preview writes nothing
    made = copy_season(membership=manager, program_id=program.pk, starts_on=date(2026, 4, 7), season="Spring")
    assert [(r.name, r.new_starts_on, r.new_ends_on, r.new_registration_opens_at, r.meetings) for r in plan.rows] == [
        (o.name, o.starts_on, o.ends_on, o.registration_opens_at, o.meetings.count()) for o in made.offerings
    ]
    assert [r.meetings for r in plan.rows] == [7, 7]


def test_s5_rental_slots_are_made_from_bookable_hours_around_closures(org, manager):
    hall = Facility.objects.create(organization=org, name="Hall")
    set_bookable_hours(membership=manager, facility_id=hall.pk, hours=[(5, time(9, 0), time(12, 30))])  # Saturdays
    set_closure(membership=manager, day=date(2026, 3, 14), name="Maintenance")
    arguments = {
        "membership": manager,
        "facility_id": hall.pk,
        "first_day": date(2026, 3, 1),
        "last_day": date(2026, 3, 31),
        "minutes": 60,
        "price": Decimal("40"),
    }
    plan = plan_rental_slots(**arguments)
    assert (len(plan.new), plan.closed_days) == (3 * 3, [date(2026, 3, 14)])  # 7, 21, 28 March: 9, 10, 11
    assert not Offering.objects.filter(facility=hall).exists()
    make_rental_slots(**arguments)
    slots = Offering.objects.filter(facility=hall).order_by("starts_at")
    assert slots.count() == 9
    assert (slots[0].capacity, slots[0].ends_at - slots[0].starts_at) == (1, timedelta(hours=1))
    assert len(make_rental_slots(**arguments).new) == 0  # made once only
    with pytest.raises(InvalidCatalogItem):
        plan_rental_slots(**(arguments | {"minutes": 5}))


def test_s5_a_facility_has_several_openings_a_day_and_overlapping_ones_are_refused(org, manager):
    hall = Facility.objects.create(organization=org, name="Hall")
    set_bookable_hours(membership=manager, facility_id=hall.pk, hours=[(0, time(14), time(21)), (0, time(7), time(12))])
    assert list(hall.hours.values_list("opens_at", "closes_at")) == [(time(7), time(12)), (time(14), time(21))]
    with pytest.raises(InvalidCatalogItem) as refused:
        set_bookable_hours(
            membership=manager, facility_id=hall.pk, hours=[(0, time(7), time(12)), (0, time(11), time(13))]
        )
    assert "hours" in refused.value.details["fields"]
    assert hall.hours.count() == 2  # nothing changed
    plan = plan_rental_slots(
        membership=manager,
        facility_id=hall.pk,
        first_day=date(2026, 3, 2),  # a Monday
        last_day=date(2026, 3, 2),
        minutes=60,
        price=Decimal("10"),
    )
    local = [s.starts_at.astimezone(org.zone).hour for s in plan.new]
    assert local == [7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20]  # no slot in the midday gap
