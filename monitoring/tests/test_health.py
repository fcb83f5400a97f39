"""/health/live and /health/ready (issue 16): JSON, 200 or 503, whatever the Host header."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client

from jobs.worker import Worker
from monitoring import readiness
from notifications.tests.factories import enqueue_warning

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def probe():
    """A probe that knows neither the site's host name nor HTTPS, as a load balancer's."""
    return Client(HTTP_HOST="10.0.0.7:8000")


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["registrar.example.org"]
    settings.SECURE_SSL_REDIRECT = True


def ready_at(probe, at):
    with time_machine.travel(at, tick=False):
        return probe.get("/health/ready")


def test_live_answers_without_the_database_host_or_https(probe, production):
    response = probe.get("/health/live")  # no `db` fixture: a query would raise
    assert (response.status_code, response.json()) == (200, {"status": "live"})


def test_ready_turns_503_within_two_intervals_of_the_last_worker_stopping_and_200_when_one_starts(
    db, probe, production
):
    assert ready_at(probe, T0).status_code == 503  # no worker ever

    with time_machine.travel(T0, tick=False):
        Worker(interval=60, jobs=[]).run_once()  # runs, then stops at T0

    ready = ready_at(probe, T0 + timedelta(seconds=120))
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"]["worker"] == {
        "ok": True,
        "live": 0,
        "last_seen_at": "2026-03-02T15:00:00+00:00",
        "seconds_since_last_seen": 120.0,
        "within_intervals": 2,
    }
    stale = ready_at(probe, T0 + timedelta(seconds=121))
    assert stale.status_code == 503
    assert stale.json()["status"] == "not ready"
    assert stale.json()["checks"]["worker"]["ok"] is False
    assert stale.json()["checks"]["database"] == {"ok": True}

    starting = Worker(interval=60, jobs=[])
    with time_machine.travel(T0 + timedelta(hours=1), tick=False), starting.living():
        answer = probe.get("/health/ready")
    assert answer.status_code == 200
    assert answer.json()["checks"]["worker"]["live"] == 1


def test_ready_is_503_when_the_oldest_email_has_waited_too_long(org, probe, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 3600
    with time_machine.travel(T0, tick=False):
        Worker(interval=300, jobs=[]).run_once()
    enqueue_warning(org, "stuck", now=T0)

    assert ready_at(probe, T0 + timedelta(minutes=5)).json()["checks"]["outbox"]["ok"] is True
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 60
    too_old = ready_at(probe, T0 + timedelta(minutes=5))
    assert too_old.status_code == 503
    assert too_old.json()["checks"]["outbox"] == {
        "ok": False,
        "oldest_due_age_seconds": 300.0,
        "max_age_seconds": 60,
        "queued": 1,
        "sending": 0,
        "failed": 0,
    }


def test_ready_is_503_while_migrations_are_pending(db, probe, monkeypatch):
    monkeypatch.setattr(readiness, "MIGRATIONS", readiness._Migrations())
    monkeypatch.setattr(
        readiness.MigrationExecutor,
        "migration_plan",
        lambda self, targets: [(type("M", (), {"app_label": "jobs", "name": "0099_next"}), False)],
    )
    response = probe.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["migrations"] == {"ok": False, "pending": ["jobs.0099_next"]}
    assert checks["worker"] == {"ok": False, "skipped": "migrations"}


def test_ready_is_503_when_the_database_does_not_answer(db, probe, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(readiness, "connections", {"default": Unreachable()})
    response = probe.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {
        "ok": False,
        "error": "OperationalError: could not connect to server: Connection refused",
    }
    assert checks["outbox"] == {"ok": False, "skipped": "database"}
