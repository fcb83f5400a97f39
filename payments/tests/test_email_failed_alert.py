"""N6: an email the mail server refuses for good becomes failed, is not retried by itself,
and raises one staff alert, with an email to the administrator when that can reach them."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from jobs.registry import JOBS
from jobs.worker import Worker
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning
from organizations.tests.factories import make_organization
from payments.models import StaffAlert
from payments.selectors import open_alerts

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


class RefusesTheFamilies(EmailBackend):
    """Refuses every recipient at family.example for good (550), as a server with no such mailbox."""

    def send_messages(self, messages):
        import smtplib

        for message in messages:
            if message.to[0].endswith("@family.example"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 No such mailbox here")})
        return super().send_messages(messages)


@pytest.fixture
def refusing(db, settings):
    settings.EMAIL_BACKEND = "payments.tests.test_email_failed_alert.RefusesTheFamilies"


def run_worker(at: dt.datetime):
    with time_machine.travel(at, tick=False):
        return Worker(interval=300, jobs=JOBS).run_once()


def test_n6_a_refused_email_fails_alerts_staff_once_and_emails_the_administrator(refusing):
    organization = make_organization(admin_email="office@parks.example")
    enqueue_warning(organization, "grace-warning-7", now=T0, to_email="rivera@family.example")

    summary = run_worker(T0)

    notification = Notification.objects.get(key="grace-warning-7")
    assert (notification.status, notification.failed_at) == ("failed", T0)
    [alert] = open_alerts(organization_id=organization.pk)
    assert (alert.kind, alert.notification_id) == (StaffAlert.Kind.EMAIL_FAILED, notification.pk)
    assert "rivera@family.example" in alert.message
    assert "550" in alert.message
    runs = {run.job: run for run in summary.runs}
    assert (runs["deliver_notifications"].outcome, runs["deliver_notifications"].note) == (
        "degraded",
        "1 refused for good (staff alerted)",
    )
    assert runs["alert_failed_emails"].count == 1
    assert not summary.failed  # a refused email is not a broken worker: `--once` exits 0

    # The administrator's email goes at the next run; the refused one never again.
    for minutes in (5, 65, 125):
        run_worker(T0 + dt.timedelta(minutes=minutes))
    [told] = mail.outbox
    assert told.to == ["office@parks.example"]
    assert "rivera@family.example" in told.body
    assert Notification.objects.get(key="grace-warning-7").attempts == 1
    assert StaffAlert.objects.count() == 1


def test_n6_no_email_about_a_failure_to_the_address_that_refuses(refusing):
    organization = make_organization(admin_email="office@family.example")
    enqueue_warning(organization, "to-the-office", now=T0, to_email="office@family.example")

    run_worker(T0)
    run_worker(T0 + dt.timedelta(minutes=5))

    assert StaffAlert.objects.filter(kind=StaffAlert.Kind.EMAIL_FAILED).count() == 1
    assert Notification.objects.count() == 1  # no alert email, so no alert about the alert email
    assert mail.outbox == []
