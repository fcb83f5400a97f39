import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from jobs.models import JobRun

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 20_000
# Rows deleted per statement when pruning, so that a first prune of a long history holds
# no long lock and no long transaction.
PRUNE_BATCH = 5_000


@dataclass(frozen=True)
class Job:
    """A periodic job: a plain callable that takes the instant of the run and returns how many
    things it acted on (or None). `jobs.registry.JOBS` lists them."""

    name: str
    run: Callable[[datetime], int | None]
    description: str = ""


def run_job(job: Job, *, worker: str = "", now: datetime | None = None) -> JobRun:
    """Run one job once and record the run. A job that raises is logged and recorded as
    failed, never re-raised, so one broken job cannot stop the others. Runs outside any
    transaction: each job's services own theirs."""
    started_at = timezone.now()
    run = JobRun.objects.create(job=job.name, worker=worker, started_at=started_at)
    try:
        count = job.run(now or started_at)
    except Exception:
        logger.exception("job %s failed", job.name)
        run.outcome = JobRun.Outcome.FAILED
        run.error = traceback.format_exc()[-ERROR_TEXT_LIMIT:]
    else:
        run.outcome = JobRun.Outcome.OK
        run.count = count
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "count", "error", "finished_at"])
    return run


def prune_job_runs(*, now: datetime, retention: timedelta | None = None) -> int:
    """Delete the records of job runs that started more than `retention` ago (by default
    JOB_RUN_RETENTION_DAYS), in batches: five jobs every five minutes is half a million rows
    a year per worker otherwise. Runs that are still marked running are kept whatever their
    age, because they are the trace of a worker that died mid-job. Returns how many it deleted."""
    if retention is None:
        retention = timedelta(days=settings.JOB_RUN_RETENTION_DAYS)
    old = JobRun.objects.filter(started_at__lt=now - retention).exclude(outcome=JobRun.Outcome.RUNNING)
    deleted = 0
    while batch := list(old.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH]):
        deleted += JobRun.objects.filter(pk__in=batch).delete()[0]
    return deleted
