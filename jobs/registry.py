"""The periodic jobs that `manage.py worker` runs. A job is a plain callable that takes the
run's context (jobs.services.JobContext: the instant, the worker's interval and name) and
returns how many things it acted on, or a JobResult that also says what failed, what waits
and why. Jobs are thin: each calls one service of a domain app, which owns its transactions
and its concurrency rules.
"""

from carts import services as cart_services
from core.words import counted
from imports import services as import_services
from jobs import services as job_services
from jobs.services import Job, JobContext, JobResult
from notifications import delivery as notification_delivery
from notifications.delivery import DeliveryReport
from payments import alerts as payment_alerts
from payments.providers import sandbox as sandbox_provider
from registrations import services as registration_services


def expire_carts(context: JobContext) -> int:
    return cart_services.expire_carts(now=context.now)


def apply_grace_policies(context: JobContext) -> int:
    return registration_services.apply_grace_policies(now=context.now)


def deliver_notifications(context: JobContext) -> JobResult:
    report = notification_delivery.deliver_notifications(
        now=context.now, interval_seconds=context.interval_seconds, worker=context.worker
    )
    return JobResult(
        done=report.sent,
        failed=report.retrying,
        gave_up=report.failed,
        waiting=report.waiting,
        retry_at=report.next_attempt_at if report.retrying else None,
        note=delivery_note(report),
    )


def delivery_note(report: DeliveryReport) -> str:
    """Why the run sent no more than it did, in a few words, and what waits."""
    parts = []
    if report.error:
        parts.append(report.error)
    if report.retrying:
        parts.append(f"{report.retrying} to retry")
    if report.failed:
        parts.append(f"{report.failed} refused for good (staff alerted)")
    if report.throttled_organizations:
        parts.append(f"throttled in {counted(report.throttled_organizations, 'organization', 'organizations')}")
    if report.waiting and parts:
        parts.append(f"{report.waiting} waiting")
    return "; ".join(parts)


def alert_failed_emails(context: JobContext) -> int:
    return payment_alerts.alert_failed_emails(now=context.now)


def deliver_sandbox_webhooks(context: JobContext) -> JobResult:
    report = sandbox_provider.deliver_sandbox_webhooks_report(now=context.now)
    return JobResult(
        done=report.delivered,
        failed=report.failed,
        waiting=report.waiting,
        retry_at=report.retry_at if report.failed else None,
        note=report.error,
    )


def apply_imports(context: JobContext) -> int:
    return import_services.apply_running_imports(now=context.now)


def prune_job_runs(context: JobContext) -> int:
    return job_services.prune_job_runs(now=context.now)


JOBS: list[Job] = [
    Job("expire_carts", expire_carts, "Close carts whose timer ran out and release their holds (T4)."),
    Job(
        "apply_grace_policies",
        apply_grace_policies,
        "Delete unpaid registrations whose grace period ran out and enqueue due notices (G1-G5, N2, N3).",
    ),
    Job("deliver_notifications", deliver_notifications, "Send due emails from the outbox, throttled (N1, N4, N5)."),
    Job("alert_failed_emails", alert_failed_emails, "Alert staff of each email the mail server refused for good (N6)."),
    Job("deliver_sandbox_webhooks", deliver_sandbox_webhooks, "Send the sandbox provider's due webhooks (demos)."),
    Job("apply_imports", apply_imports, "Continue started CSV imports chunk by chunk, 20 seconds a run at most."),
    Job("prune_job_runs", prune_job_runs, "Delete the worker's own run records older than JOB_RUN_RETENTION_DAYS."),
]


def job_names() -> list[str]:
    return [job.name for job in JOBS]
