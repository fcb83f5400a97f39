"""N5: several workers at once never double-delete or double-send. Real threads, separate
connections, released together; on PostgreSQL row locks and SKIP LOCKED do the work, on
SQLite the IMMEDIATE write lock serialises them."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from audit.models import AuditEvent
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from jobs.registry import JOBS
from jobs.services import run_job
from notifications.models import Notification
from organizations.tests.factories import make_organization
from registrations.models import Registration

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def run_workers_at_once(count: int) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            barrier.wait(timeout=30)
            for job in JOBS:
                run = run_job(job, worker=name)
                if run.outcome != "ok":
                    errors.append(RuntimeError(run.error))
        except BaseException as exc:  # report, never lose, a thread's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_n5_two_workers_at_once_delete_once_and_send_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = make_organization(
        grace_period_hours=1,
        registration_notifications=True,
        admin_email="office@parks.example",
        notification_throttle=100,
    )
    offering = make_offering(org, capacity=None)
    with time_machine.travel(T0, tick=False):
        for _ in range(12):
            household = make_household(org)
            add_to_cart(
                household=household,
                offering_id=offering.pk,
                participant_id=household.participants.first().pk,
                channel="portal",
            )
            checkout(household=household, channel="portal")
    mail.outbox = []
    with time_machine.travel(T0 + timedelta(hours=1, minutes=1), tick=False):
        errors = run_workers_at_once(2)
    assert errors == []
    assert Registration.objects.filter(deleted_at__isnull=False).count() == 12
    assert AuditEvent.objects.filter(verb="registration.deleted").count() == 12  # each deleted once
    assert Notification.objects.count() == 24  # registrant + admin notice per registration, once each
    keys = [m.extra_headers.get("Message-ID") or m.message()["Message-ID"] for m in mail.outbox]
    assert len(mail.outbox) == 24
    assert len(set(keys)) == 24  # no email sent twice
