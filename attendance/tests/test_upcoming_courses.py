from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from attendance.selectors import meeting_roster, upcoming_courses
from attendance.services import mark_absent, record_attendance
from attendance.tests.factories import make_meetings, make_reason, register
from carts.services import add_balance_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paying_org(db):
    return make_organization(pay_balances_online=True, payment_provider="sandbox")


def test_a1_upcoming_courses_show_meetings_attendance_and_the_balance_owing(paying_org, clock):
    household = make_household(paying_org)
    swim, finished = make_offering(paying_org, name="Swim"), make_offering(paying_org, name="Done")
    meetings = make_meetings(swim, first=T0 - timedelta(days=6), count=3)  # one past, two to come
    make_meetings(finished, first=T0 - timedelta(days=30), count=2)
    registration = register(household, swim)
    register(household, finished)
    sick = make_reason(paying_org, "Sick")
    mark_absent(
        household=household,
        participant_id=registration.participant_id,
        meeting_id=meetings[1].pk,
        reason_id=sick.pk,
        channel="portal",
        actor_id=None,
    )
    record_attendance(
        membership=make_staff(paying_org),
        meeting_id=meetings[0].pk,
        participant_id=registration.participant_id,
        status="present",
        channel="office",
    )

    [course] = upcoming_courses(household=household, now=T0)
    assert course.registration.offering.name == "Swim"  # the finished course is not upcoming
    assert [line.meeting for line in course.meetings] == meetings
    assert [line.is_upcoming for line in course.meetings] == [False, True, True]
    assert [line.attendance.status if line.attendance else None for line in course.meetings] == [
        "present",
        "absent",
        None,
    ]
    assert [line.can_change for line in course.meetings] == [False, True, True]
    assert (course.balance, course.order_awaiting_payment, course.order_payable_online) == (50, True, False)


def test_a1_b4_an_order_on_account_can_be_added_to_the_cart_then_shows_in_cart(paying_org, clock):
    household = make_household(paying_org)
    offering = make_offering(paying_org)
    make_meetings(offering, first=T0 + timedelta(days=1))
    registration = register(household, offering)
    put_on_account(membership=make_staff(paying_org), order_id=registration.order_id, payable_online=True)
    [course] = upcoming_courses(household=household, now=T0)
    assert (course.order_payable_online, course.order_in_cart, course.order_awaiting_payment) == (True, False, False)
    add_balance_to_cart(household=household, order_id=registration.order_id, channel="portal")
    [course] = upcoming_courses(household=household, now=T0)
    assert course.order_in_cart


def test_a1_upcoming_courses_take_the_same_queries_for_one_course_or_many(paying_org, clock, django_assert_num_queries):
    household = make_household(paying_org, children=3)
    for participant in household.participants.all():
        offering = make_offering(paying_org)
        make_meetings(offering, first=T0 + timedelta(days=1), count=8)
        register(household, offering, participant)
    lone = make_household(paying_org)
    offering = make_offering(paying_org)
    make_meetings(offering, first=T0 + timedelta(days=1))
    register(lone, offering)
    with django_assert_num_queries(5):
        assert len(upcoming_courses(household=household, now=T0)) == 3
    with django_assert_num_queries(5):
        assert len(upcoming_courses(household=lone, now=T0)) == 1


def test_a4_the_roster_lists_every_registered_participant_with_their_record(org, clock):
    offering = make_offering(org)
    [meeting] = make_meetings(offering, first=T0 + timedelta(days=1), count=1)
    first, second = make_household(org), make_household(org)
    register(first, offering)
    extra = make_participant(second, first_name="Zed")
    register(second, offering, extra)
    record_attendance(
        membership=make_staff(org), meeting_id=meeting.pk, participant_id=extra.pk, status="present", channel="office"
    )
    found_meeting, lines = meeting_roster(organization_id=org.pk, meeting_id=meeting.pk)
    assert found_meeting == meeting
    assert {
        (line.registration.participant_id, line.attendance.status if line.attendance else None) for line in lines
    } == {
        (first.participants.first().pk, None),
        (extra.pk, "present"),
    }
    assert meeting_roster(organization_id=make_organization().pk, meeting_id=meeting.pk) is None
