"""Heartbeats and recovery (issue 16): a dead worker's claims are released at once and its
job records marked dead, so its organization's email goes on at the next run."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from jobs import heartbeats
from jobs.models import JobRun, WorkerHeartbeat
from jobs.registry import deliver_notifications
from jobs.services import Job, prune_job_runs
from jobs.worker import Worker
from notifications.delivery import send_lease
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def other_worker(name: str = "elsewhere:41:abcdef", *, seen_at: datetime = T0, interval: int = 300, **fields):
    """A worker on another machine that beat last at `seen_at`."""
    return WorkerHeartbeat.objects.create(
        **{
            "name": name,
            "host": name.split(":")[0],
            "pid": 41,
            "scope": "another machine",
            "interval_seconds": interval,
            "started_at": seen_at,
            "seen_at": seen_at,
            "expires_at": seen_at + heartbeats.stale_after(interval),
        }
        | fields
    )


def claimed_by(worker: WorkerHeartbeat, organization, count: int, *, at: datetime = T0) -> list[str]:
    """`count` due notices that `worker` claimed at `at` and is sending."""
    keys = [f"{worker.name}-{n}" for n in range(count)]
    for key in keys:
        enqueue_warning(organization, key, now=at - timedelta(minutes=1))
    Notification.objects.filter(key__in=keys).update(
        status="sending", claimed_by=worker.name, next_attempt_at=at + send_lease(), attempts=1
    )
    return keys


def deliver_only(interval: int = 300) -> Worker:
    return Worker(interval=interval, jobs=[Job("deliver_notifications", deliver_notifications)])


@pytest.mark.parametrize(("interval", "beat", "stale"), [(300, 10, 30), (60, 10, 30), (15, 5, 15), (2, 1, 3)])
def test_a_worker_beats_every_few_seconds_whatever_its_interval(interval, beat, stale):
    assert heartbeats.beat_seconds(interval) == beat
    assert heartbeats.stale_after(interval) == timedelta(seconds=stale)


def test_a_worker_registers_while_it_runs_and_stops_cleanly(db):
    seen = []
    worker = Worker(
        interval=60,
        jobs=[Job("look", lambda context: seen.append(WorkerHeartbeat.objects.get(name=context.worker)) or 0)],
    )
    with time_machine.travel(T0, tick=False):
        worker.run_once()

    [during] = seen
    assert (during.state, during.interval_seconds, during.seen_at, during.expires_at) == (
        "alive",
        60,
        T0,
        T0 + timedelta(seconds=30),
    )
    after = WorkerHeartbeat.objects.get(name=worker.name)
    assert (after.state, after.stopped_at) == ("stopped", T0)
    assert after.scope == heartbeats.process_scope()


def test_n5_a_worker_that_stopped_beating_has_its_claims_released_and_the_next_run_sends_them(org):
    """Throttle 5, ten due: the dead worker had claimed five. Its claims are released at the
    next run 31 s later (not after their 70-second lease, nor ten minutes) and sent."""
    dead = other_worker()
    keys = claimed_by(dead, org, 5)
    running = JobRun.objects.create(job="deliver_notifications", worker=dead.name, started_at=T0)
    for n in range(5):
        enqueue_warning(org, f"later-{n}", now=T0)

    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        summary = deliver_only().run_once()

    assert summary.recovered == [dead.name]
    dead.refresh_from_db()
    assert (dead.state, dead.stopped_at) == ("dead", T0 + timedelta(seconds=31))
    running.refresh_from_db()
    assert (running.outcome, running.note) == ("dead", "its worker died during the run")
    assert sorted(message.to[0].split("@")[0] for message in mail.outbox) == sorted(keys)
    assert summary.runs[0].count == 5


def test_n4_the_claims_of_a_live_worker_fill_the_throttle_and_the_run_says_so(org, caplog):
    alive = other_worker()
    claimed_by(alive, org, 5)
    for n in range(5):
        enqueue_warning(org, f"later-{n}", now=T0)

    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        summary = deliver_only().run_once()

    assert summary.recovered == []
    assert mail.outbox == []
    assert WorkerHeartbeat.objects.get(name=alive.name).state == "alive"
    [run] = summary.runs
    assert (run.outcome, run.count, run.waiting) == ("ok", 0, 10)
    assert "deliver_notifications 0 (throttled in 1 organization; 10 waiting)" in caplog.text


def test_n5_a_worker_whose_process_is_gone_on_this_machine_is_dead_at_once(org):
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = other_worker("here:1:aaaaaa", seen_at=T0, scope=heartbeats.process_scope())
    WorkerHeartbeat.objects.filter(pk=gone.pk).update(pid=int(exited.stdout))
    claimed_by(gone, org, 2)

    with time_machine.travel(T0 + timedelta(seconds=1), tick=False):  # its heartbeat is still fresh
        summary = deliver_only().run_once()

    assert summary.recovered == [gone.name]
    assert len(mail.outbox) == 2


def test_a_live_process_on_this_machine_is_not_presumed_dead(db):
    here = other_worker("here:1:bbbbbb", scope=heartbeats.process_scope())
    WorkerHeartbeat.objects.filter(pk=here.pk).update(pid=1)  # init: always there
    with time_machine.travel(T0 + timedelta(seconds=1), tick=False):
        assert heartbeats.recover_dead_workers(now=T0 + timedelta(seconds=1)) == []


def test_each_dead_worker_is_recovered_once(org):
    dead = other_worker()
    claimed_by(dead, org, 1)
    later = T0 + timedelta(minutes=1)
    assert heartbeats.recover_dead_workers(now=later, me="a") == [dead.name]
    assert heartbeats.recover_dead_workers(now=later, me="b") == []
    assert Notification.objects.get().status == "pending"


def test_a_worker_presumed_dead_by_mistake_beats_again_and_is_alive(db):
    slow = other_worker()
    heartbeats.recover_dead_workers(now=T0 + timedelta(minutes=1))
    assert heartbeats.beat(name=slow.name, interval_seconds=300, now=T0 + timedelta(minutes=2)) is False
    slow.refresh_from_db()
    assert (slow.state, slow.seen_at, slow.stopped_at) == ("alive", T0 + timedelta(minutes=2), None)


def test_stopped_and_dead_workers_are_pruned_with_the_job_runs(db, settings):
    settings.JOB_RUN_RETENTION_DAYS = 30
    old = other_worker("old:1:cccccc", seen_at=T0 - timedelta(days=31), state="stopped")
    alive = other_worker("alive:1:dddddd", seen_at=T0 - timedelta(days=31))
    prune_job_runs(now=T0)
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == [alive.name]
    assert not WorkerHeartbeat.objects.filter(pk=old.pk).exists()
