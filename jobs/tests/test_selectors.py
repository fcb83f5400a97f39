"""What the jobs page, /health/ready and the metrics read about the worker."""

from datetime import UTC, datetime, timedelta

import time_machine

from jobs.models import JobRun, WorkerHeartbeat
from jobs.registry import JOBS
from jobs.selectors import expected_interval, job_health, worker_health, worker_is_stale
from jobs.worker import Worker

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_job_health_has_every_job_with_its_last_run_failures_and_lag(db):
    def run(job, started, outcome="ok", seconds=2):
        return JobRun.objects.create(
            job=job, started_at=started, finished_at=started + timedelta(seconds=seconds), outcome=outcome, count=1
        )

    run("expire_carts", T0 - timedelta(minutes=20))
    run("expire_carts", T0 - timedelta(minutes=10), "failed")
    run("expire_carts", T0 - timedelta(days=2), "failed")  # older than a day: not counted
    JobRun.objects.create(job="expire_carts", started_at=T0 - timedelta(minutes=1))  # running now
    run("deliver_notifications", T0 - timedelta(minutes=7), "degraded", seconds=3)

    health = {item.job: item for item in job_health(now=T0, interval_seconds=300)}

    assert list(health) == [job.name for job in JOBS]
    carts = health["expire_carts"]
    assert carts.last_run.outcome == "running"
    assert carts.last_finished.outcome == "failed"
    assert carts.last_ok_at == T0 - timedelta(minutes=20) + timedelta(seconds=2)
    assert (carts.runs_24h, carts.failures_24h, carts.since_last_run_seconds, carts.lag_seconds) == (3, 1, 60, 0)
    email = health["deliver_notifications"]
    assert (email.last_duration_seconds, email.lag_seconds) == (3, 120)
    never = health["prune_job_runs"]
    assert (never.last_run, never.since_last_run_seconds, never.lag_seconds) == (None, None, 0)


def test_worker_health_and_readiness_within_two_intervals_of_the_last_worker(db):
    assert worker_is_stale(worker_health(now=T0), now=T0)

    with time_machine.travel(T0, tick=False):
        Worker(interval=60, jobs=[]).run_once()  # registers, runs, stops at T0

    for seconds, ready in [(0, True), (120, True), (121, False)]:
        now = T0 + timedelta(seconds=seconds)
        assert worker_is_stale(worker_health(now=now), now=now) is not ready

    alive = WorkerHeartbeat.objects.create(
        name="w:1:aaaaaa",
        host="w",
        pid=1,
        interval_seconds=30,
        started_at=T0,
        seen_at=T0 + timedelta(hours=1),
        expires_at=T0 + timedelta(hours=1, seconds=30),
    )
    now = T0 + timedelta(hours=1, seconds=5)
    health = worker_health(now=now)
    assert ([worker.name for worker in health.live], health.live_count) == ([alive.name], 1)
    assert not worker_is_stale(health, now=now)
    assert expected_interval(health, default=300) == 30
    assert expected_interval(worker_health(now=T0 + timedelta(hours=2)), default=300) == 300
