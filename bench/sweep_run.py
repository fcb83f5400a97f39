"""bench/sweep.py's measured run: `manage.py worker --once` timed with its CPU, and the checks
that it did exactly the due work (or, idle, nothing)."""

import io
import time
from dataclasses import dataclass
from datetime import datetime

from bench_support import machine_busy, process_cpu
from sweep_db import THROTTLE, Layout, meta_int, scalar


@dataclass(frozen=True)
class Run:
    seconds: float
    jobs: dict[str, float]  # job name -> seconds, from its JobRun
    python_cpu: float  # CPU seconds of this process during the run
    postgres_cpu: float  # ... of its PostgreSQL backend (nan if it could not be read)
    others_cpu: float  # ... of everything else on the machine: the neighbours' noise

    def describe(self) -> str:
        jobs = ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.jobs.items())
        return (
            f"{self.seconds:.3f}s ({jobs}); cpu: python {self.python_cpu:.2f}s, postgres {self.postgres_cpu:.2f}s, "
            f"others {self.others_cpu:.2f}s"
        )


def run_worker() -> Run:
    """`manage.py worker --once`, in this process, timed from the call to its return."""
    from django.core import mail
    from django.core.management import CommandError, call_command

    from jobs.models import JobRun

    mail.outbox = []
    backend = scalar("SELECT pg_backend_pid()")
    before = (time.process_time(), process_cpu(backend, if_gone=float("nan")), machine_busy())
    started = time.perf_counter()
    try:
        call_command("worker", once=True, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        failed = JobRun.objects.exclude(outcome=JobRun.Outcome.OK).values_list("job", "error")
        details = "\n".join(f"--- {job}\n{text}" for job, text in failed)
        raise SystemExit(f"the worker run failed: {error}\n{details}") from None
    seconds = time.perf_counter() - started
    after = (time.process_time(), process_cpu(backend, if_gone=float("nan")), machine_busy())
    python_cpu, postgres_cpu, busy = (b - a for a, b in zip(before, after, strict=True))
    if scalar("SELECT pg_backend_pid()") != backend:
        postgres_cpu = float("nan")  # the connection was replaced during the run
    jobs = {
        run.job: (run.finished_at - run.started_at).total_seconds()
        for run in JobRun.objects.order_by("pk").only("job", "started_at", "finished_at")
    }
    return Run(
        seconds=seconds,
        jobs=jobs,
        python_cpu=python_cpu,
        postgres_cpu=postgres_cpu,
        others_cpu=max(busy - python_cpu - (0 if postgres_cpu != postgres_cpu else postgres_cpu), 0.0),
    )


def check_rows(layout: Layout, counts: dict[str, int]) -> None:
    """The tables hold the layout before a run: claims, carts and audit events exactly `size`
    rows, orders, lines and registrations one per background order and due registration."""
    orders = layout.background + layout.due
    expected = {"capacity_claim": layout.size, "carts_cart": layout.size, "audit_auditevent": layout.size}
    expected |= dict.fromkeys(("orders_order", "orders_orderline", "registrations_registration"), orders)
    wrong = [f"{table}: {counts[table]}, expected {n}" for table, n in expected.items() if counts[table] != n]
    if wrong:
        raise SystemExit("the tables do not hold the layout:\n  " + "\n  ".join(wrong))


def check_idle_run() -> None:
    from jobs.models import JobRun

    counts = dict(JobRun.objects.values_list("job", "count"))
    if any(counts.get(job) for job in ("expire_carts", "apply_grace_policies", "deliver_notifications")):
        raise SystemExit(f"a run with nothing due did something: {counts}")


def check_run(layout: Layout, since: datetime) -> None:
    """The run did exactly the due work: raise SystemExit if not."""
    from django.core import mail

    from jobs.models import JobRun

    p = {
        "since": since,
        "background": layout.background,
        "base": layout.base,
        "due": layout.due,
        "notifications": meta_int("notifications"),
    }
    due_regs = "id > %(background)s"
    due_carts = "id > %(base)s + %(due)s"
    checks = {
        "registrations deleted by the grace period": (
            scalar(
                f"SELECT count(*) FROM registrations_registration WHERE deleted_at >= %(since)s AND {due_regs}"
                " AND deleted_reason = 'grace_period'",
                p,
            ),
            layout.due,
        ),
        "registrations deleted in all": (
            scalar("SELECT count(*) FROM registrations_registration WHERE deleted_at >= %(since)s", p),
            layout.due,
        ),
        "claims cancelled": (
            scalar("SELECT count(*) FROM capacity_claim WHERE ended_at >= %(since)s AND state = 'cancelled'", p),
            layout.due,
        ),
        "carts expired": (
            scalar(
                f"SELECT count(*) FROM carts_cart WHERE closed_at >= %(since)s AND status = 'expired' AND {due_carts}",
                p,
            ),
            layout.due,
        ),
        "carts closed in all": (scalar("SELECT count(*) FROM carts_cart WHERE closed_at >= %(since)s", p), layout.due),
        "holds released": (
            scalar(
                f"SELECT count(*) FROM capacity_claim WHERE ended_at >= %(since)s AND state = 'released' AND {due_carts}",
                p,
            ),
            layout.due,
        ),
        "notices enqueued": (
            scalar("SELECT count(*) FROM notifications_notification WHERE id > %(notifications)s", p),
            2 * layout.due,
        ),
        "notices sent (N4 throttle)": (
            scalar(
                "SELECT count(*) FROM notifications_notification WHERE id > %(notifications)s AND status = 'sent'", p
            ),
            THROTTLE,
        ),
        "emails in the locmem outbox": (len(mail.outbox), THROTTLE),
    }
    counts = dict(JobRun.objects.values_list("job", "count"))
    checks |= {
        "expire_carts count": (counts.get("expire_carts"), layout.due),
        "apply_grace_policies count": (counts.get("apply_grace_policies"), layout.due),
        "deliver_notifications count": (counts.get("deliver_notifications"), THROTTLE),
    }
    wrong = [f"{name}: {got}, expected {expected}" for name, (got, expected) in checks.items() if got != expected]
    if wrong:
        raise SystemExit("the run did not do the due work:\n  " + "\n  ".join(wrong))
