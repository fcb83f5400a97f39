import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from jobs.models import JobRun, WorkerHeartbeat

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 20_000
NOTE_LIMIT = JobRun._meta.get_field("note").max_length
# Rows deleted per statement when pruning, so that a first prune of a long history holds
# no long lock and no long transaction.
PRUNE_BATCH = 5_000


@dataclass(frozen=True)
class JobContext:
    """What a job is told about its run: the instant, the worker's interval (the one value the
    loop sleeps and the notification throttle counts by) and the worker's name (its claims)."""

    now: datetime
    interval_seconds: int
    worker: str = ""


@dataclass(frozen=True)
class JobResult:
    """What a job did, and what it could not do. A job may also return a plain count."""

    done: int
    failed: int = 0  # things it tried and could not do this run; they wait and are retried
    gave_up: int = 0  # things that failed for good this run (e.g. an email refused: staff are alerted)
    waiting: int = 0  # things still waiting after the run (deferred, or backing off)
    retry_at: datetime | None = None  # when what failed is tried again
    note: str = ""  # why nothing, or not everything, was done

    @property
    def outcome(self) -> str:
        """FAILED when work was due and none of it could be done; DEGRADED when some of it
        failed; OK otherwise (nothing due, or deferred by a throttle, is not a failure)."""
        if self.failed and not self.done and not self.gave_up:
            return JobRun.Outcome.FAILED
        if self.failed or self.gave_up:
            return JobRun.Outcome.DEGRADED
        return JobRun.Outcome.OK


@dataclass(frozen=True)
class Job:
    """A periodic job: a plain callable that takes the run's context and returns how many
    things it acted on, a JobResult, or None. `jobs.registry.JOBS` lists them."""

    name: str
    run: Callable[[JobContext], "int | JobResult | None"]
    description: str = ""


def run_job(job: Job, *, worker: str = "", now: datetime | None = None, interval_seconds: int | None = None) -> JobRun:
    """Run one job once and record the run. A job that raises is logged and recorded as
    failed, never re-raised, so one broken job cannot stop the others. Runs outside any
    transaction: each job's services own theirs."""
    started_at = timezone.now()
    run = JobRun.objects.create(job=job.name, worker=worker, started_at=started_at)
    context = JobContext(
        now=now or started_at,
        interval_seconds=interval_seconds or settings.WORKER_INTERVAL_SECONDS,
        worker=worker,
    )
    try:
        returned = job.run(context)
    except Exception:
        logger.exception("job %s failed", job.name)
        run.outcome = JobRun.Outcome.FAILED
        run.error = traceback.format_exc()[-ERROR_TEXT_LIMIT:]
        run.note = run.error.strip().splitlines()[-1][:NOTE_LIMIT]
    else:
        result = returned if isinstance(returned, JobResult) else JobResult(done=returned or 0)
        run.outcome = result.outcome
        run.count, run.waiting, run.retry_at = result.done, result.waiting, result.retry_at
        run.note = result.note[:NOTE_LIMIT]
    run.finished_at = timezone.now()
    # Also over a "dead" that another worker wrote meanwhile: this worker was alive after all.
    run.save(update_fields=["outcome", "count", "waiting", "retry_at", "note", "error", "finished_at"])
    return run


def prune_job_runs(*, now: datetime, retention: timedelta | None = None) -> int:
    """Delete the records of job runs that started more than `retention` ago (by default
    JOB_RUN_RETENTION_DAYS), in batches: five jobs every five minutes is half a million rows
    a year per worker otherwise; and the heartbeats of workers that stopped or died that long
    ago. Runs that are still marked running are kept whatever their age. Returns how many
    runs it deleted."""
    if retention is None:
        retention = timedelta(days=settings.JOB_RUN_RETENTION_DAYS)
    old = JobRun.objects.filter(started_at__lt=now - retention).exclude(outcome=JobRun.Outcome.RUNNING)
    deleted = 0
    while batch := list(old.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH]):
        deleted += JobRun.objects.filter(pk__in=batch).delete()[0]
    WorkerHeartbeat.objects.exclude(state=WorkerHeartbeat.State.ALIVE).filter(seen_at__lt=now - retention).delete()
    return deleted
