from django.db import models


class JobRun(models.Model):
    """One run of one periodic job by one worker: bookkeeping only, never a lock. Jobs
    coordinate through the rows they work on (SKIP LOCKED, conditional UPDATEs), so any
    number of workers may run at once (N5)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"  # started and not finished (or the worker died)
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=80)
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid of the worker that ran it")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    count = models.PositiveIntegerField(null=True, blank=True, help_text="how many things the job acted on")
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Serves "when did this job last run, and how did it go" (admin, health checks).
            models.Index(fields=["job", "-started_at"], name="jobrun_job_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"
