"""Issue 14: CSV imports are planned row by row before anything is written (dry run), then
applied chunk by chunk with a fixed number of queries per chunk."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from bulk.tests.helpers import enroll
from catalog.models import Offering, Program
from catalog.tests.factories import make_offering
from households.models import Household, Participant
from imports.errors import ImportNotRunnable, InvalidImport
from imports.models import ImportRun
from imports.services import plan_import, run_import_chunk
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_staff

OFFERINGS = """code,kind,name,price,capacity,program,season,min_age,max_age,starts_on
SW1,class,Swim 1,60.00,8,Swim,Fall 2026,5,7,2026-09-08
SW2,class,Swim 2,65.00,8,Swim,Fall 2026,6,9,2026-09-08
BAD,party,Bad row,-3,,,,,,
OLD,class,Old name,10.00,,,,,,
"""


@pytest.fixture
def admin(org):
    return make_staff(org)


def test_dry_run_shows_create_change_and_refuse_row_by_row_and_writes_nothing(org, admin):
    make_offering(org, code="OLD", name="Old name", price="10.00", capacity=None)
    run = plan_import(membership=admin, kind="offerings", text=OFFERINGS, filename="fall.csv")
    assert [(line, action, key) for line, action, key, _ in run.plan] == [
        (2, "create", "SW1"),
        (3, "create", "SW2"),
        (4, "refuse", "BAD"),
        (5, "unchanged", "OLD"),
    ]
    assert set(run.plan[2][3]) == {"kind", "price"}  # each problem named
    assert Offering.objects.filter(organization=org).count() == 1
    assert not Program.objects.exists()

    done = run_import_chunk(membership=admin, run_id=run.pk)
    assert (done.status, done.done, done.percent) == ("done", 4, 100)
    assert [row[:3] for row in done.outcome] == [row[:3] for row in run.plan]  # as planned
    swim = Offering.objects.get(organization=org, code="SW1")
    assert (swim.price, swim.capacity, swim.program.name, swim.starts_on) == (
        Decimal("60.00"),
        8,
        "Swim",
        date(2026, 9, 8),
    )
    assert AuditEvent.objects.filter(verb="import.offerings_row_created").count() == 2
    with pytest.raises(ImportNotRunnable):
        run_import_chunk(membership=admin, run_id=run.pk)


def test_f2_an_import_refusing_to_lower_below_one_seat_says_it_in_the_singular(org, admin):
    offering = make_offering(org, code="ONE", capacity=3, price="10.00")
    enroll(org, offering)
    run = plan_import(membership=admin, kind="offerings", text="code,capacity\nONE,0\n")
    done = run_import_chunk(membership=admin, run_id=run.pk)
    assert done.outcome[0][3]["capacity"] == "1 seat is taken; lower it from the offering's page"


def test_f2_an_import_never_lowers_a_capacity_below_the_seats_taken(org, admin):
    offering = make_offering(org, code="FULL", capacity=3, price="10.00")
    enroll(org, offering)
    enroll(org, offering)
    run = plan_import(membership=admin, kind="offerings", text="code,capacity\nFULL,1\n")
    assert run.plan[0][1] == "change"
    done = run_import_chunk(membership=admin, run_id=run.pk)
    assert done.outcome[0][1] == "refuse"
    assert "2 seats are taken" in done.outcome[0][3]["capacity"]
    offering.refresh_from_db()
    assert offering.capacity == 3


def test_households_import_adds_siblings_to_one_household_and_skips_known_people(org, admin):
    text = """email,household_name,phone,first_name,last_name,date_of_birth
pat@example.test,Pat Doe,555-0100,Ana,Doe,2017-04-02
PAT@example.test,,,Ben,Doe,2019-01-20
pat@example.test,,,Ana,Doe,2017-04-02
nobody,,,,,
"""
    run = plan_import(membership=admin, kind="households", text=text)
    assert [row[1] for row in run.plan] == ["create", "change", "unchanged", "refuse"]
    run_import_chunk(membership=admin, run_id=run.pk, chunk=2)
    run = run_import_chunk(membership=admin, run_id=run.pk, chunk=2)
    household = Household.objects.get(organization=org, email="pat@example.test")
    assert sorted(p.first_name for p in household.participants.all()) == ["Ana", "Ben"]
    assert Participant.objects.filter(household__organization=org).count() == 2


def test_a_chunk_takes_the_same_number_of_queries_whatever_its_size(org, admin):
    def rows(n, start):
        return "code,kind,name,price,capacity\n" + "".join(f"C{start + i},class,Class {i},5.00,10\n" for i in range(n))

    counts = []
    for n, start in ((10, 0), (30, 100), (250, 1000)):
        run = plan_import(membership=admin, kind="offerings", text=rows(n, start))
        with CaptureQueriesContext(connection) as queries:
            run_import_chunk(membership=admin, run_id=run.pk, chunk=1000)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # A full chunk: the same statements, the database's own limit on parameters per statement
    # (SQLite's 999) splitting the bulk INSERTs in a few more.
    assert counts[2] <= counts[0] + 8


@pytest.mark.parametrize(
    ("text", "problem"),
    [("name,price\nX,1\n", "code"), ("code\n" + "A\n" * 20_001, "rows")],
)
def test_x5_a_file_that_cannot_be_read_is_refused_whole(org, admin, text, problem):
    with pytest.raises(InvalidImport) as refused:
        plan_import(membership=admin, kind="offerings", text=text)
    assert problem in str(refused.value)


def test_x1_importing_offerings_needs_manage_catalog(org):
    with pytest.raises(PermissionDenied):
        plan_import(membership=make_staff(org, [Permission.ENROLL]), kind="offerings", text=OFFERINGS)


def test_x5_a_date_in_year_1_or_9999_is_a_refused_row_naming_the_range(org, admin):
    """The dry run took 0001-01-01 and 9999-12-31, which the offering pages and the API refuse
    (they overflow where a day is added); now the row is refused and says the range."""
    text = (
        "code,kind,name,price,starts_on,ends_on,registration_opens_at\n"
        "Y1,class,Year one,10.00,0001-01-01,,\n"
        "Y9,class,Year nine,10.00,,9999-12-31,\n"
        "YO,class,Opens in year one,10.00,,,0001-01-01 09:00\n"
        "OK,class,Fine,10.00,2027-01-04,2027-03-29,2026-12-01 09:00\n"
    )
    run = plan_import(membership=admin, kind="offerings", text=text)
    assert [(key, action) for _line, action, key, _ in run.plan] == [
        ("Y1", "refuse"),
        ("Y9", "refuse"),
        ("YO", "refuse"),
        ("OK", "create"),
    ]
    assert run.plan[0][3]["starts_on"] == "a date YYYY-MM-DD from 1900-01-01 to 2999-12-31 (got '0001-01-01')"
    people = plan_import(
        membership=admin,
        kind="households",
        text="email,household_name,first_name,last_name,date_of_birth\na@b.test,A,Ann,Bee,0001-01-01\n",
    )
    assert people.plan[0][1] == "refuse"
    assert "date_of_birth" in people.plan[0][3]


def test_x5_a_file_with_a_nul_character_is_refused_naming_its_line_and_nothing_is_kept(org, admin):
    """A NUL (a binary file saved as .csv) was planned, and PostgreSQL refuses it in text: a 500."""
    with pytest.raises(InvalidImport, match="Line 2 holds a NUL character"):
        plan_import(membership=admin, kind="offerings", text="code,kind,name,price\nZ4,class,N\x00ul,5\n")
    assert not ImportRun.objects.exists()
