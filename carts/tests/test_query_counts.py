import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from registrar import sqlbatch


def statements(captured):
    # BEGIN/COMMIT/SAVEPOINT/ROLLBACK are transaction control, not statements of the service.
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]


def test_add_to_cart_issues_at_most_seven_statements(org):
    household = make_household(org)
    participant = household.participants.first()
    first, second = make_offering(org), make_offering(org)
    with CaptureQueriesContext(connection) as new_cart:
        add_to_cart(household=household, offering_id=first.pk, participant_id=participant.pk, channel="api")
    with CaptureQueriesContext(connection) as existing_cart:
        add_to_cart(household=household, offering_id=second.pk, participant_id=participant.pk, channel="api")
    assert len(statements(new_cart)) <= 7, statements(new_cart)
    assert len(statements(existing_cart)) <= 7, statements(existing_cart)
    # What the add actually sends: cart lock, offering lock (with the participant), count, then
    # the writes: on PostgreSQL the new cart, claim and audit event are one statement
    # (registrar.querycache.CompiledInsertChain); an existing cart adds the UPDATE of its timer.
    one_statement_writes = connection.vendor == "postgresql"
    assert len(statements(new_cart)) == (4 if one_statement_writes else 6), statements(new_cart)
    assert len(statements(existing_cart)) == (5 if one_statement_writes else 6), statements(existing_cart)


@pytest.mark.postgres
def test_an_add_is_three_round_trips_on_postgresql(org):
    """BEGIN, the cart lock, the offering lock and the count travel together
    (registrar.sqlbatch); then the INSERTs; then COMMIT. A refusal is two."""
    from capacity.errors import CapacityShortfall

    household = make_household(org)
    participant = household.participants.first()
    offering, full = make_offering(org), make_offering(org, capacity=0)
    add_to_cart(household=household, offering_id=make_offering(org).pk, participant_id=participant.pk, channel="api")
    for wanted, trips in ((offering, 2), (full, 1)):  # sqlbatch's own; COMMIT is psycopg's
        before = sqlbatch.round_trips(connection)
        with CaptureQueriesContext(connection) as captured, contextlib.suppress(CapacityShortfall):
            add_to_cart(household=household, offering_id=wanted.pk, participant_id=participant.pk, channel="api")
        assert sqlbatch.round_trips(connection) - before == trips
        # cart lock, offering lock, count (one round trip); INSERTs and the cart's timer (one).
        assert len(statements(captured)) == (5 if wanted is offering else 3), statements(captured)


def test_a_refused_add_writes_nothing_not_even_a_cart(org):
    from capacity.errors import CapacityShortfall

    full = make_offering(org, capacity=0)
    household = make_household(org)
    participant = household.participants.first()
    with CaptureQueriesContext(connection) as refused, pytest.raises(CapacityShortfall):
        add_to_cart(household=household, offering_id=full.pk, participant_id=participant.pk, channel="api")
    sql = statements(refused)
    assert not [q for q in sql if q.upper().startswith(("INSERT", "UPDATE", "DELETE"))], sql
    assert len(sql) <= 3, sql  # cart lock, offering lock with the participant, count
