from django.db import models
from django.db.models import Q


class JobRun(models.Model):
    """One run of one periodic job by one worker: bookkeeping only, never a lock. Jobs
    coordinate through the rows they work on (SKIP LOCKED, conditional UPDATEs), so any
    number of workers may run at once (N5)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"  # started and not finished
        OK = "ok", "Succeeded"  # did what was due (or nothing was due, or the throttle deferred it)
        DEGRADED = "degraded", "Degraded"  # did some of the work; some failed and waits (`note`)
        FAILED = "failed", "Failed"  # raised, or work was due and none of it could be done
        DEAD = "dead", "Worker died"  # its worker stopped beating mid-run

    job = models.CharField(max_length=80)
    worker = models.CharField(max_length=120, blank=True, help_text="the WorkerHeartbeat name of the worker")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    count = models.PositiveIntegerField(null=True, blank=True, help_text="how many things the job acted on")
    waiting = models.PositiveIntegerField(null=True, blank=True, help_text="how many things still wait after it")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="when what failed is tried again")
    note = models.CharField(max_length=500, blank=True, help_text="why nothing, or not everything, was done")
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Serves "when did this job last run, and how did it go" (admin, health checks).
            models.Index(fields=["job", "-started_at"], name="jobrun_job_recent_idx"),
            # Serves marking a dead worker's runs.
            models.Index(fields=["worker"], name="jobrun_running_idx", condition=Q(outcome="running")),
        ]

    def __str__(self) -> str:
        return f"{self.job} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class WorkerHeartbeat(models.Model):
    """One worker process: it beats every few seconds while it lives (`seen_at`), and is
    presumed dead once `expires_at` passes, or at once when it ran on this machine and its
    process is gone. A dead worker's claims are released and its running jobs marked dead
    by the next worker that notices (jobs.services.recover_dead_workers)."""

    class State(models.TextChoices):
        ALIVE = "alive", "Alive"
        STOPPED = "stopped", "Stopped"  # exited cleanly
        DEAD = "dead", "Dead"  # stopped beating; recovered by another worker

    name = models.CharField(max_length=120, unique=True, help_text="host:pid:random, as in claims and job runs")
    host = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    # Which processes this one can see (host, boot and PID namespace): a worker may test
    # whether another's process still exists only when they share it.
    scope = models.CharField(max_length=200, blank=True)
    interval_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ALIVE)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves recovery and readiness: the workers believed alive.
            models.Index(fields=["expires_at"], name="worker_alive_idx", condition=Q(state="alive")),
            models.Index(fields=["-seen_at"], name="worker_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"worker {self.name} ({self.state})"
