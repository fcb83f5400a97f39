"""The production layout on one machine (README, "Deploying"): two web servers (gunicorn with
registrar/gunicorn_conf.py and two processes each, as on two hosts) and three workers (`manage.py worker`) against one
PostgreSQL, under the surge load, while the workers deliver a burst of emails to a real SMTP
server (aiosmtpd, in this process).

The spread scenario of bench/surge.py (2,000 adds from distinct households over 50 classes of
20 seats) is split between the two servers; meanwhile three organizations have emails due
(throttle 10 per run, the workers' interval 1 s). Then the run is checked: no class holds more
than its seats, every answer is 201 or 409 and the 201s are the live claims, every email
arrived exactly once, both servers' /metrics add up to the 201s (multiprocess counters) and
answer /health/ready 200 with three live workers.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/registrar_multi .venv/bin/python bench/multiprocess.py

Ends with `multiprocess: web=2x2 workers=3 ... overbooked=0 lost_emails=0 duplicate_emails=0`;
exits 1 when the run was wrong. CI runs it (.ci/run) on a fresh database.
"""

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench_support import ensure_database, log
from surge_fixtures import (
    DEFAULT_DATABASE_URL,
    ROOT,
    SCENARIOS,
    WARMUP_REQUESTS,
    check_ledger,
    ensure_fixtures,
    reset,
    server_env,
    setup_django,
)
from surge_load import QuickRules, fire, plan, problems

WEB_SERVERS = 2
WEB_CONCURRENCY = 2  # gunicorn processes per server: 2 x 2, the counters added up per server
WORKERS = 3
ORGANIZATIONS = 3
EMAILS_PER_ORGANIZATION = 30
THROTTLE = 10
INTERVAL_SECONDS = 1
DEADLINE_SECONDS = 120


class Processes:
    """The web servers and workers, stopped (SIGTERM, then SIGKILL) whatever happens."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.logs = tempfile.TemporaryDirectory(prefix="registrar-multiprocess-")

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log_file = Path(self.logs.name, f"{name}.log").open("ab")  # noqa: SIM115 (kept by the child)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        self.running.append((name, process))
        return process

    def tail(self, lines: int = 15) -> str:
        out = []
        for name, _ in self.running:
            text = Path(self.logs.name, f"{name}.log").read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {name}\n" + "\n".join(text))
        return "\n".join(out)

    def stop(self) -> list[int]:
        for _, process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for _, process in self.running:
            try:
                codes.append(process.wait(timeout=40))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
        return codes


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"multiprocess: timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)
    return value


def answers(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def due_emails(organization_ids: list[int]) -> list[str]:
    """EMAILS_PER_ORGANIZATION due emails in each organization: their keys."""
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import enqueue
    from organizations.models import Organization

    Notification.objects.filter(organization_id__in=organization_ids).delete()
    now, run, keys = timezone.now() - timedelta(minutes=1), secrets.token_hex(4), []
    for organization in Organization.objects.filter(pk__in=organization_ids):
        for n in range(EMAILS_PER_ORGANIZATION):
            key = f"multiprocess-{run}-{organization.pk}-{n}"
            context = {
                "organization_name": organization.name,
                "time_zone": organization.time_zone,
                "locale": organization.locale,
            }
            context |= {"household_name": "Family", "order_number": "R-1", "amount": 10, "credit": 0}
            context |= {"paid_toward": "", "reason": "multiprocess"}
            enqueue(
                organization_id=organization.pk,
                key=key,
                kind="staff_overpayment",
                to_email=f"family{n}@example.test",
                context=context,
                now=now,
            )
            keys.append(key)
    return keys


def organizations(surge_id: int) -> list[int]:
    from organizations.models import Organization

    ids = [surge_id]
    for n in range(1, ORGANIZATIONS):
        other, _ = Organization.objects.get_or_create(
            slug=f"multiprocess-{n}", defaults={"name": f"Multiprocess {n}", "time_zone": "America/Toronto"}
        )
        ids.append(other.pk)
    Organization.objects.filter(pk__in=ids).update(notification_throttle=THROTTLE)
    return ids


async def load_both(ports: list[int], requests: list) -> list[dict[str, object]]:
    halves = [requests[i :: len(ports)] for i in range(len(ports))]
    urls = [f"http://127.0.0.1:{port}/api/v1/orgs/surge/cart/items" for port in ports]
    return await asyncio.gather(*(fire(url, half, 25) for url, half in zip(urls, halves, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("MULTIPROCESS_PORT", "8422")))
    args = parser.parse_args()
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    token = secrets.token_urlsafe(24)
    env = server_env(database_url) | {
        "METRICS_TOKEN": token,
        "WORKER_INTERVAL_SECONDS": str(INTERVAL_SECONDS),
        "DEFAULT_FROM_EMAIL": "registrar@multiprocess.example",  # here too: the Message-IDs are checked here
    }
    setup_django(env)
    import surge_load

    surge_load.loadgen = QuickRules
    spread = next(s for s in SCENARIOS if s.name == "spread")
    fixtures = ensure_fixtures(spread.requests + WARMUP_REQUESTS)
    reset(fixtures.organization_id)
    organization_ids = organizations(fixtures.organization_id)
    keys = due_emails(organization_ids)

    from notifications.delivery import message_id
    from notifications.models import Notification
    from notifications.testing import LocalSmtpServer, free_port

    smtp = LocalSmtpServer(free_port())
    smtp.start()
    processes = Processes()
    ports = [args.port + n for n in range(WEB_SERVERS)]
    wrong: list[str] = []
    try:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        for n, port in enumerate(ports):
            web_env = env | {
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(WEB_CONCURRENCY),
                "PROMETHEUS_MULTIPROC_DIR": str(Path(processes.logs.name, f"prometheus-{n}")),
            }
            processes.start(f"web{n}", [gunicorn, "-c", "python:registrar.gunicorn_conf", "registrar.wsgi"], web_env)
        worker_env = env | {"EMAIL_URL": smtp.url}
        for n in range(WORKERS):
            processes.start(f"worker{n}", [sys.executable, "manage.py", "worker", "--verbosity", "0"], worker_env)
        for port in ports:
            wait_for(
                lambda port=port: answers(f"http://127.0.0.1:{port}/health/live")[0] == 200,
                timeout=60,
                what=f"web on {port}",
            )
        requests = plan(fixtures, range(spread.requests), fixtures.spread_ids, seed=16)
        log(f"multiprocess: {len(requests)} adds over {WEB_SERVERS} servers, {len(keys)} emails, {WORKERS} workers")
        results = asyncio.run(load_both(ports, requests))
        status = Counter()
        for result in results:
            status.update(result["status"])
        live, over = check_ledger(fixtures.measured_ids)
        result = {"status": dict(status), "overbooked": over, "db_live": live}
        wrong += problems(result, requests)

        sent = Notification.objects.filter(key__in=keys, status="sent")
        wait_for(lambda: sent.count() == len(keys), timeout=DEADLINE_SECONDS, what="every email to be sent")
        received = Counter(smtp.inbox.message_ids())
        expected = {message_id(key) for key in keys}
        lost = len(expected - set(received))
        duplicates = sum(count - 1 for mid, count in received.items() if mid in expected)
        if lost or duplicates:
            wrong.append(f"{lost} emails lost, {duplicates} sent twice")

        adds = 0.0
        for port in ports:
            code, body = answers(f"http://127.0.0.1:{port}/metrics", {"Authorization": f"Bearer {token}"})
            adds += sum(
                float(line.rsplit(" ", 1)[1])
                for line in body.decode().splitlines()
                if line.startswith('registrar_adds_total{channel="api"}')
            )
            ready, body = answers(f"http://127.0.0.1:{port}/health/ready")
            if code != 200 or ready != 200 or b'"live": 3' not in body:
                wrong.append(f"port {port}: /metrics {code}, /health/ready {ready}: {body[:300]!r}")
        held = status.get("201", 0)
        if adds != held:
            wrong.append(f"/metrics counted {adds:.0f} adds over both servers, the answers {held}")
    finally:
        codes = processes.stop()
        smtp.stop()
    if any(code not in (0, -signal.SIGTERM) for code in codes):
        wrong.append(f"a process exited with {codes}:\n{processes.tail()}")
    print(
        f"multiprocess: web={WEB_SERVERS}x{WEB_CONCURRENCY} workers={WORKERS} adds={len(requests)} held={status.get('201', 0)} "
        f"refused={status.get('409', 0)} errors={sum(v for k, v in status.items() if k not in ('201', '409'))} "
        f"overbooked={over} emails={len(keys)} lost_emails={lost} duplicate_emails={duplicates} "
        f"seconds={time.monotonic() - started:.0f}"
    )
    if wrong:
        log("multiprocess: FAILED:\n  " + "\n  ".join(wrong))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
