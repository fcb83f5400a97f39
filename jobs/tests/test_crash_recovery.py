"""A worker killed with SIGKILL in the middle of sending an email: real worker processes, a
real SMTP server that stalls to catch the first worker mid-send, the test database (issue 16).
Before heartbeats, its claims stayed "sending" for a 10-minute lease and the throttle counted
them: its organization sent nothing for 10 minutes."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import JobRun, WorkerHeartbeat
from jobs.testing import kill, start_worker, wait_for, worker_env
from notifications.delivery import message_id
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning
from organizations.tests.factories import make_organization

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL = 4  # seconds between the workers' runs, and their throttle window
# How late a run may begin on a busy machine after its interval's deadline.
SLACK = 3.0


def test_n5_after_a_sigkill_mid_send_the_organizations_next_email_leaves_within_one_interval(smtp, tmp_path, settings):
    settings.DEFAULT_FROM_EMAIL = "registrar@parks.example"  # as the workers have it: their Message-IDs
    organization = make_organization(notification_throttle=5)
    start = timezone.now() - timedelta(minutes=5)
    keys = [f"burst-{n:02d}" for n in range(10)]
    for n, key in enumerate(keys):
        to_email = "stall@family.example" if n == 0 else ""
        enqueue_warning(organization, key, now=start + timedelta(seconds=n), to_email=to_email)
    smtp.inbox.stall_once.add("stall@family.example")
    env = worker_env(EMAIL_URL=smtp.url, DEFAULT_FROM_EMAIL="registrar@parks.example", LOG_LEVEL="INFO")
    log = tmp_path / "workers.log"
    first = start_worker("--interval", str(INTERVAL), env=env, log=log)
    second = None
    try:
        wait_for(smtp.inbox.stalled.is_set, timeout=60, what="the first worker to be mid-send")
        first_name = WorkerHeartbeat.objects.get(pid=first.pid).name
        assert Notification.objects.filter(status="sending", claimed_by=first_name).count() == 5

        # A second worker runs while the first lives: the five claims in flight fill the throttle.
        second = start_worker("--interval", str(INTERVAL), env=env, log=log)
        finished = JobRun.objects.filter(job="deliver_notifications").exclude(worker=first_name)
        wait_for(lambda: finished.exclude(outcome="running").exists(), timeout=60, what="the second worker's run")
        assert finished.exclude(outcome="running").first().count == 0
        assert smtp.inbox.messages == []

        kill(first)
        killed_at, killed_wall = time.monotonic(), timezone.now()
        smtp.inbox.release.set()

        wait_for(lambda: smtp.inbox.stored_at, timeout=INTERVAL + 30, what="the organization's next email")
        elapsed = smtp.inbox.stored_at[0] - killed_at
        print(f"next email {elapsed:.2f}s after the SIGKILL (interval {INTERVAL}s)")  # noqa: T201 (the figure, with -s)
        # The second worker's first run that began after the kill is the one that sent: it found
        # the first worker dead, released its claims and delivered, with no lease to wait out.
        # That run begins within one interval of the kill; how long the run itself takes is the
        # machine's load, not the recovery, so it is not part of the bound.
        wait_for(
            lambda: finished.filter(started_at__gte=killed_wall).exclude(outcome="running").exists(),
            timeout=INTERVAL + 30,
            what="the second worker's run after the kill",
        )
        next_run = finished.filter(started_at__gte=killed_wall).order_by("started_at").first()
        assert next_run.count >= 1, log.read_text()
        began = (next_run.started_at - killed_wall).total_seconds()
        assert began <= INTERVAL + SLACK, log.read_text()

        wait_for(lambda: len(smtp.inbox.messages) >= 5, timeout=INTERVAL + 30, what="the five released emails")
    finally:
        for process in (first, second):
            if process is not None:
                kill(process)

    # The released five went once each, oldest first, the stalled one among them.
    assert Counter(smtp.inbox.message_ids()[:5]) == Counter(message_id(key) for key in keys[:5])
    dead = WorkerHeartbeat.objects.get(name=first_name)
    assert dead.state == WorkerHeartbeat.State.DEAD
    died = JobRun.objects.get(worker=first_name, job="deliver_notifications")
    assert (died.outcome, died.note) == (JobRun.Outcome.DEAD, "its worker died during the run")
    assert "is dead" in log.read_text()
