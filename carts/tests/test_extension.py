"""H1 humane timers: one-click extension of the cart's timer, within the limit (T1, T3)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from capacity.selectors import claim_counts
from carts import errors
from carts.models import Cart
from carts.services import add_to_cart, empty_cart, extend_cart, take_over_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(n):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def timed_org(db):
    return make_organization(cart_timeout_minutes=15, cart_limit_minutes=40)


@pytest.fixture
def family(timed_org):
    household = make_household(timed_org)
    offering = make_offering(timed_org, capacity=1)
    with time_machine.travel(T0, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
    return household, offering


def extend_at(at, household, channel="portal"):
    with time_machine.travel(at, tick=False):
        return extend_cart(household=household, channel=channel, actor_id=household.payer_id)


def test_h1_extend_restarts_the_timeout_from_now(family):
    household, offering = family
    cart = extend_at(minutes(13), household)
    assert cart.expires_at == minutes(28)  # 13 + 15, not 0 + 15
    assert Cart.objects.get(pk=cart.pk).expires_at == minutes(28)
    # The seat is still held past the old expiry.
    assert claim_counts(offering_ids=[offering.pk], now=minutes(20))[offering.pk].held == 1


def test_h1_t3_extend_never_passes_the_limit_from_the_first_add(family):
    household, _ = family
    assert extend_at(minutes(14), household).expires_at == minutes(29)
    assert extend_at(minutes(28), household).expires_at == minutes(40)  # min(28 + 15, 0 + 40)
    with pytest.raises(errors.CartAtTimeLimit) as refused:
        extend_at(minutes(35), household)
    assert "time limit of 40 minutes" in str(refused.value)
    assert Cart.objects.get(household=household, status="open").expires_at == minutes(40)


def test_h1_extend_is_audited_with_the_expiry_before_and_after(family):
    household, _ = family
    extend_at(minutes(10), household)
    event = AuditEvent.objects.get(verb="cart.extended")
    assert event.household_id == household.pk
    assert event.data["expires_at_before"] == minutes(15).isoformat()
    assert event.data["expires_at"] == minutes(25).isoformat()


def test_h1_an_expired_cart_cannot_be_extended_its_seats_are_gone(family):
    household, offering = family
    with pytest.raises(errors.CartExpired):
        extend_at(minutes(15), household)
    assert claim_counts(offering_ids=[offering.pk], now=minutes(15)).get(offering.pk) is None


def test_h1_t7_an_empty_cart_has_no_timer_to_extend(family, timed_org):
    household, _ = family
    with time_machine.travel(minutes(1), tick=False):
        empty_cart(household=household, channel="portal")
    with pytest.raises(errors.CartEmpty):
        extend_at(minutes(2), household)
    other = make_household(timed_org)
    with pytest.raises(errors.CartEmpty):
        extend_at(minutes(2), other)


def test_h1_s3_the_customer_cannot_extend_a_cart_the_office_took_over(family, timed_org):
    household, _ = family
    clerk = make_staff(timed_org, permissions=[Permission.ENROLL])
    with time_machine.travel(minutes(2), tick=False):
        take_over_cart(membership=clerk, household=household)
    with pytest.raises(errors.CartHeldByOffice):
        extend_at(minutes(3), household)
