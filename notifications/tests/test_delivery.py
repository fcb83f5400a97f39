import datetime as dt

import pytest
import time_machine
from django.core import mail

from jobs.registry import deliver_notifications as deliver_job
from jobs.registry import job_names
from jobs.services import JobContext
from notifications.delivery import deliver_notifications, message_id, retry_delay, send_lease
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning
from organizations.tests.factories import make_organization

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
INTERVAL = dt.timedelta(seconds=300)
START = T0 + dt.timedelta(minutes=1)  # every notice of a burst enqueued at T0 is due


def run(at: dt.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return deliver_notifications(now=at, interval_seconds=300).sent


def enqueue_burst(organization, count: int, *, prefix: str, at: dt.datetime = T0) -> list[str]:
    keys = [f"{prefix}-{n:02d}" for n in range(count)]
    for n, key in enumerate(keys):
        # one second apart, so "oldest first" has a single right answer
        enqueue_warning(organization, key, now=at + dt.timedelta(seconds=n))
    return keys


def sent_keys() -> list[str]:
    by_message_id = {message_id(key): key for key in Notification.objects.values_list("key", flat=True)}
    return [by_message_id[message.extra_headers["Message-ID"]] for message in mail.outbox]


def test_n4_burst_of_30_is_spread_over_six_runs(org):
    keys = enqueue_burst(org, 30, prefix="burst")

    per_run = [run(START + n * INTERVAL) for n in range(7)]

    assert per_run == [5, 5, 5, 5, 5, 5, 0]
    assert sent_keys() == keys  # oldest first, each once
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}
    last_batch_sent_at = START + 5 * INTERVAL
    assert Notification.objects.get(key="burst-29").sent_at == last_batch_sent_at


def test_n4_organizations_are_throttled_independently(db):
    riverside, lakeside = make_organization(), make_organization()
    enqueue_burst(riverside, 7, prefix="riverside")
    enqueue_burst(lakeside, 7, prefix="lakeside")

    assert run(START) == 10
    sent = sent_keys()
    assert sorted(key.split("-")[0] for key in sent) == ["lakeside"] * 5 + ["riverside"] * 5
    assert run(START + INTERVAL) == 4


def test_n4_throttle_is_the_organization_setting(db):
    organization = make_organization(notification_throttle=2)
    enqueue_burst(organization, 5, prefix="small")

    assert [run(START + n * INTERVAL) for n in range(4)] == [2, 2, 1, 0]


def test_n4_a_second_run_inside_the_window_sends_nothing_more(org):
    """Two workers a minute apart share one quota: the throttle counts what was sent in the
    last interval, by any worker."""
    enqueue_burst(org, 12, prefix="burst")

    assert run(START) == 5
    assert run(START + dt.timedelta(minutes=1)) == 0
    assert run(START + dt.timedelta(minutes=3, seconds=59)) == 0
    assert run(START + INTERVAL) == 5


def test_n4_a_run_starting_a_little_early_still_gets_its_quota(org):
    enqueue_burst(org, 10, prefix="burst")

    assert run(START) == 5
    assert run(START + INTERVAL - dt.timedelta(seconds=20)) == 5


def test_notices_not_yet_due_wait(org):
    enqueue_burst(org, 2, prefix="later", at=T0 + dt.timedelta(minutes=10))

    assert run(T0) == 0
    assert run(T0 + dt.timedelta(minutes=10, seconds=1)) == 2


def test_email_has_text_html_and_a_message_id_derived_from_the_key(org, settings):
    settings.DEFAULT_FROM_EMAIL = "Riverside Parks <registrar@parks.example>"
    enqueue_warning(org, "grace-warning:registration-7", now=T0, to_email="rivera@family.example")

    assert run(T0) == 1

    [message] = mail.outbox
    notification = Notification.objects.get()
    assert message.to == ["rivera@family.example"]
    assert message.from_email == "Riverside Parks <registrar@parks.example>"
    assert message.subject == notification.subject
    assert message.body == notification.body_text
    assert message.alternatives[0] == (notification.body_html, "text/html")
    assert message.extra_headers["Message-ID"] == message_id("grace-warning:registration-7")
    assert message_id("grace-warning:registration-7").endswith("@parks.example>")
    assert message_id("grace-warning:registration-7") != message_id("grace-warning:registration-8")
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_n5_a_notice_left_sending_by_an_unknown_worker_is_sent_after_the_short_lease(org):
    """Without a heartbeat to tell (jobs.heartbeats releases a dead worker's claims at once),
    the lease still ends: about the time one send may take, not ten minutes."""
    enqueue_warning(org, "orphan", now=T0)
    lease = send_lease()
    assert lease == dt.timedelta(seconds=70)  # twice the 30-second email timeout, and 10 s
    Notification.objects.filter(key="orphan").update(
        status=Notification.Status.SENDING, attempts=1, next_attempt_at=T0 + lease
    )

    assert run(T0 + lease - dt.timedelta(seconds=1)) == 0  # still leased: its worker may be sending it
    assert run(T0 + lease) == 1

    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_n4_notices_in_flight_count_against_the_throttle(org):
    keys = enqueue_burst(org, 8, prefix="burst")
    Notification.objects.filter(key__in=keys[:3]).update(
        status=Notification.Status.SENDING, next_attempt_at=START + send_lease()
    )

    assert run(START) == 2


def test_a_worker_whose_lease_was_taken_over_does_not_overwrite_the_new_claim(org, monkeypatch):
    """A worker that sends after its lease ran out (and another worker re-claimed the
    notice) must not mark the newer claim's row: its update is conditional on its own lease."""
    from notifications import delivery as services

    enqueue_warning(org, "slow", now=T0)
    late_lease = T0 + dt.timedelta(minutes=30)
    original_email = services._email

    def email_after_takeover(notification, connection):
        Notification.objects.filter(pk=notification.pk).update(next_attempt_at=late_lease)
        return original_email(notification, connection)

    monkeypatch.setattr(services, "_email", email_after_takeover)

    assert run(T0) == 0
    notification = Notification.objects.get()
    assert (notification.status, notification.next_attempt_at) == (Notification.Status.SENDING, late_lease)


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (100, 60)]
)
def test_retry_delay_doubles_up_to_an_hour(attempts, minutes):
    assert retry_delay(attempts) == dt.timedelta(minutes=minutes)


def test_n1_temporary_failures_are_retried_with_backoff_and_never_dropped(org, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.RefusingBackend"
    enqueue_warning(org, "refused", now=T0)

    for n, expected_delay in enumerate([1, 2, 4], start=1):
        at = T0 + (n - 1) * INTERVAL
        assert run(at) == 0
        notification = Notification.objects.get()
        assert notification.status == Notification.Status.PENDING
        assert notification.attempts == n
        assert notification.last_error == "SMTPDataError: (451, 'try again later')"
        assert notification.next_attempt_at == at + dt.timedelta(minutes=expected_delay)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(T0 + 3 * INTERVAL) == 1
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts, notification.last_error) == (Notification.Status.SENT, 4, "")


def test_a_backend_that_sends_nothing_counts_as_a_failure(org, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_delivery.SilentBackend"
    enqueue_warning(org, "silent", now=T0)

    assert run(T0) == 0
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    assert notification.last_error == "EmailNotAccepted: the email backend sent nothing"


def test_deliver_notifications_is_a_registered_job_throttled_by_the_workers_interval(org):
    assert "deliver_notifications" in job_names()
    enqueue_burst(org, 7, prefix="job")
    with time_machine.travel(START, tick=False):
        result = deliver_job(JobContext(now=START, interval_seconds=60, worker="w1"))
    assert (result.done, result.waiting, result.outcome) == (5, 2, "ok")
    assert result.note == "throttled in 1 organization; 2 waiting"
    assert set(Notification.objects.filter(status="sent").values_list("claimed_by", flat=True)) == {"w1"}
    # One interval later by that worker's clock (60 s, not the 300 s setting) the rest goes.
    with time_machine.travel(START + dt.timedelta(seconds=60), tick=False):
        assert deliver_job(JobContext(now=START + dt.timedelta(seconds=60), interval_seconds=60)).done == 2


class RefusingBackend(mail.backends.base.BaseEmailBackend):
    def send_messages(self, email_messages):
        import smtplib

        raise smtplib.SMTPDataError(451, "try again later")


class SilentBackend(mail.backends.base.BaseEmailBackend):
    def send_messages(self, email_messages):
        return 0
