"""The periodic jobs that `manage.py worker` runs. A job is a plain callable that takes the
instant of the run and returns how many things it acted on (or None). Jobs are thin: each
calls one service of a domain app, which owns its transactions and its concurrency rules.
"""

from datetime import datetime

from carts import services as cart_services
from jobs import services as job_services
from jobs.services import Job
from notifications import services as notification_services
from payments.providers import sandbox as sandbox_provider
from registrations import services as registration_services


def expire_carts(now: datetime) -> int:
    return cart_services.expire_carts(now=now)


def apply_grace_policies(now: datetime) -> int:
    return registration_services.apply_grace_policies(now=now)


def deliver_notifications(now: datetime) -> int:
    return notification_services.deliver_notifications(now=now)


def deliver_sandbox_webhooks(now: datetime) -> int:
    return sandbox_provider.deliver_sandbox_webhooks(now=now)


def prune_job_runs(now: datetime) -> int:
    return job_services.prune_job_runs(now=now)


JOBS: list[Job] = [
    Job("expire_carts", expire_carts, "Close carts whose timer ran out and release their holds (T4)."),
    Job(
        "apply_grace_policies",
        apply_grace_policies,
        "Delete unpaid registrations whose grace period ran out and enqueue due notices (G1-G5, N2, N3).",
    ),
    Job("deliver_notifications", deliver_notifications, "Send due emails from the outbox, throttled (N1, N4, N5)."),
    Job("deliver_sandbox_webhooks", deliver_sandbox_webhooks, "Send the sandbox provider's due webhooks (demos)."),
    Job("prune_job_runs", prune_job_runs, "Delete the worker's own run records older than JOB_RUN_RETENTION_DAYS."),
]


def job_names() -> list[str]:
    return [job.name for job in JOBS]
