"""The worker's sweep at scale: does one run cost what is due, or what is stored?

Builds, on PostgreSQL, an organization whose tables hold --sizes rows in all (claims and carts
exactly that many; orders, order lines and registrations about 0.89 of it), mostly not due:
paid orders and confirmed registrations, unpaid ones older than the 240-hour horizon, office
orders on account, part-paid and free orders, registrations deleted long ago, checked-out and
expired carts with released holds, a few live carts, and 200 recent unpaid registrations whose
notices were already sent. Then, --reps times per size:

  1. (not timed) deletes the previous repetition's due rows and everything the run wrote, and
     inserts --due fresh ones: registrations unpaid 49 hours after submission (the grace period
     is 48 hours), and open carts whose timer ran out, each with a held claim; VACUUM ANALYZE;
  2. (timed) runs every job once, exactly as `manage.py worker --once` does: it calls that
     command;
  3. checks the work happened: --due registrations deleted (claims cancelled), --due carts
     expired (holds released), 2 x --due notices enqueued, 5 sent (N4: the throttle is 5 per
     organization per run), every job OK, and nothing else touched.

Then --reps idle runs (nothing due: what a worker does every 5 minutes most of the day), and
checks they did nothing. Prints each run to stderr and ends with one line on stdout:

  sweep: due=1000 t_10k_s=<float> t_100k_s=<float> t_1m_s=<float> ratio_1m_10k=<float>

the median wall time of the worker run at each size, and the largest over the smallest.
--explain adds, per size, one more (untimed) run with every SQL statement timed, the statements
that cost most, and EXPLAIN (ANALYZE, BUFFERS) of the slowest ones.

  .venv/bin/python bench/sweep.py [--sizes 10000,100000,1000000] [--reps 3] [--explain]
  .venv/bin/python bench/sweep.py --quick      # smoke run: 2k and 8k rows, 100 due, 1 rep

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/registrar_sweep (created if
missing, migrated, and its registrar tables TRUNCATED: use a database of its own). Email goes
to Django's locmem backend. See bench/README.md.
"""

import argparse
import io
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench_support import ensure_database, log, machine_busy, process_cpu

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_sweep"
DEFAULT_SIZES = "10000,100000,1000000"
DEFAULT_DUE = 1000
LAYOUT_VERSION = 1
OFFERINGS = 200
WAITING = 200  # recent unpaid registrations, notices sent, not due yet
THROTTLE = 5  # N4: notifications per organization per run (the organization default)
META = "bench_sweep_meta"

# Tables the jobs read or write, which are kept out of autovacuum's way and vacuumed by hand.
BIG_TABLES = (
    "orders_order",
    "orders_orderline",
    "registrations_registration",
    "capacity_claim",
    "carts_cart",
    "notifications_notification",
    "audit_auditevent",
    "households_household",
    "households_participant",
    "jobs_jobrun",
)


@dataclass(frozen=True)
class Layout:
    """Where every kind of row sits, by id. Ids are assigned here, not by the sequences, so the
    due rows of every repetition get the same ids and the SQL below can join by arithmetic.

    orders, order lines, registrations  1..background        the background mix
                                         background+1..+due   due registrations (their own orders)
    claims and carts                     1..background        registration claim / checked-out cart of order i
                                         +expired             expired carts, each with a released claim
                                         +live                live open carts, each with a held claim
                                         base+1..base+due     claims/carts of the due registrations
                                         base+due+1..+due     due open carts, each with a held claim
    """

    size: int
    due: int

    @property
    def expired(self) -> int:
        return self.size // 10

    @property
    def live(self) -> int:
        return self.size // 100

    @property
    def households(self) -> int:
        return max(2 * (self.due + self.live), self.size // 10)

    @property
    def background(self) -> int:
        """Background orders (and lines, registrations): claims and carts come to `size` in all."""
        return self.size - self.expired - self.live - 2 * self.due

    @property
    def waiting(self) -> int:
        return min(WAITING, self.background // 10)

    @property
    def base(self) -> int:
        """The last background claim and cart id."""
        return self.background + self.expired + self.live

    @property
    def key(self) -> str:
        return f"v{LAYOUT_VERSION} size={self.size} due={self.due}"

    def check(self) -> None:
        if self.due < 1 or self.background < 2 * WAITING:
            raise SystemExit(f"size {self.size} is too small for {self.due} due rows (need about 2.3 x due + 500)")


# --- database --------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "registrar.settings"
    os.environ["EMAIL_URL"] = "locmem://"  # no SMTP: sent mail lands in django.core.mail.outbox
    os.environ["DEBUG"] = "0"  # as in production: no query log kept in memory
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def sql(statement: str, params: dict | list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def scalar(statement: str, params: dict | list | None = None):
    return sql(statement, params)[0][0]


def built_layout() -> str | None:
    sql(f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text NOT NULL)")
    rows = sql(f"SELECT value FROM {META} WHERE key = 'layout'")
    return rows[0][0] if rows else None


def meta_int(key: str) -> int:
    return int(scalar(f"SELECT value FROM {META} WHERE key = %s", [key]))


def set_meta(**values: object) -> None:
    for key, value in values.items():
        sql(
            f"INSERT INTO {META} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, str(value)],
        )


def vacuum_analyze(tables: tuple[str, ...] = BIG_TABLES) -> None:
    # INDEX_CLEANUP ON: a few thousand deleted rows are below the threshold under which VACUUM
    # skips the indexes, and their dead entries would pile up rep after rep (the partial
    # index order_unpaid_idx would hand the grace job one more due set to skip each time).
    sql(f"VACUUM (ANALYZE, INDEX_CLEANUP ON) {', '.join(tables)}")


def registrar_tables() -> list[str]:
    """Every table of the project's own apps. All of them are named: CASCADE from the
    organization no longer reaches the tables whose organization_id has no database FK
    (decision 0005: audit events, claims, carts), and the build reuses their ids."""
    from django.apps import apps

    return [
        model._meta.db_table
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
        for model in config.get_models()
        if model._meta.managed and not model._meta.proxy
    ]


def sync_sequences() -> None:
    for table in BIG_TABLES:
        sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )


@contextmanager
def foreign_keys_unchecked():
    """Bulk loading: skip the per-row foreign-key triggers. The ids are consistent by
    construction, and every repetition's due rows are inserted with the checks on."""
    sql("SET session_replication_role = replica")
    try:
        yield
    finally:
        sql("SET session_replication_role = DEFAULT")


# --- the background: built once per size -----------------------------------------------------

# Pseudo-random but repeatable spreads over ids (2654435761: Knuth's multiplicative hash).
AGE_ANY = "(3600 + (i::bigint * 2654435761) %% (730 * 86400 - 3600))"  # 1 hour .. 2 years
AGE_OLD = "(241 * 3600 + (i::bigint * 2654435761) %% (730 * 86400 - 241 * 3600))"  # past G5's 240 h .. 2 years
AGE_WAITING = "(10 * 3600 + i %% 3600)"  # 10 to 11 hours: in the notice window, before the deadline

CATEGORY = """CASE
    WHEN i > %(background)s - %(waiting)s THEN 'waiting'
    WHEN i %% 20 < 14 THEN 'paid'
    WHEN i %% 20 < 16 THEN 'unpaid_old'
    WHEN i %% 20 = 16 THEN 'office'
    WHEN i %% 20 = 17 THEN 'partial'
    WHEN i %% 20 = 18 THEN 'deleted'
    ELSE 'free' END"""


def build(layout: Layout, now: datetime) -> None:
    from django.db import transaction

    from catalog.models import Offering
    from organizations.models import Organization

    started = time.perf_counter()
    sql(f"DELETE FROM {META}")
    sql(f"TRUNCATE {', '.join(registrar_tables())} RESTART IDENTITY CASCADE")
    with transaction.atomic():
        org = Organization.objects.create(
            name="Sweep Parks & Recreation",
            slug="sweep",
            grace_period_hours=48,
            registration_notifications=True,
            admin_email="office@sweep.example",
            notification_throttle=THROTTLE,
        )
        offerings = Offering.objects.bulk_create(
            Offering(organization=org, kind=Offering.Kind.CLASS, code=f"C{n:03d}", name=f"Class {n:03d}", price=50)
            for n in range(OFFERINGS)
        )
    first_offering = offerings[0].pk
    if offerings[-1].pk != first_offering + OFFERINGS - 1:
        raise SystemExit("offering ids are not contiguous")
    p = {
        "org": org.pk,
        "now": now,
        "households": layout.households,
        "background": layout.background,
        "waiting": layout.waiting,
        "expired": layout.expired,
        "live": layout.live,
        "due": layout.due,
        "size": layout.size,
        "offering0": first_offering,
        "offerings": OFFERINGS,
    }
    with transaction.atomic(), foreign_keys_unchecked():
        step = time.perf_counter()
        build_households(p)
        build_orders(p)
        build_cart_holds(p)
        build_notifications_and_audit(p)
        log(f"  inserted in {time.perf_counter() - step:.1f}s")
    for table in BIG_TABLES:
        sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")
    sync_sequences()
    step = time.perf_counter()
    vacuum_analyze()
    log(f"  VACUUM ANALYZE in {time.perf_counter() - step:.1f}s")
    set_meta(
        layout=layout.key,
        organization=org.pk,
        notifications=scalar("SELECT coalesce(max(id), 0) FROM notifications_notification"),
        audit=scalar("SELECT coalesce(max(id), 0) FROM audit_auditevent"),
    )
    log(f"  built {layout.key} in {time.perf_counter() - started:.1f}s")


def build_households(p: dict) -> None:
    sql(
        """INSERT INTO households_household (id, organization_id, payer_id, name, email, phone, created_at)
        SELECT i, %(org)s, NULL, 'Family ' || i, 'family' || i || '@sweep.example', '', %(now)s - interval '800 days'
        FROM generate_series(1, %(households)s) i""",
        p,
    )
    sql(
        """INSERT INTO households_participant (id, household_id, first_name, last_name, date_of_birth, created_at)
        SELECT i, i, 'Kid', 'Family ' || i, date '2015-01-01' + (i %% 3000), %(now)s - interval '800 days'
        FROM generate_series(1, %(households)s) i""",
        p,
    )


def build_orders(p: dict) -> None:
    """Orders 1..background, each with one line, one registration, its claim and the cart it
    was checked out from, all with the same id, in the mix of CATEGORY."""
    sql(
        f"""CREATE TEMP TABLE sweep_rows ON COMMIT DROP AS
        SELECT i, cat,
            1 + (i::bigint * 7919) %% %(households)s AS household,
            %(offering0)s + i %% %(offerings)s AS offering,
            %(now)s::timestamptz - interval '1 second' * CASE
                WHEN cat = 'waiting' THEN {AGE_WAITING}
                WHEN cat IN ('unpaid_old', 'deleted') THEN {AGE_OLD}
                ELSE {AGE_ANY} END AS created
        FROM (SELECT i, {CATEGORY} AS cat FROM generate_series(1, %(background)s) i) AS numbered""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, household, 'checked_out', CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, NULL,
            created - interval '10 minutes', created - interval '5 minutes', created + interval '15 minutes',
            created - interval '10 minutes', created
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at)
        SELECT i, %(org)s, household, i,
            CASE WHEN cat IN ('paid', 'free') THEN 'paid' ELSE 'awaiting_payment' END,
            CASE WHEN cat = 'free' THEN 0 ELSE 50 END,
            CASE WHEN cat = 'paid' THEN 50 WHEN cat = 'partial' THEN 20 ELSE 0 END,
            cat <> 'office', cat = 'office', false, '',
            CASE WHEN cat <> 'office' THEN created END,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, NULL, created
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT i, i, offering, household, 'Class ' || (offering - %(offering0)s),
            CASE WHEN cat = 'free' THEN 0 ELSE 50 END
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, offering, household, household, i, 'cart',
            CASE WHEN cat IN ('paid', 'free') THEN 'confirmed' WHEN cat = 'deleted' THEN 'cancelled'
                ELSE 'tentative' END,
            NULL, 'portal', NULL, NULL, '', CASE WHEN cat = 'free' THEN 0 ELSE 50 END, created - interval '5 minutes',
            CASE WHEN cat = 'deleted' THEN created + interval '48 hours' END,
            CASE WHEN cat = 'deleted' THEN 'registration_deleted:grace_period' ELSE '' END
        FROM sweep_rows""",
        p,
    )
    sql(
        """INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT i, %(org)s, household, household, offering, i, i, i,
            CASE WHEN cat = 'office' THEN 'office' ELSE 'portal' END, created,
            CASE WHEN cat = 'deleted' THEN created + interval '48 hours' END, NULL,
            CASE WHEN cat = 'deleted' THEN 'grace_period' ELSE '' END
        FROM sweep_rows""",
        p,
    )


def build_cart_holds(p: dict) -> None:
    """Expired carts with a released hold each, and live open carts (households after the
    ones the due carts use) with a held claim each. Claim id = cart id."""
    sql(
        f"""CREATE TEMP TABLE sweep_carts ON COMMIT DROP AS
        SELECT i, 'expired' AS status, 1 + (i::bigint * 104723) %% %(households)s AS household,
            %(now)s::timestamptz - interval '1 second' * {AGE_ANY} AS created
        FROM generate_series(%(background)s + 1, %(background)s + %(expired)s) i
        UNION ALL
        SELECT i, 'open', %(due)s + i - %(background)s - %(expired)s, %(now)s::timestamptz - interval '5 minutes'
        FROM generate_series(%(background)s + %(expired)s + 1, %(background)s + %(expired)s + %(live)s) i""",
        p,
    )
    sql(
        """INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT i, %(org)s, household, status, 'portal', 'portal', NULL, created, created + interval '3 minutes',
            CASE WHEN status = 'open' THEN %(now)s::timestamptz + interval '20 minutes'
                ELSE created + interval '23 minutes' END,
            created, CASE WHEN status = 'expired' THEN created + interval '30 minutes' END
        FROM sweep_carts""",
        p,
    )
    sql(
        """INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT i, %(org)s, %(offering0)s + i %% %(offerings)s, household, household, i, 'cart',
            CASE WHEN status = 'open' THEN 'held' ELSE 'released' END, NULL, 'portal', NULL, NULL, '', 50, created,
            CASE WHEN status = 'expired' THEN created + interval '30 minutes' END,
            CASE WHEN status = 'expired' THEN 'expired' ELSE '' END
        FROM sweep_carts""",
        p,
    )


def build_notifications_and_audit(p: dict) -> None:
    """The notices the background already had (sent long ago: two per unpaid-old, deleted and
    waiting registration, keyed as the grace job keys them) and `size` audit events."""
    sql(
        """INSERT INTO notifications_notification (organization_id, key, kind, to_email, subject, body_text,
            body_html, registration_id, status, attempts, next_attempt_at, last_error, created_at, sent_at)
        SELECT %(org)s, kind || ':' || r.i, kind,
            CASE WHEN kind LIKE 'admin%%' THEN 'office@sweep.example' ELSE 'family' || r.household || '@sweep.example' END,
            'Registration notice', 'Registration notice.' || chr(10), '', r.i, 'sent', 1, at, '', at, at
        FROM (
            SELECT i, household, kind, created + interval '20 minutes' AS at FROM sweep_rows,
                unnest(ARRAY['registrant_grace_warning', 'admin_incomplete']) AS kind
            WHERE cat IN ('unpaid_old', 'waiting')
            UNION ALL
            SELECT i, household, kind, created + interval '48 hours 1 minute' FROM sweep_rows,
                unnest(ARRAY['registrant_deleted', 'admin_deleted']) AS kind
            WHERE cat = 'deleted'
        ) AS r
        ORDER BY at""",
        p,
    )
    sql(
        f"""INSERT INTO audit_auditevent (id, organization_id, verb, channel, actor_id, actor_label, subject_type,
            subject_id, household_id, data, created_at)
        SELECT i, %(org)s, (ARRAY['cart.item_added', 'order.created', 'registration.created', 'cart.expired'])[1 + i %% 4],
            'portal', NULL, '', 'cart', i, 1 + (i::bigint * 7919) %% %(households)s, '{{}}'::jsonb,
            %(now)s::timestamptz - interval '1 second' * {AGE_ANY}
        FROM generate_series(1, %(size)s) i""",
        p,
    )


# --- the due rows: rebuilt before every repetition -------------------------------------------


def reset_due(layout: Layout, now: datetime, *, due: bool = True) -> None:
    """Remove everything the previous run wrote and the previous due rows, put the time-relative
    background rows (live carts, waiting registrations) back as built, insert fresh due rows
    relative to `now` (unless `due` is false: an idle run), with the foreign-key checks on,
    then vacuum."""
    from django.db import transaction

    p = {
        "org": meta_int("organization"),
        "now": now,
        "households": layout.households,
        "background": layout.background,
        "waiting": layout.waiting,
        "base": layout.base,
        "live_from": layout.background + layout.expired + 1,
        "due": layout.due,
        "offering0": scalar("SELECT min(id) FROM catalog_offering"),
        "offerings": OFFERINGS,
        "notifications": meta_int("notifications"),
        "audit": meta_int("audit"),
    }
    with transaction.atomic():
        sql("DELETE FROM notifications_notification WHERE id > %(notifications)s", p)
        sql("DELETE FROM audit_auditevent WHERE id > %(audit)s", p)
        sql("DELETE FROM jobs_jobrun")
        sql("DELETE FROM registrations_registration WHERE id > %(background)s", p)
        sql("DELETE FROM orders_orderline WHERE id > %(background)s", p)
        sql("DELETE FROM capacity_claim WHERE id > %(base)s", p)
        sql("DELETE FROM orders_order WHERE id > %(background)s", p)
        sql("DELETE FROM carts_cart WHERE id > %(base)s", p)
        restore_time_relative(p)
        if due:
            insert_due(p)
    sync_sequences()
    vacuum_analyze()


def restore_time_relative(p: dict) -> None:
    sql(
        """UPDATE carts_cart SET status = 'open', closed_at = NULL, created_at = %(now)s::timestamptz - interval '5 minutes',
            first_added_at = %(now)s::timestamptz - interval '5 minutes',
            last_added_at = %(now)s::timestamptz - interval '2 minutes',
            expires_at = %(now)s::timestamptz + interval '20 minutes'
        WHERE id BETWEEN %(live_from)s AND %(base)s""",
        p,
    )
    sql(
        """UPDATE capacity_claim SET state = 'held', ended_at = NULL, end_reason = ''
        WHERE id BETWEEN %(live_from)s AND %(base)s""",
        p,
    )
    waiting = "id > %(background)s - %(waiting)s AND id <= %(background)s"
    created = "%(now)s::timestamptz - interval '1 second' * (10 * 3600 + id %% 3600)"
    sql(
        f"UPDATE orders_order SET created_at = {created}, payment_requested_at = {created}, amount_paid = 0 WHERE {waiting}",
        p,
    )
    sql(
        f"""UPDATE registrations_registration SET submitted_at = {created}, deleted_at = NULL, deleted_reason = ''
        WHERE {waiting}""",
        p,
    )
    sql(f"UPDATE capacity_claim SET state = 'tentative', ended_at = NULL, end_reason = '' WHERE {waiting}", p)
    sql(
        """UPDATE notifications_notification SET sent_at = r.submitted_at + interval '20 minutes'
        FROM registrations_registration AS r
        WHERE r.id = registration_id AND r.id > %(background)s - %(waiting)s AND r.id <= %(background)s""",
        p,
    )


def insert_due(p: dict) -> None:
    """Due registration j: order, line and registration background + j, claim and checked-out
    cart base + j, submitted 49 hours (+ j seconds) ago. Due cart j: id base + due + j, household j,
    its timer ran out 1 to 11 minutes ago, one held claim."""
    rows = "generate_series(1, %(due)s) j"
    household = "1 + (j::bigint * 7919) %% %(households)s"
    offering = "%(offering0)s + j %% %(offerings)s"
    submitted = "(%(now)s::timestamptz - interval '49 hours' - interval '1 second' * j)"
    sql(
        f"""INSERT INTO carts_cart (id, organization_id, household_id, status, timer, channel, created_by_id,
            first_added_at, last_added_at, expires_at, created_at, closed_at)
        SELECT %(base)s + j, %(org)s, {household}, 'checked_out', 'portal', 'portal', NULL::integer,
            {submitted} - interval '10 minutes', {submitted} - interval '5 minutes', {submitted} + interval '15 minutes',
            {submitted} - interval '10 minutes', {submitted}
        FROM {rows}
        UNION ALL
        SELECT %(base)s + %(due)s + j, %(org)s, j, 'open', 'portal', 'portal', NULL::integer,
            %(now)s::timestamptz - interval '35 minutes', %(now)s::timestamptz - interval '25 minutes',
            %(now)s::timestamptz - interval '1 minute' - interval '1 second' * (j %% 600),
            %(now)s::timestamptz - interval '35 minutes', NULL::timestamptz
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO orders_order (id, organization_id, household_id, cart_id, status, total, amount_paid,
            payment_required, on_account, payable_online, customer_note, payment_requested_at, channel,
            created_by_id, created_at)
        SELECT %(background)s + j, %(org)s, {household}, %(base)s + j, 'awaiting_payment', 50, 0, true, false, false,
            '', {submitted}, 'portal', NULL, {submitted}
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO orders_orderline (id, order_id, offering_id, participant_id, description, amount)
        SELECT %(background)s + j, %(background)s + j, {offering}, {household}, 'Class ' || (j %% %(offerings)s), 50
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO capacity_claim (id, organization_id, offering_id, household_id, participant_id, cart_id,
            kind, state, expires_at, channel, created_by_id, override_by_id, override_reason, price, created_at,
            ended_at, end_reason)
        SELECT %(base)s + j, %(org)s, {offering}, {household}, {household}, %(base)s + j, 'cart', 'tentative',
            NULL::timestamptz, 'portal', NULL::integer, NULL::integer, '', 50, {submitted} - interval '5 minutes',
            NULL::timestamptz, ''
        FROM {rows}
        UNION ALL
        SELECT %(base)s + %(due)s + j, %(org)s, {offering}, j, j, %(base)s + %(due)s + j, 'cart', 'held',
            NULL, 'portal', NULL, NULL, '', 50, %(now)s::timestamptz - interval '25 minutes', NULL, ''
        FROM {rows}""",
        p,
    )
    sql(
        f"""INSERT INTO registrations_registration (id, organization_id, household_id, participant_id, offering_id,
            order_id, order_line_id, claim_id, channel, submitted_at, deleted_at, deleted_by_id, deleted_reason)
        SELECT %(background)s + j, %(org)s, {household}, {household}, {offering}, %(background)s + j,
            %(background)s + j, %(base)s + j, 'portal', {submitted}, NULL, NULL, ''
        FROM {rows}""",
        p,
    )


def table_counts() -> dict[str, int]:
    return {table: scalar(f"SELECT count(*) FROM {table}") for table in BIG_TABLES}


# --- one measured run ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    jobs: dict[str, float]  # job name -> seconds, from its JobRun
    python_cpu: float  # CPU seconds of this process during the run
    postgres_cpu: float  # ... of its PostgreSQL backend (nan if it could not be read)
    others_cpu: float  # ... of everything else on the machine: the neighbours' noise

    def describe(self) -> str:
        jobs = ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.jobs.items())
        return (
            f"{self.seconds:.3f}s ({jobs}); cpu: python {self.python_cpu:.2f}s, postgres {self.postgres_cpu:.2f}s, "
            f"others {self.others_cpu:.2f}s"
        )


def run_worker() -> Run:
    """`manage.py worker --once`, in this process, timed from the call to its return."""
    from django.core import mail
    from django.core.management import CommandError, call_command

    from jobs.models import JobRun

    mail.outbox = []
    backend = scalar("SELECT pg_backend_pid()")
    before = (time.process_time(), process_cpu(backend, if_gone=float("nan")), machine_busy())
    started = time.perf_counter()
    try:
        call_command("worker", once=True, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        failed = JobRun.objects.exclude(outcome=JobRun.Outcome.OK).values_list("job", "error")
        details = "\n".join(f"--- {job}\n{text}" for job, text in failed)
        raise SystemExit(f"the worker run failed: {error}\n{details}") from None
    seconds = time.perf_counter() - started
    after = (time.process_time(), process_cpu(backend, if_gone=float("nan")), machine_busy())
    python_cpu, postgres_cpu, busy = (b - a for a, b in zip(before, after, strict=True))
    if scalar("SELECT pg_backend_pid()") != backend:
        postgres_cpu = float("nan")  # the connection was replaced during the run
    jobs = {
        run.job: (run.finished_at - run.started_at).total_seconds()
        for run in JobRun.objects.order_by("pk").only("job", "started_at", "finished_at")
    }
    return Run(
        seconds=seconds,
        jobs=jobs,
        python_cpu=python_cpu,
        postgres_cpu=postgres_cpu,
        others_cpu=max(busy - python_cpu - (0 if postgres_cpu != postgres_cpu else postgres_cpu), 0.0),
    )


def check_idle_run() -> None:
    from jobs.models import JobRun

    counts = dict(JobRun.objects.values_list("job", "count"))
    if any(counts.get(job) for job in ("expire_carts", "apply_grace_policies", "deliver_notifications")):
        raise SystemExit(f"a run with nothing due did something: {counts}")


def check_run(layout: Layout, since: datetime) -> None:
    """The run did exactly the due work: raise SystemExit if not."""
    from django.core import mail

    from jobs.models import JobRun

    p = {
        "since": since,
        "background": layout.background,
        "base": layout.base,
        "due": layout.due,
        "notifications": meta_int("notifications"),
    }
    due_regs = "id > %(background)s"
    due_carts = "id > %(base)s + %(due)s"
    checks = {
        "registrations deleted by the grace period": (
            scalar(
                f"SELECT count(*) FROM registrations_registration WHERE deleted_at >= %(since)s AND {due_regs}"
                " AND deleted_reason = 'grace_period'",
                p,
            ),
            layout.due,
        ),
        "registrations deleted in all": (
            scalar("SELECT count(*) FROM registrations_registration WHERE deleted_at >= %(since)s", p),
            layout.due,
        ),
        "claims cancelled": (
            scalar("SELECT count(*) FROM capacity_claim WHERE ended_at >= %(since)s AND state = 'cancelled'", p),
            layout.due,
        ),
        "carts expired": (
            scalar(
                f"SELECT count(*) FROM carts_cart WHERE closed_at >= %(since)s AND status = 'expired' AND {due_carts}",
                p,
            ),
            layout.due,
        ),
        "carts closed in all": (scalar("SELECT count(*) FROM carts_cart WHERE closed_at >= %(since)s", p), layout.due),
        "holds released": (
            scalar(
                f"SELECT count(*) FROM capacity_claim WHERE ended_at >= %(since)s AND state = 'released' AND {due_carts}",
                p,
            ),
            layout.due,
        ),
        "notices enqueued": (
            scalar("SELECT count(*) FROM notifications_notification WHERE id > %(notifications)s", p),
            2 * layout.due,
        ),
        "notices sent (N4 throttle)": (
            scalar(
                "SELECT count(*) FROM notifications_notification WHERE id > %(notifications)s AND status = 'sent'", p
            ),
            THROTTLE,
        ),
        "emails in the locmem outbox": (len(mail.outbox), THROTTLE),
    }
    counts = dict(JobRun.objects.values_list("job", "count"))
    checks |= {
        "expire_carts count": (counts.get("expire_carts"), layout.due),
        "apply_grace_policies count": (counts.get("apply_grace_policies"), layout.due),
        "deliver_notifications count": (counts.get("deliver_notifications"), THROTTLE),
    }
    wrong = [f"{name}: {got}, expected {expected}" for name, (got, expected) in checks.items() if got != expected]
    if wrong:
        raise SystemExit("the run did not do the due work:\n  " + "\n  ".join(wrong))


# --- --explain: where the time of one run goes -----------------------------------------------


class StatementTimer:
    """Times every SQL statement of a run, grouped by its text (IN-lists folded)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        self.slowest: dict[str, tuple[float, object]] = {}

    @staticmethod
    def shape(statement: str) -> str:
        return re.sub(r"\((?:%s, )+%s\)", "(%s, ...)", statement)

    def __call__(self, execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            shape = self.shape(statement)
            self.total[shape] += elapsed
            self.count[shape] += 1
            if elapsed > self.slowest.get(shape, (-1.0, None))[0]:
                self.slowest[shape] = (elapsed, (statement, params))

    def report(self, top: int) -> list[str]:
        ranked = sorted(self.total, key=self.total.__getitem__, reverse=True)[:top]
        log(f"  {'total_s':>8} {'calls':>6} {'max_ms':>8}  statement")
        for shape in ranked:
            log(
                f"  {self.total[shape]:8.3f} {self.count[shape]:6d} {1000 * self.slowest[shape][0]:8.2f}  "
                f"{' '.join(shape.split())[:220]}"
            )
        return ranked


def explain(layout: Layout, top: int = 8) -> None:
    """One more run, untimed, with every statement timed; then EXPLAIN (ANALYZE, BUFFERS) of
    the SELECTs and UPDATEs that cost most, on fresh due rows, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    reset_due(layout, timezone.now())
    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        run = run_worker()
    log(
        f"size {layout.size}: profiled run {run.seconds:.2f}s, {sum(timer.count.values())} statements taking "
        f"{sum(timer.total.values()):.2f}s in all; costliest:"
    )
    ranked = timer.report(top)
    by_slowest = sorted(timer.slowest, key=lambda s: timer.slowest[s][0], reverse=True)[:top]
    reset_due(layout, timezone.now(), due=False)
    idle_timer = StatementTimer()
    with connection.execute_wrapper(idle_timer):
        run = run_worker()
    log(f"size {layout.size}: profiled idle run {run.seconds:.3f}s; costliest statements:")
    idle_ranked = idle_timer.report(4)
    for shape in idle_ranked:
        timer.slowest.setdefault(shape, idle_timer.slowest[shape])
    reset_due(layout, timezone.now())
    for shape in dict.fromkeys(ranked[:4] + by_slowest[:4] + idle_ranked[:2]):
        statement, params = timer.slowest[shape][1]
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        log(f"\nEXPLAIN (ANALYZE, BUFFERS) {' '.join(statement.split())[:300]}")
        try:
            with transaction.atomic():
                for (line,) in sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params):
                    log(f"    {line[:300]}")
                transaction.set_rollback(True)
        except Exception as error:  # a statement that needs its run's context: show why, go on
            log(f"    (could not explain: {error})")


# --- main ------------------------------------------------------------------------------------


def label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help=f"rows in all, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--reps", type=int, default=None, help="measured runs per size; the median counts (default 3)")
    parser.add_argument(
        "--due", type=int, default=None, help=f"due registrations and due carts (default {DEFAULT_DUE})"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 2000,8000, due 100, 1 rep")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if the database holds this layout")
    parser.add_argument("--explain", action="store_true", help="per size: statement timings and EXPLAIN ANALYZE")
    args = parser.parse_args(argv)
    quick = {"sizes": "2000,8000", "reps": 1, "due": 100} if args.quick else {}
    args.sizes = [int(s) for s in (args.sizes or quick.get("sizes") or DEFAULT_SIZES).split(",")]
    args.reps = args.reps or quick.get("reps") or 3
    args.due = args.due or quick.get("due") or DEFAULT_DUE
    if len(args.sizes) < 2:
        parser.error("--sizes needs at least two sizes")
    return args


def measure_size(layout: Layout, args: argparse.Namespace) -> tuple[float, float]:
    """The median wall time of the worker run, and its median CPU time (python + postgres)."""
    from django.utils import timezone

    if args.rebuild or built_layout() != layout.key:
        log(f"size {layout.size}: building ...")
        build(layout, timezone.now())
    else:
        log(f"size {layout.size}: database already holds {layout.key}")
    runs: list[Run] = []
    for rep in range(1, args.reps + 1):
        reset_due(layout, timezone.now())
        if rep == 1:
            log(f"size {layout.size}: rows " + ", ".join(f"{t}={n}" for t, n in table_counts().items()))
        sql("CHECKPOINT")
        since = timezone.now()
        run = run_worker()
        check_run(layout, since)
        runs.append(run)
        log(f"size {layout.size} rep {rep}: {run.describe()} - checks OK")
    median = statistics.median(run.seconds for run in runs)
    cpu = statistics.median(run.python_cpu + run.postgres_cpu for run in runs)
    log(
        f"size {layout.size}: median {median:.3f}s of {[round(r.seconds, 3) for r in runs]}; "
        f"median cpu python+postgres {cpu:.2f}s"
    )
    idle: list[Run] = []
    for _ in range(args.reps):
        reset_due(layout, timezone.now(), due=False)
        sql("CHECKPOINT")
        idle.append(run_worker())
        check_idle_run()
    jobs = ", ".join(f"{name} {statistics.median(r.jobs[name] for r in idle):.3f}" for name in idle[0].jobs)
    log(
        f"size {layout.size}: idle run (nothing due) median {statistics.median(r.seconds for r in idle):.3f}s "
        f"of {[round(r.seconds, 3) for r in idle]} ({jobs})"
    )
    if args.explain:
        explain(layout)
    return median, cpu


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL: {database_url}")
    layouts = [Layout(size=size, due=args.due) for size in args.sizes]
    for layout in layouts:
        layout.check()
    ensure_database(database_url)
    setup_django(database_url)
    measured = {layout.size: measure_size(layout, args) for layout in layouts}
    medians = {size: wall for size, (wall, _) in measured.items()}
    cpus = {size: cpu for size, (_, cpu) in measured.items()}
    first, last = args.sizes[0], args.sizes[-1]
    log(
        "cpu time (python + postgres), less sensitive to the neighbours: "
        + " ".join(f"cpu_{label(size)}_s={cpu:.2f}" for size, cpu in cpus.items())
        + f" ratio_{label(last)}_{label(first)}={cpus[last] / cpus[first]:.2f}"
    )
    times = " ".join(f"t_{label(size)}_s={seconds:.3f}" for size, seconds in medians.items())
    print(f"sweep: due={args.due} {times} ratio_{label(last)}_{label(first)}={medians[last] / medians[first]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
