"""Registration morning through the pages (issue 12): N families, each signed in with its own
session, open the catalog page, add one or two seats through the page's own htmx endpoint, open
the cart page, then check out and pay on the sandbox's page, on a few hot classes and many
cold ones; on the production stack (gunicorn, PostgreSQL, DEBUG off). The ledger is checked
in SQL afterwards, and the API's add (bench/surge.py's hot scenario) runs against the same
server in the same run, so that the page's add rate is compared with the API's on the same
machine at the same moment. --api-scenario spread runs surge's spread scenario instead (most
adds hold a seat, as most page adds do): the like-for-like comparison, beside the issue's. Prints the medians of --reps runs; the last line is exactly

  morning: families=<int> registered=<int> flows_per_s=<float> add_rps=<float> add_p50_ms=<float> add_p99_ms=<float> api_add_rps=<float> page_vs_api=<float> overbooked=<int> errors=<int>

registered = families with at least one seat at the end of their flow: paid on the sandbox's
page when the portal has its checkout (/o/<slug>/checkout/), else held in their cart (the log
says which). add_* are the page add's wave alone (every family's one POST); flows_per_s is
families over the wall time of all waves. errors = answers other than the expected ones
(5xx, timeouts, a refused CSRF) over every wave and the API run; overbooked = claims beyond
capacity, from SQL. A run is wrong, not slow, when errors or overbooked are not 0, the seats
the pages said were added differ from the live claims in the database, or a class holds fewer
seats than were asked of it (up to its 20): the line is still printed, the problems follow on
stderr and the exit status is 1.

  .venv/bin/python bench/morning.py [--families 500] [--reps 3] [--workers 2] [--api-scenario hot]
  .venv/bin/python bench/morning.py --quick      # CI: 100 families, 1 rep
See bench/README.md ("morning").
"""

import argparse
import os
import secrets
import statistics
import sys
from collections import Counter

from bench_support import ensure_database, log
from morning_fixtures import SEATS, build, ledger, plan
from morning_load import pct, run
from surge_fixtures import SCENARIOS, WARMUP_REQUESTS, Scenario, ensure_fixtures, reset, server_env, setup_django
from surge_load import require_loadgen, run_scenario, warm_up
from surge_server import Server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_morning"
EXPECTED = {"catalog": (200,), "add": (200,), "cart": (200,), "checkout": (302, 303), "pay": (302, 303)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", type=int, help="families per run (500; 100 with --quick)")
    ap.add_argument("--reps", type=int, help="runs; medians are reported (3; 1 with --quick)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2, as surge)")
    ap.add_argument("--concurrency", type=int, default=50, help="families in flight at once (50, as surge)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("MORNING_PORT", "8560")))
    ap.add_argument("--no-checkout", action="store_true", help="stop at the cart page even if checkout exists")
    ap.add_argument(
        "--api-scenario",
        choices=[s.name for s in SCENARIOS],
        default="hot",
        help="surge's scenario run as the API baseline: hot (the issue's; most adds refused) or spread (most held)",
    )
    ap.add_argument("--quick", action="store_true", help="CI smoke run: 100 families, 1 rep, ../shared not needed")
    args = ap.parse_args(argv)
    args.families = args.families or (100 if args.quick else 500)
    args.reps = args.reps or (1 if args.quick else 3)
    return args


def portal_has_checkout() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("portal:checkout", kwargs={"slug": "x"})
    except NoReverseMatch:
        return False
    return True


def restamp_surge_tokens() -> None:
    """A token remembers its password's stamp, an HMAC under SECRET_KEY (accounts.tokens), and
    every run's server has a new random key: on a database kept from an earlier run, surge's
    tokens would all answer 401. Their users share one unusable password, hence one stamp."""
    from accounts.models import ApiToken
    from accounts.tokens import password_stamp

    ApiToken.objects.filter(label="surge bench").update(password_stamp=password_stamp("!no-login"))


def one_run(args: argparse.Namespace, server: Server, surge_fixtures: object, rep: int, run_id: str) -> dict:
    fixtures = build(rep=rep, families=args.families, run_id=run_id)
    visits = plan(fixtures, seed=rep)
    waves, families = run(args.port, fixtures.slug, visits, concurrency=args.concurrency, checkout=args.checkout)
    counts = ledger(fixtures.offering_ids)
    asked = Counter()
    for visit in visits:
        asked[visit.offering_id] += len(visit.participant_ids)
    expected_seats = sum(min(n, SEATS) for n in asked.values())
    seats = sum(f.seats for f in families)
    registered = sum(1 for f in families if f.seats and (f.paid or not args.checkout))
    add = waves["add"]
    latencies = sorted(add.latencies)
    errors = sum(w.errors(EXPECTED[name]) for name, w in waves.items())
    problems = [f"{name}: {key}: {text}" for name, w in waves.items() for key, text in w.samples.items()]
    if counts["live"] != seats:
        problems.append(f"the pages said {seats} seats were added, the database has {counts['live']} live claims")
    if seats != expected_seats:
        problems.append(f"{seats} seats held, expected {expected_seats} (each class: what was asked, at most {SEATS})")
    if args.checkout and counts["ordered"] != sum(f.seats for f in families if f.paid):
        problems.append(f"{counts['ordered']} claims checked out, but the paid families hold a different number")
    reset(surge_fixtures.organization_id)
    api = run_scenario(api_scenario(args), surge_fixtures, server, rep)
    api_errors = sum(v for k, v in api["status"].items() if k not in ("201", "409"))
    problems += [f"API add: {p}" for p in api["problems"]]
    walls = sum(w.wall_s for w in waves.values())
    result = {
        "registered": registered,
        "flows_per_s": len(families) / walls,
        "add_rps": len(latencies) / add.wall_s,
        "add_p50_ms": pct(latencies, 50) * 1000,
        "add_p99_ms": pct(latencies, 99) * 1000,
        "api_add_rps": api["throughput_rps"],
        "overbooked": counts["overbooked"] + api["overbooked"],
        "errors": errors + api_errors,
        "problems": problems,
    }
    result["page_vs_api"] = result["add_rps"] / result["api_add_rps"]
    log(
        f"  rep {rep}: "
        + " ".join(f"{name} {w.wall_s:.1f}s {dict(w.status)}" for name, w in waves.items() if w.status)
        + f"; seats {seats} (refused {sum(f.refused for f in families)}), ledger {counts}; "
        + " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items() if k != "problems")
    )
    for problem in problems:
        log(f"  ! rep {rep}: {problem}")
    return result


def api_scenario(args: argparse.Namespace) -> Scenario:
    return next(s for s in SCENARIOS if s.name == args.api_scenario)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    env = server_env(database_url) | {
        # The sandbox provider is off in production unless it has a secret (registrar/settings.py).
        "SANDBOX_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
    }
    require_loadgen(quick=args.quick)
    ensure_database(database_url)
    setup_django(env)
    args.checkout = portal_has_checkout() and not args.no_checkout
    log(
        f"morning: {args.families} families, {args.reps} reps, {args.workers} workers, {database_url}; "
        + ("checkout and pay in the sandbox" if args.checkout else "NO checkout: the portal has no /o/<slug>/checkout/")
        + f"; the API's add: surge's {args.api_scenario} scenario"
    )
    api = api_scenario(args)
    surge_fixtures = ensure_fixtures(api.requests + WARMUP_REQUESTS)
    restamp_surge_tokens()
    run_id = secrets.token_hex(3)
    runs = []
    with Server(workers=args.workers, port=args.port, env=env) as server:
        reset(surge_fixtures.organization_id)
        warm_up(args.port, surge_fixtures, first_household=api.requests, workers=args.workers)
        for rep in range(1, args.reps + 1):
            runs.append(one_run(args, server, surge_fixtures, rep, run_id))
    reset(surge_fixtures.organization_id)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(
        f"morning: families={args.families} registered={round(median('registered'))} "
        f"flows_per_s={median('flows_per_s'):.1f} add_rps={median('add_rps'):.1f} "
        f"add_p50_ms={median('add_p50_ms'):.1f} add_p99_ms={median('add_p99_ms'):.1f} "
        f"api_add_rps={median('api_add_rps'):.1f} page_vs_api={median('page_vs_api'):.2f} "
        f"overbooked={max(r['overbooked'] for r in runs)} errors={max(r['errors'] for r in runs)}"
    )
    if any(r["problems"] for r in runs):
        log("morning: FAILED, runs that were wrong, not slow (above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
