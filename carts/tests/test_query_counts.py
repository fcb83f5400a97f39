import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household


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
