import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from capacity.hints import RECENTLY_FULL
from capacity.models import Claim
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from core import sqlbatch
from households.tests.factories import make_household


def statements(captured):
    # BEGIN/COMMIT/SAVEPOINT/ROLLBACK are transaction control, not statements of the service.
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]


def warm_up(org):
    """Each kind of add once first: a connection's first use of a query may probe the
    database's features (SQLite's JSON functions, for the look of capacity.hints)."""
    from capacity.errors import CapacityShortfall

    full = make_offering(org, capacity=0)
    for offering in (make_offering(org), full, full):
        household = make_household(org)
        with contextlib.suppress(CapacityShortfall):
            add_to_cart(
                household=household,
                offering_id=offering.pk,
                participant_id=household.participants.get().pk,
                channel="api",
            )
    RECENTLY_FULL.forget()


def test_add_to_cart_issues_at_most_seven_statements(org):
    warm_up(org)
    household = make_household(org)
    participant = household.participants.first()
    first, second = make_offering(org), make_offering(org)
    with CaptureQueriesContext(connection) as new_cart:
        add_to_cart(household=household, offering_id=first.pk, participant_id=participant.pk, channel="api")
    with CaptureQueriesContext(connection) as existing_cart:
        add_to_cart(household=household, offering_id=second.pk, participant_id=participant.pk, channel="api")
    assert len(statements(new_cart)) <= 7, statements(new_cart)
    assert len(statements(existing_cart)) <= 7, statements(existing_cart)
    # What the add actually sends: cart lock, offering lock (with the participant), count, the
    # household's fair-share usage (X6, capacity.fairshare), then the writes: on PostgreSQL the
    # new cart, claim and audit event are one statement (core.querycache.CompiledInsertChain);
    # an existing cart adds the UPDATE of its timer.
    one_statement_writes = connection.vendor == "postgresql"
    assert len(statements(new_cart)) == (5 if one_statement_writes else 7), statements(new_cart)
    assert len(statements(existing_cart)) == (6 if one_statement_writes else 7), statements(existing_cart)


def test_an_offering_seen_full_is_looked_at_first_and_stays_within_eight_statements(org):
    """Once an add for an offering has been refused for capacity, the next adds for it first
    look without a lock (capacity.hints): refused there in one statement; or, if a seat came
    back meanwhile, granted by the usual path after the look."""
    from capacity.errors import CapacityShortfall
    from carts.services import remove_from_cart

    warm_up(org)
    offering = make_offering(org, capacity=1)
    holder, refused_first, refused_next, later = (make_household(org) for _ in range(4))
    cart = add_to_cart(
        household=holder, offering_id=offering.pk, participant_id=holder.participants.get().pk, channel="api"
    ).cart
    for household, expected in ((refused_first, 4), (refused_next, 1)):  # under the locks; then the look alone
        participant_id = household.participants.get().pk
        with CaptureQueriesContext(connection) as refused, pytest.raises(CapacityShortfall):
            add_to_cart(household=household, offering_id=offering.pk, participant_id=participant_id, channel="api")
        assert len(statements(refused)) == expected, statements(refused)
    remove_from_cart(household=holder, claim_id=cart.claims.get().pk, channel="api")
    participant_id = later.participants.get().pk
    with CaptureQueriesContext(connection) as granted:
        add_to_cart(household=later, offering_id=offering.pk, participant_id=participant_id, channel="api")
    assert len(statements(granted)) == (6 if connection.vendor == "postgresql" else 8), statements(granted)


@pytest.mark.postgres
def test_an_add_is_three_round_trips_on_postgresql_and_a_refusal_of_a_full_offering_one(org):
    """BEGIN, the cart lock, the offering lock, the count and the fair-share usage travel together
    (core.sqlbatch); then the INSERTs; then COMMIT (psycopg's). An offering seen full
    is refused by the look alone: no transaction, no lock."""
    from capacity.errors import CapacityShortfall

    warm_up(org)
    household = make_household(org)
    participant = household.participants.first()
    offering, full = make_offering(org), make_offering(org, capacity=0)
    add_to_cart(household=household, offering_id=make_offering(org).pk, participant_id=participant.pk, channel="api")
    # (round trips of sqlbatch, statements): granted; refused under the locks; refused by the look.
    for wanted, expected in ((offering, (2, 6)), (full, (1, 4)), (full, (1, 1))):
        before = sqlbatch.round_trips(connection)
        with CaptureQueriesContext(connection) as captured, contextlib.suppress(CapacityShortfall):
            add_to_cart(household=household, offering_id=wanted.pk, participant_id=participant.pk, channel="api")
        assert (sqlbatch.round_trips(connection) - before, len(statements(captured))) == expected, statements(captured)


def test_a_refused_add_writes_nothing_not_even_a_cart(org):
    from capacity.errors import CapacityShortfall

    warm_up(org)
    full = make_offering(org, capacity=0)
    for _ in range(2):  # under the locks, then by the look (capacity.hints)
        household = make_household(org)
        participant = household.participants.first()
        with CaptureQueriesContext(connection) as refused, pytest.raises(CapacityShortfall):
            add_to_cart(household=household, offering_id=full.pk, participant_id=participant.pk, channel="api")
        sql = statements(refused)
        assert not [q for q in sql if q.upper().startswith(("INSERT", "UPDATE", "DELETE"))], sql
        assert len(sql) <= 4, sql


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_add_is_three_round_trips_outside_a_test_transaction(org):
    """As in production, outside a test's own transaction: a granted add is three round trips
    after the token: BEGIN with the locks and the count, the writes (core.sqlbatch), then
    Django's COMMIT (decision 0011)."""
    warm_up(org)
    household = make_household(org)
    participant_id = household.participants.get().pk
    offering = make_offering(org)
    before = sqlbatch.round_trips(connection)
    with CaptureQueriesContext(connection) as captured:
        result = add_to_cart(household=household, offering_id=offering.pk, participant_id=participant_id, channel="api")
    assert sqlbatch.round_trips(connection) - before == 2
    sql = [q["sql"] for q in captured.captured_queries]
    assert sql[-1] == "COMMIT", sql
    assert sql[-2].startswith('WITH "step0" AS (INSERT INTO "carts_cart"'), sql
    # Django's note of BEGIN (sent with the first round trip), cart lock, offering lock, count,
    # fair-share usage; the writes; COMMIT.
    assert len(sql) == 7, sql
    assert sql[0] == "BEGIN", sql
    claim = result.claims[0]
    assert (claim.pk, result.cart.pk) == tuple(Claim.objects.filter(pk=claim.pk).values_list("pk", "cart_id").get())
