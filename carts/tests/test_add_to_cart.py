from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from capacity.errors import AlreadyClaimed, CapacityShortfall, UnknownOffering
from capacity.models import Claim
from capacity.selectors import availability
from carts import errors
from carts.models import Cart
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant
from organizations.tests.factories import make_organization

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def add(household, offering, participant=None, **kw):
    participant = participant or household.participants.first()
    return add_to_cart(
        household=household, offering_id=offering.pk, participant_id=participant.pk, channel="portal", **kw
    )


def test_c1_add_creates_a_hold_that_counts_at_once(household, offering):
    result = add(household, offering)
    claim = result.claims[0]
    assert claim.state == Claim.State.HELD
    assert claim.cart_id == result.cart.pk
    seats = availability(offerings=[(offering.pk, offering.capacity)], now=timezone.now())[offering.pk]
    assert (seats.held, seats.free) == (1, 19)


def test_c4_full_offering_is_refused_with_held_count_and_nothing_written(org):
    offering = make_offering(org, capacity=2)
    first, second, third = (make_household(org) for _ in range(3))
    add(first, offering)
    add(second, offering)
    claims_before = Claim.objects.count()
    with pytest.raises(CapacityShortfall) as refused:
        add(third, offering)
    assert refused.value.code == "offering_full"
    assert refused.value.details["held_in_carts"] == 2
    assert "held in other carts" in str(refused.value)
    assert Claim.objects.count() == claims_before
    assert not Cart.objects.filter(household=third).exists()


def test_c4_full_without_holds_says_simply_full(org):
    offering = make_offering(org, capacity=1, price="0")
    from carts.services.checkout import checkout

    buyer = make_household(org)
    add(buyer, offering)
    checkout(household=buyer, channel="portal")
    with pytest.raises(CapacityShortfall) as refused:
        add(make_household(org), offering)
    assert str(refused.value) == f"{offering.name} is full."
    assert refused.value.details["held_in_carts"] == 0


def test_c2_unlimited_offering_never_refuses(org):
    offering = make_offering(org, capacity=None)
    for _ in range(5):
        add(make_household(org), offering)
    assert Claim.objects.filter(offering=offering, state="held").count() == 5


def test_same_participant_cannot_hold_the_same_offering_twice(household, offering):
    add(household, offering)
    with pytest.raises(AlreadyClaimed):
        add(household, offering)


def test_x1_offering_of_another_organization_is_unknown(household):
    other = make_offering(make_organization())
    with pytest.raises(UnknownOffering):
        add(household, other)
    assert not Claim.objects.exists()


def test_x1_participant_of_another_household_is_refused(org, household, offering):
    stranger = make_household(org).participants.first()
    with pytest.raises(errors.ParticipantNotFound):
        add(household, offering, participant=stranger)


def test_registration_window_is_enforced(org, household):
    with time_machine.travel(T0, tick=False):
        early = make_offering(org, registration_opens_at=T0 + timedelta(hours=1))
        late = make_offering(org, registration_closes_at=T0)
        with pytest.raises(errors.RegistrationNotOpen):
            add(household, early)
        with pytest.raises(errors.RegistrationClosed):
            add(household, late)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert add(household, early).claims


def test_age_limits_use_the_offering_start_date(org):
    from datetime import date

    household = make_household(org, children=0)
    kid = make_participant(household, born=date(2020, 6, 1))
    five_to_eight = make_offering(org, min_age=6, max_age=8, starts_on=date(2026, 5, 31))
    with (
        time_machine.travel(datetime(2026, 3, 2, 14, 0, tzinfo=UTC), tick=False),
        pytest.raises(errors.AgeIneligible) as refused,
    ):
        add(household, five_to_eight, participant=kid)
    assert "ages 6 to 8" in str(refused.value)  # as the catalog says ages
    # The age it counts, and on which day: the first day is to come, so "will be".
    assert "this participant will be 5 on 2026-05-31, the day ages are counted." in str(refused.value)
    assert refused.value.details == {
        "age": 5, "min_age": 6, "max_age": 8, "counted_on": "2026-05-31", "tense": "future"
    }  # fmt: skip
    on_birthday = make_offering(org, min_age=6, max_age=8, starts_on=date(2026, 6, 1))
    assert add(household, on_birthday, participant=kid).claims


def test_x2_add_is_audited_with_channel(org, household, offering):
    claim = add(household, offering).claims[0]
    second = add(household, make_offering(org)).claims[0]  # into the existing cart
    for held in (claim, second):  # written in one statement with the claim (and its new cart)
        event = AuditEvent.objects.get(verb="cart.item_added", subject_id=held.pk)
        assert (event.channel, event.household_id) == ("portal", household.pk)
        assert event.data["cart"] == held.cart_id == claim.cart_id
        assert event.data["offering"] == held.offering_id


def test_an_organization_with_carts_claims_and_audit_cannot_be_deleted(org, household, offering):
    """The hot tables' organization ids are not FK-checked by the database (decision 0005);
    PROTECT still keeps an organization with carts, claims and audit events from going."""
    from django.db.models import ProtectedError

    from audit.models import AuditEvent

    add(household, offering)
    assert Claim.objects.filter(organization=org).exists()
    assert AuditEvent.objects.filter(organization=org).exists()
    with pytest.raises(ProtectedError):
        org.delete()
    assert Claim.objects.filter(organization=org).count() == 1
