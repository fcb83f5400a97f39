"""/metrics: Prometheus' text format with the counters and the state of the installation,
behind a bearer token or off in production (issue 16)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import get_resolver
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from accounts.services import issue_token
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from jobs.models import JobRun
from jobs.services import Job
from jobs.worker import Worker
from monitoring.actions import COUNTED
from notifications.models import Notification
from notifications.tests.factories import enqueue_warning
from organizations.models import Permission
from organizations.tests.factories import make_staff

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TOKEN = "s3cret-metrics-token"


@pytest.fixture
def scraper(settings):
    settings.METRICS_TOKEN = TOKEN
    return Client(HTTP_HOST="10.0.0.9:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def add(client: Client, org, household, offering):
    return client.post(
        f"/api/v1/orgs/{org.slug}/cart/items",
        {"offering_id": offering.pk, "participant_id": household.participants.first().pk},
        content_type="application/json",
    )


def test_metrics_count_adds_and_refusals_by_code_and_read_holds_from_the_database(org, scraper):
    offering = make_offering(org, capacity=1)
    first, second = make_household(org), make_household(org)
    adds, full = (
        counter("registrar_adds_total", channel="api"),
        counter("registrar_refusals_total", action="add", channel="api", code="offering_full"),
    )

    for household, status in ((first, 201), (second, 409)):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=household.payer)}")
        assert add(client, org, household, offering).status_code == status

    found = samples(scraper.get("/metrics"))
    assert found[("registrar_adds_total", (("channel", "api"),))] == adds + 1
    assert (
        found[("registrar_refusals_total", (("action", "add"), ("channel", "api"), ("code", "offering_full")))]
        == full + 1
    )
    assert found[("registrar_live_holds", (("organization", org.slug),))] == 1
    assert found[("registrar_registered_seats", (("organization", org.slug),))] == 0


def test_c4_group_enroll_as_many_as_fit_counts_each_member_turned_away_by_its_code(org, scraper):
    """The "fit" mode answers 200 with a list of those turned away: each is a refusal of its own
    code in /metrics, from the office's page and the staff API alike, as a single add's is."""
    clerk = make_staff(org, [Permission.ENROLL])
    families = [make_household(org, children=2) for _ in range(2)]
    members = [(h.pk, p.pk) for h in families for p in h.participants.order_by("pk")]
    offering = make_offering(org, capacity=1)
    full = ("registrar_refusals_total", (("action", "add"), ("channel", "office"), ("code", "offering_full")))
    before = samples(scraper.get("/metrics")).get(full, 0.0)
    desk = Client()
    desk.force_login(clerk.user)

    page = desk.post(
        f"/office/{org.slug}/offerings/{offering.pk}/group-enroll/",
        {"member": [f"{h}:{p}" for h, p in members[:2]], "mode": "fit"},
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=clerk.user)}").post(
        f"/api/v1/orgs/{org.slug}/staff/offerings/{offering.pk}/group-enroll",
        {"members": [{"household_id": h, "participant_id": p} for h, p in members[2:]], "mode": "fit"},
        content_type="application/json",
    )

    assert page.status_code == 200
    assert api.status_code == 200
    assert [(r["code"], "is full" in r["reason"]) for r in api.json()["refused"]] == [("offering_full", True)] * 2
    assert samples(scraper.get("/metrics"))[full] == before + 3  # one on the page, two in the API


def test_metrics_read_the_outbox_jobs_and_workers(org, scraper):
    with time_machine.travel(T0, tick=False):
        Worker(interval=60, jobs=[]).run_once()
        JobRun.objects.create(
            job="deliver_notifications", started_at=T0, finished_at=T0 + timedelta(seconds=2), outcome="failed"
        )
    enqueue_warning(org, "waiting", now=T0)

    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        found = samples(scraper.get("/metrics"))

    assert found[("registrar_outbox_emails", (("state", "queued"),))] == 1
    assert found[("registrar_outbox_emails", (("state", "failed"),))] == 0
    assert found[("registrar_outbox_oldest_due_age_seconds", ())] == 180
    assert found[("registrar_workers_live", ())] == 0
    assert found[("registrar_worker_last_seen_timestamp_seconds", ())] == T0.timestamp()
    assert found[("registrar_job_duration_seconds", (("job", "deliver_notifications"),))] == 2
    assert found[("registrar_job_last_outcome", (("job", "deliver_notifications"), ("outcome", "failed")))] == 1
    assert found[("registrar_job_failures_24h", (("job", "deliver_notifications"),))] == 1
    assert found[("registrar_job_lag_seconds", (("job", "deliver_notifications"),))] == 0  # 180 s < 300 s


def test_metrics_need_the_token(db, settings):
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION=TOKEN).get("/metrics").status_code == 401  # no scheme


def test_metrics_are_off_in_production_without_a_token_and_open_in_development(db, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False
    assert Client().get("/metrics").status_code == 404
    settings.DEBUG = True
    assert Client().get("/metrics").status_code == 200


def test_every_counted_route_exists():
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace])))
            elif pattern.name:
                names.add(":".join(filter(None, [namespace, pattern.name])))

    walk(get_resolver().url_patterns, "")
    assert set(COUNTED) <= names, set(COUNTED) - names


def test_metrics_serve_each_live_workers_heartbeat_and_when_each_job_last_ran(db, scraper):
    worker = Worker(interval=60, jobs=[Job("expire_carts", lambda context: 3)])
    with time_machine.travel(T0, tick=False), worker.living():
        worker.run_once()
        found = samples(scraper.get("/metrics"))

    assert found[("registrar_workers_live", ())] == 1
    assert found[("registrar_worker_heartbeat_timestamp_seconds", (("worker", worker.name),))] == T0.timestamp()
    assert found[("registrar_job_last_run_timestamp_seconds", (("job", "expire_carts"),))] == T0.timestamp()
    assert found[("registrar_job_duration_seconds", (("job", "expire_carts"),))] == 0
    assert found[("registrar_job_last_outcome", (("job", "expire_carts"), ("outcome", "ok")))] == 1


def test_the_outbox_page_shows_the_numbers_metrics_serve(org, scraper):
    for n in range(3):
        enqueue_warning(org, f"queued-{n}", now=T0 - timedelta(minutes=n))
    Notification.objects.filter(key="queued-2").update(status="failed")
    staff = Client()
    staff.force_login(make_staff(org, [Permission.MANAGE_SETTINGS]).user)

    with time_machine.travel(T0, tick=False):
        page = staff.get(f"/office/{org.slug}/setup/outbox/").content.decode()
        found = samples(scraper.get("/metrics"))

    queued, failed = (found[("registrar_outbox_emails", (("state", state),))] for state in ("queued", "failed"))
    due = found[("registrar_outbox_emails", (("state", "due"),))]
    assert (queued, due, failed) == (2, 2, 1)
    assert f"{queued:.0f} queued ({due:.0f} due now), {failed:.0f} failed." in page
    assert found[("registrar_outbox_oldest_due_age_seconds", ())] == 60
