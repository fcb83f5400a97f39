import logging
import traceback
from datetime import datetime

from django.utils import timezone

from jobs.models import JobRun
from jobs.registry import Job

logger = logging.getLogger(__name__)

ERROR_TEXT_LIMIT = 20_000


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
