import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.logformat import use_json_logs
from jobs.worker import Worker

# Exit statuses of `worker --once` (README, "The worker").
EXIT_OK = 0  # every job did the work due, or had none, or the throttle deferred it
EXIT_FAILED = 1  # a job raised, could not be recorded, or had work due and could do none of it
EXIT_USAGE = 2  # bad command line (argparse's own status too)


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (expire carts, deliver emails, ...) every --interval seconds "
        "(WORKER_INTERVAL_SECONDS) until SIGTERM/SIGINT. Several workers may run at once; jobs "
        "coordinate through the database. --once exits 0 when the work due was done, 1 when a job "
        "failed or could do none of it, 2 on a bad command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run each job once and exit (for cron: run it every --interval seconds).",
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between runs, and the window of the notification throttle (default: "
            "WORKER_INTERVAL_SECONDS). With --once, how often cron starts it.",
        )
        parser.add_argument(
            "--log-format",
            choices=["text", "json"],
            default=None,
            help="text, or one JSON object per line (default: LOG_FORMAT).",
        )

    def handle(
        self, *args: object, once: bool, interval: int | None, log_format: str | None, verbosity: int, **options: object
    ) -> None:
        interval = settings.WORKER_INTERVAL_SECONDS if interval is None else interval
        if interval < 1:
            raise CommandError(f"The interval must be at least 1 second, not {interval}.", returncode=EXIT_USAGE)
        if (log_format or settings.LOG_FORMAT) == "json":
            use_json_logs()
        # The one line per run is logged at INFO when all went well: --verbosity 0 keeps a
        # cron job quiet unless something failed.
        logging.getLogger("jobs").setLevel(logging.WARNING if verbosity == 0 else logging.INFO)
        worker = Worker(interval=interval)
        if once:
            summary = worker.run_once()
            if summary.failed:
                raise CommandError(
                    "A job failed or could do none of the work due (see the log).", returncode=EXIT_FAILED
                )
            return
        names = ", ".join(job.name for job in worker.jobs)
        self.stdout.write(f"Worker {worker.name}: running {names} every {interval}s. Stop with Ctrl-C or SIGTERM.")
        try:
            worker.run_forever()
        except KeyboardInterrupt:
            self.stdout.write("Worker interrupted.")
            raise SystemExit(130) from None
        self.stdout.write("Worker stopped.")
