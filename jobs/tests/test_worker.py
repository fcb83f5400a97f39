import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent, Channel
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from jobs import registry
from jobs.models import JobRun, WorkerHeartbeat
from jobs.services import Job
from jobs.worker import Worker

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def hold_a_seat(household, offering):
    return add_to_cart(
        household=household,
        offering_id=offering.pk,
        participant_id=household.participants.first().pk,
        channel=Channel.PORTAL,
    ).cart


def run_once(*args):
    out, err = StringIO(), StringIO()
    call_command("worker", "--once", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if getattr(record, "event", "") == "worker.run"]


def test_t4_once_expires_a_cart_whose_timer_ran_out_and_audits_it(org, offering, caplog):
    lapsing, live = make_household(org), make_household(org)
    with time_machine.travel(T0, tick=False) as traveller:
        lapsing_cart = hold_a_seat(lapsing, offering)  # 20-minute timeout: expires at T0 + 20 min
        traveller.shift(timedelta(minutes=10))
        live_cart = hold_a_seat(live, offering)  # expires at T0 + 30 min
        traveller.shift(timedelta(minutes=11))

        run_once()

    lapsing_cart.refresh_from_db()
    live_cart.refresh_from_db()
    assert (lapsing_cart.status, lapsing_cart.closed_at) == (Cart.Status.EXPIRED, T0 + timedelta(minutes=21))
    assert live_cart.status == Cart.Status.OPEN
    assert list(Claim.objects.filter(cart=lapsing_cart).values_list("state", "end_reason")) == [
        (Claim.State.RELEASED, "expired")
    ]
    event = AuditEvent.objects.get(verb="cart.expired")
    assert (event.subject_type, event.subject_id, event.household_id) == ("cart", lapsing_cart.pk, lapsing.pk)
    assert (event.channel, event.actor_id, event.actor_label) == (Channel.SYSTEM, None, "job:expire_carts")
    run = JobRun.objects.get(job="expire_carts")
    assert (run.job, run.outcome, run.count, run.error) == ("expire_carts", JobRun.Outcome.OK, 1, "")
    assert run.started_at == run.finished_at == T0 + timedelta(minutes=21)
    [line] = run_lines(caplog)
    assert ": expire_carts 1, apply_grace_policies 0 (nothing due)," in line


def test_once_runs_every_registered_job_and_logs_one_line_with_the_reason_for_each_zero(db, caplog):
    out, _ = run_once()
    assert list(JobRun.objects.order_by("pk").values_list("job", "outcome", "count")) == [
        (job.name, JobRun.Outcome.OK, 0) for job in registry.JOBS
    ]
    assert out == ""
    [line] = run_lines(caplog)
    assert line.endswith(", ".join(f"{job.name} 0 (nothing due)" for job in registry.JOBS))
    assert " run ok in " in line


def test_verbosity_0_keeps_a_cron_job_quiet_unless_something_failed(db, caplog):
    run_once("--verbosity", "0")
    assert run_lines(caplog) == []


def test_failing_job_is_recorded_and_the_others_still_run(db, monkeypatch, caplog):
    def broken(context):
        raise ValueError("the printer is on fire")

    ran_at = []
    monkeypatch.setattr(
        registry,
        "JOBS",
        [Job("broken", broken), Job("tally", lambda context: ran_at.append(context.now) or 7)],
    )

    with time_machine.travel(T0, tick=False), pytest.raises(CommandError, match="A job failed") as failure:
        run_once()

    assert failure.value.returncode == 1
    failed = JobRun.objects.get(job="broken")
    assert (failed.outcome, failed.count, failed.finished_at) == (JobRun.Outcome.FAILED, None, T0)
    assert "ValueError: the printer is on fire" in failed.error
    assert failed.note == "ValueError: the printer is on fire"
    tally = JobRun.objects.get(job="tally")
    assert (tally.outcome, tally.count) == (JobRun.Outcome.OK, 7)
    assert ran_at == [T0]
    [line] = run_lines(caplog)
    assert "run failed in" in line
    assert line.endswith("broken 0 (failed; ValueError: the printer is on fire), tally 7")


def test_the_worker_deletes_its_own_run_records_once_they_are_past_retention(db, monkeypatch, settings):
    settings.JOB_RUN_RETENTION_DAYS = 30
    monkeypatch.setattr("jobs.services.PRUNE_BATCH", 2)  # several batches: 5 old rows, 2 at a time

    def record(job, days_ago, outcome=JobRun.Outcome.OK):
        started = T0 - timedelta(days=days_ago)
        finished = None if outcome == JobRun.Outcome.RUNNING else started
        return JobRun.objects.create(job=job, started_at=started, finished_at=finished, outcome=outcome).pk

    old = [record("expire_carts", 31 + i) for i in range(4)] + [record("broken", 90, JobRun.Outcome.FAILED)]
    died_mid_job = record("apply_grace_policies", 60, JobRun.Outcome.RUNNING)
    recent = record("expire_carts", 29)

    with time_machine.travel(T0, tick=False):
        run_once()

    remaining = set(JobRun.objects.values_list("pk", flat=True))
    assert remaining.isdisjoint(old)
    assert {died_mid_job, recent} <= remaining
    assert JobRun.objects.get(job="prune_job_runs").count == 5

    settings.JOB_RUN_RETENTION_DAYS = 7  # a shorter setting takes the 29-day-old record too
    with time_machine.travel(T0, tick=False):
        run_once()
    assert not JobRun.objects.filter(pk=recent).exists()
    assert JobRun.objects.filter(pk=died_mid_job).exists()


def test_a_retention_below_one_day_is_refused_at_start_up():
    env = {**os.environ, "JOB_RUN_RETENTION_DAYS": "0", "DJANGO_SETTINGS_MODULE": "registrar.settings"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode != 0
    assert "JOB_RUN_RETENTION_DAYS must be at least 1, not 0" in started.stderr


def test_interval_below_one_second_is_refused_as_a_usage_error(db):
    with pytest.raises(CommandError, match="at least 1 second") as refused:
        call_command("worker", "--interval", "0")
    assert refused.value.returncode == 2
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_loop_after_the_running_job():
    ran = []

    def asks_to_stop(context):
        ran.append("asks_to_stop")
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` or a supervisor would
        return 1

    def next_job(context):
        ran.append("next_job")
        return 0

    handler_before = signal.getsignal(signal.SIGTERM)
    worker = Worker(interval=3600, jobs=[Job("asks_to_stop", asks_to_stop), Job("next_job", next_job)])
    worker.run_forever()  # returns instead of sleeping for an hour

    assert ran == ["asks_to_stop"]
    assert list(JobRun.objects.values_list("job", "outcome", "count", "worker")) == [
        ("asks_to_stop", "ok", 1, worker.name)
    ]
    heartbeat = WorkerHeartbeat.objects.get()
    assert (heartbeat.name, heartbeat.state, heartbeat.interval_seconds) == (worker.name, "stopped", 3600)
    assert signal.getsignal(signal.SIGTERM) is handler_before


def test_a_second_ctrl_c_interrupts_at_once():
    worker = Worker(interval=60, jobs=[])
    worker.request_stop(signal.SIGINT)
    assert worker.stop_requested
    with pytest.raises(KeyboardInterrupt):
        worker.request_stop(signal.SIGINT)


def test_repeated_sigterm_still_stops_cleanly():
    worker = Worker(interval=60, jobs=[])
    worker.request_stop(signal.SIGTERM)
    worker.request_stop(signal.SIGTERM)  # e.g. a process-group kill, then the supervisor's own
    assert worker.stop_requested


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_n5_two_workers_at_once_expire_each_cart_exactly_once(org):
    offering = make_offering(org, capacity=None)
    households = [make_household(org) for _ in range(12)]
    with time_machine.travel(T0, tick=False) as traveller:
        for household in households:
            hold_a_seat(household, offering)
        traveller.shift(timedelta(minutes=21))

        barrier = threading.Barrier(2)
        counts, errors = [], []

        def one_worker():
            try:
                barrier.wait(timeout=10)
                worker = Worker(interval=60, jobs=[Job("expire_carts", registry.expire_carts)])
                counts.extend(run.count for run in worker.run_once().runs)
            except Exception as exc:  # pragma: no cover - surfaced by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=one_worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert len(counts) == 2
    assert sum(counts) == 12
    assert AuditEvent.objects.filter(verb="cart.expired").count() == 12
    assert not Cart.objects.filter(status=Cart.Status.OPEN).exists()
    assert JobRun.objects.filter(outcome=JobRun.Outcome.OK).count() == 2
    assert WorkerHeartbeat.objects.filter(state="stopped").count() == 2
