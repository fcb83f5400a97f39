"""core.db.errors reads what a database error means from its codes, not its message: a unique
violation of a named constraint, and "busy" (a lock or statement that ran out of time)."""

import sqlite3

import pytest
from django.db import DataError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from carts.models import Cart
from core.db.errors import is_busy, violates_unique
from households.tests.factories import make_household
from organizations.tests.factories import make_organization


@pytest.mark.django_db
def test_a_second_open_cart_is_a_unique_violation_of_its_constraint():
    org = make_organization()
    household = make_household(org, with_login=False)
    now = timezone.now()
    with pytest.raises(IntegrityError) as not_null, transaction.atomic():
        Cart.objects.create(organization=org, household=household, channel="portal")  # no created_at
    assert not violates_unique(not_null.value, "cart_one_open_per_household")
    Cart.objects.create(organization=org, household=household, channel="portal", created_at=now)
    with pytest.raises(IntegrityError) as second, transaction.atomic():
        Cart.objects.create(organization=org, household=household, channel="portal", created_at=now)
    assert violates_unique(second.value, "cart_one_open_per_household")
    if connection.vendor == "postgresql":  # SQLite does not name the constraint
        assert not violates_unique(second.value, "some_other_constraint")
    assert not is_busy(second.value)


@pytest.mark.django_db
def test_an_error_that_is_not_the_databases_means_nothing():
    assert not violates_unique(ValueError("cart_one_open_per_household"), "cart_one_open_per_household")
    assert not is_busy(OperationalError("database is locked"))  # the words alone are not enough


def test_sqlite_busy_and_locked_are_busy():
    for code, busy in [(sqlite3.SQLITE_BUSY, True), (sqlite3.SQLITE_LOCKED, True), (sqlite3.SQLITE_IOERR, False)]:
        cause = sqlite3.OperationalError("whatever the message says")
        cause.sqlite_errorcode = code
        wrapped = OperationalError("whatever")
        wrapped.__cause__ = cause
        assert is_busy(wrapped) is busy


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_out_of_time_is_busy_and_a_bad_value_is_not():
    def run(*statements):
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    with pytest.raises(OperationalError) as timed_out:
        run("SET LOCAL statement_timeout = '10ms'", "SELECT pg_sleep(1)")
    assert is_busy(timed_out.value)
    with pytest.raises(DataError) as bad:
        run("SELECT 1 / 0")
    assert not is_busy(bad.value)
