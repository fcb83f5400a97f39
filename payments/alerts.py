"""Staff alerts raised by the background run: an email the mail server refused for good (N6).

The outbox marks such an email *failed* and never retries it by itself; this job raises one
`StaffAlert` per failed email (the one-to-one link makes a second impossible, whichever
worker looks) and, when the organization has an administrator address that is not the one
refusing, emails the administrator about it.
"""

from datetime import datetime

from django.db import transaction

from notifications.models import Notification
from notifications.services import enqueue, organization_context
from payments.models import StaffAlert

ALERT_BATCH = 100
ALERT_EMAIL_KIND = "staff_email_failed"


def alert_failed_emails(*, now: datetime) -> int:
    """Raise a staff alert for each failed email that has none yet (N6); returns how many.
    Each alert is written with its email notice in one short transaction."""
    pending = list(
        Notification.objects.filter(status=Notification.Status.FAILED, staff_alert__isnull=True)
        .order_by("failed_at", "pk")
        .values_list("pk", flat=True)[:ALERT_BATCH]
    )
    return sum(_alert_one(notification_id, now=now) for notification_id in pending)


@transaction.atomic(durable=True)
def _alert_one(notification_id: int, *, now: datetime) -> int:
    # Locked, then read again: another worker may have alerted it, or staff retried it.
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=notification_id, status=Notification.Status.FAILED, staff_alert__isnull=True)
        .select_related("organization")
        .first()
    )
    if notification is None:
        return 0
    organization = notification.organization
    error = notification.last_error or "refused"
    alert = StaffAlert.objects.create(
        organization_id=organization.pk,
        kind=StaffAlert.Kind.EMAIL_FAILED,
        message=f"The email “{notification.subject}” to {notification.to_email} was refused: {error}"[:1000],
        notification=notification,
        created_at=now,
    )
    # Never an email about an alert email that failed, nor to the address that refuses.
    if notification.kind != ALERT_EMAIL_KIND and organization.admin_email.lower() != notification.to_email.lower():
        enqueue(
            organization_id=organization.pk,
            key=f"staff_alert:{alert.pk}",
            kind=ALERT_EMAIL_KIND,
            to_email=organization.admin_email,
            context=organization_context(organization)
            | {
                "to_email": notification.to_email,
                "subject": notification.subject,
                "error": error,
                "failed_at": notification.failed_at,
            },
            now=now,
        )
    return 1
