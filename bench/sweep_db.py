"""bench/sweep.py's database: the layout of the rows by id, the raw SQL helpers, the bookkeeping
table that says which layout the database holds, and the bulk-load switches."""

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    sql(ORDER_COUNTERS)


# Order numbers (orders.services.next_order_sequence) continue after the bulk-loaded orders.
ORDER_COUNTERS = """INSERT INTO orders_ordercounter (organization_id, last)
    SELECT organization_id, max(sequence) FROM orders_order GROUP BY organization_id
    ON CONFLICT (organization_id) DO UPDATE SET last = EXCLUDED.last"""


@contextmanager
def foreign_keys_unchecked():
    """Bulk loading: skip the per-row foreign-key triggers. The ids are consistent by
    construction, and every repetition's due rows are inserted with the checks on."""
    sql("SET session_replication_role = replica")
    try:
        yield
    finally:
        sql("SET session_replication_role = DEFAULT")


def table_counts() -> dict[str, int]:
    return {table: scalar(f"SELECT count(*) FROM {table}") for table in BIG_TABLES}
