"""/metrics in Prometheus' text format: the event counters of this process (or of every web
process of this host, in multiprocess mode), then the state of the installation read from the
database at the time of the scrape, so that every web process on every host answers the same
(docs/decisions/0019-operations.md)."""

import os
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from capacity.selectors import organizations_overview
from jobs.selectors import WorkerHealth, expected_interval, job_health, worker_health
from notifications.selectors import outbox_health


class StateCollector(Collector):
    """Gauges read from the database at `now`: holds, the outbox, jobs and workers."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self) -> Iterator[Metric]:
        yield from self._seats()
        yield from self._outbox()
        workers = worker_health(now=self.now)
        yield from self._workers(workers)
        yield from self._jobs(expected_interval(workers, default=settings.WORKER_INTERVAL_SECONDS))

    def _seats(self) -> Iterator[Metric]:
        held = GaugeMetricFamily(
            "registrar_live_holds", "Seats held in open carts now, by organization.", labels=["organization"]
        )
        registered = GaugeMetricFamily(
            "registrar_registered_seats",
            "Seats taken by registrations (tentative or confirmed), by organization.",
            labels=["organization"],
        )
        for row in organizations_overview(now=self.now):
            held.add_metric([row.organization.slug], row.seats_held)
            registered.add_metric([row.organization.slug], row.seats_registered)
        yield held
        yield registered

    def _outbox(self) -> Iterator[Metric]:
        health = outbox_health(now=self.now)
        depth = GaugeMetricFamily(
            "registrar_outbox_emails", "Emails in the outbox by state (queued includes due).", labels=["state"]
        )
        for state, value in (
            ("queued", health.queued),
            ("due", health.due),
            ("sending", health.sending),
            ("failed", health.failed),
        ):
            depth.add_metric([state], value)
        yield depth
        yield GaugeMetricFamily(
            "registrar_outbox_oldest_due_age_seconds",
            "How long the oldest email still queued has waited since it was first due.",
            value=health.oldest_due_age_seconds,
        )

    def _workers(self, workers: WorkerHealth) -> Iterator[Metric]:
        yield GaugeMetricFamily("registrar_workers_live", "Workers whose heartbeat is fresh.", value=workers.live_count)
        seen = GaugeMetricFamily(
            "registrar_worker_heartbeat_timestamp_seconds", "The last heartbeat of each live worker.", labels=["worker"]
        )
        for heartbeat in workers.live:
            seen.add_metric([heartbeat.name], heartbeat.seen_at.timestamp())
        yield seen
        yield GaugeMetricFamily(
            "registrar_worker_last_seen_timestamp_seconds",
            "The latest heartbeat of any worker, live or gone (0: none ever).",
            value=workers.last_seen_at.timestamp() if workers.last_seen_at else 0,
        )

    def _jobs(self, interval: int) -> Iterator[Metric]:
        duration = GaugeMetricFamily(
            "registrar_job_duration_seconds", "How long each job's last finished run took.", labels=["job"]
        )
        started = GaugeMetricFamily(
            "registrar_job_last_run_timestamp_seconds", "When each job last started.", labels=["job"]
        )
        lag = GaugeMetricFamily(
            "registrar_job_lag_seconds", "How far past the worker interval each job's next run is.", labels=["job"]
        )
        failures = GaugeMetricFamily(
            "registrar_job_failures_24h", "Failed or dead runs of each job in the last 24 hours.", labels=["job"]
        )
        outcome = GaugeMetricFamily(
            "registrar_job_last_outcome",
            "1 for the outcome of each job's last finished run.",
            labels=["job", "outcome"],
        )
        for job in job_health(now=self.now, interval_seconds=interval):
            if job.last_duration_seconds is not None:
                duration.add_metric([job.job], job.last_duration_seconds)
            if job.last_run is not None:
                started.add_metric([job.job], job.last_run.started_at.timestamp())
            if job.last_finished is not None:
                outcome.add_metric([job.job, job.last_finished.outcome], 1)
            lag.add_metric([job.job], job.lag_seconds)
            failures.add_metric([job.job], job.failures_24h)
        yield from (duration, started, lag, failures, outcome)


def exposition(now: datetime) -> bytes:
    """The counters, then the state; both in the text format, which may be concatenated."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector(now))
    return generate_latest(counters) + generate_latest(state)
