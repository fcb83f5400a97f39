"""Worker heartbeats and crash recovery (N5; issue 16).

Every worker process has a `WorkerHeartbeat` row that it updates every `beat_seconds` while
it lives, also while a long job runs and while it sleeps between runs. A worker is presumed
dead when its row has not been updated for `STALE_BEATS` beats (a few seconds, whatever the
interval), or at once when it ran on this machine and its process no longer exists.

At the start of each run, a worker recovers the dead ones: it marks each dead (one worker
wins, by a conditional UPDATE), marks its running job records dead, and releases its email
claims so that they are due at once instead of at the end of their lease. The throttle then
counts only the claims of live workers.
"""

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction

from core.words import counted
from jobs.models import JobRun, WorkerHeartbeat
from notifications.delivery import release_claims

logger = logging.getLogger(__name__)

# The longest wait between two beats: a worker with a 5-minute interval beats every 10 s.
BEAT_MAX_SECONDS = 10.0
BEAT_MIN_SECONDS = 1.0
# Missed beats before a worker is presumed dead.
STALE_BEATS = 3


def beat_seconds(interval_seconds: float) -> float:
    """How often a worker with this interval beats: a third of the interval, between 1 and 10 s."""
    return min(BEAT_MAX_SECONDS, max(BEAT_MIN_SECONDS, interval_seconds / 3))


def stale_after(interval_seconds: float) -> timedelta:
    return timedelta(seconds=STALE_BEATS * beat_seconds(interval_seconds))


def new_worker_name() -> str:
    """host:pid:random. The random part tells apart two workers that got the same pid (a
    container restarted: each runs as pid 1 on the same host name)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def process_scope() -> str:
    """What identifies the set of processes this one can see: host name, boot and PID
    namespace. Empty where /proc does not tell (then no worker judges another by its pid)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return f"{socket.gethostname()}/{boot}/{namespace}"


def process_is_gone(pid: int) -> bool:
    """Whether process `pid` (in this process's scope) has exited: no such process, or a
    zombie waiting for its parent to collect it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    except (OSError, IndexError):
        return False
    return state in {"Z", "X"}


def register_worker(*, name: str, interval_seconds: int, now: datetime) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        name=name,
        host=name.split(":", 1)[0],
        pid=os.getpid(),
        scope=process_scope(),
        interval_seconds=interval_seconds,
        started_at=now,
        seen_at=now,
        expires_at=now + stale_after(interval_seconds),
    )


def beat(*, name: str, interval_seconds: int, now: datetime) -> bool:
    """Record that this worker is alive. False when another worker had presumed it dead
    (it could not beat for a while): it is alive again from now on, but its claims were
    released, so what it sends next may go out twice."""
    expires_at = now + stale_after(interval_seconds)
    alive = WorkerHeartbeat.objects.filter(name=name, state=WorkerHeartbeat.State.ALIVE)
    if alive.update(seen_at=now, expires_at=expires_at):
        return True
    revived = WorkerHeartbeat.objects.filter(name=name).update(
        state=WorkerHeartbeat.State.ALIVE, seen_at=now, expires_at=expires_at, stopped_at=None
    )
    if not revived:
        register_worker(name=name, interval_seconds=interval_seconds, now=now)
    logger.error("worker %s was presumed dead by another worker; its claims were released", name)
    return False


def stop_worker(*, name: str, now: datetime) -> None:
    """A clean exit: the worker is no longer expected to beat."""
    WorkerHeartbeat.objects.filter(name=name, state=WorkerHeartbeat.State.ALIVE).update(
        state=WorkerHeartbeat.State.STOPPED, seen_at=now, stopped_at=now
    )


def is_presumed_dead(heartbeat: WorkerHeartbeat, *, now: datetime, scope: str) -> bool:
    if heartbeat.expires_at <= now:
        return True
    return bool(scope) and heartbeat.scope == scope and process_is_gone(heartbeat.pid)


def recover_dead_workers(*, now: datetime, me: str = "") -> list[str]:
    """Find the workers presumed dead, and for each: mark it dead, mark its running job
    records dead, release its email claims. Each dead worker is recovered by exactly one
    worker, in one transaction. Returns the names recovered by this call."""
    scope = process_scope()
    candidates = WorkerHeartbeat.objects.filter(state=WorkerHeartbeat.State.ALIVE).exclude(name=me)
    recovered = []
    for heartbeat in candidates.only("pk", "name", "pid", "scope", "seen_at", "expires_at"):
        if not is_presumed_dead(heartbeat, now=now, scope=scope):
            continue
        with transaction.atomic(durable=True):
            taken = WorkerHeartbeat.objects.filter(pk=heartbeat.pk, state=WorkerHeartbeat.State.ALIVE).update(
                state=WorkerHeartbeat.State.DEAD, stopped_at=now
            )
            if not taken:
                continue  # another worker recovered it first
            runs = JobRun.objects.filter(worker=heartbeat.name, outcome=JobRun.Outcome.RUNNING).update(
                outcome=JobRun.Outcome.DEAD, finished_at=now, note="its worker died during the run"
            )
            released = release_claims(worker=heartbeat.name, now=now)
        logger.warning(
            "worker %s is dead (last beat %s): %s marked dead, %s released",
            heartbeat.name,
            f"{heartbeat.seen_at:%H:%M:%S}",
            counted(runs, "running job", "running jobs"),
            counted(released, "email claim", "email claims"),
            extra={"event": "worker.recovered", "dead_worker": heartbeat.name, "runs": runs, "released": released},
        )
        recovered.append(heartbeat.name)
    return recovered
