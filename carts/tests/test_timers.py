from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from capacity.models import Claim
from capacity.selectors import claim_counts
from carts import errors
from carts.models import Cart
from carts.policies import cart_expires_at
from carts.services import add_to_cart, empty_cart, expire_carts, office_add_to_cart, remove_from_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.tests.factories import make_organization, make_staff

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(n):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def timed_org(db):
    return make_organization(cart_timeout_minutes=15, cart_limit_minutes=40)


def add_at(at, household, offering):
    with time_machine.travel(at, tick=False):
        return add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        ).cart


def test_t1_settings_outside_5_to_120_are_refused_naming_the_range(org):
    for field in (
        "cart_timeout_minutes",
        "cart_limit_minutes",
        "office_class_timeout_minutes",
        "office_class_limit_minutes",
        "office_camp_timeout_minutes",
        "office_camp_limit_minutes",
    ):
        for bad in (4, 121, 0):
            setattr(org, field, bad)
            with pytest.raises(ValidationError) as refused:
                org.full_clean()
            assert "between 5 and 120 minutes" in str(refused.value)
            setattr(org, field, 20)
    org.cart_timeout_minutes, org.cart_limit_minutes = 5, 120
    org.full_clean()


def test_t2_timeout_counts_from_the_latest_add(timed_org):
    household = make_household(timed_org)
    a, b = make_offering(timed_org), make_offering(timed_org)
    assert add_at(minutes(0), household, a).expires_at == minutes(15)
    assert add_at(minutes(10), household, b).expires_at == minutes(25)
    # both items share the restarted timer: the first one still counts at minute 20
    assert claim_counts(offering_ids=[a.pk], now=minutes(20))[a.pk].held == 1


def test_t3_limit_caps_timer_resets(timed_org):
    household = make_household(timed_org)
    offerings = [make_offering(timed_org) for _ in range(4)]
    assert add_at(minutes(0), household, offerings[0]).expires_at == minutes(15)
    assert add_at(minutes(14), household, offerings[1]).expires_at == minutes(29)
    assert add_at(minutes(28), household, offerings[2]).expires_at == minutes(40)  # first + limit
    assert add_at(minutes(39), household, offerings[3]).expires_at == minutes(40)  # never restarts past it


def test_t3_policy_is_min_of_timeout_and_limit():
    assert cart_expires_at(
        first_added_at=minutes(0), last_added_at=minutes(10), timeout_minutes=20, limit_minutes=60
    ) == minutes(30)
    assert cart_expires_at(
        first_added_at=minutes(0), last_added_at=minutes(50), timeout_minutes=20, limit_minutes=60
    ) == minutes(60)


def test_t4_c3_all_items_expire_together_without_any_job(timed_org):
    household = make_household(timed_org)
    a, b = make_offering(timed_org, capacity=1), make_offering(timed_org, capacity=1)
    add_at(minutes(0), household, a)
    add_at(minutes(5), household, b)
    assert claim_counts(offering_ids=[a.pk, b.pk], now=minutes(19))[a.pk].taken == 1
    counts = claim_counts(offering_ids=[a.pk, b.pk], now=minutes(20))
    assert counts == {}  # both released at the same instant, no job has run
    # and someone else can take both seats at once
    other = make_household(timed_org)
    add_at(minutes(20), other, a)
    add_at(minutes(20), other, b)
    assert Claim.objects.filter(state="held", household=household).count() == 2  # not tidied yet: C3 does not wait


def test_t4_adding_to_an_expired_cart_starts_a_new_one_and_never_revives_old_items(timed_org):
    household = make_household(timed_org)
    a, b = make_offering(timed_org), make_offering(timed_org)
    old_cart = add_at(minutes(0), household, a)
    new_cart = add_at(minutes(30), household, b)
    assert new_cart.pk != old_cart.pk
    assert new_cart.first_added_at == minutes(30)
    old_cart.refresh_from_db()
    assert old_cart.status == Cart.Status.EXPIRED
    assert list(Claim.objects.filter(state="held").values_list("offering_id", flat=True)) == [b.pk]
    assert AuditEvent.objects.filter(verb="cart.expired", subject_id=old_cart.pk).exists()


def test_t4_a_refused_add_changes_nothing_and_the_next_add_closes_the_lapsed_cart(timed_org):
    """A full offering is refused before any lock or transaction (carts.services.adding._refuse_early):
    nothing is written, not even the closing of the household's lapsed cart, whose holds have
    stopped counting anyway (C3). The next add that goes through closes it (T4)."""
    household, other = make_household(timed_org), make_household(timed_org)
    full = make_offering(timed_org, capacity=1)
    lapsed_hold = make_offering(timed_org, capacity=1)
    old_cart = add_at(minutes(0), household, lapsed_hold)
    add_at(minutes(29), other, full)
    with pytest.raises(CapacityShortfall) as refused:
        add_at(minutes(30), household, full)
    assert refused.value.code == "offering_full"
    old_cart.refresh_from_db()
    assert old_cart.status == Cart.Status.OPEN  # untouched, but lapsed: its seat is free for others
    add_at(minutes(30), other, lapsed_hold)
    new_cart = add_at(minutes(31), household, make_offering(timed_org))
    old_cart.refresh_from_db()
    assert (old_cart.status, new_cart.first_added_at) == (Cart.Status.EXPIRED, minutes(31))
    assert AuditEvent.objects.filter(verb="cart.expired", subject_id=old_cart.pk).exists()


def test_t4_cleanup_job_closes_expired_carts_and_audits(timed_org):
    household = make_household(timed_org)
    cart = add_at(minutes(0), household, make_offering(timed_org))
    with time_machine.travel(minutes(14), tick=False):
        assert expire_carts() == 0
    with time_machine.travel(minutes(15), tick=False):
        assert expire_carts() == 1
        assert expire_carts() == 0
    cart.refresh_from_db()
    assert cart.status == Cart.Status.EXPIRED
    assert not Claim.objects.filter(state="held").exists()
    event = AuditEvent.objects.get(verb="cart.expired")
    assert (event.channel, event.actor_label) == ("system", "job:expire_carts")


def test_t7_removing_an_item_does_not_restart_the_timer(timed_org):
    household = make_household(timed_org)
    a, b = make_offering(timed_org), make_offering(timed_org)
    add_at(minutes(0), household, a)
    cart = add_at(minutes(5), household, b)
    with time_machine.travel(minutes(12), tick=False):
        remove_from_cart(household=household, claim_id=cart.claims.get(offering=b).pk, channel="portal")
    cart.refresh_from_db()
    assert cart.expires_at == minutes(20)


def test_t7_emptied_cart_has_no_timer_and_next_add_starts_a_fresh_limit(timed_org):
    household = make_household(timed_org)
    a, b = make_offering(timed_org), make_offering(timed_org)
    add_at(minutes(0), household, a)
    with time_machine.travel(minutes(10), tick=False):
        cart = empty_cart(household=household, channel="portal")
    assert (cart.first_added_at, cart.expires_at) == (None, None)
    assert not Claim.objects.filter(state="held").exists()
    cart = add_at(minutes(35), household, b)  # would be past the old limit of minute 40 soon
    assert cart.expires_at == minutes(50)


def test_t7_removing_the_last_item_clears_the_timer(timed_org):
    household = make_household(timed_org)
    cart = add_at(minutes(0), household, make_offering(timed_org))
    with time_machine.travel(minutes(3), tick=False):
        cart = remove_from_cart(household=household, claim_id=cart.claims.get().pk, channel="portal")
    assert cart.expires_at is None


def test_remove_from_an_expired_cart_is_refused_as_expired(timed_org):
    household = make_household(timed_org)
    cart = add_at(minutes(0), household, make_offering(timed_org))
    with time_machine.travel(minutes(16), tick=False), pytest.raises(errors.CartExpired):
        remove_from_cart(household=household, claim_id=cart.claims.get().pk, channel="portal")


def test_t5_office_wizard_uses_its_own_timer(db):
    organization = make_organization(
        cart_timeout_minutes=10, cart_limit_minutes=20, office_class_timeout_minutes=45, office_class_limit_minutes=90
    )
    staff = make_staff(organization)
    household = make_household(organization)
    with time_machine.travel(minutes(0), tick=False):
        result = office_add_to_cart(
            membership=staff,
            household=household,
            offering_id=make_offering(organization).pk,
            participant_id=household.participants.first().pk,
        )
    assert result.cart.timer == Cart.Timer.OFFICE_CLASS
    assert result.cart.expires_at == minutes(45)
    assert result.claims[0].channel == "office"
    assert add_at(minutes(0), make_household(organization), make_offering(organization)).expires_at == minutes(10)
