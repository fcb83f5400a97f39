"""The office under registration-morning load (issue 13): how long do the Pending list and the
occupancy view of a 500-seat camp take while families are adding seats as fast as they can?

On PostgreSQL, in a database of its own, builds one organization with 10,000 incomplete
registrations (unpaid or part-paid orders, each its own household) over 20 classes and a
500-seat camp holding 400 of them, 100 live cart holds on the camp, 50 classes of 20 seats for
the surge, and 8,000 more households to surge with (enough that the surge never runs out). Then, for --seconds:

  * surge: --surge-threads threads each add seats for households of their own through
    carts.services.add_to_cart (the portal's add, the ledger's lock, count and insert), one
    household after another, on a seeded random one of the 50 classes;
  * office: one thread asks, in turn, for the office's pages, the Pending list's first page
    (office:pending) and the camp's occupancy view (office:occupancy), through the project's WSGI
    application (Django's test client, signed in as the front desk), and times each answer.

Both run in this one process (threads; the database does the waiting), so the figures compare
runs on this machine, not a production server. while_surge_rps counts the surge's adds per
second, granted or refused. Checks that no class holds more seats than it has and that every answer was 200. Ends with one line on stdout:

  office: pending_p50_ms=<f> pending_p99_ms=<f> occupancy_p50_ms=<f> occupancy_p99_ms=<f> while_surge_rps=<f>

  .venv/bin/python bench/office.py [--seconds 30] [--surge-threads 4]
  .venv/bin/python bench/office.py --quick      # smoke run: 8 seconds, 2,000 registrations

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/registrar_office (created if
missing, migrated, and its registrar tables TRUNCATED: use a database of its own).
"""

import argparse
import math
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench_support import ensure_database, log
from sweep_db import ORDER_COUNTERS, registrar_tables, scalar, setup_django, sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_office"
CLASSES = 20  # unlimited classes the incomplete registrations are spread over
CAMP_SEATS, CAMP_TAKEN, CAMP_HOLDS = 500, 400, 100
SURGE_CLASSES, SURGE_SEATS, SURGE_HOUSEHOLDS = 50, 20, 8000


def build(registrations: int) -> dict[str, Any]:
    """The organization and its rows, written in bulk. Households 1..n have an unpaid (or
    part-paid) order each; n+1..n+100 hold a camp seat in an open cart; the rest surge."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from catalog.models import Offering
    from organizations.models import Permission
    from organizations.tests.factories import make_organization, make_staff

    sql("TRUNCATE " + ", ".join(registrar_tables()) + " RESTART IDENTITY CASCADE")
    org = make_organization(slug="office", name="Office bench")
    user, _ = User.objects.get_or_create(username="office-bench-desk")
    make_staff(org, [Permission.ENROLL, Permission.TAKE_PAYMENTS, Permission.DELETE_ENROLLMENTS], user=user)
    classes = [
        Offering.objects.create(organization=org, kind="class", name=f"Class {i}", price=50, capacity=None).pk
        for i in range(CLASSES)
    ]
    camp = Offering.objects.create(organization=org, kind="camp", name="Big camp", price=50, capacity=CAMP_SEATS).pk
    surge = [
        Offering.objects.create(organization=org, kind="class", name=f"Surge {i}", price=50, capacity=SURGE_SEATS).pk
        for i in range(SURGE_CLASSES)
    ]
    n, h = registrations, CAMP_HOLDS
    p = {"org": org.pk, "n": n, "h": h, "all": n + h + SURGE_HOUSEHOLDS, "now": timezone.now(), "camp": camp}
    p |= {"first": classes[0], "classes": CLASSES, "taken": CAMP_TAKEN}
    sql(
        """INSERT INTO households_household (id, organization_id, payer_id, name, email, phone, calendar_token,
            created_at)
        SELECT i, %(org)s, NULL, 'Family ' || i, 'family' || i || '@office.example', '', '', %(now)s
        FROM generate_series(1, %(all)s) i""",
        p,
    )
    sql(
        """INSERT INTO households_participant (id, household_id, first_name, last_name, date_of_birth, created_at)
        SELECT i, i, 'Kid', 'Family ' || i, date '2015-01-01' + (i %% 3000), %(now)s
        FROM generate_series(1, %(all)s) i""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, i, CASE WHEN i > %(n)s THEN 'open' ELSE 'checked_out' END, 'portal', 'portal', NULL,
            %(now)s, %(now)s, %(now)s::timestamptz + interval '2 hours', %(now)s,
            CASE WHEN i > %(n)s THEN NULL ELSE %(now)s::timestamptz END
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    # Registration i: the camp for the first 400, else one of the unlimited classes.
    offering = "CASE WHEN i <= %(taken)s THEN %(camp)s ELSE %(first)s + (i %% %(classes)s) END"
    sql(
        """INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at, sequence)
        SELECT i, %(org)s, i, i, 'awaiting_payment', 50, CASE WHEN i %% 4 = 0 THEN 20 ELSE 0 END,
            true, false, false, '', %(now)s::timestamptz - (i || ' minutes')::interval, 'portal', NULL,
            %(now)s::timestamptz - (i || ' minutes')::interval, i
        FROM generate_series(1, %(n)s) i""",
        p,
    )
    sql(
        f"""INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT i, i, {offering}, i, 'Seat', 50 FROM generate_series(1, %(n)s) i""",
        p,
    )
    sql(
        f"""INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, CASE WHEN i > %(n)s THEN %(camp)s ELSE {offering} END, i, i, i, 'cart',
            CASE WHEN i > %(n)s THEN 'held' ELSE 'tentative' END, NULL, 'portal', NULL, NULL, '', 50,
            %(now)s, NULL, ''
        FROM generate_series(1, %(n)s + %(h)s) i""",
        p,
    )
    sql(
        f"""INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT i, %(org)s, i, i, {offering}, i, i, i, 'portal', %(now)s::timestamptz - (i || ' minutes')::interval,
            NULL, NULL, ''
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
    return {
        "org": org,
        "user": user,
        "camp": camp,
        "surge": surge,
        "surgers": list(range(n + h + 1, n + h + 1 + SURGE_HOUSEHOLDS)),
    }


def office_paths(slug: str, camp: int) -> tuple[str, str]:
    """The office's pages: the Pending list's first page and the camp's occupancy view."""
    from django.urls import reverse

    return (
        reverse("office:pending", kwargs={"slug": slug}),
        reverse("office:occupancy", kwargs={"slug": slug, "offering_id": camp}),
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest rank, as ../shared/bench/loadgen.py."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


@dataclass
class Shared:
    """What the threads of one run share."""

    world: dict[str, Any]
    threads: int
    stop: threading.Event = field(default_factory=threading.Event)
    adds: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=lambda: {"pending": [], "occupancy": []})
    lock: threading.Lock = field(default_factory=threading.Lock)


def surge(shared: Shared, index: int) -> None:
    """One surge thread: its share of the surging households, one add each, until stopped."""
    from django.db import connection

    from capacity.errors import CapacityShortfall
    from carts.services import add_to_cart
    from households.models import Household

    rng = random.Random(index)
    try:
        for household_id in shared.world["surgers"][index :: shared.threads]:
            if shared.stop.is_set():
                break
            household = Household.objects.select_related("organization").get(pk=household_id)
            try:
                add_to_cart(
                    household=household,
                    offering_id=rng.choice(shared.world["surge"]),
                    participant_id=household_id,
                    channel="portal",
                )
                with shared.lock:
                    shared.adds += 1
            except CapacityShortfall:
                with shared.lock:
                    shared.refused += 1
    except Exception as exc:  # reported, and the run fails
        shared.errors.append(f"surge thread {index}: {exc!r}")
    finally:
        connection.close()


def office(shared: Shared, pending_path: str, occupancy_path: str) -> None:
    """The front desk: the Pending list, then the camp's occupancy, again and again, timed."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(shared.world["user"])
    try:
        while not shared.stop.is_set():
            for name, path in (("pending", pending_path), ("occupancy", occupancy_path)):
                start = time.perf_counter()
                status = client.get(path).status_code
                shared.samples[name].append((time.perf_counter() - start) * 1000)
                if status != 200:
                    shared.errors.append(f"{name}: {path} answered {status}")
                    return
    finally:
        connection.close()


def run(world: dict[str, Any], seconds: float, threads: int) -> tuple[Shared, float]:
    pending_path, occupancy_path = office_paths(world["org"].slug, world["camp"])
    shared = Shared(world=world, threads=threads)
    workers = [threading.Thread(target=surge, args=(shared, i)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    watcher = threading.Thread(target=office, args=(shared, pending_path, occupancy_path))
    watcher.start()
    watcher.join(timeout=seconds)
    shared.stop.set()
    watcher.join()
    for worker in workers:
        worker.join()
    return shared, time.perf_counter() - started


def check_ledger(surge: list[int]) -> list[str]:
    over = sql(
        """SELECT o.name, count(c.id) FROM catalog_offering o JOIN capacity_claim c ON c.offering_id = o.id
        WHERE o.id = ANY(%s) AND c.state IN ('held', 'tentative', 'confirmed') GROUP BY o.id, o.name, o.capacity
        HAVING count(c.id) > o.capacity""",
        [surge],
    )
    return [f"{name} holds {count} seats" for name, count in over]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--surge-threads", type=int, default=4)
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="8 seconds, 2,000 registrations")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.registrations = 8.0, 2000
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    setup_django(database_url)
    log(
        f"building: {args.registrations} incomplete registrations, a {CAMP_SEATS}-seat camp, {SURGE_HOUSEHOLDS} surgers"
    )
    world = build(args.registrations)
    log(f"incomplete registrations: {scalar('SELECT count(*) FROM registrations_registration')}")
    shared, elapsed = run(world, args.seconds, args.surge_threads)
    problems = shared.errors + check_ledger(world["surge"])
    pending, occupancy = shared.samples["pending"], shared.samples["occupancy"]
    log(
        f"{len(pending)} pending and {len(occupancy)} occupancy answers in {elapsed:.1f}s; "
        f"surge {shared.adds} adds, {shared.refused} refused"
    )
    if not pending or not occupancy:
        problems.append("no office answer was timed")
    print(
        f"office: pending_p50_ms={percentile(pending, 0.5):.1f} pending_p99_ms={percentile(pending, 0.99):.1f} "
        f"occupancy_p50_ms={percentile(occupancy, 0.5):.1f} occupancy_p99_ms={percentile(occupancy, 0.99):.1f} "
        f"while_surge_rps={(shared.adds + shared.refused) / elapsed:.1f}"
    )
    if problems:
        for problem in problems:
            log(f"PROBLEM: {problem}")
        sys.exit(1)


if __name__ == "__main__":
    main()
