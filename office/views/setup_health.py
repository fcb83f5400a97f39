"""Setup > Email outbox and Worker (issue 14, N1, N5, N6): what the outbox holds, retried and
cancelled by hand, and how the worker's jobs are doing; on the selectors and services of the
notifications and jobs apps (issue 16), which /health/ready and the metrics read too."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from jobs.selectors import WorkerHealth, expected_interval, job_health, worker_health, worker_is_stale
from notifications.models import Notification
from notifications.selectors import outbox_health, outbox_notifications
from notifications.services import cancel_notification, retry_notification
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from organizations.models import Permission
from ui.tables import Column, Table, Tag
from ui.templatetags.ui import instant

TONES = {"pending": "info", "sending": "info", "sent": "success", "failed": "error", "cancelled": "neutral"}


def worker_warning(health: WorkerHealth, now: datetime) -> dict[str, object] | None:
    """The office's warning that no worker runs (issue 14), or None: shown exactly when
    /health/ready says the worker is not ready (jobs.selectors.worker_is_stale), with when
    a worker was last seen (None: never)."""
    if not worker_is_stale(health, now=now):
        return None
    return {"last_seen_at": health.last_seen_at}


@staff_page(Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def outbox_page(request: OfficeRequest) -> HttpResponse:
    """The organization's emails by status; POST retry=<id> or cancel=<id> acts on one (N6)."""
    if request.method == "POST":
        action, raw = (
            ("retry", request.POST.get("retry", ""))
            if "retry" in request.POST
            else ("cancel", request.POST.get("cancel", ""))
        )
        act = retry_notification if action == "retry" else cancel_notification
        try:
            act(membership=request.membership, notification_id=int(raw) if raw.isdigit() else 0)
            messages.success(
                request, _("The email will be sent again.") if action == "retry" else _("The email was cancelled.")
            )
        except DomainError as refused:
            messages.error(request, str(refused))
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    if status not in Notification.Status.values:
        status = ""
    zone = request.organization.zone
    notices = outbox_notifications(organization_id=request.organization.pk, status=status or None)
    columns = [
        Column(_("Queued")),
        Column(_("To")),
        Column(_("Subject")),
        Column(_("Status")),
        Column(_("Tries"), numeric=True),
        Column(_("Last error")),
    ]

    def cells(n: Notification) -> list[object]:
        return [
            instant(n.created_at, zone),
            n.to_email,
            n.subject,
            Tag(n.get_status_display(), TONES.get(n.status, "neutral")),
            n.attempts,
            n.last_error[:200],
        ]

    if request.GET.get("format") == "csv":
        rows = [cells(n) for n in notices[:50_000]]
        return csv_response(Table(_("Outbox"), columns, rows), f"{request.organization.slug}-outbox.csv")
    page_obj = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/setup/outbox.html",
        {
            "health": outbox_health(now=timezone.now(), organization_id=request.organization.pk),
            "status": status,
            "notices": [(n, cells(n)) for n in page_obj],
            "columns": columns,
            "page_obj": page_obj,
            "statuses": Notification.Status.choices,
        },
    )


@staff_page(Permission.MANAGE_SETTINGS)
def worker_page(request: OfficeRequest) -> HttpResponse:
    now = timezone.now()
    zone = request.organization.zone
    health = worker_health(now=now)
    interval = expected_interval(health, settings.WORKER_INTERVAL_SECONDS)
    jobs = job_health(now=now, interval_seconds=interval)
    table = Table(
        _("The worker's jobs"),
        [
            Column(_("Job")),
            Column(_("Last run")),
            Column(_("Lag (minutes)"), numeric=True),
            Column(_("Outcome")),
            Column(_("Runs, 24 h"), numeric=True),
            Column(_("Failures, 24 h"), numeric=True),
            Column(_("Last error")),
        ],
        [
            [
                j.job,
                instant(j.last_run.started_at, zone) if j.last_run else _("never"),
                round(j.lag_seconds / 60),
                Tag(
                    j.last_run.get_outcome_display() if j.last_run else _("never ran"),
                    "error"
                    if j.last_run and j.last_run.outcome in ("failed", "dead")
                    else "success"
                    if j.last_run
                    else "neutral",
                ),
                j.runs_24h,
                j.failures_24h,
                (j.last_finished.error[:300] if j.last_finished else ""),
            ]
            for j in jobs
        ],
    )
    return render(request, "office/setup/worker.html", {"table": table, "worker_warning": worker_warning(health, now)})
