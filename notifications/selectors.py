"""Reads of the outbox for the people who run Registrar: the outbox page, /health/ready and
the metrics all read the same numbers from here."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from notifications.models import Notification

QUEUED = (Notification.Status.PENDING, Notification.Status.SENDING)


@dataclass(frozen=True)
class OutboxHealth:
    """The state of one organization's outbox (or everyone's) at `now`."""

    now: datetime
    queued: int  # waiting to be sent: due now, deferred by the throttle, or backing off after a failure
    due: int  # of those, the ones whose time has come (the next run may send them)
    sending: int  # claimed by a worker right now
    failed: int  # refused permanently (N6): they wait for staff to retry or cancel them
    oldest_queued_at: datetime | None  # when the oldest queued notice was first due

    @property
    def oldest_due_age_seconds(self) -> float:
        """How long the oldest notice still queued has waited since it was first due (0 when
        nothing waits)."""
        if self.oldest_queued_at is None:
            return 0.0
        return max((self.now - self.oldest_queued_at).total_seconds(), 0.0)


def outbox_health(*, now: datetime, organization_id: int | None = None) -> OutboxHealth:
    """Counts of one organization's outbox, or of every organization's when
    `organization_id` is None (health checks and metrics), in one query."""
    rows = Notification.objects.filter(status__in=[*QUEUED, Notification.Status.FAILED])
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    queued = Q(status__in=QUEUED)
    counts = rows.aggregate(
        queued=Count("pk", filter=queued & ~Q(status=Notification.Status.SENDING, next_attempt_at__gt=now)),
        due=Count("pk", filter=queued & Q(next_attempt_at__lte=now)),
        sending=Count("pk", filter=Q(status=Notification.Status.SENDING, next_attempt_at__gt=now)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        # A notice is first due when it is enqueued (`created_at`); retries move
        # next_attempt_at on, not how long it has been waiting.
        oldest=Min("created_at", filter=queued & Q(created_at__lte=now)),
    )
    return OutboxHealth(
        now=now,
        queued=counts["queued"],
        due=counts["due"],
        sending=counts["sending"],
        failed=counts["failed"],
        oldest_queued_at=counts["oldest"],
    )


def outbox_notifications(*, organization_id: int, status: str | None = None) -> QuerySet[Notification]:
    """One organization's notices for the outbox page, newest first; `status` filters
    (pending, sending, sent, failed, cancelled)."""
    rows = Notification.objects.filter(organization_id=organization_id).defer("body_text", "body_html")
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")
