"""A state machine drives carts, checkout and the clock at random and compares every answer
with a small pure-Python model of the rules (C1-C4, T2-T5, T7, P1, S5, X1).

Each example gets its own organization, households and offerings, so that the rows that
earlier examples leave in the test database never meet this one's. The clock is frozen with
time-machine and only moves when a rule moves it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from capacity.models import Claim
from capacity.selectors import ClaimCounts, claim_counts
from carts.models import Cart
from carts.selectors import open_cart_view
from carts.services import add_rental_to_cart, add_to_cart, empty_cart, expire_carts, remove_from_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_facility_with_slots, make_offering
from core.errors import DomainError
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SLOT_MINUTES = 60
SLOT_COUNT = 3
OK = "ok"
CHANNELS = st.sampled_from(["portal", "api", "office"])


# --- the model -------------------------------------------------------------------------


@dataclass
class ModelCart:
    """An open cart as the rules describe it: two instants and the items (claim id ->
    (offering id, participant id)). No items means no timer (T7)."""

    timer: str = Cart.Timer.PORTAL  # fixed when the cart is (re)started: the office wizard's own timer (T5)
    office_held: bool = False  # S3: started by the office (this machine never takes one over)
    first_added_at: datetime | None = None
    last_added_at: datetime | None = None
    items: dict[int, tuple[int, int | None]] = field(default_factory=dict)


@dataclass
class CartRulesModel:
    timers: dict[str, tuple[timedelta, timedelta]]  # cart timer profile -> (timeout, limit)
    capacities: dict[int, int]
    prices: dict[int, Decimal]
    now: datetime
    carts: dict[int, ModelCart] = field(default_factory=dict)  # household index -> its open cart
    registrations: list[tuple[int, int | None]] = field(default_factory=list)  # count forever (C2)

    def expires_at(self, cart: ModelCart) -> datetime | None:
        if cart.first_added_at is None or cart.last_added_at is None:
            return None
        timeout, limit = self.timers[cart.timer]
        return min(cart.last_added_at + timeout, cart.first_added_at + limit)  # T2, T3

    def is_expired(self, cart: ModelCart) -> bool:
        expires_at = self.expires_at(cart)
        return expires_at is not None and expires_at <= self.now

    def live_items(self, household: int) -> dict[int, tuple[int, int | None]]:
        """Items that still hold seats: all of them until the cart expires, none after (T4, C3)."""
        cart = self.carts.get(household)
        if cart is None or self.is_expired(cart):
            return {}
        return cart.items

    def held(self, offering_id: int) -> int:
        return sum(1 for h in self.carts for offering, _ in self.live_items(h).values() if offering == offering_id)

    def taken(self, offering_id: int) -> int:
        registered = sum(1 for offering, _ in self.registrations if offering == offering_id)
        return registered + self.held(offering_id)

    def is_present(self, offering_id: int, participant_id: int | None) -> bool:
        if participant_id is None:
            return False
        live = [claim for h in self.carts for claim in self.live_items(h).values()]
        return (offering_id, participant_id) in live + self.registrations

    def expected_add(self, wanted: list[tuple[int, int | None]], household: int, channel: str) -> tuple[set[str], int]:
        """The add's possible outcomes and, when refused for capacity, how many seats sit in
        carts (C4). A refusal for who holds the cart (S3) is decided under the cart lock; an add
        for an offering lately seen full may be refused for capacity before that lock
        (carts.services.adding._refuse_early), so when both apply either answer is right."""
        cart = self.carts.get(household)
        is_fresh = cart is None or self.is_expired(cart) or cart.first_added_at is None
        holder = None
        if not is_fresh and (channel == "office") != cart.office_held:
            holder = "customer_cart_open" if channel == "office" else "cart_held_by_office"
        capacity, held = OK, 0
        if any(self.is_present(offering, participant) for offering, participant in wanted):
            capacity = "already_enrolled"
        else:
            short = [offering for offering, _ in wanted if self.taken(offering) + 1 > self.capacities[offering]]
            if short:
                capacity, held = "offering_full", sum(self.held(offering) for offering in short)
        if holder is None:
            return {capacity}, held
        return ({holder, capacity} if capacity != OK else {holder}), held

    def add(self, household: int, claims: dict[int, tuple[int, int | None]], *, channel: str) -> None:
        cart = self.carts.get(household)
        timer = Cart.Timer.OFFICE_CLASS if channel == "office" else Cart.Timer.PORTAL
        if cart is None or self.is_expired(cart):  # an expired cart's items all went together (T4)
            cart = self.carts[household] = ModelCart(timer=timer)
        if cart.first_added_at is None:  # new or emptied: started afresh by this channel (T5, S3)
            cart.first_added_at = self.now
            cart.timer, cart.office_held = timer, channel == "office"
        cart.last_added_at = self.now
        cart.items.update(claims)

    def expected_remove(self, household: int, claim_id: int) -> str:
        cart = self.carts.get(household)
        if cart is not None and self.is_expired(cart):
            return "cart_expired"
        if cart is None or claim_id not in cart.items:
            return "item_not_found"
        return OK

    def remove(self, household: int, claim_id: int) -> None:
        cart = self.carts[household]
        del cart.items[claim_id]
        if not cart.items:  # T7: removing does not restart the timer; an empty cart has none
            cart.first_added_at = cart.last_added_at = None

    def empty(self, household: int) -> bool:
        """Whether an open cart is left (emptied) after emptying it."""
        cart = self.carts.get(household)
        if cart is None:
            return False
        if self.is_expired(cart):
            del self.carts[household]
            return False
        self.carts[household] = ModelCart(timer=cart.timer, office_held=cart.office_held)
        return True

    def expected_checkout(self, household: int) -> str:
        cart = self.carts.get(household)
        if cart is None or not cart.items:
            return "cart_empty"
        if self.is_expired(cart):
            return "cart_expired"
        return OK

    def check_out(self, household: int) -> dict[int, tuple[int, int | None]]:
        items = self.carts.pop(household).items
        self.registrations.extend(items.values())
        return items

    def expire_job(self) -> None:
        for household in [h for h, cart in self.carts.items() if self.is_expired(cart)]:
            del self.carts[household]


# --- the machine ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimRef:
    claim_id: int
    household: int


def outcome(call):
    try:
        return OK, call()
    except DomainError as error:
        return error.code, error


class CartMachine(RuleBasedStateMachine):
    claims = Bundle("claims")

    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()

    def teardown(self) -> None:
        self.traveller.stop()

    @initialize(
        timeout=st.integers(5, 120),
        limit=st.integers(5, 120),
        office_timeout=st.integers(5, 120),
        office_limit=st.integers(5, 120),
        household_count=st.integers(3, 4),
        capacities=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    )
    def set_up(
        self,
        timeout: int,
        limit: int,
        office_timeout: int,
        office_limit: int,
        household_count: int,
        capacities: list[int],
    ) -> None:
        organization = make_organization(
            cart_timeout_minutes=timeout,
            cart_limit_minutes=limit,
            office_class_timeout_minutes=office_timeout,
            office_class_limit_minutes=office_limit,
        )
        # No password: hashing one per example would dominate the run time.
        self.staff_user = User.objects.create(username=f"{organization.slug}-staff")
        self.households = [make_household(organization, with_login=False, children=2) for _ in range(household_count)]
        self.participants = [list(h.participants.order_by("pk").values_list("pk", flat=True)) for h in self.households]
        # The first class is free, so checking it out confirms at once; the others go tentative.
        self.classes = [
            make_offering(organization, capacity=capacity, price="0" if i == 0 else "25.00")
            for i, capacity in enumerate(capacities)
        ]
        self.facility, self.slots = make_facility_with_slots(
            organization, first_slot=START + timedelta(days=7), slots=SLOT_COUNT, minutes=SLOT_MINUTES
        )
        offerings = self.classes + self.slots
        self.model = CartRulesModel(
            timers={
                Cart.Timer.PORTAL: (timedelta(minutes=timeout), timedelta(minutes=limit)),
                Cart.Timer.OFFICE_CLASS: (timedelta(minutes=office_timeout), timedelta(minutes=office_limit)),
            },
            capacities={o.pk: o.capacity for o in offerings},
            prices={o.pk: o.price for o in offerings},
            now=START,
        )

    def household(self, index: int) -> tuple[int, object]:
        h = index % len(self.households)
        return h, self.households[h]

    def _added(self, h: int, channel: str, expected: tuple[set[str], int], result: tuple[str, object]):
        code, value = result
        assert code in expected[0], f"add: model expected {expected[0]}, service answered {code}: {value}"
        if code == "offering_full":
            assert value.details["held_in_carts"] == expected[1]
        if code != OK:  # refused before any lock (carts.services.adding._refuse_early): nothing changed
            return multiple()
        claims = {claim.pk: (claim.offering_id, claim.participant_id) for claim in value.claims}
        self.model.add(h, claims, channel=channel)
        return multiple(*(ClaimRef(claim_id, h) for claim_id in claims))

    @rule(
        target=claims,
        household=st.integers(0, 3),
        offering=st.integers(0, 2),
        participant=st.integers(0, 1),
        channel=CHANNELS,
    )
    def add(self, household: int, offering: int, participant: int, channel: str):
        h, household_row = self.household(household)
        offering_id = self.classes[offering].pk
        participant_id = self.participants[h][participant]
        expected = self.model.expected_add([(offering_id, participant_id)], h, channel)
        result = outcome(
            lambda: add_to_cart(
                household=household_row,
                offering_id=offering_id,
                participant_id=participant_id,
                channel=channel,
                actor_id=self.staff_user.pk if channel == "office" else None,
            )
        )
        return self._added(h, channel, expected, result)

    @precondition(lambda self: self.enrolments())
    @rule(target=claims, pick=st.integers(0, 50), channel=CHANNELS)
    def add_again(self, pick: int, channel: str):
        """Add a class for a participant who holds or held it (live, lapsed or registered)."""
        enrolments = self.enrolments()
        h, offering, participant = enrolments[pick % len(enrolments)]
        return self.add(h, offering, participant, channel)

    def enrolments(self) -> list[tuple[int, int, int]]:
        """(household, class, participant) indexes of every class claim the model knows of."""
        classes = [o.pk for o in self.classes]
        claims = [claim for cart in self.model.carts.values() for claim in cart.items.values()]
        claims += self.model.registrations
        return sorted(
            {
                (h, classes.index(offering), people.index(participant))
                for offering, participant in claims
                if offering in classes
                for h, people in enumerate(self.participants)
                if participant in people
            }
        )

    @rule(
        target=claims,
        household=st.integers(0, 3),
        first=st.integers(0, SLOT_COUNT - 1),
        length=st.integers(1, SLOT_COUNT),
        misaligned=st.sampled_from([False, False, False, True]),
        channel=CHANNELS,
    )
    def add_rental_range(self, household: int, first: int, length: int, misaligned: bool, channel: str):
        h, household_row = self.household(household)
        starts_at = self.slots[first].starts_at + timedelta(minutes=SLOT_MINUTES // 2 if misaligned else 0)
        ends_at = self.slots[first].starts_at + timedelta(minutes=SLOT_MINUTES * length)
        covered = self.slots[first : first + length]
        if misaligned or first + length > SLOT_COUNT:
            expected = ({"rental_not_available"}, 0)
        else:
            expected = self.model.expected_add([(slot.pk, None) for slot in covered], h, channel)
        result = outcome(
            lambda: add_rental_to_cart(
                household=household_row,
                facility_id=self.facility.pk,
                starts_at=starts_at,
                ends_at=ends_at,
                channel=channel,
            )
        )
        return self._added(h, channel, expected, result)

    @rule(ref=claims, by_owner=st.booleans())
    def remove(self, ref: ClaimRef, by_owner: bool) -> None:
        """Any item ever added: live, lapsed, checked out or removed; by its own household or,
        which must not touch it, by another one (X1)."""
        self._remove(ref.household if by_owner else (ref.household + 1) % len(self.households), ref.claim_id)

    @precondition(lambda self: any(self.model.live_items(h) for h in self.model.carts))
    @rule(pick=st.integers(0, 50), minutes_later=st.integers(0, 10))
    def remove_live_item(self, pick: int, minutes_later: int) -> None:
        """Remove an item some minutes after the last add: the timer must not restart (T7)."""
        live = sorted((h, claim_id) for h in self.model.carts for claim_id in self.model.live_items(h))
        h, claim_id = live[pick % len(live)]
        self._shift(timedelta(minutes=minutes_later))
        self._remove(h, claim_id)

    def _remove(self, h: int, claim_id: int) -> None:
        expected = self.model.expected_remove(h, claim_id)
        code, value = outcome(
            lambda: remove_from_cart(household=self.households[h], claim_id=claim_id, channel="portal")
        )
        assert code == expected, f"remove: model expected {expected}, service answered {code}: {value}"
        if code == OK:
            self.model.remove(h, claim_id)

    @rule(household=st.integers(0, 3))
    def empty(self, household: int) -> None:
        h, household_row = self.household(household)
        cart = empty_cart(household=household_row, channel="portal")
        assert (cart is not None) == self.model.empty(h)

    @precondition(lambda self: bool(self.model.carts))
    @rule(household=st.integers(0, 3))
    def check_out(self, household: int) -> None:
        h, household_row = self.household(household)
        expected = self.model.expected_checkout(h)
        code, value = outcome(lambda: checkout(household=household_row, channel="portal"))
        assert code == expected, f"checkout: model expected {expected}, service answered {code}: {value}"
        if code != OK:
            return
        items = self.model.check_out(h)
        total = sum((self.model.prices[offering] for offering, _ in items.values()), Decimal("0"))
        assert value.order.total == total
        states = set(Claim.objects.filter(pk__in=items).values_list("state", flat=True))
        assert states == {Claim.State.CONFIRMED if total == 0 else Claim.State.TENTATIVE}

    @rule(minutes=st.integers(0, 20))
    def advance(self, minutes: int) -> None:
        self._shift(timedelta(minutes=minutes))

    @precondition(lambda self: any(self.model.expires_at(cart) for cart in self.model.carts.values()))
    @rule(household=st.integers(0, 3), offset_seconds=st.sampled_from([0, -1, 1]))
    def advance_to_expiry(self, household: int, offset_seconds: int) -> None:
        """Land on the boundary: one second before, at, or after a cart's expiry instant."""
        cart = self.model.carts.get(household % len(self.households))
        expires_at = self.model.expires_at(cart) if cart else None
        if expires_at is not None and expires_at + timedelta(seconds=offset_seconds) > self.model.now:
            self._shift(expires_at + timedelta(seconds=offset_seconds) - self.model.now)

    @rule()
    def run_cleanup_job(self) -> None:
        # Carts of earlier examples may be closed too; only this example's are compared.
        expire_carts()
        self.model.expire_job()

    def _shift(self, delta: timedelta) -> None:
        self.clock.shift(delta)
        self.model.now += delta

    @invariant()
    def ledger_matches_model(self) -> None:
        now = timezone.now()
        assert now == self.model.now
        counts = claim_counts(offering_ids=self.model.capacities, now=now)
        for offering_id, capacity in self.model.capacities.items():
            seats = counts.get(offering_id, ClaimCounts())
            assert seats.taken <= capacity, f"offering {offering_id} over capacity: {seats}"
            assert (seats.taken, seats.held) == (self.model.taken(offering_id), self.model.held(offering_id)), (
                f"offering {offering_id} at {now}"
            )

    @invariant()
    def carts_match_model(self) -> None:
        now = timezone.now()
        for h, household in enumerate(self.households):
            cart = self.model.carts.get(h)
            row = Cart.objects.filter(household_id=household.pk, status=Cart.Status.OPEN).first()
            assert (row is None) == (cart is None), f"household {h}: open cart row {row}, model {cart}"
            if row is not None:
                assert (row.first_added_at, row.last_added_at, row.expires_at) == (
                    cart.first_added_at,
                    cart.last_added_at,
                    self.model.expires_at(cart),
                ), f"household {h} timer"
            view = open_cart_view(household=household, now=now)
            live = self.model.live_items(h)
            assert view.expires_at == (None if not live else self.model.expires_at(cart))
            assert sorted(item.id for item in view.items) == sorted(live)


SETTINGS = settings(
    max_examples=40,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@pytest.mark.django_db
def test_c2_t2_t3_t4_t7_carts_and_checkout_follow_the_model_of_the_rules():
    run_state_machine_as_test(CartMachine, settings=SETTINGS)
