"""One interval for the loop and the throttle, `--once` from cron, and its exit statuses
(README, "The worker"; issue 16)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from jobs import registry
from jobs.models import JobRun
from jobs.services import Job, JobResult
from jobs.testing import start_worker, worker_env
from jobs.worker import Worker
from notifications.models import Notification
from notifications.testing import free_port
from notifications.tests.factories import enqueue_warning
from organizations.tests.factories import make_organization

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def once(*args: str) -> None:
    call_command("worker", "--once", *args, stdout=StringIO(), stderr=StringIO())


def sent() -> int:
    return Notification.objects.filter(status="sent").count()


def test_n4_cron_once_a_minute_with_interval_60_sends_the_throttle_every_minute(org):
    for n in range(15):
        enqueue_warning(org, f"burst-{n:02d}", now=T0 - timedelta(minutes=1, seconds=-n))

    per_run = []
    for minute in range(3):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            once("--interval", "60")
        per_run.append(sent() - sum(per_run))

    assert per_run == [5, 5, 5]


def test_n4_once_without_interval_throttles_by_the_setting(org, settings, caplog):
    settings.WORKER_INTERVAL_SECONDS = 300
    for n in range(10):
        enqueue_warning(org, f"burst-{n:02d}", now=T0 - timedelta(minutes=1))

    with time_machine.travel(T0, tick=False):
        once()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        once()  # a cron that runs every minute without --interval 60: held back, and said so

    assert sent() == 5
    assert "deliver_notifications 0 (throttled in 1 organization; 5 waiting)" in caplog.text


def test_the_interval_of_the_command_is_the_one_jobs_are_given(db, monkeypatch):
    given = []
    monkeypatch.setattr(registry, "JOBS", [Job("look", lambda context: given.append(context.interval_seconds))])
    once("--interval", "7")
    Worker(interval=11, jobs=registry.JOBS).run_once()
    assert given == [7, 11]


@pytest.mark.django_db(transaction=True)
def test_once_exit_statuses(tmp_path, settings):
    """0: the work due was done (or none was due); 1: work was due and none of it could be done
    (the email server is down), recorded as failed with what waits and when it is retried;
    2: a bad command line."""
    settings.DEFAULT_FROM_EMAIL = "registrar@parks.example"
    log = tmp_path / "worker.log"
    unreachable = worker_env(EMAIL_URL=f"smtp://127.0.0.1:{free_port()}", LOG_LEVEL="INFO")

    assert start_worker("--once", env=unreachable, log=log).wait(timeout=120) == 0

    organization = make_organization()
    for n in range(3):
        enqueue_warning(organization, f"due-{n}", now=T0)
    assert start_worker("--once", env=unreachable, log=log).wait(timeout=120) == 1
    run = JobRun.objects.filter(job="deliver_notifications").latest("started_at")
    assert (run.outcome, run.count, run.waiting) == (JobRun.Outcome.FAILED, 0, 3)
    assert run.note.startswith("could not connect to the email server: ConnectionRefusedError")
    assert run.note.endswith("; 3 to retry; 3 waiting")
    assert run.retry_at == Notification.objects.order_by("next_attempt_at").first().next_attempt_at
    assert "deliver_notifications 0 (failed; could not connect to the email server" in log.read_text()

    assert start_worker("--once", "--interval", "0", env=unreachable, log=log).wait(timeout=120) == 2


def test_once_exits_0_when_some_of_the_work_failed_and_some_was_done(db, monkeypatch, caplog):
    """Degraded (one bad address among good ones) is logged as a warning, not a failure for cron."""
    monkeypatch.setattr(registry, "JOBS", [Job("send", lambda context: JobResult(done=4, failed=1, waiting=1))])
    once()  # raises CommandError on a non-zero status
    assert JobRun.objects.get().outcome == JobRun.Outcome.DEGRADED
    assert " run degraded in " in caplog.text


@pytest.mark.django_db(transaction=True)
def test_once_exits_1_when_the_database_cannot_be_reached(tmp_path):
    log = tmp_path / "worker.log"
    unreachable = worker_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/registrar")
    assert start_worker("--once", "--verbosity", "0", env=unreachable, log=log).wait(timeout=120) == 1
    assert "(not run: the database could not record it)" in log.read_text()


def test_ctrl_c_in_the_loop_exits_130(db, monkeypatch):
    """The first Ctrl-C stops the loop after the job in progress (exit 0); a second one
    interrupts at once, and the command exits 130 as a shell reports an interrupted program."""

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Worker, "run_forever", interrupted)
    with pytest.raises(SystemExit) as stopped:
        call_command("worker", stdout=StringIO())
    assert stopped.value.code == 130
