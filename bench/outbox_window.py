"""How wide the at-least-once window of email delivery is: for each email, the time between a
real SMTP server (aiosmtpd on 127.0.0.1, in this process) storing the message and the worker
having recorded it sent in the database. A worker killed inside that window is the one way an
email goes out twice (README, "Email delivery window").

  .venv/bin/python bench/outbox_window.py [--emails 200]      # SQLite in a temporary directory
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/registrar_window .venv/bin/python bench/outbox_window.py

Prints `outbox window: emails=N p50_ms=... p99_ms=... max_ms=...`.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(database_url: str) -> None:
    os.environ |= {"DJANGO_SETTINGS_MODULE": "registrar.settings", "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR"}
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def measure(emails: int) -> list[float]:
    from django.conf import settings
    from django.utils import timezone

    from notifications import delivery
    from notifications.models import Notification
    from notifications.services import enqueue
    from notifications.testing import LocalSmtpServer, free_port
    from organizations.models import Organization

    server = LocalSmtpServer(free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    organization, _ = Organization.objects.get_or_create(
        slug="outbox-window", defaults={"name": "Outbox window", "time_zone": "America/Toronto"}
    )
    Organization.objects.filter(pk=organization.pk).update(notification_throttle=emails)
    Notification.objects.filter(organization=organization).delete()
    now = timezone.now() - timedelta(minutes=1)
    run = int(time.time())
    for n in range(emails):
        enqueue(
            organization_id=organization.pk,
            key=f"window-{run}-{n}",
            kind="staff_overpayment",
            to_email=f"family{n}@example.test",
            context={
                "organization_name": organization.name,
                "time_zone": organization.time_zone,
                "locale": organization.locale,
                "household_name": "Family",
                "order_number": "R-1",
                "amount": 10,
                "credit": 0,
                "paid_toward": "",
                "reason": "window",
            },
            now=now,
        )
    recorded: dict[str, float] = {}
    record_success = delivery._record_success

    def timed(notification, *, lease_until):
        done = record_success(notification, lease_until=lease_until)  # autocommit: committed on return
        recorded[delivery.message_id(notification.key)] = time.monotonic()
        return done

    delivery._record_success = timed
    try:
        report = delivery.deliver_notifications(now=timezone.now(), interval_seconds=300, worker="window")
    finally:
        delivery._record_success = record_success
        server.stop()
    assert report.sent == emails, report
    stored = dict(zip(server.inbox.message_ids(), server.inbox.stored_at, strict=True))
    return sorted((recorded[key] - stored[key]) * 1000 for key in stored)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup(os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/window.sqlite3")
        gaps = measure(args.emails)
    p99 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]
    print(
        f"outbox window: emails={len(gaps)} p50_ms={statistics.median(gaps):.2f} p99_ms={p99:.2f} max_ms={gaps[-1]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
