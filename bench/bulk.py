"""Bulk administration at scale (issue 14): does a bulk action over 10,000 registrations, or a
5,000-row import, finish in bounded work per batch without holding a capacity lock long?

On PostgreSQL, in a database of its own, builds one organization with an offering holding
--registrations registrations (a third paid in full, a third part-paid, a third unpaid, each
its own household and order) and 50 live cart holds, then:

  1. cancels the offering through bulk.cancellation.cancel_offering, exactly as the office's
     page and the API do: the offering is archived under its lock (the only capacity lock
     taken), then the seats are ended in batches of 200; each step's transaction is timed;
  2. imports --rows offerings from a CSV through imports.services: the dry run, then chunks of
     250 rows; a tenth of the rows lower the capacity of an existing offering, so every chunk
     also takes the capacity lock of those offerings; each chunk's transaction is timed.

Checks the work happened (every registration deleted and every hold released, one notice per
household, a refund-due alert per paid order; every import row created or changed) and that
each batch took the same number of queries. Ends with one line on stdout:

  bulk: cancel_rows=<n> cancel_rows_per_s=<float> capacity_lock_max_ms=<float> batch_max_ms=<float>
        import_rows=<n> import_rows_per_s=<float> chunk_max_ms=<float> queries_per_batch=<n>

(one line). The capacity lock is held for the archive step of the cancellation and, in the
import, for one chunk at most: capacity_lock_max_ms is the longest of those transactions.

  .venv/bin/python bench/bulk.py [--registrations 10000] [--rows 5000]
  .venv/bin/python bench/bulk.py --quick       # smoke run: 1,000 registrations, 500 rows

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/registrar_bulk (created if
missing, migrated, and its registrar tables TRUNCATED: use a database of its own).
"""

import argparse
import os
import sys
import time

from bench_support import ensure_database, log
from sweep_db import ORDER_COUNTERS, registrar_tables, scalar, setup_django, sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_bulk"
BATCH = 200  # registrations per cancellation batch (bulk.cancellation.BATCH_SIZE is 500)


def build(registrations: int, holds: int = 50) -> tuple[int, int, int]:
    """The organization, its administrator and the offering with its seats: (org, staff, offering)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from catalog.models import Offering
    from organizations.tests.factories import make_organization, make_staff

    sql("TRUNCATE " + ", ".join(registrar_tables()) + " RESTART IDENTITY CASCADE")
    org = make_organization(slug="bulk", name="Bulk bench")
    user, _ = User.objects.get_or_create(username="bulk-bench-admin")
    staff = make_staff(org, user=user)
    offering = Offering.objects.create(organization=org, kind="class", name="Big class", price=50, capacity=None)
    now = timezone.now()
    p = {"org": org.pk, "n": registrations, "h": holds, "off": offering.pk, "now": now}
    sql(
        """INSERT INTO households_household (id, organization_id, payer_id, name, email, phone, calendar_token, created_at)
        SELECT i, %(org)s, NULL, 'Family ' || i, 'family' || i || '@bulk.example', '', '', %(now)s
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    sql(
        """INSERT INTO households_participant (id, household_id, first_name, last_name, date_of_birth, created_at)
        SELECT i, i, 'Kid', 'Family ' || i, date '2015-01-01' + (i %% 3000), %(now)s
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, i, CASE WHEN i > %(n)s THEN 'open' ELSE 'checked_out' END, 'portal', 'portal', NULL,
            %(now)s, %(now)s, %(now)s::timestamptz + interval '20 minutes', %(now)s,
            CASE WHEN i > %(n)s THEN NULL ELSE %(now)s::timestamptz END
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    sql(
        """INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at, sequence)
        SELECT i, %(org)s, i, i, CASE WHEN i %% 3 = 0 THEN 'paid' ELSE 'awaiting_payment' END, 50,
            CASE WHEN i %% 3 = 0 THEN 50 WHEN i %% 3 = 1 THEN 20 ELSE 0 END,
            true, false, false, '', %(now)s, 'portal', NULL, %(now)s, i
        FROM generate_series(1, %(n)s) i""",
        p,
    )
    sql(
        """INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT i, i, %(off)s, i, 'Big class', 50 FROM generate_series(1, %(n)s) i""",
        p,
    )
    sql(
        """INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, %(off)s, i, i, i, 'cart',
            CASE WHEN i > %(n)s THEN 'held' WHEN i %% 3 = 0 THEN 'confirmed' ELSE 'tentative' END,
            NULL, 'portal', NULL, NULL, '', 50, %(now)s, NULL, ''
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    sql(
        """INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT i, %(org)s, i, i, %(off)s, i, i, i, 'portal', %(now)s, NULL, NULL, ''
        FROM generate_series(1, %(n)s) i""",
        p,
    )
    for table in (
        "households_household",
        "households_participant",
        "carts_cart",
        "orders_order",
        "orders_orderline",
        "capacity_claim",
        "registrations_registration",
    ):
        sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    sql(ORDER_COUNTERS)
    sql("ANALYZE")
    return org.pk, staff.pk, offering.pk


def cancel(staff_id: int, offering_id: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bulk.cancellation import cancel_offering
    from organizations.models import StaffMembership

    membership = StaffMembership.objects.select_related("organization").get(pk=staff_id)
    marks: list[tuple[str, int, float, int]] = []
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:

        def on_batch(step: str, rows: int) -> None:
            marks.append((step, rows, time.perf_counter(), len(queries)))

        done = cancel_offering(
            membership=membership, offering_id=offering_id, reason="bench", batch_size=BATCH, on_batch=on_batch
        )
    total = time.perf_counter() - start
    steps, last, last_queries = [], start, 0
    for step, rows, at, count in marks:
        steps.append((step, rows, at - last, count - last_queries))
        last, last_queries = at, count
    batches = [s for s in steps if s[0] == "registrations"]
    # The first batch's count also holds the last (empty) look for holds and the first page of
    # orders: compare the full batches after it.
    full = {q for step, rows, _, q in batches[1:] if rows == BATCH}
    log(
        f"cancel: {len(done.rows)} rows in {total:.2f}s; archive {steps[0][2] * 1000:.1f} ms; "
        f"{len(batches)} registration batches, queries per full batch {sorted(full)}"
    )
    return {
        "rows": len(done.rows),
        "rps": len(done.rows) / total,
        "lock_ms": steps[0][2] * 1000,
        "batch_ms": max(s[2] for s in steps[1:]) * 1000,
        "queries": max(full) if full else 0,
        "query_spread": len(full),
    }


def check_cancel(offering_id: int, registrations: int, holds: int = 50) -> None:
    counts = dict(
        sql("SELECT state, count(*) FROM capacity_claim WHERE offering_id = %s GROUP BY state", [offering_id])
    )
    expected = {"cancelled": registrations, "released": holds}
    told = scalar("SELECT count(*) FROM notifications_notification WHERE kind = 'offering_cancelled'")
    alerts = scalar("SELECT count(*) FROM payments_staffalert WHERE kind = 'refund_due'")
    paid = registrations // 3 + sum(1 for i in range(1, registrations + 1) if i % 3 == 1)  # full and part paid
    if counts != expected or told != registrations + holds or alerts != paid:
        raise SystemExit(f"cancel went wrong: claims {counts} (wanted {expected}), {told} told, {alerts} alerts")


def import_rows(staff_id: int, org_id: int, rows: int) -> dict[str, float]:
    from catalog.models import Offering
    from imports.services import plan_import, run_import_chunk
    from organizations.models import StaffMembership

    membership = StaffMembership.objects.select_related("organization").get(pk=staff_id)
    existing = rows // 10  # offerings whose capacity a row lowers (taking their lock)
    Offering.objects.bulk_create(
        Offering(organization_id=org_id, kind="class", code=f"OLD{i}", name=f"Old {i}", price=5, capacity=30)
        for i in range(existing)
    )
    lines = ["code,kind,name,price,capacity,program,season,min_age,max_age,starts_on"]
    lines += [f"OLD{i},,,,20,,,,," for i in range(existing)]
    lines += [
        f"NEW{i},class,New class {i},12.50,15,Program {i % 20},Fall,6,12,2026-09-0{1 + i % 9}"
        for i in range(rows - existing)
    ]
    start = time.perf_counter()
    run = plan_import(membership=membership, kind="offerings", text="\n".join(lines) + "\n")
    planned = time.perf_counter() - start
    chunks = []
    while run.status != "done":
        began = time.perf_counter()
        run = run_import_chunk(membership=membership, run_id=run.pk)
        chunks.append(time.perf_counter() - began)
    total = time.perf_counter() - start
    actions = {}
    for _line, action, _key, _detail in run.outcome:
        actions[action] = actions.get(action, 0) + 1
    if actions != {"change": existing, "create": rows - existing}:
        raise SystemExit(f"import went wrong: {actions}")
    log(f"import: {rows} rows in {total:.2f}s (dry run {planned:.2f}s), {len(chunks)} chunks")
    return {"rows": rows, "rps": rows / total, "chunk_ms": max(chunks) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--quick", action="store_true", help="1,000 registrations and 500 rows")
    args = parser.parse_args()
    if args.quick:
        args.registrations, args.rows = 1000, 500
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    setup_django(database_url)
    log(f"building {args.registrations} registrations ...")
    org_id, staff_id, offering_id = build(args.registrations)
    cancelled = cancel(staff_id, offering_id)
    check_cancel(offering_id, args.registrations)
    if cancelled["query_spread"] > 1:
        raise SystemExit("the full batches did not all take the same number of queries")
    imported = import_rows(staff_id, org_id, args.rows)
    print(
        f"bulk: cancel_rows={cancelled['rows']} cancel_rows_per_s={cancelled['rps']:.0f} "
        f"capacity_lock_max_ms={max(cancelled['lock_ms'], imported['chunk_ms']):.1f} "
        f"batch_max_ms={cancelled['batch_ms']:.1f} import_rows={imported['rows']} "
        f"import_rows_per_s={imported['rps']:.0f} chunk_max_ms={imported['chunk_ms']:.1f} "
        f"queries_per_batch={cancelled['queries']}"
    )


if __name__ == "__main__":
    sys.exit(main())
