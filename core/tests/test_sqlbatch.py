"""core.sqlbatch: statements sent together answer exactly what they would one by one.

The PostgreSQL tests hold the claims the hot path relies on: a count pipelined behind a lock
sees what the lock waited for; a failure stops the statements after it and leaves the
connection usable; a lock wait does not hold the GIL; the statements show in the query log.
"""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from capacity.errors import CapacityBusy
from capacity.locks import lock_offerings
from capacity.models import Claim
from capacity.selectors import ClaimCounts, claim_counts
from capacity.services import ClaimRequest, SeatRequest, claim_seats
from catalog.models import Offering
from catalog.tests.factories import make_offering
from core import sqlbatch
from core.db.errors import violates_unique
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

OFFERING_NAMES = 'SELECT "name" FROM "catalog_offering" WHERE "id" = %s'
DIVIDE = "SELECT 1 / %s"


def names(offering_ids):
    return [(OFFERING_NAMES, [pk]) for pk in offering_ids]


@pytest.mark.django_db
def test_statements_answer_in_order_as_they_would_one_by_one():
    org = make_organization()
    first, second = make_offering(org, name="Pottery"), make_offering(org, name="Swim")
    statements = [*names([second.pk, first.pk]), (OFFERING_NAMES, [second.pk + 1000])]
    assert sqlbatch.execute(connection, statements) == [[["Swim"]], [["Pottery"]], []]
    assert sqlbatch.execute(connection, []) == []


@pytest.mark.django_db
def test_every_statement_shows_in_the_query_log():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    with CaptureQueriesContext(connection) as captured:
        sqlbatch.execute(connection, [*names([offering.pk]), (DIVIDE, [4])])
    assert [q["sql"] for q in captured.captured_queries] == [
        f'SELECT "name" FROM "catalog_offering" WHERE "id" = {offering.pk}',
        "SELECT 1 / 4",
    ]


@pytest.mark.django_db
def test_a_failing_statement_raises_djangos_error_and_the_ones_after_it_do_not_run():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    # The third statement would rename the offering: it must not run after the failing one.
    rename = ('UPDATE "catalog_offering" SET "name" = %s WHERE "id" = %s RETURNING "id"', ["Renamed", offering.pk])
    with pytest.raises(DatabaseError, match="no_such_table"), transaction.atomic():
        sqlbatch.execute(connection, [*names([offering.pk]), ("SELECT * FROM no_such_table WHERE 1 = %s", [1]), rename])
    assert Offering.objects.get(pk=offering.pk).name == "Pottery"
    # The connection is usable afterwards, and a statement prepared before the failure still works.
    assert sqlbatch.execute(connection, names([offering.pk])) == [[["Pottery"]]]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_failing_as_it_runs_stops_the_rest_too():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    rename = ('UPDATE "catalog_offering" SET "name" = %s WHERE "id" = %s RETURNING "id"', ["Renamed", offering.pk])
    sqlbatch.execute(connection, [(DIVIDE, [1]), rename])  # all three prepared now
    Offering.objects.filter(pk=offering.pk).update(name="Pottery")
    with pytest.raises(DatabaseError, match="division by zero"), transaction.atomic():
        sqlbatch.execute(connection, [*names([offering.pk]), (DIVIDE, [0]), rename])
    assert Offering.objects.get(pk=offering.pk).name == "Pottery"
    assert sqlbatch.execute(connection, [(DIVIDE, [2])]) == [[[0]]]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_unique_violation_is_djangos_integrity_error_with_the_servers_code_and_constraint():
    """The hot path tells a duplicate from other failures by code and constraint name
    (core.db.errors.violates_unique), so the error raised here must carry both."""
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    duplicate = ('INSERT INTO "catalog_offering" SELECT * FROM "catalog_offering" WHERE "id" = %s', [offering.pk])
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        sqlbatch.execute(connection, [*names([offering.pk]), duplicate])
    assert violates_unique(raised.value, "catalog_offering_pkey")
    assert not violates_unique(raised.value, "another_constraint")
    assert sqlbatch.execute(connection, names([offering.pk])) == [[["Pottery"]]]


@pytest.mark.postgres
@pytest.mark.django_db
def test_one_round_trip_for_begin_and_every_statement():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    with transaction.atomic():
        before = sqlbatch.round_trips(connection)
        sqlbatch.execute(connection, [*names([offering.pk] * 3), (DIVIDE, [2])])
        assert sqlbatch.round_trips(connection) == before + 1
        with connection.cursor() as cursor:  # the transaction was begun in that round trip
            cursor.execute("SELECT now() = statement_timestamp()")
            assert cursor.fetchone() == (False,)


@pytest.mark.postgres
@pytest.mark.django_db
def test_statements_dropped_behind_our_back_are_prepared_again():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    sqlbatch.execute(connection, names([offering.pk]))
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does
    with pytest.raises(DatabaseError, match="does not exist"), transaction.atomic():
        sqlbatch.execute(connection, names([offering.pk]))
    assert sqlbatch.execute(connection, names([offering.pk])) == [[["Pottery"]]]


@pytest.mark.postgres
@pytest.mark.django_db
def test_at_most_prepared_max_statements_stay_prepared_the_least_recently_used_go(monkeypatch):
    """The SQL of a compiled query changes with its lists' lengths, so a connection would
    otherwise gather prepared statements without end (a catalog page, a rental of n slots)."""
    monkeypatch.setattr(sqlbatch, "PREPARED_MAX", 2)
    org = make_organization()
    offering = make_offering(org, name="Pottery")

    def shape(n):  # the same query with n values in its IN list, as a compiled query's shapes
        return (f'SELECT "name" FROM "catalog_offering" WHERE "id" IN ({", ".join(["%s"] * n)})', [offering.pk] * n)

    def ours():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'rq\\_%%'")
            return sorted(statement.count("$") for (statement,) in cursor.fetchall())

    for n in (1, 2, 3):
        assert sqlbatch.execute(connection, [shape(n)]) == [[["Pottery"]]]
    assert ours() == [2, 3]  # the one with 1 value, used least recently, went
    sqlbatch.execute(connection, [shape(2)])  # now 3 is the least recently used
    assert sqlbatch.execute(connection, [shape(1)]) == [[["Pottery"]]]  # prepared again
    assert ours() == [1, 2]
    assert sqlbatch.execute(connection, [shape(4), shape(5), shape(1)]) == [[["Pottery"]]] * 3
    assert len(ours()) == 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_unprepared_statements_when_prepared_statements_are_off(settings):
    settings.REGISTRAR_PREPARED_STATEMENTS = False
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    unseen = 'SELECT "name" FROM "catalog_offering" WHERE "id" = %s AND 11 = 11'
    assert sqlbatch.execute(connection, [*names([offering.pk]), (unseen, [offering.pk])]) == [
        [["Pottery"]],
        [["Pottery"]],
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%11 = 11%"])
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_an_execute_wrapper_sees_every_statement():
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert sqlbatch.execute(connection, [*names([offering.pk]), (DIVIDE, [1])]) == [[["Pottery"]], [[1]]]
    assert seen == [OFFERING_NAMES, DIVIDE]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_interrupted_mid_pipeline_is_closed_and_the_next_call_reconnects(monkeypatch):
    org = make_organization()
    offering = make_offering(org, name="Pottery")
    sqlbatch.execute(connection, names([offering.pk]))

    def interrupted(pgconn, session):
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlbatch, "_result", interrupted)
    broken = connection.connection
    with pytest.raises(KeyboardInterrupt):
        sqlbatch.execute(connection, names([offering.pk]))
    assert broken.closed
    monkeypatch.undo()
    assert sqlbatch.execute(connection, names([offering.pk])) == [[["Pottery"]]]


# What the add relies on, with real concurrency (each thread its own connection).


def in_thread(target):
    """Run `target` in a thread with its own connection; return (thread, outcome list)."""
    outcome = []

    def run():
        try:
            outcome.append(target())
        except BaseException as exc:  # handed to the test
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_count_sent_with_the_lock_sees_what_the_lock_waited_for():
    """The claim under D3: lock and count in one round trip still count every claim committed
    by the transaction that held the lock, because the count starts only once the lock is had.
    The main thread holds the offering lock and inserts a hold; the racer's lock-and-count is
    sent meanwhile and must wait; after the commit it must count that hold. This also shows
    that a pipeline waiting for a lock leaves the GIL free: otherwise the main thread could
    not commit and the racer would hang until its lock timeout."""
    org = make_organization()
    household = make_household(org, with_login=False)
    offering = make_offering(org, capacity=5)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_offerings(organization_id=org.pk, offering_ids=[offering.pk])

        def lock_and_count():
            with transaction.atomic():
                locked = lock_offerings(organization_id=org.pk, offering_ids=[offering.pk], count_at=now)
                return locked.counts_at(now, [])

        racer, outcome = in_thread(lock_and_count)
        racer.join(timeout=0.5)
        assert racer.is_alive(), "the racer did not wait for the lock"
        claim_seats(
            locked,
            ClaimRequest(
                organization_id=org.pk,
                household_id=household.pk,
                wanted=[SeatRequest(offering_id=offering.pk)],
                channel="office",
                state=Claim.State.CONFIRMED,
                now=now - timedelta(seconds=1),
            ),
        )
    racer.join(timeout=30)
    assert not racer.is_alive()
    [counts] = outcome
    assert claim_counts(offering_ids=[offering.pk], now=now)[offering.pk].taken == 1
    assert counts.get(offering.pk, ClaimCounts()).taken == 1, "the count missed the claim its lock waited for"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lock_that_cannot_be_had_in_time_is_busy_and_the_connection_recovers():
    org = make_organization()
    offering = make_offering(org, capacity=5)
    with transaction.atomic():
        lock_offerings(organization_id=org.pk, offering_ids=[offering.pk])

        def impatient():
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '100ms'")
            try:
                with transaction.atomic():
                    lock_offerings(organization_id=org.pk, offering_ids=[offering.pk], count_at=timezone.now())
            except CapacityBusy as busy:
                with transaction.atomic():  # the same connection works afterwards
                    return busy, sqlbatch.execute(connection, [(DIVIDE, [1])])
            return None

        racer, outcome = in_thread(impatient)
        racer.join(timeout=30)
    assert not racer.is_alive()
    [(busy, after)] = outcome
    assert isinstance(busy, CapacityBusy)
    assert isinstance(busy.__cause__, OperationalError)
    assert after == [[[1]]]
