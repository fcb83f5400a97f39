"""The kill storm (issue 16): due unpaid registrations in three organizations, a real SMTP
server, and `manage.py worker --once` processes started one to three at a time and killed
with SIGKILL at random moments; then workers left to finish. Nothing may be lost, deleted
twice or enqueued twice, and an email may go out twice only where SMTP allows it: when a
worker died between the server storing it and the worker recording it sent, one message
per kill at most, with the same Message-ID.

A kill counts only when it reached a worker that was still alive (its heartbeat not yet
stopped): a SIGKILL that arrives while a finished worker's interpreter shuts down tests
nothing. The throttle spreads each organization's emails over several runs, so that kills
land while there is work to interrupt.

Quick in the suite; `make killstorm` runs a long one (KILLSTORM_KILLS, KILLSTORM_REGISTRATIONS,
KILLSTORM_SEED)."""

import os
import random
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from jobs.models import JobRun, WorkerHeartbeat
from jobs.testing import kill, start_worker, wait_for, worker_env
from notifications.delivery import message_id
from notifications.models import Notification
from organizations.tests.factories import make_organization
from registrations.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)

KILLS = int(os.environ.get("KILLSTORM_KILLS", "3"))
PER_ORGANIZATION = int(os.environ.get("KILLSTORM_REGISTRATIONS", "5"))
SEED = int(os.environ.get("KILLSTORM_SEED", "16"))
ORGANIZATIONS = 3
# Emails per organization per run: two per registration, sent over five runs or more.
THROTTLE = max(2, PER_ORGANIZATION // 5)
# How long after it has started its run (its heartbeat row exists) a worker of the storm may
# be killed, at most: a random moment within the life of the last worker that finished by
# itself (a run takes from a tenth of a second to about two, with the work due and the load).
KILL_WITHIN_SECONDS = (0.05, 2.0)


def make_due_registrations() -> list[int]:
    """PER_ORGANIZATION unpaid registrations in each of three organizations, past their
    one-hour grace period: each run of the worker deletes them and emails registrant and
    administrator (G3)."""
    organization_ids = []
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        for _ in range(ORGANIZATIONS):
            organization = make_organization(
                grace_period_hours=1, admin_email="office@parks.example", notification_throttle=THROTTLE
            )
            offering = make_offering(organization, capacity=None)
            for _ in range(PER_ORGANIZATION):
                household = make_household(organization)
                participant = household.participants.first()
                add_to_cart(
                    household=household, offering_id=offering.pk, participant_id=participant.pk, channel="portal"
                )
                checkout(household=household, channel="portal")
            organization_ids.append(organization.pk)
    return organization_ids


def test_kill_storm_loses_nothing_and_does_nothing_twice(smtp, tmp_path, settings):
    settings.DEFAULT_FROM_EMAIL = "registrar@parks.example"
    make_due_registrations()
    env = worker_env(EMAIL_URL=smtp.url, DEFAULT_FROM_EMAIL=settings.DEFAULT_FROM_EMAIL)
    log = tmp_path / "storm.log"
    rng = random.Random(SEED)
    kills = late = started = 0
    kill_within = KILL_WITHIN_SECONDS[1]
    while kills < KILLS:
        workers = [start_worker("--once", "--interval", "1", env=env, log=log) for _ in range(rng.randint(1, 3))]
        started += len(workers)
        for worker in workers:
            # Killed at a random moment of its run (not during Python's start-up, where a kill
            # tests nothing): once its heartbeat exists, after a random delay.
            wait_for(
                lambda worker=worker: (
                    worker.poll() is not None or WorkerHeartbeat.objects.filter(pid=worker.pid).exists()
                ),
                timeout=120,
                what="a worker to start its run",
            )
            try:
                worker.wait(timeout=rng.uniform(0, kill_within))
            except subprocess.TimeoutExpired:
                kill(worker)
                if killed_alive(worker.pid):
                    kills += 1
                    continue
                late += 1
            kill_within = life_seconds(worker.pid) or kill_within

    registrations = Registration.objects.all()
    notices = Notification.objects.all()

    def finished() -> bool:
        return (
            not registrations.filter(deleted_at__isnull=True).exists() and not notices.exclude(status="sent").exists()
        )

    # Then workers that are left alone, one after the other, until the work is done; at least
    # one, which recovers the last ones killed.
    for _ in range(20):
        start_worker("--once", "--interval", "1", env=env, log=log).wait(timeout=120)
        if finished():
            break
    wait_for(finished, timeout=1, what=f"the work to be done; log:\n{log.read_text()[-3000:]}")

    deletions = Counter(AuditEvent.objects.filter(verb="registration.deleted").values_list("subject_id", flat=True))
    assert len(deletions) == ORGANIZATIONS * PER_ORGANIZATION  # none missed
    assert set(deletions.values()) == {1}  # none deleted twice
    keys = list(notices.values_list("key", flat=True))
    assert len(keys) == 2 * ORGANIZATIONS * PER_ORGANIZATION  # registrant and administrator, once each
    received = Counter(smtp.inbox.message_ids())
    assert set(received) == {message_id(key) for key in keys}  # none lost, none unknown
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills
    dead = WorkerHeartbeat.objects.filter(state=WorkerHeartbeat.State.DEAD).count()
    assert dead == kills  # every worker killed alive was found dead and recovered, once
    assert not WorkerHeartbeat.objects.filter(state=WorkerHeartbeat.State.ALIVE).exists()
    assert not JobRun.objects.filter(outcome=JobRun.Outcome.RUNNING).exists()
    # Workers killed in the middle of a job (the others between two jobs, or during recovery).
    mid_job = JobRun.objects.filter(outcome=JobRun.Outcome.DEAD).values("worker").distinct().count()
    print(  # noqa: T201 (the figures, shown with -s and by `make killstorm`)
        f"kill storm: workers={started} kills={kills} mid_job={mid_job} after_exit={late} dead_recovered={dead} "
        f"registrations={len(deletions)} emails={len(keys)} lost=0 deleted_twice=0 duplicate_emails={duplicates}"
    )


def life_seconds(pid: int) -> float | None:
    """How long the worker lived, from registering to stopping, if it finished by itself;
    within KILL_WITHIN_SECONDS."""
    lived = (
        WorkerHeartbeat.objects.filter(pid=pid, state=WorkerHeartbeat.State.STOPPED)
        .order_by("-started_at")
        .values_list("started_at", "stopped_at")
        .first()
    )
    if lived is None:
        return None
    low, high = KILL_WITHIN_SECONDS
    return min(high, max(low, (lived[1] - lived[0]).total_seconds()))


def killed_alive(pid: int) -> bool:
    """Whether the worker killed was still alive: its heartbeat was not stopped (a finished
    worker stops it before its interpreter exits)."""
    state = WorkerHeartbeat.objects.filter(pid=pid).order_by("-started_at").values_list("state", flat=True).first()
    return state != WorkerHeartbeat.State.STOPPED
