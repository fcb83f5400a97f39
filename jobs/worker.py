"""The loop behind `manage.py worker`: recover dead workers, run every job, log one line,
wait, repeat, until told to stop.

Stopping is cooperative. SIGTERM or SIGINT sets a flag; the job that is running finishes
(its transactions are short) and the loop exits before the next one. A second Ctrl-C
(SIGINT) interrupts at once with KeyboardInterrupt; the open transaction, if any, rolls
back. Repeated SIGTERMs (a process group kill followed by a supervisor's) just stop.
A SIGINT that the parent set to be ignored (a background job of a shell, as in `make run`)
stays ignored, as is the convention.

While the worker lives, a thread of its own updates its heartbeat (jobs.heartbeats), also
during a long job and during the sleep between runs. A worker started inside a transaction
(the test suite's) cannot beat from another connection, which would wait for that
transaction: it beats from its own thread at each job instead.
"""

import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, connections
from django.utils import timezone

from jobs import heartbeats, registry
from jobs.models import JobRun
from jobs.services import Job, run_job

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# How often a sleeping worker looks at its stop flag: the longest a stop can wait.
SLEEP_SLICE_SECONDS = 0.5
OUTCOME_RANK: dict[str, int] = {  # by JobRun.outcome, a plain string once read from the database
    JobRun.Outcome.OK: 0,
    JobRun.Outcome.DEGRADED: 1,
    JobRun.Outcome.FAILED: 2,
    JobRun.Outcome.DEAD: 2,
    JobRun.Outcome.RUNNING: 2,
}


@dataclass
class RunSummary:
    """One run of every job by one worker."""

    runs: list[JobRun] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # jobs that could not even be recorded
    recovered: list[str] = field(default_factory=list)  # dead workers this run recovered
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """A job failed (raised, or could do none of the work due) or could not be run at all."""
        return bool(self.unrecorded) or any(OUTCOME_RANK[run.outcome] >= 2 for run in self.runs)

    @property
    def degraded(self) -> bool:
        return any(run.outcome == JobRun.Outcome.DEGRADED for run in self.runs)


class Heartbeat:
    """Keeps one worker's heartbeat row fresh from a thread, or inline (see the module)."""

    def __init__(self, *, name: str, interval: int) -> None:
        self.name, self.interval = name, interval
        self.inline = False
        self.registered = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.inline = connection.in_atomic_block
        self._stop.clear()
        self.beat()
        if not self.inline:
            self._thread = threading.Thread(target=self._beat_until_stopped, name="heartbeat", daemon=True)
            self._thread.start()

    def beat(self) -> None:
        """One beat from the calling thread; registers the worker first if it is not yet."""
        now = timezone.now()
        try:
            if self.registered:
                heartbeats.beat(name=self.name, interval_seconds=self.interval, now=now)
            else:
                heartbeats.register_worker(name=self.name, interval_seconds=self.interval, now=now)
                self.registered = True
        except Exception:
            logger.exception("worker %s could not record its heartbeat", self.name)

    def beat_inline(self) -> None:
        if self.inline:
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=heartbeats.BEAT_MAX_SECONDS + 5)
            self._thread = None
        if self.registered:
            try:
                heartbeats.stop_worker(name=self.name, now=timezone.now())
            except Exception:
                logger.exception("worker %s could not record its stop", self.name)

    def _beat_until_stopped(self) -> None:
        try:
            while not self._stop.wait(heartbeats.beat_seconds(self.interval)):
                self.beat()
                close_old_connections()
        finally:
            connections.close_all()  # this thread's own connection


class Worker:
    def __init__(self, *, interval: int, jobs: Sequence[Job] | None = None) -> None:
        self.interval = interval
        self.jobs = list(registry.JOBS if jobs is None else jobs)
        self.name = heartbeats.new_worker_name()
        self.heartbeat = Heartbeat(name=self.name, interval=interval)
        self.stop_requested = False
        self.alive = False

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        # Only sets a flag: a signal handler must not take locks the interrupted code may hold.
        if self.stop_requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.stop_requested = True

    @contextmanager
    def living(self) -> Iterator[None]:
        """The worker's life: its heartbeat is registered and kept fresh inside."""
        self.heartbeat.start()
        self.alive = True
        try:
            yield
        finally:
            self.alive = False
            self.heartbeat.stop()

    def run_once(self) -> RunSummary:
        """Recover dead workers, then run each job once (unless a stop is requested in
        between), and log one line about it."""
        if not self.alive:
            with self.living():
                return self.run_once()
        started = time.monotonic()
        summary = RunSummary()
        self.heartbeat.beat()
        try:
            summary.recovered = heartbeats.recover_dead_workers(now=timezone.now(), me=self.name)
        except Exception:
            logger.exception("could not look for dead workers")
        for job in self.jobs:
            if self.stop_requested:
                break
            try:
                summary.runs.append(run_job(job, worker=self.name, interval_seconds=self.interval))
            except Exception:
                # The bookkeeping itself failed (database away, say): try again next round.
                logger.exception("could not run or record job %s", job.name)
                summary.unrecorded.append(job.name)
            self.heartbeat.beat_inline()
        summary.seconds = time.monotonic() - started
        log_run(self.name, summary)
        return summary

    def run_forever(self) -> None:
        """Run all jobs every `interval` seconds until SIGTERM or SIGINT."""
        with self._stop_on_signals(), self.living():
            while not self.stop_requested:
                started = time.monotonic()
                # A long-running process must drop connections that broke or outlived
                # CONN_MAX_AGE, as Django does around each request.
                close_old_connections()
                try:
                    self.run_once()
                finally:
                    close_old_connections()
                self._sleep_until(started + self.interval)

    def _sleep_until(self, deadline: float) -> None:
        while not self.stop_requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, SLEEP_SLICE_SECONDS))

    @contextmanager
    def _stop_on_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals are only delivered to the main thread; the caller stops us
            return
        previous = {
            signum: signal.signal(signum, self.request_stop)
            for signum in STOP_SIGNALS
            if signal.getsignal(signum) is not signal.SIG_IGN
        }
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def describe_run(run: JobRun) -> str:
    """`name count` and, when something is worth saying, why in brackets: the reason for a
    zero, what failed, what waits and when it is retried."""
    count = run.count if run.count is not None else 0
    details = []
    if run.outcome != JobRun.Outcome.OK:
        details.append(run.outcome)
    if why := reason(run):
        details.append(why)
    if run.retry_at is not None:
        details.append(f"retry at {run.retry_at:%Y-%m-%d %H:%M:%S} UTC")
    return f"{run.job} {count}" + (f" ({'; '.join(details)})" if details else "")


def reason(run: JobRun) -> str:
    """Why the run did what it did, as the job said; for a zero it did not explain, that
    nothing was due."""
    return run.note or ("" if run.count else "nothing due")


def log_run(worker: str, summary: RunSummary) -> None:
    """The one line per run: each job's count and the reason for a zero; as JSON fields too."""
    parts = [describe_run(run) for run in summary.runs]
    parts += [f"{name} (not run: the database could not record it)" for name in summary.unrecorded]
    level = logging.ERROR if summary.failed else logging.WARNING if summary.degraded else logging.INFO
    outcome = "failed" if summary.failed else "degraded" if summary.degraded else "ok"
    logger.log(
        level,
        "worker %s run %s in %.2fs: %s",
        worker,
        outcome,
        summary.seconds,
        ", ".join(parts) or "no jobs",
        extra={
            "event": "worker.run",
            "worker": worker,
            "outcome": outcome,
            "seconds": round(summary.seconds, 3),
            "recovered": summary.recovered,
            "jobs": [
                {
                    "job": run.job,
                    "outcome": run.outcome,
                    "count": run.count,
                    "waiting": run.waiting,
                    "retry_at": run.retry_at.isoformat() if run.retry_at else None,
                    "note": reason(run),
                }
                for run in summary.runs
            ]
            + [{"job": name, "outcome": "unrecorded"} for name in summary.unrecorded],
        },
    )
