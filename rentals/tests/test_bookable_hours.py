"""Bookable hours with several openings a day (S5): a booking must lie inside one opening, so a
range across the midday gap is refused, for a cart's rental and a rental request alike."""

from datetime import UTC, datetime

import pytest
import time_machine

from carts import errors as cart_errors
from carts.services import add_rental_to_cart
from catalog.tests.factories import make_split_day_facility
from households.tests.factories import make_household
from rentals import services

MONDAY = datetime(2026, 3, 2)


@pytest.fixture
def gym(org):
    """Open 07:00-12:00 and 14:00-21:00 on Mondays, with hourly slots from 07:00 to 21:00 on
    2 March, the midday ones too (listed before the hours were split: the hours still rule)."""
    return make_split_day_facility(org, MONDAY.date(), price="10", slot_hours=range(7, 21))


def at(org, hour):
    return MONDAY.replace(hour=hour, tzinfo=org.zone)


@time_machine.travel(datetime(2026, 2, 27, 12, 0, tzinfo=UTC), tick=False)
def test_s5_a_booking_across_the_midday_gap_is_refused_naming_the_hours(org, gym):
    family = make_household(org)
    with pytest.raises(cart_errors.RentalUnavailable) as refused:
        add_rental_to_cart(
            household=family, facility_id=gym.pk, starts_at=at(org, 11), ends_at=at(org, 15), channel="portal"
        )
    assert "07:00-12:00, 14:00-21:00" in str(refused.value)
    with pytest.raises(cart_errors.RentalUnavailable):  # even where slots were listed in the gap
        add_rental_to_cart(
            household=family, facility_id=gym.pk, starts_at=at(org, 12), ends_at=at(org, 13), channel="portal"
        )
    held = add_rental_to_cart(
        household=family, facility_id=gym.pk, starts_at=at(org, 14), ends_at=at(org, 16), channel="portal"
    )
    assert len(held.claims) == 2  # inside the afternoon opening: booked


@time_machine.travel(datetime(2026, 2, 27, 12, 0, tzinfo=UTC), tick=False)
def test_s5_s6_a_request_across_the_midday_gap_is_refused(org, gym):
    gym.requires_approval = True
    gym.save()
    family = make_household(org)
    with pytest.raises(cart_errors.RentalUnavailable):
        services.request_rental(
            household=family, facility_id=gym.pk, starts_at=at(org, 10), ends_at=at(org, 14), channel="portal"
        )
    made = services.request_rental(
        household=family, facility_id=gym.pk, starts_at=at(org, 9), ends_at=at(org, 12), channel="portal"
    )
    assert made.claims.count() == 3
