"""The email outbox (N1, N4, N5).

`enqueue` writes a notice in the caller's transaction, so it exists exactly when the change
that caused it commits. `deliver_notifications` is the background run that sends what is
due: throttled per organization, claimed so that concurrent workers never send one notice
twice, sent outside any transaction, retried with backoff and never dropped.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification
from organizations.models import Organization

logger = logging.getLogger(__name__)

KINDS = frozenset(
    {
        "registrant_grace_warning",
        "registrant_deleted",
        "admin_incomplete",
        "admin_deleted",
        "staff_late_payment",
        "staff_overpayment",
    }
)

# A notice claimed by a worker is "sending" until this lease ends; if the worker was
# killed mid-run, the notice becomes due again then. Far longer than a run can take.
CLAIM_LEASE = timedelta(minutes=10)
# A worker stops sending the notices it claimed once this much real time has passed, so a
# notice is never sent by a slow worker after its lease ran out and another worker took it.
SEND_DEADLINE_SECONDS = CLAIM_LEASE.total_seconds() * 0.8
BACKOFF_CAP = timedelta(minutes=60)
# Runs do not start at exact multiples of the interval (the jobs before this one take more
# or less time), so the throttle window is a little shorter than the interval: a run that
# starts a few seconds early still gets its full quota, two overlapping workers still share one.
THROTTLE_WINDOW_FRACTION = 0.8
# When the email settings give no timeout, a dead SMTP server must not hang the worker.
DEFAULT_EMAIL_TIMEOUT_SECONDS = 30


class EmailNotAccepted(Exception):
    """The email backend returned without sending (and without saying why)."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def render_notification(*, kind: str, context: dict) -> RenderedEmail:
    """Render the subject, text and HTML of a notice. Datetimes in the context are shown in
    the organization's time zone, `context["time_zone"]` (an IANA name)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    with timezone.override(context["time_zone"]):
        subject = render_to_string(f"notifications/{kind}.subject.txt", context)
        body_text = render_to_string(f"notifications/{kind}.txt", context)
        body_html = render_to_string(f"notifications/{kind}.html", context)
    subject = " ".join(subject.split())[: Notification._meta.get_field("subject").max_length]
    return RenderedEmail(subject=subject, body_text=_tidy_text(body_text), body_html=body_html.strip() + "\n")


def _tidy_text(text: str) -> str:
    """Drop the trailing spaces and extra blank lines that template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def enqueue(
    *,
    organization_id: int,
    key: str,
    kind: str,
    to_email: str,
    context: dict,
    now: datetime,
    registration_id: int | None = None,
) -> bool:
    """Put one notice in the outbox unless a notice with this `key` exists (N1); True if it
    was added. Runs inside the caller's transaction and never breaks it: a duplicate key,
    even one inserted by a concurrent transaction, only rolls back a savepoint. Nothing is
    enqueued without an address."""
    if not to_email:
        return False
    if _is_enqueued(key):
        return False
    if "time_zone" not in context:
        context = context | {
            "time_zone": Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
        }
    rendered = render_notification(kind=kind, context=context)
    try:
        with transaction.atomic():
            Notification.objects.create(
                organization_id=organization_id,
                key=key,
                kind=kind,
                to_email=to_email,
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                registration_id=registration_id,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        # Another transaction enqueued the same key between the check and the insert (on
        # PostgreSQL the insert waited for it to commit). Anything else is a real error.
        if _is_enqueued(key):
            return False
        raise
    return True


def _is_enqueued(key: str) -> bool:
    return Notification.objects.filter(key=key).exists()


def deliver_notifications(*, now: datetime, interval_seconds: int | None = None) -> int:
    """One background run (N4, N5): send the due notices, oldest first, at most
    `organization.notification_throttle` per organization per interval, counting what any
    worker sent in that window. Claims are taken in short transactions; the emails go out
    after they commit, over one connection. Returns how many were sent."""
    if interval_seconds is None:
        interval_seconds = settings.WORKER_INTERVAL_SECONDS
    window = timedelta(seconds=interval_seconds * THROTTLE_WINDOW_FRACTION)
    lease_until = now + CLAIM_LEASE
    organization_ids = list(
        Notification.objects.filter(_due(now))
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
        .distinct()
    )
    claimed: list[Notification] = []
    for organization_id in organization_ids:
        claimed.extend(_claim(organization_id=organization_id, now=now, window=window, lease_until=lease_until))
    if not claimed:
        return 0
    return _send_claimed(claimed, now=now, lease_until=lease_until)


def _due(now: datetime) -> Q:
    # A "sending" notice whose lease ran out (its worker died) is due again as well.
    return ~Q(status=Notification.Status.SENT) & Q(next_attempt_at__lte=now)


def _claim(*, organization_id: int, now: datetime, window: timedelta, lease_until: datetime) -> list[Notification]:
    """Claim this run's share of one organization's due notices: mark them "sending" with a
    lease. The organization row lock makes counting and claiming one step per organization,
    so two workers running at once cannot both fill the throttle; a worker that finds the
    organization locked leaves it to the worker holding it."""
    with transaction.atomic(durable=True):
        organization = (
            Organization.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(pk=organization_id)
            .only("pk", "notification_throttle")
            .first()
        )
        if organization is None:
            return []
        in_window = (
            Notification.objects.filter(organization_id=organization_id)
            .filter(Q(sent_at__gt=now - window) | Q(status=Notification.Status.SENDING, next_attempt_at__gt=now))
            .count()
        )
        budget = organization.notification_throttle - in_window
        if budget <= 0:
            return []
        ids = list(
            Notification.objects.filter(_due(now), organization_id=organization_id)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:budget]
        )
        # The conditions are repeated so the UPDATE itself decides: it only takes rows that
        # are still due, whatever happened since they were read.
        Notification.objects.filter(_due(now), pk__in=ids).update(
            status=Notification.Status.SENDING, next_attempt_at=lease_until, attempts=F("attempts") + 1
        )
        return list(
            Notification.objects.filter(pk__in=ids, status=Notification.Status.SENDING, next_attempt_at=lease_until)
            .order_by("created_at", "pk")
            .only("pk", "key", "to_email", "subject", "body_text", "body_html", "attempts")
        )


def _send_claimed(claimed: list[Notification], *, now: datetime, lease_until: datetime) -> int:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT_SECONDS
    connection = get_connection(fail_silently=False, timeout=timeout)
    started = time.monotonic()
    sent = 0
    try:
        connection.open()
    except Exception as error:
        logger.warning("could not connect to the email server: %s", error)
        for notification in claimed:
            _record_failure(notification, error=error, now=now, lease_until=lease_until)
        return 0
    try:
        for notification in claimed:
            if time.monotonic() - started > SEND_DEADLINE_SECONDS:
                # What is left stays claimed until the lease ends, then any worker retries it.
                logger.warning("delivery run too slow; leaving the remaining notices for a later run")
                break
            try:
                connection.open()  # a no-op while open; reconnects after a failed message
                if _email(notification, connection).send() == 0:
                    raise EmailNotAccepted("the email backend sent nothing")
            except Exception as error:
                logger.warning("could not send notification %s: %s", notification.pk, error)
                _record_failure(notification, error=error, now=now, lease_until=lease_until)
                _reset_connection(connection)
            else:
                sent += _record_success(notification, lease_until=lease_until)
    finally:
        _reset_connection(connection)
    return sent


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


def _record_success(notification: Notification, *, lease_until: datetime) -> int:
    # Conditional on this worker's claim, so a late worker never overwrites a newer one.
    return _own_claim(notification, lease_until).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _record_failure(notification: Notification, *, error: Exception, now: datetime, lease_until: datetime) -> None:
    _own_claim(notification, lease_until).update(
        status=Notification.Status.PENDING,
        next_attempt_at=now + retry_delay(notification.attempts),
        last_error=f"{type(error).__name__}: {error}"[: Notification._meta.get_field("last_error").max_length],
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after a failed attempt: 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 16)), BACKOFF_CAP)


def _own_claim(notification: Notification, lease_until: datetime):
    return Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING, next_attempt_at=lease_until
    )


def _reset_connection(connection: BaseEmailBackend) -> None:
    """Close the connection, ignoring errors: after a failure it may be half broken, and
    the next message opens a fresh one."""
    try:
        connection.close()
    except Exception:
        logger.debug("error closing the email connection", exc_info=True)
