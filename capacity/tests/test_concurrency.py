"""Real concurrency against the capacity rules (C2, D3, S5, C3, P1).

Each race starts N threads, each with its own database connection, releases them together
with a `threading.Barrier` and checks what the callers saw and what the ledger holds.
`transaction=True` matters: inside a TestCase transaction every thread would share nothing
real and the durability check is off, so the race would prove nothing.

The negative control comes first (pretix's
`test_quota_race_condition_happens_if_we_disable_locks`): with the offering lock patched out
the same race must overbook, which shows that these tests can fail. It needs PostgreSQL,
because SQLite's IMMEDIATE transactions serialise every writer whatever the code locks.
"""

import contextlib
import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import capacity.locks
import capacity.services
import carts.services.adding
from capacity.errors import CapacityShortfall
from capacity.locks import LockedOfferings, lock_offerings
from capacity.models import Claim
from capacity.selectors import claim_counts
from carts.models import Cart
from carts.services import add_rental_to_cart, add_to_cart
from carts.services.checkout import checkout
from catalog.models import Offering
from catalog.tests.factories import make_facility_with_slots, make_offering
from core.querycache import run_together
from households.models import Household, Participant
from households.tests.factories import make_household
from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEATS = 20
RACERS = 50
RACE_TIMEOUT = 120  # seconds; generous for a shared 2-core machine, never reached when correct


@dataclass(frozen=True)
class Outcome:
    value: object = None
    error: BaseException | None = None


def race(calls: Sequence[Callable[[], object]]) -> list[Outcome]:
    """Run every call in its own thread, all released at once; return what each got back.

    Each thread connects before the barrier, so the race is between transactions rather
    than connection set-up, and closes its own connection at the end."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=RACE_TIMEOUT)
            outcomes[index] = Outcome(value=call())
        except BaseException as exc:  # handed to the test, which asserts on it
            outcomes[index] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RACE_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racer hung: deadlock or a lock never released"
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def split(outcomes: Sequence[Outcome]) -> tuple[list[object], list[BaseException]]:
    return [o.value for o in outcomes if o.error is None], [o.error for o in outcomes if o.error is not None]


def assert_only_full_refusals(errors: Sequence[BaseException]) -> None:
    """Losers get C4's answer and nothing else: no 'database is locked', no deadlock, no busy."""
    unexpected = [e for e in errors if not isinstance(e, CapacityShortfall)]
    assert not unexpected, f"unexpected errors reached the caller: {[repr(e) for e in unexpected[:5]]}"
    assert {e.code for e in errors} <= {"offering_full"}


def households(org, count: int) -> list[Household]:
    # No login: hashing a password per household would dominate the test's run time.
    return [make_household(org, with_login=False) for _ in range(count)]


def add_call(household: Household, offering: Offering) -> Callable[[], object]:
    participant_id = household.participants.get().pk
    return lambda: add_to_cart(
        household=household, offering_id=offering.pk, participant_id=participant_id, channel="portal"
    )


def live_claims(offering_ids: Collection[int]) -> list[Claim]:
    return list(Claim.objects.counting_at(timezone.now()).filter(offering_id__in=list(offering_ids)))


def full_class_race(org, offering: Offering) -> tuple[list[object], list[BaseException]]:
    racers = households(org, RACERS)
    return split(race([add_call(household, offering) for household in racers]))


# The negative control: the same race with the lock switched off must overbook.


@pytest.mark.postgres
def test_d3_negative_control_race_overbooks_without_the_offering_lock(org, monkeypatch):
    offering = make_offering(org, capacity=SEATS)
    counted = threading.Barrier(RACERS)

    def lock_nothing(
        *,
        organization_id: int,
        offering_ids: Collection[int],
        household_id=None,
        participant_ids=(),
        first=(),
        count_at=None,
        after=(),
    ) -> LockedOfferings:
        # The cart lock and the fair-share read still run; the offerings go unlocked and uncounted.
        run_together(*first, *after)
        offerings = Offering.objects.filter(organization_id=organization_id, pk__in=list(offering_ids))
        participants = Participant.objects.filter(household_id=household_id, pk__in=list(participant_ids))
        return LockedOfferings({o.pk: o for o in offerings}, {p.pk: p for p in participants})

    def count_then_wait(**kwargs):
        counts = claim_counts(**kwargs)
        # Widen the window between count and INSERT: every racer counts before any inserts.
        # A barrier rather than a sleep; if it breaks, the racers just go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait(timeout=10)
        return counts

    monkeypatch.setattr(carts.services.adding, "lock_offerings", lock_nothing)
    monkeypatch.setattr(capacity.locks, "lock_offerings", lock_nothing)
    monkeypatch.setattr(capacity.services, "claim_counts", count_then_wait)

    added, errors = full_class_race(org, offering)

    assert len(live_claims([offering.pk])) > SEATS, "no overbooking without the lock: the race test proves nothing"
    assert len(added) > SEATS
    assert_only_full_refusals(errors)


# C2: the real thing.


def test_c2_fifty_threads_race_for_twenty_seats(org):
    offering = make_offering(org, capacity=SEATS)

    added, errors = full_class_race(org, offering)

    assert len(added) == SEATS
    assert len(errors) == RACERS - SEATS
    assert_only_full_refusals(errors)
    claims = live_claims([offering.pk])
    assert len(claims) == SEATS
    assert Claim.objects.filter(offering=offering).count() == SEATS  # the refused wrote nothing
    winners = {result.cart.household_id for result in added}
    assert {claim.household_id for claim in claims} == winners
    assert Cart.objects.count() == SEATS
    assert all(e.details["held_in_carts"] == SEATS for e in errors)


@pytest.mark.postgres
def test_c4_a_full_offering_is_refused_without_waiting_for_its_lock(org):
    """Registration morning: the class is full (and this process has seen it refuse an add,
    capacity.hints) and another add holds its lock. An add for it is refused at once, from an
    unlocked snapshot (carts.services.adding._refuse_early), instead of queueing behind the lock for
    its turn to be told so; an add for a class with room does wait, and gets its seat."""
    full, open_class = make_offering(org, capacity=1), make_offering(org, capacity=5)
    first, second, late, waiting = households(org, 4)
    add_call(first, full)()
    with pytest.raises(CapacityShortfall):
        add_call(second, full)()
    with transaction.atomic():
        lock_offerings(organization_id=org.pk, offering_ids=[full.pk, open_class.pk])

        def add_with_patience_of_a_second(call):
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
            return call()

        late_call = add_call(late, full)
        [refused] = race([lambda: add_with_patience_of_a_second(late_call)])
        assert isinstance(refused.error, CapacityShortfall), refused  # not CapacityBusy after a second
        wait_for_lock = add_call(waiting, open_class)  # reads the participant here, in this thread
        racer = threading.Thread(target=lambda: race([wait_for_lock]), daemon=True)
        racer.start()
        racer.join(timeout=0.5)
        assert racer.is_alive(), "the add for a class with room did not wait for the lock"
    racer.join(timeout=RACE_TIMEOUT)
    assert [c.household_id for c in live_claims([open_class.pk])] == [waiting.pk]


def test_first_adds_of_one_household_racing_share_one_cart(org):
    """Several first adds of one household at once (two tabs, the app and the portal): each
    finds no open cart and starts one; the unique constraint lets one win, the others run
    again, find that cart and join it (carts.services.adding._add_locked). Nobody sees an error."""
    household = households(org, 1)[0]
    offerings = [make_offering(org, capacity=SEATS) for _ in range(8)]
    calls = [add_call(household, offering) for offering in offerings]  # one participant, eight classes

    added, errors = split(race(calls))

    assert errors == []
    assert len({result.cart.pk for result in added}) == 1
    [cart] = Cart.objects.filter(household=household, status=Cart.Status.OPEN)
    assert sorted(cart.claims.values_list("offering_id", flat=True)) == sorted(o.pk for o in offerings)


# S5: a facility's time is never held twice.


def test_s5_households_race_for_one_rental_slot_exactly_one_books(org):
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=7), slots=3)
    slot = slots[1]
    racers = households(org, 24)

    with time_machine.travel(T0, tick=False):  # the slots are a week ahead (rental_started otherwise)
        results = race(
            [
                lambda h=household: add_rental_to_cart(
                    household=h,
                    facility_id=facility.pk,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    channel="portal",
                )
                for household in racers
            ]
        )
        added, errors = split(results)

        assert len(added) == 1
        assert_only_full_refusals(errors)
        assert len(errors) == len(racers) - 1
        claims = live_claims([s.pk for s in slots])
        assert [(c.offering_id, c.household_id) for c in claims] == [(slot.pk, added[0].cart.household_id)]


def test_s5_overlapping_rental_ranges_never_hold_a_slot_twice(org):
    # Ranges [i, i+2) over seven slots: each overlaps its neighbours by one slot. Four
    # households want each range, so every slot is contested from both sides.
    facility, slots = make_facility_with_slots(org, first_slot=T0 + timedelta(days=7), slots=7)
    ranges = [(slots[i].starts_at, slots[i + 1].ends_at) for i in range(len(slots) - 1)]
    wanted = [(household, ranges[n % len(ranges)]) for n, household in enumerate(households(org, 24))]

    with time_machine.travel(T0, tick=False):  # the slots are a week ahead (rental_started otherwise)
        results = race(
            [
                lambda h=household, r=span: add_rental_to_cart(
                    household=h, facility_id=facility.pk, starts_at=r[0], ends_at=r[1], channel="portal"
                )
                for household, span in wanted
            ]
        )
        added, errors = split(results)

        assert_only_full_refusals(errors)
        assert added, "somebody must get a range"
        claims = live_claims([s.pk for s in slots])
        per_slot = Counter(claim.offering_id for claim in claims)
        assert max(per_slot.values()) == 1, f"a slot is held twice: {per_slot}"
        # All or nothing: each winner holds its two slots, each loser none.
        per_household = Counter(claim.household_id for claim in claims)
        assert sorted(per_household.values()) == [2] * len(added)
        assert set(per_household) == {result.cart.household_id for result in added}


# C3: a lapsed hold's seat is free again for the very next add, with no job having run.


def test_c3_expired_holds_free_their_seats_for_the_next_race(org):
    offering = make_offering(org, capacity=SEATS)
    with time_machine.travel(T0, tick=False) as traveller:
        first_added, first_errors = split(race([add_call(h, offering) for h in households(org, SEATS)]))
        assert (len(first_added), first_errors) == (SEATS, [])
        old_claim_ids = {claim.pk for result in first_added for claim in result.claims}

        traveller.shift(timedelta(minutes=org.cart_timeout_minutes, seconds=1))

        added, errors = full_class_race(org, offering)

        assert len(added) == SEATS
        assert_only_full_refusals(errors)
        live = live_claims([offering.pk])
        assert len(live) == SEATS
        assert old_claim_ids.isdisjoint(claim.pk for claim in live)
        # Lazy expiry: nothing released the old holds; they simply stopped counting.
        assert Claim.objects.filter(pk__in=old_claim_ids, state=Claim.State.HELD).count() == SEATS
        assert claim_counts(offering_ids=[offering.pk], now=timezone.now())[offering.pk].held == SEATS


# One household, two quick adds: the open cart is created once.


def test_t2_double_click_by_one_household_creates_one_open_cart(org):
    first, second = make_offering(org, capacity=SEATS), make_offering(org, capacity=SEATS)
    clicking = households(org, 12)

    added, errors = split(race([add_call(h, o) for h in clicking for o in (first, second)]))

    assert errors == []
    assert len(added) == 2 * len(clicking)
    for household in clicking:
        carts = list(Cart.objects.filter(household=household))
        assert [cart.status for cart in carts] == [Cart.Status.OPEN]
        held = Claim.objects.filter(household=household, cart=carts[0], state=Claim.State.HELD)
        assert sorted(held.values_list("offering_id", flat=True)) == [first.pk, second.pk]


# P1: submitting the same cart twice at once yields one order.


def test_p1_checkout_double_submit_makes_one_order(org):
    offering = make_offering(org, capacity=SEATS)
    buyers = households(org, 8)
    cart_ids = {}
    for household in buyers:
        cart_ids[household.pk] = add_call(household, offering)().cart.pk

    outcomes = race(
        [
            lambda h=household: checkout(household=h, channel="portal", cart_id=cart_ids[h.pk])
            for household in buyers
            for _ in range(2)
        ]
    )
    results, errors = split(outcomes)

    assert errors == []
    for household in buyers:
        orders = list(Order.objects.filter(household=household))
        assert len(orders) == 1
        mine = [r for r in results if r.order.household_id == household.pk]
        assert [r.order.pk for r in mine] == [orders[0].pk] * 2
        assert sorted(r.created for r in mine) == [False, True]
    assert Claim.objects.filter(offering=offering, state=Claim.State.TENTATIVE).count() == len(buyers)


# D3, cheaply: the lock is taken once, in order, before the count and the write.


@pytest.mark.postgres
def test_d3_add_locks_offering_rows_in_order_before_counting_and_inserting(org):
    offering = make_offering(org, capacity=SEATS)
    household = make_household(org, with_login=False)
    offering_table, claim_table = Offering._meta.db_table, Claim._meta.db_table

    with CaptureQueriesContext(connection) as captured:
        add_call(household, offering)()

    sql = [query["sql"] for query in captured.captured_queries]
    offering_locks = [i for i, s in enumerate(sql) if f'FROM "{offering_table}"' in s and "FOR UPDATE" in s]
    assert len(offering_locks) == 1, sql
    assert re.search(r"\bORDER BY\b.*\bFOR UPDATE\b", sql[offering_locks[0]]), sql[offering_locks[0]]
    # The household's fair-share usage (X6) counts its claims too, grouped by household.
    usage = [i for i, s in enumerate(sql) if f'GROUP BY "{claim_table}"."household_id"' in s]
    counts = [i for i, s in enumerate(sql) if f'FROM "{claim_table}"' in s and "COUNT(" in s and i not in usage]
    # The claim's INSERT: alone, or a part of one WITH statement with its cart and audit event.
    inserts = [i for i, s in enumerate(sql) if f'INSERT INTO "{claim_table}"' in s]
    assert len(inserts) == 1, sql
    assert len(counts) == 1, sql
    assert len(usage) == 1, sql
    assert offering_locks[0] < counts[0] < usage[0] < inserts[0]
