"""Issue 14 reports: the figures come from the ledger and the P3 rule, and each chart is the
same rows the table shows."""

from datetime import date, timedelta
from decimal import Decimal

import time_machine

from bulk.tests.helpers import T0, enroll, hold
from catalog.models import Program
from catalog.tests.factories import make_offering
from registrations.policies import PaymentState
from reports import charts
from reports.selectors import incomplete_by_payment_state, occupancy_by_program, registrations_and_revenue_by_day


def test_c5_occupancy_by_program_counts_confirmed_tentative_held_and_free(org):
    swim = Program.objects.create(organization=org, name="Swim", season="Fall")
    a = make_offering(org, capacity=5, price="10.00", program=swim)
    b = make_offering(org, capacity=3, price="10.00", program=swim)
    enroll(org, a, paid="10.00")
    enroll(org, a)
    hold(org, b, when=T0 + timedelta(minutes=1))
    make_offering(org, capacity=None)  # unlimited: no free seats to draw
    [row] = occupancy_by_program(organization=org, now=T0 + timedelta(minutes=2))
    assert (row.program, row.capacity, row.confirmed, row.tentative, row.held, row.free) == (
        "Swim (Fall)",
        8,
        1,
        1,
        1,
        5,
    )


def test_registrations_and_revenue_by_day_in_the_organizations_zone_with_empty_days(org):
    offering = make_offering(org, capacity=9, price="25.00")
    enroll(org, offering, paid="25.00", when=T0)
    enroll(org, offering, when=T0 + timedelta(days=2))
    days = registrations_and_revenue_by_day(organization=org, first=date(2026, 3, 1), last=date(2026, 3, 5))
    assert [(d.day.day, d.registrations, d.revenue) for d in days] == [
        (1, 0, Decimal("0")),
        (2, 1, Decimal("25.00")),
        (3, 0, Decimal("0")),
        (4, 1, Decimal("0")),
        (5, 0, Decimal("0")),
    ]


def test_p3_incomplete_registrations_by_payment_state(org):
    offering = make_offering(org, capacity=9, price="40.00")
    enroll(org, offering, when=T0)
    enroll(org, offering, paid="10.00", when=T0)
    enroll(org, offering, when=T0 + timedelta(minutes=8))
    enroll(org, offering, paid="40.00")
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        counts = incomplete_by_payment_state(organization=org, now=T0 + timedelta(minutes=10))
    assert counts == {
        PaymentState.INCOMPLETE_OR_PENDING: 1,
        PaymentState.PAYMENT_INCOMPLETE: 1,
        PaymentState.PARTIALLY_PAID: 1,
    }


def test_a_stacked_bar_is_as_long_as_its_seats_and_every_part_is_named():
    chart = charts.stacked_bars([("Swim", [("confirmed", 6), ("free", 2)]), ("Camp", [("confirmed", 2), ("free", 2)])])
    swim, swim_free, camp, camp_free = chart.rects
    assert swim.width + swim_free.width == 2 * (camp.width + camp_free.width)
    assert swim.label == "Swim: 6 confirmed"
    assert [text for _, _, text in chart.labels] == ["8", "4"]
