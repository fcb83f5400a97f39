"""bench/surge.py --anatomy and --profile: what one add costs inside the app (its SQL, its CPU by
phase under cProfile), and where a run's wall time goes under py-spy."""

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench_support import add_caller, log
from surge_fixtures import SEATS, SLUG, SPREAD_CLASSES, WARMUP_REQUESTS, Fixtures, Scenario, raw_token, reset
from surge_load import run_scenario
from surge_server import Server


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
    ("add_to_cart service, all of it", "carts/services/adding.py", "add_to_cart"),
    ("  cart lock + offering lock + count", "capacity/locks.py", "lock_offerings"),
    ("  claim_seats (decide + INSERTs)", "capacity/services.py", "claim_seats"),
    ("  COMMIT / ROLLBACK (atomic exit)", "django/db/transaction.py", "__exit__"),
    ("the 201's body", "api/carts.py", "created"),
    ("error handler (409 body)", "api/root.py", "domain_error"),
    ("all SQL compilation (ORM)", "django/db/models/sql/compiler.py", "as_sql"),
    ("all round trips of core.sqlbatch", "core/sqlbatch.py", "_send_and_read"),
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

    from core import sqlbatch

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
