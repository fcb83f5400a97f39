"""What staff and operators see of the outbox, and what staff may do with it (N6)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEvent
from notifications.delivery import deliver_notifications, send_lease
from notifications.errors import NotificationNotFound, OutboxActionRefused
from notifications.models import Notification
from notifications.selectors import outbox_health, outbox_notifications
from notifications.services import cancel_notification, retry_notification
from notifications.tests.factories import enqueue_warning
from organizations.errors import PermissionDenied
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def set_status(key: str, status: str, **fields) -> None:
    Notification.objects.filter(key=key).update(status=status, **fields)


def test_outbox_health_counts_each_state_and_the_oldest_waiting(org):
    for n, key in enumerate(["waiting-1", "waiting-2", "later", "sending", "failed", "sent", "cancelled"]):
        enqueue_warning(org, key, now=T0 + dt.timedelta(minutes=n))
    set_status("later", "pending", next_attempt_at=T0 + dt.timedelta(hours=1))
    set_status("sending", "sending", next_attempt_at=T0 + dt.timedelta(hours=1))
    set_status("failed", "failed", failed_at=T0)
    set_status("sent", "sent", sent_at=T0)
    set_status("cancelled", "cancelled")
    elsewhere = make_organization()
    enqueue_warning(elsewhere, "elsewhere", now=T0 - dt.timedelta(hours=2))

    now = T0 + dt.timedelta(minutes=30)
    health = outbox_health(now=now, organization_id=org.pk)

    assert (health.queued, health.due, health.sending, health.failed) == (3, 2, 1, 1)
    assert health.oldest_queued_at == T0
    assert health.oldest_due_age_seconds == 1800
    everyone = outbox_health(now=now)
    assert (everyone.queued, everyone.due, everyone.oldest_due_age_seconds) == (4, 3, 9000)
    assert outbox_health(now=now, organization_id=make_organization().pk).oldest_due_age_seconds == 0


def test_outbox_list_is_one_organizations_newest_first_and_filters_by_state(org):
    enqueue_warning(org, "first", now=T0)
    enqueue_warning(org, "second", now=T0 + dt.timedelta(minutes=1))
    enqueue_warning(make_organization(), "theirs", now=T0)
    set_status("first", "failed")

    assert [n.key for n in outbox_notifications(organization_id=org.pk)] == ["second", "first"]
    assert [n.key for n in outbox_notifications(organization_id=org.pk, status="failed")] == ["first"]


def test_n6_staff_retry_a_failed_email_and_it_is_sent_at_the_next_run(org):
    enqueue_warning(org, "refused", now=T0)
    set_status("refused", "failed", failed_at=T0, attempts=1, last_error="SMTPRecipientsRefused: 550")
    notification = Notification.objects.get()
    staff = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])

    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        retry_notification(membership=staff, notification_id=notification.pk)
        assert deliver_notifications(now=T0 + dt.timedelta(hours=2), interval_seconds=300).sent == 1

    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.failed_at) == ("sent", 2, None)
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(verb="notification.retried")
    assert (event.actor_id, event.subject_id, event.data["before"]) == (staff.user_id, notification.pk, "failed")


def test_n6_staff_cancel_a_waiting_email_and_it_is_never_sent(org):
    enqueue_warning(org, "unwanted", now=T0)
    notification = Notification.objects.get()
    staff = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])

    cancel_notification(membership=staff, notification_id=notification.pk)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert deliver_notifications(now=T0 + dt.timedelta(hours=1), interval_seconds=300).sent == 0

    assert Notification.objects.get().status == "cancelled"
    assert mail.outbox == []
    assert AuditEvent.objects.filter(verb="notification.cancelled", actor_id=staff.user_id).count() == 1


@pytest.mark.parametrize("status", ["sent", "sending"])
def test_n6_a_sent_email_or_one_being_sent_cannot_be_retried_or_cancelled(org, status):
    enqueue_warning(org, "gone", now=T0)
    set_status("gone", status, next_attempt_at=T0 + send_lease())
    notification = Notification.objects.get()
    staff = make_staff(org, permissions=[Permission.MANAGE_SETTINGS])

    for action in (retry_notification, cancel_notification):
        with pytest.raises(OutboxActionRefused):
            action(membership=staff, notification_id=notification.pk)
    assert Notification.objects.get().status == status
    assert not AuditEvent.objects.filter(subject_type="notification").exists()


def test_n6_outbox_actions_need_the_permission_and_stay_in_the_organization(org):
    enqueue_warning(org, "ours", now=T0)
    notification = Notification.objects.get()
    front_desk = make_staff(org, permissions=[Permission.ENROLL])
    other_admin = make_staff(make_organization(), permissions=[Permission.MANAGE_SETTINGS])

    with pytest.raises(PermissionDenied):
        cancel_notification(membership=front_desk, notification_id=notification.pk)
    with pytest.raises(NotificationNotFound):
        cancel_notification(membership=other_admin, notification_id=notification.pk)
    assert Notification.objects.get().status == "pending"
