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

A run is wrong, not slow, when an answer is neither 201 nor 409, a class holds more than its
seats or fewer than its requests allow, or the database's live claims differ from the 201s:
then the lines are still printed, the problems follow on stderr and the exit status is 1.

Run with the project's virtualenv (Django, psycopg, gunicorn and aiohttp are there):
  .venv/bin/python bench/surge.py [--workers N] [--reps 3] [--with-floor]
  .venv/bin/python bench/surge.py --quick      # CI: 1 rep, no floor, ../shared optional
See bench/README.md.
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from bench_support import ensure_database, log
from surge_anatomy import anatomy, profile
from surge_fixtures import (
    DEFAULT_DATABASE_URL,
    SCENARIOS,
    SEATS,
    SLUG,
    WARMUP_REQUESTS,
    Fixtures,
    ensure_fixtures,
    raw_token,
    reset,
    server_env,
    setup_django,
)
from surge_load import require_loadgen, run_floor, run_scenario, warm_up
from surge_server import Server

# compare.py and instructions.py import `surge` (also from older trees) for these.
__all__ = [
    "DEFAULT_DATABASE_URL",
    "SEATS",
    "SLUG",
    "WARMUP_REQUESTS",
    "ensure_fixtures",
    "main",
    "raw_token",
    "reset",
    "server_env",
    "setup_django",
]

# Measured on the 2-core bench machine: 2, 3 and 4 sync workers (bench/README.md).
DEFAULT_WORKERS = 2


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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help=f"gunicorn sync workers ({DEFAULT_WORKERS})")
    ap.add_argument("--reps", type=int, help="runs per scenario; medians are reported (3; 1 with --quick)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("SURGE_PORT", "8412")))
    ap.add_argument("--scenarios", default="hot,spread", help="comma-separated subset of hot,spread")
    ap.add_argument("--with-floor", action="store_true", help="run floor/run.sh before each rep; print surge/floor")
    ap.add_argument("--floor-workers", type=int, default=2, help="WORKERS for floor/run.sh (2)")
    ap.add_argument("--json-out", help="write every run's raw result here")
    ap.add_argument("--profile", metavar="DIR", help="after the measured runs, one more run per scenario under py-spy")
    ap.add_argument("--anatomy", type=int, metavar="N", help="no load: SQL of one add, then N sequential adds profiled")
    ap.add_argument("--py-spy", default=str(Path.home() / ".cache/registrar-peers/pyspy-venv/bin/py-spy"))
    ap.add_argument("--quick", action="store_true", help="CI smoke run: 1 rep, no floor, ../shared not needed")
    args = ap.parse_args(argv)
    if args.quick and (args.with_floor or args.profile):
        ap.error("--quick runs without the floor and without py-spy")
    args.reps = args.reps or (1 if args.quick else 3)
    return args


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
    require_loadgen(quick=args.quick or bool(args.anatomy))
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
    wrong = [
        f"{name} rep {rep}: {p}" for name, rs in runs.items() for rep, r in enumerate(rs, 1) for p in r["problems"]
    ]
    if wrong:
        log("surge: FAILED, runs that were wrong, not slow:\n  " + "\n  ".join(wrong))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
