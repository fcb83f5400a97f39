"""The email outbox (N1, N6): what goes in, and what staff may do with it.

`enqueue` writes a notice in the caller's transaction, so it exists exactly when the change
that caused it commits. Delivery (the worker's job) is `notifications.delivery`. Staff may
send a failed notice again or cancel one that is waiting (`retry_notification`,
`cancel_notification`), from the outbox page.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import Channel
from audit.services import record
from core.locale import organization_locale
from notifications.errors import NotificationNotFound, OutboxActionRefused
from notifications.models import Notification
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission

KINDS = frozenset(
    {
        "registrant_grace_warning",
        "registrant_deleted",
        "admin_incomplete",
        "admin_deleted",
        "staff_late_payment",
        "staff_overpayment",
        "staff_email_failed",
        "offering_cancelled",
        "registrant_receipt",  # N6: once per paid order
        "household_verify_email",  # a new account's address (portal sign-up)
        "password_reset",
        "registrant_pay_link",
        "rental_requested",
        "rental_approved",
        "rental_declined",
        "household_invite",
        "holds_released",
    }
)


# What a notice is rendered in, from its organization when the caller's context lacks it.
ORGANIZATION_KEYS = ("time_zone", "locale")


def organization_context(organization: Organization) -> dict[str, str]:
    """What every notice shows of its organization, and the time zone and locale it is rendered in."""
    return {"organization_name": organization.name, "time_zone": organization.time_zone, "locale": organization.locale}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def render_notification(*, kind: str, context: dict) -> RenderedEmail:
    """Render the subject, text and HTML of a notice in the organization's time zone and locale:
    datetimes in `context["time_zone"]` (an IANA name), money, numbers and month and day names
    in `context["locale"]` (a language code, decision 0025)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    with timezone.override(context["time_zone"]), organization_locale(context["locale"]):
        subject: str = render_to_string(f"notifications/{kind}.subject.txt", context)
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
    enqueued without an address. Rendered in the organization's time zone and locale, read from
    it unless the context brings them (`time_zone`, `locale`)."""
    if not to_email:
        return False
    if _is_enqueued(key):
        return False
    if not all(name in context for name in ORGANIZATION_KEYS):
        time_zone, locale = Organization.objects.values_list(*ORGANIZATION_KEYS).get(pk=organization_id)
        context = {"time_zone": time_zone, "locale": locale} | context
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


@dataclass(frozen=True)
class OutgoingNotice:
    """One notice for `enqueue_many`; `context` as `render_notification` takes it."""

    organization_id: int
    key: str
    kind: str
    to_email: str
    context: dict
    registration_id: int | None = None


def enqueue_many(notices: list[OutgoingNotice], *, now: datetime) -> int:
    """Put several notices in the outbox in two queries (N1: each key at most once; those
    without an address or already enqueued are skipped, a concurrent duplicate is ignored by
    the unique key). Runs inside the caller's transaction. Returns how many were new."""
    wanted = {n.key: n for n in notices if n.to_email}
    if not wanted:
        return 0
    existing = set(Notification.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    settings_of = {
        pk: {"time_zone": time_zone, "locale": locale}
        for pk, time_zone, locale in Organization.objects.filter(
            pk__in={n.organization_id for n in wanted.values()}
        ).values_list("pk", *ORGANIZATION_KEYS)
    }
    rows = []
    for notice in wanted.values():
        if notice.key in existing:
            continue
        rendered = render_notification(kind=notice.kind, context=settings_of[notice.organization_id] | notice.context)
        rows.append(
            Notification(
                organization_id=notice.organization_id,
                key=notice.key,
                kind=notice.kind,
                to_email=notice.to_email,
                subject=rendered.subject,
                body_text=rendered.body_text,
                body_html=rendered.body_html,
                registration_id=notice.registration_id,
                next_attempt_at=now,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _is_enqueued(key: str) -> bool:
    return Notification.objects.filter(key=key).exists()


# Staff may send again what failed or is waiting, and cancel what has not gone out yet; a
# notice being sent (claimed by a worker) is left alone, as is one already sent.
RETRYABLE = (Notification.Status.FAILED, Notification.Status.PENDING, Notification.Status.CANCELLED)
CANCELLABLE = (Notification.Status.FAILED, Notification.Status.PENDING)


@transaction.atomic(durable=True)
def retry_notification(*, membership: StaffMembership, notification_id: int) -> Notification:
    """Make a failed, cancelled or waiting notice due now (N6: failures are retried only by
    hand). Needs *manage settings*; audited."""
    return _staff_change(
        membership=membership,
        notification_id=notification_id,
        allowed=RETRYABLE,
        verb="notification.retried",
        status=Notification.Status.PENDING,
    )


@transaction.atomic(durable=True)
def cancel_notification(*, membership: StaffMembership, notification_id: int) -> Notification:
    """Never send this notice: it leaves the queue (and the failed list). Needs *manage
    settings*; audited."""
    return _staff_change(
        membership=membership,
        notification_id=notification_id,
        allowed=CANCELLABLE,
        verb="notification.cancelled",
        status=Notification.Status.CANCELLED,
    )


def _staff_change(
    *, membership: StaffMembership, notification_id: int, allowed: tuple[str, ...], verb: str, status: str
) -> Notification:
    require_permission(membership, Permission.MANAGE_SETTINGS)
    notification = (
        Notification.objects.select_for_update()
        .filter(organization_id=membership.organization_id, pk=notification_id)
        .first()
    )
    if notification is None:
        raise NotificationNotFound()
    if notification.status not in allowed:
        raise OutboxActionRefused(
            f"This email is {notification.get_status_display().lower()}; that cannot be changed now.",
            status=notification.status,
        )
    now = timezone.now()
    before = notification.status
    notification.status = status
    update_fields = ["status"]
    if status == Notification.Status.PENDING:
        notification.next_attempt_at, notification.failed_at = now, None
        update_fields += ["next_attempt_at", "failed_at"]
    notification.save(update_fields=update_fields)
    record(
        organization_id=notification.organization_id,
        verb=verb,
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="notification",
        subject_id=notification.pk,
        data={"before": before, "key": notification.key},
        now=now,
    )
    return notification
