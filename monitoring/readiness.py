"""/health/ready: is this installation able to do its work? The database answers, its
migrations are all applied, a worker was seen within 2 of its intervals, and the oldest email
waiting is not older than HEALTH_OUTBOX_MAX_AGE_SECONDS. Each check reads the same selectors
as the pages and the metrics."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from jobs.selectors import READY_INTERVALS, worker_health, worker_is_stale
from notifications.selectors import outbox_health


@dataclass
class Check:
    ok: bool
    details: dict[str, Any] = field(default_factory=dict)


class _Migrations:
    """Once every migration is applied, this process stops asking (it costs reading the
    migration files); until then it asks every time."""

    applied = False

    def check(self) -> Check:
        if not self.applied:
            connection = connections[DEFAULT_DB_ALIAS]
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                return Check(False, {"pending": [f"{m.app_label}.{m.name}" for m, _ in pending][:20]})
            self.applied = True
        return Check(True)


MIGRATIONS = _Migrations()


def database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return Check(False, {"error": f"{type(error).__name__}: {error}"[:300]})
    return Check(True)


def worker(now: datetime) -> Check:
    health = worker_health(now=now)
    return Check(
        not worker_is_stale(health, now=now),
        {
            "live": health.live_count,
            "last_seen_at": health.last_seen_at.isoformat() if health.last_seen_at else None,
            "seconds_since_last_seen": (now - health.last_seen_at).total_seconds() if health.last_seen_at else None,
            "within_intervals": READY_INTERVALS,
        },
    )


def outbox(now: datetime) -> Check:
    health = outbox_health(now=now)
    limit = settings.HEALTH_OUTBOX_MAX_AGE_SECONDS
    return Check(
        not limit or health.oldest_due_age_seconds <= limit,
        {
            "oldest_due_age_seconds": round(health.oldest_due_age_seconds, 1),
            "max_age_seconds": limit,
            "queued": health.queued,
            "sending": health.sending,
            "failed": health.failed,
        },
    )


def readiness(now: datetime) -> dict[str, Check]:
    """Every check, in order; after a failed database check the others are not tried."""
    checks = {"database": database()}
    if not checks["database"].ok:
        return checks | {name: Check(False, {"skipped": "database"}) for name in ("migrations", "worker", "outbox")}
    checks["migrations"] = MIGRATIONS.check()
    if not checks["migrations"].ok:
        return checks | {name: Check(False, {"skipped": "migrations"}) for name in ("worker", "outbox")}
    checks["worker"] = worker(now)
    checks["outbox"] = outbox(now)
    return checks
