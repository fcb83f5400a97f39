"""Real registrations and holds for the bulk tests, made through the portal's own services."""

from datetime import UTC, datetime
from decimal import Decimal

import time_machine

from carts.services import add_to_cart
from carts.services.checkout import checkout
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_staff
from payments.desk import record_offline_payment
from registrations.models import Registration

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def enroll(org, offering, *, paid="0", household=None, when=T0):
    """A registration checked out through the portal at `when`, with `paid` recorded in cash."""
    household = household or make_household(org)
    with time_machine.travel(when, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
        order = checkout(household=household, channel="portal").order
        if Decimal(paid) > 0:
            record_offline_payment(
                membership=make_staff(org, [Permission.TAKE_PAYMENTS]),
                order_id=order.pk,
                amount=Decimal(paid),
                method="cash",
            )
    return Registration.objects.get(order=order)


def hold(org, offering, *, household=None, when=T0):
    """A household whose cart holds one seat of `offering` since `when`."""
    household = household or make_household(org)
    with time_machine.travel(when, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
    return household
