"""Registration morning: distinct households add to cart through the JSON API, all at once.

Starts Registrar under gunicorn (production settings, DEBUG off) on PostgreSQL, builds an
organization with one hot 20-seat class and 50 more classes of 20, and sends
POST /api/v1/orgs/{slug}/cart/items from distinct households, each with its own bearer
token, like the mobile app does:

  hot     500 requests at concurrency 50 on the one hot class
  spread  2000 requests at concurrency 50, each for a random one of the 50 classes

Claims and carts are reset before every run. After each run the database is checked:
live claims per offering against capacity. Prints the medians of --reps runs as

  surge hot: rps=... p50_ms=... p95_ms=... p99_ms=... held=... refused=... errors=... overbooked=...
  surge spread: ...

held = HTTP 201, refused = 409, errors = anything else (503 busy, 5xx, timeouts). held and
refused are medians over the runs; errors and overbooked are the worst run. With
--with-floor, ../shared/bench/floor/run.sh (REPS=1) runs right before each of our reps, and its
lines and the ratios surge/floor of the median throughput are printed before ours. Progress,
each run's figures and CPU per request go to stderr.

Run with the project's virtualenv (Django, psycopg, gunicorn and aiohttp are there):
  .venv/bin/python bench/surge.py [--workers N] [--reps 3] [--with-floor]
See bench/README.md.
"""

import argparse
import asyncio
import base64
import hashlib
import importlib.util
import json
import os
import pwd
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import aiohttp
from bench_support import add_caller, ensure_database, log, machine_busy, process_cpu

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = Path(os.environ.get("REGISTRAR_SHARED", str(ROOT.parent / "shared"))) / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_surge"
# Measured on the 2-core bench machine: 2, 3 and 4 sync workers (bench/README.md).
DEFAULT_WORKERS = 2
SLUG = "surge"
SEATS = 20
SPREAD_CLASSES = 50
WARMUP_REQUESTS = 60
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Scenario:
    name: str
    requests: int
    concurrency: int


SCENARIOS = (Scenario("hot", 500, 50), Scenario("spread", 2000, 50))


@dataclass(frozen=True)
class Fixtures:
    organization_id: int
    hot_id: int
    spread_ids: list[int]
    warmup_id: int
    participant_ids: list[int]  # participant of household i, in household order

    @property
    def measured_ids(self) -> list[int]:
        return [self.hot_id, *self.spread_ids]


def load_shared_loadgen():
    """The shared load generator, for its percentile and loopback rules (same numbers as the floor)."""
    spec = importlib.util.spec_from_file_location("loadgen", SHARED_BENCH / "loadgen.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot find {SHARED_BENCH / 'loadgen.py'} (set REGISTRAR_SHARED)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


loadgen = load_shared_loadgen()


def raw_token(household_index: int) -> str:
    """The bearer token of bench household i, shaped like `accounts.services.issue_token`'s.
    Only its digest is stored, as for real tokens; the client derives it again from i."""
    digest = hashlib.sha256(f"registrar-surge:{household_index}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- database and fixtures (in this process, through the project's own models) -----------


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, except the HTTPS redirect: the load comes over plain loopback HTTP."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "registrar.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def ensure_fixtures(households: int) -> Fixtures:
    """The bench organization, its 1 + 50 classes of 20 seats (plus an unlimited warm-up class),
    and `households` households, each with a payer login, one child and an API token.
    Idempotent: only what is missing is created, in bulk."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from accounts.models import ApiToken, token_digest
    from catalog.models import Offering
    from households.models import Household, Participant
    from organizations.models import Organization

    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(
            slug=SLUG, defaults={"name": "Surge Parks & Recreation", "time_zone": "America/Toronto"}
        )

        def offering(code: str, name: str, capacity: int | None) -> int:
            found, _ = Offering.objects.get_or_create(
                organization=org,
                code=code,
                defaults={
                    "kind": Offering.Kind.CLASS,
                    "name": name,
                    "capacity": capacity,
                    "price": Decimal("45.00"),
                    "starts_on": date(2030, 7, 1),
                },
            )
            return found.pk

        hot_id = offering("HOT", "Swim Level 1 (hot)", SEATS)
        spread_ids = [offering(f"S{n:02d}", f"Class {n:02d}", SEATS) for n in range(1, SPREAD_CLASSES + 1)]
        warmup_id = offering("WARMUP", "Warm-up class (unlimited)", None)

        names = [f"surge-{i:05d}" for i in range(households)]
        have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        missing = [(i, name) for i, name in enumerate(names) if name not in have]
        if missing:
            log(f"creating {len(missing)} households ...")
            users = User.objects.bulk_create(User(username=name, password="!no-login") for _, name in missing)
            homes = Household.objects.bulk_create(
                Household(organization=org, payer=u, name=f"Family {i}", email=f"{u.username}@example.test")
                for (i, _), u in zip(missing, users, strict=True)
            )
            Participant.objects.bulk_create(
                Participant(household=h, first_name="Kid", last_name=h.name, date_of_birth=date(2018, 3, 1))
                for h in homes
            )
            ApiToken.objects.bulk_create(
                (
                    ApiToken(user=u, digest=token_digest(raw_token(i)), label="surge bench")
                    for (i, _), u in zip(missing, users, strict=True)
                ),
                ignore_conflicts=True,
            )
        # One participant per household: map household index -> participant id.
        by_username = dict(
            Participant.objects.filter(household__organization=org, household__payer__username__in=names)
            .order_by("pk")
            .values_list("household__payer__username", "pk")
        )
    return Fixtures(
        organization_id=org.pk,
        hot_id=hot_id,
        spread_ids=spread_ids,
        warmup_id=warmup_id,
        participant_ids=[by_username[name] for name in names],
    )


def reset(organization_id: int) -> None:
    """Forget every hold and cart of the bench organization (claims first: they point at carts),
    then vacuum, so that every run starts from the same tables."""
    from django.db import connection

    from capacity.models import Claim
    from carts.models import Cart

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Claim._meta.db_table} WHERE organization_id = %s", [organization_id])
        cursor.execute(f"DELETE FROM {Cart._meta.db_table} WHERE organization_id = %s", [organization_id])
        cursor.execute(f"VACUUM ANALYZE {Claim._meta.db_table}, {Cart._meta.db_table}")


def check_ledger(offering_ids: list[int]) -> tuple[int, int]:
    """(live claims, seats beyond capacity) over these offerings, counted straight from the
    table: every claim in a live state counts, whatever its expiry (stricter than C2/C3)."""
    from django.db import connection

    from capacity.models import Claim
    from catalog.models import Offering

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT coalesce(sum(t.n), 0), coalesce(sum(greatest(t.n - t.capacity, 0)), 0)
                FROM (SELECT o.capacity, count(c.id) AS n FROM {Offering._meta.db_table} o
                      LEFT JOIN {Claim._meta.db_table} c
                        ON c.offering_id = o.id AND c.state IN ('held', 'tentative', 'confirmed')
                      WHERE o.id = ANY(%s) GROUP BY o.id) t""",
            [offering_ids],
        )
        live, over = cursor.fetchone()
    return int(live), int(over)


# --- the server ------------------------------------------------------------------------------


class Server:
    """gunicorn registrar.wsgi with sync workers, in the foreground as our child process."""

    def __init__(self, *, workers: int, port: int, env: dict[str, str]) -> None:
        self.workers, self.port, self.env = workers, port, env
        self.logfile = tempfile.NamedTemporaryFile(prefix="surge-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "registrar.wsgi", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.logfile, stderr=self.logfile)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        failure = (
            f"gunicorn did not listen on 127.0.0.1:{self.port} (exit code {self.process.poll()}):\n{self.log_tail()}"
        )
        self.__exit__()
        raise SystemExit(failure)

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.logfile.close()
        os.unlink(self.logfile.name)

    def log_tail(self, lines: int = 30) -> str:
        self.logfile.flush()
        return "\n".join(Path(self.logfile.name).read_text(errors="replace").splitlines()[-lines:])


# --- where the machine's CPU went during a run ------------------------------------------------


def processes(*, parent: int | None = None, uid: int | None = None) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if uid is not None and entry.stat().st_uid != uid:
                continue
            if parent is not None and int((entry / "stat").read_text().rpartition(")")[2].split()[1]) != parent:
                continue
        except OSError:
            continue
        found.append(int(entry.name))
    return found


def postgres_processes(database: str) -> list[int]:
    """The backends connected to `database` and PostgreSQL's own background processes (WAL writer,
    checkpointer, ...); not other databases' backends, which are other people's work here."""
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return []
    found = []
    for pid in processes(uid=uid):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: "):  # not the postmaster itself
            backend = re.search(r" (\S+) (?:\S+\(\d+\)|\[local\])", title)  # "user database host(port)"
            if backend is None or backend.group(1) == database:
                found.append(pid)
    return found


class CpuMeter:
    """CPU seconds used during a run by the gunicorn workers, PostgreSQL (`postgres_processes`; a
    backend that exits during the run, as one does when CONN_MAX_AGE runs out, is missed), this
    process (the load generator) and everything else on the machine: other people's work."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database

    def sample(self) -> dict[str, object]:
        return {
            "app": sum(process_cpu(pid) for pid in processes(parent=self.server_pid)),
            "postgres": {pid: process_cpu(pid) for pid in postgres_processes(self.database)},
            "client": sum(os.times()[:2]),
            "machine": machine_busy(),
        }

    @staticmethod
    def per_request(before: dict[str, object], after: dict[str, object], requests: int) -> dict[str, float]:
        spent = {
            "app": after["app"] - before["app"],
            # Per backend: one that exited counts nothing rather than minus what it had used before.
            "postgres": sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items()),
            "client": after["client"] - before["client"],
        }
        spent["others"] = max(after["machine"] - before["machine"] - sum(spent.values()), 0.0)
        return {key: round(seconds * 1000 / requests, 2) for key, seconds in spent.items()}


# --- the load: loadgen's worker loop, with one household per request ------------------------


@dataclass(frozen=True)
class Request:
    token: str
    body: bytes


def plan(fixtures: Fixtures, households: range, offering_ids: list[int], seed: int) -> list[Request]:
    """One request per household, for a seeded random offering of `offering_ids`."""
    rng = random.Random(seed)
    return [
        Request(
            token=raw_token(i),
            body=json.dumps(
                {"offering_id": rng.choice(offering_ids), "participant_id": fixtures.participant_ids[i]}
            ).encode(),
        )
        for i in households
    ]


async def fire(url: str, requests: list[Request], concurrency: int) -> dict[str, object]:
    """Send every request once with at most `concurrency` in flight, exactly as the shared
    loadgen.py does (same connector, timeout, percentiles and result keys)."""
    latencies: list[float] = []
    status: Counter[str] = Counter()
    samples: dict[str, str] = {}
    queue = iter(requests)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker() -> None:
            for request in queue:
                headers = {"Authorization": f"Bearer {request.token}", "Content-Type": "application/json"}
                t0 = time.perf_counter()
                try:
                    async with session.post(url, headers=headers, data=request.body) as response:
                        text = await response.text(errors="replace")
                        key = str(response.status)
                except Exception as exc:  # every failure is counted, by kind
                    text, key = repr(exc), "ERR:" + type(exc).__name__
                latencies.append(time.perf_counter() - t0)
                status[key] += 1
                if key not in ("201", "409"):
                    samples.setdefault(key, text[:300])

        t_start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t_start
    latencies.sort()

    def ms(seconds: float) -> float:
        return round(seconds * 1000.0, 2)

    return {
        "requests": len(latencies),
        "wall_s": round(wall, 3),
        "throughput_rps": round(len(latencies) / wall, 2),
        "latency_ms": {p: ms(loadgen.pct(latencies, n)) for p, n in (("p50", 50), ("p95", 95), ("p99", 99))}
        | {"max": ms(latencies[-1])},
        "status": dict(sorted(status.items())),
        "error_samples": samples,
    }


def load(port: int, requests: list[Request], concurrency: int) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}/api/v1/orgs/{SLUG}/cart/items"
    loadgen.check_loopback(url)
    return asyncio.run(fire(url, requests, concurrency))


def warm_up(port: int, fixtures: Fixtures, first_household: int, workers: int) -> None:
    """Every worker serves a few adds first (imports, URL resolver, connection), then checks that
    the endpoint answers 201 at all before anything is measured."""
    households = range(first_household, first_household + WARMUP_REQUESTS)
    result = load(port, plan(fixtures, households, [fixtures.warmup_id], seed=0), concurrency=2 * workers)
    if result["status"] != {"201": WARMUP_REQUESTS}:
        raise SystemExit(f"warm-up did not get {WARMUP_REQUESTS} x 201: {result['status']} {result['error_samples']}")


# --- runs, medians, the floor ------------------------------------------------------------------


def run_scenario(scenario: Scenario, fixtures: Fixtures, server: Server, rep: int) -> dict[str, object]:
    from django.db import connection

    offering_ids = [fixtures.hot_id] if scenario.name == "hot" else fixtures.spread_ids
    requests = plan(fixtures, range(scenario.requests), offering_ids, seed=rep)
    reset(fixtures.organization_id)
    meter = CpuMeter(server.process.pid, connection.settings_dict["NAME"])
    before = meter.sample()
    result = load(server.port, requests, scenario.concurrency)
    cpu = meter.per_request(before, meter.sample(), scenario.requests)
    live, over = check_ledger(fixtures.measured_ids)
    result |= {"db_live": live, "overbooked": over, "cpu_ms_per_request": cpu}
    s = result["status"]
    log(
        f"  {scenario.name} rep {rep}: {result['throughput_rps']} req/s, p50 {result['latency_ms']['p50']} ms, "
        f"p99 {result['latency_ms']['p99']} ms, status {s}, live claims {live}, overbooked {over}; "
        f"CPU ms/request: " + " ".join(f"{k} {v}" for k, v in cpu.items())
    )
    if live != s.get("201", 0):
        log(f"  ! {scenario.name} rep {rep}: {s.get('201', 0)} answers 201 but {live} live claims in the database")
    for key, text in result["error_samples"].items():
        log(f"  ! {scenario.name} rep {rep}: {key}: {text}")
    return result


def summary_line(prefix: str, runs: list[dict[str, object]]) -> str:
    def median(get) -> float:
        return statistics.median(get(r) for r in runs)

    def count(r: dict[str, object], which: str) -> int:
        s = r["status"]
        if which == "errors":
            return sum(v for k, v in s.items() if k not in ("201", "409"))
        return s.get(which, 0)

    return (
        f"{prefix}: rps={median(lambda r: r['throughput_rps']):.1f} "
        f"p50_ms={median(lambda r: r['latency_ms']['p50']):.1f} "
        f"p95_ms={median(lambda r: r['latency_ms']['p95']):.1f} "
        f"p99_ms={median(lambda r: r['latency_ms']['p99']):.1f} "
        f"held={round(median(lambda r: count(r, '201')))} refused={round(median(lambda r: count(r, '409')))} "
        f"errors={max(count(r, 'errors') for r in runs)} overbooked={max(r['overbooked'] for r in runs)}"
    )


def run_floor(workers: int) -> dict[str, dict[str, object]]:
    """One run of the floor (floor/run.sh with REPS=1) on this machine, now, in our result shape."""
    env = os.environ | {"WORKERS": str(workers), "REPS": "1"}
    done = subprocess.run(
        [str(SHARED_BENCH / "floor" / "run.sh")], env=env, capture_output=True, text=True, check=False
    )
    results = {}
    for line in done.stdout.splitlines():
        found = re.match(r"floor (\w+): (.*)", line)
        if found:
            f = {k: float(v) for k, v in (field.split("=") for field in found.group(2).split())}
            results[found.group(1)] = {
                "throughput_rps": f["rps"],
                "latency_ms": {"p50": f["p50_ms"], "p95": f["p95_ms"], "p99": f["p99_ms"]},
                "status": {"201": int(f["held"]), "409": int(f["refused"]), "other": int(f["errors"])},
                "overbooked": int(f["overbooked"]),
            }
            log(f"  floor {line.partition(': ')[2]}")
    if done.returncode or set(results) != {s.name for s in SCENARIOS}:
        raise SystemExit(f"floor/run.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-2000:]}")
    return results


def profile(pyspy: str, out_dir: Path, server: Server, scenario: Scenario, fixtures: Fixtures) -> None:
    """One extra, unreported run of `scenario` under py-spy (all workers, idle time included, so
    the shares are of wall time: waiting for PostgreSQL and for a CPU count where they happen)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"pyspy-{scenario.name}-w{server.workers}.txt"
    command = [pyspy, "record", "--pid", str(server.process.pid), "--subprocesses", "--idle", "--rate", "200"]
    command += ["--format", "raw", "--output", str(out), "--nonblocking"]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)  # py-spy attaches to every worker
    run_scenario(scenario, fixtures, server, rep=99)
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=120)
    log(f"  py-spy {scenario.name}: {out}; shares of request wall time (inclusive):")
    for label, share in pyspy_shares(out):
        log(f"    {label:<40} {share:5.1f}%")


def pyspy_shares(raw: Path) -> list[tuple[str, float]]:
    """Share of the samples inside a request that pass through each of PHASES."""

    def matches(frame: str, path: str, function: str) -> bool:
        name, _, where = frame.partition(" (")
        return (name == function or name.endswith("." + function)) and where.split(":")[0].endswith(path)

    totals: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        for label, path, function in PHASES:
            if any(matches(frame, path, function) for frame in frames):
                totals[label] += int(count)
    whole = totals[PHASES[0][0]] or 1
    return [(label, totals[label] * 100 / whole) for label, _, _ in PHASES]


# --- anatomy of one add, in this process, through the real WSGI application -------------------

# (label, module path suffix, function): cumulative CPU time of these is reported by --anatomy.
PHASES = (
    ("whole request (WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("connection health check (SELECT 1)", "django/db/backends/base/base.py", "close_if_health_check_failed"),
    ("auth: bearer token lookup", "api/auth.py", "authenticate"),
    ("household lookup", "api/context.py", "customer_household"),
    ("ninja: parse and validate the body", "ninja/operation.py", "_get_values"),
    ("add_to_cart service, all of it", "carts/services.py", "add_to_cart"),
    ("  cart lock + offering lock + count", "capacity/locks.py", "lock_offerings"),
    ("  claim_seats (decide + INSERTs)", "capacity/services.py", "claim_seats"),
    ("  COMMIT / ROLLBACK (atomic exit)", "django/db/transaction.py", "__exit__"),
    ("the 201's body", "api/carts.py", "created"),
    ("error handler (409 body)", "api/root.py", "domain_error"),
    ("all SQL compilation (ORM)", "django/db/models/sql/compiler.py", "as_sql"),
    ("all round trips of registrar.sqlbatch", "registrar/sqlbatch.py", "_send_and_read"),
    ("all round trips through psycopg", "psycopg/connection.py", "wait"),
)


def anatomy(fixtures: Fixtures, first_household: int, adds: int) -> None:
    """What one add costs inside the app, without gunicorn, the load generator or concurrency:
    the statements of one add that holds a seat and of one that is refused (counted at the
    driver, so BEGIN, COMMIT and the health check's SELECT 1 are in), then the CPU and wall time
    of `adds` sequential adds and their CPU split by phase (cProfile, process time; the profiler's
    own overhead inflates Python-heavy phases, so read the shares, not the absolute numbers)."""
    import cProfile
    import pstats

    import psycopg

    call = add_caller(fixtures, slug=SLUG, token_of=raw_token)
    sent: list[str] = []

    from registrar import sqlbatch

    cursor_execute = psycopg.Cursor.execute
    exec_command = psycopg.Connection._exec_command
    send_and_read = sqlbatch._send_and_read

    def traced_execute(self, query, params=None, **kwargs):
        try:
            return cursor_execute(self, query, params, **kwargs)
        finally:  # after the call: a BEGIN it sends first is listed first
            sent.append(" ".join(str(query).split())[:110])

    def traced_command(self, command, *args, **kwargs):
        sent.append(command.decode() if isinstance(command, bytes) else str(command))
        return exec_command(self, command, *args, **kwargs)

    def traced_pipeline(raw, session, statements, *, begin, commit=False):  # one round trip, however many statements
        parts = ["BEGIN"] if begin else []
        parts += [" ".join(sql.split())[:60] + " ..." for sql, _ in statements]
        parts += ["COMMIT"] if commit else []
        sent.append("\n      + ".join(parts))
        return send_and_read(raw, session, statements, begin=begin, commit=commit)

    households = iter(range(first_household, first_household + WARMUP_REQUESTS))
    reset(fixtures.organization_id)
    call(next(households), fixtures.warmup_id)  # imports, URL resolver, connection
    for _ in range(SEATS - 1):
        call(next(households), fixtures.hot_id)
    psycopg.Cursor.execute, psycopg.Connection._exec_command = traced_execute, traced_command
    sqlbatch._send_and_read = traced_pipeline
    try:
        for what, offering_id in (("holds the last seat", fixtures.hot_id), ("is refused", fixtures.hot_id)):
            sent.clear()
            status = call(next(households), offering_id)
            print(f"one add that {what}: HTTP {status}, {len(sent)} round trips")
            for statement in sent:
                print(f"    {statement}")
    finally:
        psycopg.Cursor.execute, psycopg.Connection._exec_command = cursor_execute, exec_command
        sqlbatch._send_and_read = send_and_read

    reset(fixtures.organization_id)
    plan_ = [(i, fixtures.spread_ids[i % SPREAD_CLASSES]) for i in range(adds)]  # every one is held
    cpu0, wall0 = time.process_time(), time.perf_counter()
    statuses = Counter(call(i, offering_id) for i, offering_id in plan_)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"{adds} sequential adds {dict(statuses)}: app CPU {cpu * 1000 / adds:.2f} ms/add, "
        f"wall {wall * 1000 / adds:.2f} ms/add (the rest is waiting for PostgreSQL)"
    )
    reset(fixtures.organization_id)
    for i in range(SEATS):  # fill the hot class, then time adds that are all refused
        call(i, fixtures.hot_id)
    refused_cpu0 = time.process_time()
    refused = Counter(call(SEATS + i, fixtures.hot_id) for i in range(adds))
    refused_cpu = time.process_time() - refused_cpu0
    print(f"{adds} sequential refused adds {dict(refused)}: app CPU {refused_cpu * 1000 / adds:.2f} ms/add")
    if os.environ.get("SURGE_ANATOMY_TOP"):  # the refusal's own hot spots, for digging
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda: [call(SEATS + i, fixtures.hot_id) for i in range(adds)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ["SURGE_ANATOMY_TOP"]))
    reset(fixtures.organization_id)
    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(lambda: [call(i, offering_id) for i, offering_id in plan_])
    if os.environ.get("SURGE_ANATOMY_TOP"):
        pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ["SURGE_ANATOMY_TOP"]))
    stats = pstats.Stats(profiler).stats
    whole = None
    print("CPU by phase under cProfile (inclusive; nested lines are part of the line above):")
    for label, path, function in PHASES:
        seconds = sum(s[3] for (file, _, name), s in stats.items() if file.endswith(path) and name == function)
        whole = whole or seconds
        print(f"  {label:<40} {seconds * 1000 / adds:6.2f} ms/add {seconds / whole * 100:5.1f}%")
    reset(fixtures.organization_id)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help=f"gunicorn sync workers ({DEFAULT_WORKERS})")
    ap.add_argument("--reps", type=int, default=3, help="runs per scenario; medians are reported (3)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("SURGE_PORT", "8412")))
    ap.add_argument("--scenarios", default="hot,spread", help="comma-separated subset of hot,spread")
    ap.add_argument("--with-floor", action="store_true", help="run floor/run.sh before each rep; print surge/floor")
    ap.add_argument("--floor-workers", type=int, default=2, help="WORKERS for floor/run.sh (2)")
    ap.add_argument("--json-out", help="write every run's raw result here")
    ap.add_argument("--profile", metavar="DIR", help="after the measured runs, one more run per scenario under py-spy")
    ap.add_argument("--anatomy", type=int, metavar="N", help="no load: SQL of one add, then N sequential adds profiled")
    ap.add_argument("--py-spy", default=str(Path.home() / ".cache/registrar-peers/pyspy-venv/bin/py-spy"))
    return ap.parse_args(argv)


Runs = dict[str, list[dict[str, object]]]


def measure(args: argparse.Namespace, env: dict[str, str], fixtures: Fixtures, pool: int) -> tuple[Runs, Runs]:
    """(our runs, the floor's runs) per scenario, the floor's right before each of ours so that
    both see the same noise on this shared machine."""
    wanted = [s for s in SCENARIOS if s.name in args.scenarios.split(",")]
    runs: Runs = {s.name: [] for s in wanted}
    floor: Runs = {s.name: [] for s in wanted} if args.with_floor else {}
    with Server(workers=args.workers, port=args.port, env=env) as server:
        reset(fixtures.organization_id)
        warm_up(args.port, fixtures, first_household=pool, workers=args.workers)
        for rep in range(1, args.reps + 1):
            if args.with_floor:
                for name, result in run_floor(args.floor_workers).items():
                    floor.get(name, []).append(result)
            for scenario in wanted:
                runs[scenario.name].append(run_scenario(scenario, fixtures, server, rep))
        if args.profile:
            for scenario in wanted:
                profile(args.py_spy, Path(args.profile), server, scenario, fixtures)
    reset(fixtures.organization_id)
    return runs, floor


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    env = server_env(database_url)
    ensure_database(database_url)
    setup_django(env)
    pool = max(s.requests for s in SCENARIOS)
    fixtures = ensure_fixtures(pool + WARMUP_REQUESTS)
    if args.anatomy:
        anatomy(fixtures, first_household=pool, adds=args.anatomy)
        return 0

    log(f"surge: {args.workers} gunicorn workers, {args.reps} reps, {database_url}")
    runs, floor = measure(args, env, fixtures, pool)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"workers": args.workers, "runs": runs, "floor": floor}, indent=1))
    for name, results in floor.items():
        print(summary_line(f"floor {name}", results) + f" workers={args.floor_workers}")
    for name, results in floor.items():
        surge_rps = statistics.median(r["throughput_rps"] for r in runs[name])
        floor_rps = statistics.median(r["throughput_rps"] for r in results)
        print(f"ratio {name}: surge/floor={surge_rps / floor_rps:.2f}")
    for name, results in runs.items():
        print(summary_line(f"surge {name}", results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
