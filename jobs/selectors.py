"""Reads of the worker's state for the people who run Registrar: the jobs page, /health/ready
and the metrics all read the same numbers from here. Jobs and workers are installation-wide,
not per organization."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from jobs import registry
from jobs.heartbeats import is_presumed_dead, process_scope
from jobs.models import JobRun, WorkerHeartbeat

RECENT = timedelta(hours=24)
# /health/ready wants a worker seen within this many of its own intervals (issue 16).
READY_INTERVALS = 2


@dataclass(frozen=True)
class JobHealth:
    """One registered job: its last run and how it has gone lately."""

    job: str
    description: str
    last_run: JobRun | None  # the most recent one, finished or not
    last_finished: JobRun | None
    last_ok_at: datetime | None  # when it last finished OK (or degraded: it did work)
    runs_24h: int
    failures_24h: int  # failed or died, in the last 24 hours
    since_last_run_seconds: float | None  # how long ago the last run started
    lag_seconds: float  # how far past its interval the next run is (0 when on time)

    @property
    def last_duration_seconds(self) -> float | None:
        run = self.last_finished
        if run is None or run.finished_at is None:
            return None
        return (run.finished_at - run.started_at).total_seconds()


@dataclass(frozen=True)
class WorkerHealth:
    live: list[WorkerHeartbeat]  # believed alive now
    last_seen_at: datetime | None  # the latest beat of any worker, live or gone
    last_seen_interval_seconds: int | None  # the interval of the worker seen last

    @property
    def live_count(self) -> int:
        return len(self.live)


def worker_health(*, now: datetime) -> WorkerHealth:
    """The workers believed alive (beating, and their process not known gone), and the latest
    beat of any."""
    scope = process_scope()
    alive = WorkerHeartbeat.objects.filter(state=WorkerHeartbeat.State.ALIVE).order_by("name")
    live = [heartbeat for heartbeat in alive if not is_presumed_dead(heartbeat, now=now, scope=scope)]
    last = WorkerHeartbeat.objects.order_by("-seen_at").only("seen_at", "interval_seconds").first()
    return WorkerHealth(
        live=live,
        last_seen_at=last.seen_at if last else None,
        last_seen_interval_seconds=last.interval_seconds if last else None,
    )


def worker_is_stale(health: WorkerHealth, *, now: datetime) -> bool:
    """No worker alive now, nor seen within READY_INTERVALS of its own interval. The one rule
    for "the worker is stale": /health/ready answers not ready, and the office's home and Worker
    pages warn, at the same instant."""
    if health.live:
        return False
    if health.last_seen_at is None or health.last_seen_interval_seconds is None:
        return True
    return now - health.last_seen_at > timedelta(seconds=READY_INTERVALS * health.last_seen_interval_seconds)


def job_health(*, now: datetime, interval_seconds: int) -> list[JobHealth]:
    """Every registered job's recent history, in the order the worker runs them. A job is
    lagging when its last run started more than `interval_seconds` ago (the interval of the
    workers, or the setting)."""
    names = registry.job_names()
    recent = (
        JobRun.objects.filter(job__in=names, started_at__gte=now - RECENT)
        .values("job")
        .annotate(
            runs=Count("pk"),
            failures=Count("pk", filter=Q(outcome__in=[JobRun.Outcome.FAILED, JobRun.Outcome.DEAD])),
        )
    )
    counts = {row["job"]: row for row in recent}
    health = []
    for job in registry.JOBS:
        runs = JobRun.objects.filter(job=job.name).order_by("-started_at")
        last_run = runs.first()
        last_finished = runs.exclude(outcome=JobRun.Outcome.RUNNING).first()
        last_ok = runs.filter(outcome__in=[JobRun.Outcome.OK, JobRun.Outcome.DEGRADED]).first()
        since = (now - last_run.started_at).total_seconds() if last_run else None
        health.append(
            JobHealth(
                job=job.name,
                description=job.description,
                last_run=last_run,
                last_finished=last_finished,
                last_ok_at=last_ok.finished_at if last_ok else None,
                runs_24h=counts.get(job.name, {}).get("runs", 0),
                failures_24h=counts.get(job.name, {}).get("failures", 0),
                since_last_run_seconds=since,
                lag_seconds=max(since - interval_seconds, 0.0) if since is not None else 0.0,
            )
        )
    return health


def expected_interval(health: WorkerHealth, default: int) -> int:
    """The interval the live workers run at (the shortest), else `default` (the setting)."""
    return min((heartbeat.interval_seconds for heartbeat in health.live), default=default)
