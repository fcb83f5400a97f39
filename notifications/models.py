from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """An email in the outbox (N1): written in the transaction of the change that causes it,
    delivered later by the worker, retried on failure. `key` is unique, so a notice is
    enqueued at most once however many runs or workers decide to send it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting to be sent: due at next_attempt_at
        SENDING = "sending", "Sending"  # claimed by `claimed_by` until next_attempt_at (the lease)
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # refused permanently by the mail server (N6): never retried by itself
        CANCELLED = "cancelled", "Cancelled"  # by staff, from the outbox page: never sent

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=1000, blank=True)
    # The worker (jobs.WorkerHeartbeat.name) whose claim this is while "sending", so that a
    # dead worker's claims are released at once instead of at the end of their lease.
    claimed_by = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves delivery and the outbox's health: what is due, per organization, oldest
            # first. Sent, failed and cancelled rows leave it.
            models.Index(
                fields=["organization", "next_attempt_at"],
                name="notification_queue_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # Serves the release of a dead worker's claims.
            models.Index(fields=["claimed_by"], name="notification_claim_idx", condition=Q(status="sending")),
            # Serves the outbox page's failed list and the staff alert of each failure (N6).
            models.Index(
                fields=["organization", "failed_at"], name="notification_failed_idx", condition=Q(status="failed")
            ),
            # Serves the N4 throttle: what one organization sent in the last interval.
            models.Index(fields=["organization", "sent_at"], name="notification_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email} ({self.status})"
