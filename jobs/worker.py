"""The loop behind `manage.py worker`: run every job, wait, repeat, until told to stop.

Stopping is cooperative. SIGTERM or SIGINT sets a flag; the job that is running finishes
(its transactions are short) and the loop exits before the next one. A second Ctrl-C
(SIGINT) interrupts at once with KeyboardInterrupt; the open transaction, if any, rolls
back. Repeated SIGTERMs (a process group kill followed by a supervisor's) just stop.
A SIGINT that the parent set to be ignored (a background job of a shell, as in `make run`)
stays ignored, as is the convention.
"""

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.db import close_old_connections

from jobs import registry
from jobs.models import JobRun
from jobs.services import Job, run_job

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# How often a sleeping worker looks at its stop flag: the longest a stop can wait.
SLEEP_SLICE_SECONDS = 0.5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        *,
        interval: float,
        jobs: Sequence[Job] | None = None,
        on_run: Callable[[JobRun], None] | None = None,
    ) -> None:
        self.interval = interval
        self.jobs = list(registry.JOBS if jobs is None else jobs)
        self.on_run = on_run
        self.name = worker_name()
        self.stop_requested = False

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        # Only sets a flag: a signal handler must not take locks the interrupted code may hold.
        if self.stop_requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.stop_requested = True

    def run_once(self) -> list[JobRun]:
        """Run each job once, unless a stop is requested in between."""
        runs = []
        for job in self.jobs:
            if self.stop_requested:
                break
            try:
                run = run_job(job, worker=self.name)
            except Exception:
                # The bookkeeping itself failed (database away, say): try again next round.
                logger.exception("could not run or record job %s", job.name)
                continue
            runs.append(run)
            if self.on_run is not None:
                self.on_run(run)
        return runs

    def run_forever(self) -> None:
        """Run all jobs every `interval` seconds until SIGTERM or SIGINT."""
        with self._stop_on_signals():
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
