from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from capacity.selectors import claim_counts
from carts import errors
from carts.models import Cart
from carts.services import add_rental_to_cart, add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_facility_with_slots, make_offering
from households.tests.factories import make_household
from orders.models import Order
from registrations.models import Registration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fill_cart(household, *offerings):
    for offering in offerings:
        cart = add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        ).cart
    return cart


def test_p1_checkout_makes_one_order_with_lines_and_registrations(org):
    household = make_household(org)
    swim, art = make_offering(org, price="80.00"), make_offering(org, price="45.50")
    cart = fill_cart(household, swim, art)
    result = checkout(household=household, channel="portal")
    order = result.order
    assert result.created
    assert order.total == Decimal("125.50")
    assert order.balance == Decimal("125.50")
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert sorted(line.amount for line in order.lines.all()) == [Decimal("45.50"), Decimal("80.00")]
    registrations = Registration.objects.filter(order=order).select_related("claim")
    assert sorted(r.offering_id for r in registrations) == [swim.pk, art.pk]
    assert {r.claim.state for r in registrations} == {"tentative"}
    cart.refresh_from_db()
    assert cart.status == Cart.Status.CHECKED_OUT
    verbs = sorted(
        AuditEvent.objects.filter(verb__in=["order.created", "registration.tentative"]).values_list("verb", flat=True)
    )
    assert verbs == ["order.created", "registration.tentative", "registration.tentative"]


def test_p2_tentative_registration_keeps_its_seat_after_the_cart_timer(org):
    household = make_household(org)
    offering = make_offering(org, capacity=1)
    with time_machine.travel(T0, tick=False):
        fill_cart(household, offering)
        checkout(household=household, channel="portal")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert claim_counts(offering_ids=[offering.pk], now=T0 + timedelta(days=3))[offering.pk].tentative == 1
        with pytest.raises(CapacityShortfall):
            fill_cart(make_household(org), offering)


def test_p1_checkout_of_an_expired_cart_is_refused_and_creates_nothing(org):
    household = make_household(org)
    with time_machine.travel(T0, tick=False):
        cart = fill_cart(household, make_offering(org))
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False), pytest.raises(errors.CartExpired):
        checkout(household=household, channel="portal", cart_id=cart.pk)
    assert not Order.objects.exists()
    assert not Registration.objects.exists()


def test_double_submit_of_one_cart_returns_the_same_order(org):
    household = make_household(org)
    cart = fill_cart(household, make_offering(org))
    first = checkout(household=household, channel="portal", cart_id=cart.pk)
    second = checkout(household=household, channel="portal", cart_id=cart.pk)
    assert (first.created, second.created) == (True, False)
    assert first.order.pk == second.order.pk
    assert Order.objects.count() == 1
    with pytest.raises(errors.CartEmpty):
        checkout(household=household, channel="portal")  # no open cart left


def test_checkout_of_another_households_cart_is_not_found(org):
    owner, stranger = make_household(org), make_household(org)
    cart = fill_cart(owner, make_offering(org))
    with pytest.raises(errors.ItemNotFound):
        checkout(household=stranger, channel="portal", cart_id=cart.pk)
    assert not Order.objects.exists()


def test_rental_checkout_books_the_household_without_participant(org):
    household = make_household(org)
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=2), slots=3, price="30.00")
    with time_machine.travel(T0, tick=False):  # two days before the slots
        add_rental_to_cart(
            household=household,
            facility_id=facility.pk,
            starts_at=slots[0].starts_at,
            ends_at=slots[1].ends_at,
            channel="portal",
        )
        order = checkout(household=household, channel="portal").order
    assert order.total == Decimal("60.00")
    assert list(Registration.objects.filter(order=order).values_list("participant_id", flat=True)) == [None, None]
