from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs.models import JobRun
from jobs.worker import Worker


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (expire carts, ...) every WORKER_INTERVAL_SECONDS until SIGTERM/SIGINT. "
        "Several workers may run at once; jobs coordinate through the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Run each job once and exit (for cron); exit status 1 if any failed."
        )
        parser.add_argument(
            "--interval", type=int, default=None, help="Seconds between runs (default: WORKER_INTERVAL_SECONDS)."
        )

    def handle(self, *args: object, once: bool, interval: int | None, verbosity: int, **options: object) -> None:
        interval = settings.WORKER_INTERVAL_SECONDS if interval is None else interval
        if interval < 1:
            raise CommandError(f"The interval must be at least 1 second, not {interval}.")
        self.verbosity = verbosity
        worker = Worker(interval=interval, on_run=self._report)
        if once:
            failed = [run.job for run in worker.run_once() if run.outcome != JobRun.Outcome.OK]
            if failed:
                raise CommandError(f"Job(s) failed: {', '.join(failed)} (see the log and the JobRun records).")
            return
        names = ", ".join(job.name for job in worker.jobs)
        self.stdout.write(f"Worker {worker.name}: running {names} every {interval}s. Stop with Ctrl-C or SIGTERM.")
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            self.stdout.write("Worker interrupted.")
            raise SystemExit(130) from None
        self.stdout.write("Worker stopped.")

    def _report(self, run: JobRun) -> None:
        if run.outcome == JobRun.Outcome.FAILED:
            last_line = run.error.strip().splitlines()[-1] if run.error.strip() else "error"
            self.stderr.write(f"{run.started_at:%H:%M:%S} {run.job}: FAILED: {last_line}")
        elif run.count or self.verbosity >= 2:
            seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
            self.stdout.write(f"{run.started_at:%H:%M:%S} {run.job}: {run.count} ({seconds:.2f}s)")
