"""Delivery of the email outbox: the worker's job (N1, N4, N5, N6).

`deliver_notifications` sends what is due, oldest first, at most `notification_throttle` per
organization per worker interval, outside any transaction. Each notice is *claimed* first
(status "sending", `claimed_by` the worker, a short lease in `next_attempt_at`), so that two
workers never send it at once. A worker that dies mid-send has its claims released as soon as
it is known dead (`release_claims`, called by the worker's recovery), or else when the lease
runs out.

Delivery is at-least-once, and the window for a second copy is the time between the mail
server storing a message and this process recording it sent: SMTP has no way to make a
retry idempotent (README, "Email delivery"). Every attempt at one notice carries the same
Message-ID, so a receiver can drop a copy.

A temporary failure (server unreachable, 4xx) is retried with backoff and never dropped; a
permanent refusal (5xx for this message) marks the notice *failed*, for staff to see and
retry or cancel by hand (N6); it is never retried by itself.
"""

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from notifications.models import Notification
from organizations.models import Organization

logger = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(minutes=60)
# Runs do not start at exact multiples of the interval (the jobs before this one take more
# or less time), so the throttle window is a little shorter than the interval: a run that
# starts a few seconds early still gets its full quota, two overlapping workers still share one.
THROTTLE_WINDOW_FRACTION = 0.8
# When the email settings give no timeout, a dead SMTP server must not hang the worker.
DEFAULT_EMAIL_TIMEOUT_SECONDS = 30
ERROR_LIMIT = Notification._meta.get_field("last_error").max_length


class EmailNotAccepted(Exception):
    """The email backend returned without sending (and without saying why)."""


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did, and what it left waiting."""

    sent: int = 0
    retrying: int = 0  # attempts that failed for now: due again after a back-off
    failed: int = 0  # refused permanently in this run: now "failed" (N6)
    throttled_organizations: int = 0  # organizations at their limit with due notices left
    waiting: int = 0  # notices still queued after this run (due, deferred or backing off)
    next_attempt_at: datetime | None = None  # the earliest queued notice not yet due
    error: str = ""  # why sending stopped, e.g. the server could not be reached


def email_timeout() -> float:
    return getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT_SECONDS


def send_lease() -> timedelta:
    """How long a claim protects a notice from other workers: about the time one send may
    take (connect, then a few commands, each bounded by the email timeout). The lease is
    renewed before each message, so it never needs to cover a whole batch."""
    return timedelta(seconds=2 * email_timeout() + 10)


def deliver_notifications(*, now: datetime, interval_seconds: int, worker: str = "") -> DeliveryReport:
    """One background run (N4, N5): claim each organization's share of due notices (at most
    `notification_throttle` per `interval_seconds`, counting what any live worker sent or is
    sending in that window), then send them over one connection. Claims are taken in short
    transactions; nothing is sent inside one."""
    window = timedelta(seconds=interval_seconds * THROTTLE_WINDOW_FRACTION)
    lease_until = now + send_lease()
    organization_ids = list(
        Notification.objects.filter(_due(now))
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()
    )
    claimed: list[Notification] = []
    throttled = 0
    for organization_id in organization_ids:
        batch, at_limit = _claim(
            organization_id=organization_id, now=now, window=window, lease_until=lease_until, worker=worker
        )
        claimed.extend(batch)
        throttled += at_limit
    sent = retrying = failed = 0
    error = ""
    if claimed:
        sent, retrying, failed, error = _send_claimed(claimed, now=now, lease_until=lease_until)
    waiting, next_attempt_at = _queue_after(now)
    return DeliveryReport(
        sent=sent,
        retrying=retrying,
        failed=failed,
        throttled_organizations=throttled,
        waiting=waiting,
        next_attempt_at=next_attempt_at,
        error=error,
    )


def release_claims(*, worker: str, now: datetime) -> int:
    """Make the notices claimed by `worker`, now known dead, due again at once (their lease
    no longer means anything). Returns how many."""
    if not worker:
        return 0
    return Notification.objects.filter(status=Notification.Status.SENDING, claimed_by=worker).update(
        status=Notification.Status.PENDING, next_attempt_at=now, claimed_by=""
    )


def _due(now: datetime) -> Q:
    # A "sending" notice whose lease ran out (its worker died unnoticed) is due again as well.
    return Q(status__in=[Notification.Status.PENDING, Notification.Status.SENDING], next_attempt_at__lte=now)


def _claim(
    *, organization_id: int, now: datetime, window: timedelta, lease_until: datetime, worker: str
) -> tuple[list[Notification], bool]:
    """Claim this run's share of one organization's due notices; also whether the
    organization is at its limit with due notices left. The organization row lock makes
    counting and claiming one step per organization, so two workers running at once cannot
    both fill the throttle; a worker that finds the organization locked leaves it to the
    worker holding it. In flight counts the claims whose lease runs: a dead worker's were
    released before this run (jobs.services.recover_dead_workers)."""
    with transaction.atomic(durable=True):
        organization = (
            Organization.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(pk=organization_id)
            .only("pk", "notification_throttle")
            .first()
        )
        if organization is None:
            return [], False
        in_window = (
            Notification.objects.filter(organization_id=organization_id)
            .filter(Q(sent_at__gt=now - window) | Q(status=Notification.Status.SENDING, next_attempt_at__gt=now))
            .count()
        )
        budget = organization.notification_throttle - in_window
        due = Notification.objects.filter(_due(now), organization_id=organization_id)
        if budget <= 0:
            return [], True
        ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[: budget + 1])
        at_limit = len(ids) > budget
        ids = ids[:budget]
        # The conditions are repeated so the UPDATE itself decides: it only takes rows that
        # are still due, whatever happened since they were read.
        Notification.objects.filter(_due(now), pk__in=ids).update(
            status=Notification.Status.SENDING,
            next_attempt_at=lease_until,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        claimed = list(
            Notification.objects.filter(pk__in=ids, status=Notification.Status.SENDING, next_attempt_at=lease_until)
            .order_by("created_at", "pk")
            .only("pk", "key", "to_email", "subject", "body_text", "body_html", "attempts")
        )
        return claimed, at_limit


def _send_claimed(claimed: list[Notification], *, now: datetime, lease_until: datetime) -> tuple[int, int, int, str]:
    """Send the claimed notices; (sent, retrying, failed, why sending stopped)."""
    connection = get_connection(fail_silently=False, timeout=email_timeout())
    try:
        connection.open()
    except Exception as error:
        reason = f"could not connect to the email server: {_describe(error)}"
        logger.warning("%s", reason)
        for notification in claimed:
            _record_failure(notification, error=error, now=now, lease_until=lease_until)
        return 0, len(claimed), 0, reason
    sent = retrying = failed = 0
    reason = ""
    try:
        for notification in claimed:
            lease = _renew(notification, lease_until)
            if lease is None:
                continue  # released or taken over meanwhile: no longer ours to send
            try:
                connection.open()  # a no-op while open; reconnects after a failed message
                if _email(notification, connection).send() == 0:
                    raise EmailNotAccepted("the email backend sent nothing")
            except Exception as error:
                _reset_connection(connection)
                if is_permanent_refusal(error):
                    logger.warning("notification %s refused permanently: %s", notification.pk, _describe(error))
                    failed += _record_refusal(notification, error=error, lease_until=lease)
                else:
                    logger.warning("could not send notification %s: %s", notification.pk, _describe(error))
                    reason = f"could not send: {_describe(error)}"
                    _record_failure(notification, error=error, now=now, lease_until=lease)
                    retrying += 1
            else:
                sent += _record_success(notification, lease_until=lease)
    finally:
        _reset_connection(connection)
    return sent, retrying, failed, reason


def is_permanent_refusal(error: Exception) -> bool:
    """Whether the mail server refused this message for good (a 5xx reply to its recipient or
    its content), as opposed to a failure that may pass: the server unreachable, a 4xx, a
    refused sender or login (the installation's fault, not the message's)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _email(notification: Notification, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        connection=connection,
        headers={"Message-ID": message_id(notification.key), "Auto-Submitted": "auto-generated"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    return message


def message_id(key: str) -> str:
    """The same Message-ID for every attempt at one notice, so that a receiver can drop a
    copy sent again after a failure it could not see."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("<> ") or "registrar.invalid"
    return f"<{digest}@{domain}>"


def _renew(notification: Notification, lease_until: datetime) -> datetime | None:
    """Extend this worker's claim by one send lease, right before sending; None when the
    claim is no longer ours (released, or taken over after it ran out)."""
    renewed = max(timezone.now(), lease_until - send_lease()) + send_lease()
    if renewed == lease_until:
        return lease_until
    if _own_claim(notification, lease_until).update(next_attempt_at=renewed) == 0:
        return None
    return renewed


def _record_success(notification: Notification, *, lease_until: datetime) -> int:
    # Conditional on this worker's claim, so a late worker never overwrites a newer one.
    return _own_claim(notification, lease_until).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _record_failure(notification: Notification, *, error: Exception, now: datetime, lease_until: datetime) -> None:
    _own_claim(notification, lease_until).update(
        status=Notification.Status.PENDING,
        next_attempt_at=now + retry_delay(notification.attempts),
        claimed_by="",
        last_error=_describe(error)[:ERROR_LIMIT],
    )


def _record_refusal(notification: Notification, *, error: Exception, lease_until: datetime) -> int:
    return _own_claim(notification, lease_until).update(
        status=Notification.Status.FAILED,
        failed_at=timezone.now(),
        claimed_by="",
        last_error=_describe(error)[:ERROR_LIMIT],
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after a failed attempt: 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 16)), BACKOFF_CAP)


def _queue_after(now: datetime) -> tuple[int, datetime | None]:
    """How many notices are still queued, and when the earliest one not yet due will be."""
    queued = Notification.objects.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
    waiting = queued.count()
    if not waiting:
        return 0, None
    later = queued.filter(next_attempt_at__gt=now).aggregate(at=Min("next_attempt_at"))["at"]
    return waiting, later


def _own_claim(notification: Notification, lease_until: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING, next_attempt_at=lease_until
    )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _reset_connection(connection: BaseEmailBackend) -> None:
    """Close the connection, ignoring errors: after a failure it may be half broken, and
    the next message opens a fresh one."""
    try:
        connection.close()
    except Exception:
        logger.debug("error closing the email connection", exc_info=True)
