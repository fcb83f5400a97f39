"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): the outbox survives the
server being down, a recipient refused for now or for good, and two workers running at once
(N1, N5, N6)."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection

from notifications import delivery as services
from notifications.delivery import BACKOFF_CAP, DeliveryReport, deliver_notifications, message_id
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning
from organizations.tests.factories import make_organization

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
INTERVAL = dt.timedelta(seconds=300)


def run(at: dt.datetime) -> int:
    return report(at).sent


def report(at: dt.datetime) -> DeliveryReport:
    with time_machine.travel(at, tick=False):
        return deliver_notifications(now=at, interval_seconds=300)


def test_n1_delivers_text_and_html_over_smtp(org, smtp_server):
    smtp_server.start()
    enqueue_warning(org, "grace-warning-1", now=T0, to_email="rivera@family.example")
    enqueue_warning(org, "grace-warning-2", now=T0, to_email="chen@family.example")

    assert run(T0) == 2

    first, second = smtp_server.inbox.messages
    assert (first["To"], second["To"]) == ("rivera@family.example", "chen@family.example")
    assert first["From"] == "registrar@parks.example"
    assert first["Message-ID"] == message_id("grace-warning-1")
    assert first["Subject"] == Notification.objects.get(key="grace-warning-1").subject
    assert first.get_content_type() == "multipart/alternative"
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "Wednesday 4 March 2026, 9:00 a.m. EST" in text
    assert "Wednesday 4 March 2026, 9:00 a.m. EST" in html
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


def test_n1_server_down_for_three_runs_then_up_every_email_arrives_once(org, smtp_server):
    keys = [f"grace-warning-{n}" for n in range(3)]
    for key in keys:
        enqueue_warning(org, key, now=T0)

    # Nothing listens on the port yet: three runs fail, each recording the attempt and
    # saying what waits and when it is tried again.
    for n, backoff_minutes in enumerate([1, 2, 4], start=1):
        at = T0 + (n - 1) * INTERVAL
        outcome = report(at)
        assert (outcome.sent, outcome.retrying, outcome.failed, outcome.waiting) == (0, 3, 0, 3)
        assert outcome.next_attempt_at == at + dt.timedelta(minutes=backoff_minutes)
        assert outcome.error.startswith("could not connect to the email server: ConnectionRefusedError")
        for notification in Notification.objects.order_by("key"):
            assert notification.status == Notification.Status.PENDING
            assert notification.attempts == n
            assert notification.last_error.startswith("ConnectionRefusedError")
            assert notification.next_attempt_at == at + dt.timedelta(minutes=backoff_minutes)
            assert notification.sent_at is None

    smtp_server.start()
    assert run(T0 + 3 * INTERVAL) == 3
    assert run(T0 + 4 * INTERVAL) == 0

    assert sorted(smtp_server.inbox.message_ids()) == sorted(message_id(key) for key in keys)
    for notification in Notification.objects.all():
        assert (notification.status, notification.attempts, notification.last_error) == ("sent", 4, "")
        assert notification.sent_at == T0 + 3 * INTERVAL


def test_n6_a_recipient_refused_for_good_fails_once_while_the_others_go_out(org, smtp_server):
    smtp_server.start()
    smtp_server.inbox.refused["no-such-family@family.example"] = "550 5.1.1 No such mailbox here"
    enqueue_warning(org, "a", now=T0, to_email="a@family.example")
    enqueue_warning(org, "refused", now=T0, to_email="no-such-family@family.example")
    enqueue_warning(org, "b", now=T0, to_email="b@family.example")

    outcome = report(T0)

    assert (outcome.sent, outcome.failed, outcome.retrying, outcome.waiting) == (2, 1, 0, 0)
    assert smtp_server.inbox.message_ids() == [message_id("a"), message_id("b")]
    refused = Notification.objects.get(key="refused")
    assert (refused.status, refused.attempts, refused.failed_at) == (Notification.Status.FAILED, 1, T0)
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert "550" in refused.last_error
    # Never retried by itself, however many runs follow.
    smtp_server.inbox.refused.clear()
    for n in range(1, 4):
        assert run(T0 + n * BACKOFF_CAP) == 0
    assert Notification.objects.get(key="refused").status == Notification.Status.FAILED
    assert smtp_server.inbox.message_ids() == [message_id("a"), message_id("b")]


def test_n1_a_recipient_refused_for_now_is_retried_while_the_others_go_out(org, smtp_server):
    smtp_server.start()
    smtp_server.inbox.refused["full-mailbox@family.example"] = "452 4.2.2 Mailbox full, try later"
    enqueue_warning(org, "a", now=T0, to_email="a@family.example")
    enqueue_warning(org, "refused", now=T0, to_email="full-mailbox@family.example")
    enqueue_warning(org, "b", now=T0, to_email="b@family.example")

    outcome = report(T0)

    assert (outcome.sent, outcome.failed, outcome.retrying, outcome.waiting) == (2, 0, 1, 1)
    assert outcome.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert smtp_server.inbox.message_ids() == [message_id("a"), message_id("b")]
    refused = Notification.objects.get(key="refused")
    assert (refused.status, refused.attempts) == (Notification.Status.PENDING, 1)
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert refused.next_attempt_at == T0 + dt.timedelta(minutes=1)

    smtp_server.inbox.refused.clear()
    assert run(T0 + INTERVAL) == 1
    assert smtp_server.inbox.message_ids() == [message_id("a"), message_id("b"), message_id("refused")]


@pytest.mark.django_db(transaction=True)
def test_n5_two_workers_at_once_send_each_email_once_within_the_throttle(smtp_server):
    """Two workers start the same run at the same instant, released together by a barrier,
    each with its own database and SMTP connections. Together they send each due notice
    exactly once and at most five per organization per run."""
    smtp_server.start()
    organizations = [make_organization(), make_organization()]
    keys = {organization.pk: [f"org{organization.pk}-{n:02d}" for n in range(12)] for organization in organizations}
    for organization in organizations:
        for n, key in enumerate(keys[organization.pk]):
            enqueue_warning(organization, key, now=T0 + dt.timedelta(seconds=n))

    per_run_totals, sent_per_organization = [], []
    for round_number in range(3):
        at = T0 + dt.timedelta(minutes=1) + round_number * INTERVAL
        per_run_totals.append(sum(run_concurrently(at, workers=2)))
        sent_per_organization.append(
            [
                Notification.objects.filter(organization=organization, status=Notification.Status.SENT).count()
                for organization in organizations
            ]
        )

    assert per_run_totals == [10, 10, 4]
    assert sent_per_organization == [[5, 5], [10, 10], [12, 12]]
    received = Counter(smtp_server.inbox.message_ids())
    assert set(received.values()) == {1}
    assert set(received) == {message_id(key) for organization_keys in keys.values() for key in organization_keys}
    assert Notification.objects.filter(status=Notification.Status.SENT, attempts=1).count() == 24


@pytest.mark.django_db(transaction=True)
def test_n5_negative_control_an_unlocked_claim_does_send_twice(smtp_server, monkeypatch):
    """Shows that the test above can fail: with a claim that reads and then updates without
    a lock, and both workers reading before either writes, the same emails go out twice."""
    smtp_server.start()
    organization = make_organization()
    for n in range(3):
        enqueue_warning(organization, f"dup-{n}", now=T0)
    both_have_read = threading.Barrier(2)

    def unlocked_claim(*, organization_id, now, window, lease_until, worker):
        ids = list(
            Notification.objects.filter(organization_id=organization_id, status="pending").values_list("pk", flat=True)
        )
        both_have_read.wait(timeout=30)
        Notification.objects.filter(pk__in=ids).update(status="sending", next_attempt_at=lease_until)
        return list(Notification.objects.filter(pk__in=ids).order_by("pk")), False

    monkeypatch.setattr(services, "_claim", unlocked_claim)
    run_concurrently(T0 + dt.timedelta(minutes=1), workers=2)

    assert Counter(smtp_server.inbox.message_ids()) == {message_id(f"dup-{n}"): 2 for n in range(3)}


def run_concurrently(at: dt.datetime, *, workers: int) -> list[int]:
    barrier = threading.Barrier(workers)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            sent = deliver_notifications(now=at, interval_seconds=300).sent
            with lock:
                results.append(sent)
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == workers
    return results
