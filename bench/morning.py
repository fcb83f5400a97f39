"""Registration morning through the pages (issue 12): N families, each signed in with its own
session, open the catalog page, add one or two seats through the page's own htmx endpoint, open
the cart page, then check out and pay on the sandbox's page, on a few hot classes and many
cold ones; on the production stack (gunicorn, PostgreSQL, DEBUG off). The ledger is checked
in SQL afterwards. Right after the page's add wave the API's adds run against the same server:
the mirror (bench/morning_mirror.py: the page wave's own adds through the JSON API, one
participant per request, on a twin organization) and bench/surge.py's hot scenario (or spread,
--api-scenario spread), so that the page's add rate is compared with the API's on the same
machine at the same moment. Prints the medians of --reps runs; the last line is exactly

  morning: families=<int> registered=<int> flows_per_s=<float> add_rps=<float> add_p50_ms=<float> add_p99_ms=<float> api_add_rps=<float> page_vs_api=<float> overbooked=<int> errors=<int>

registered = families with at least one seat at the end of their flow: paid on the sandbox's
page when the portal has its checkout (/o/<slug>/checkout/), else held in their cart (the log
says which). add_rps = the page wave's adds (seats asked for, one per chosen participant, as
an API add is one) per second of its wall time (decision 0026; it counted requests before, and
stderr still prints that as add_requests_rps); add_p50/p99 are per page request. api_add_rps =
the baseline --api-scenario names (hot by default; spread; mirror), page_vs_api = add_rps /
api_add_rps; stderr has every comparison (page vs hot, page vs mirror, mirror vs hot) and the
CPU per add of each wave. flows_per_s is families over the wall time of all the page's waves.
errors = answers other than the expected ones (5xx, timeouts, a refused CSRF) over every wave
and the API's runs; overbooked = claims beyond capacity, from SQL. A run is wrong, not slow,
when errors or overbooked are not 0, the seats the pages (or the mirror) said were added differ
from the live claims in the database, or a class holds fewer seats than were asked of it (up to
its 20): the line is still printed, the problems follow on stderr and the exit status is 1.

  .venv/bin/python bench/morning.py [--families 500] [--reps 3] [--workers 2] [--api-scenario hot]
  .venv/bin/python bench/morning.py --quick      # CI: 100 families, 1 rep
See bench/README.md ("morning") and docs/decisions/0026.
"""

import argparse
import os
import secrets
import statistics
import sys
from collections import Counter

from bench_support import ensure_database, log
from morning_fixtures import SEATS, build, ledger, plan
from morning_load import FamilyState, pct, run
from morning_mirror import EXPECTED as MIRROR_EXPECTED
from morning_mirror import run_mirror
from surge_fixtures import SCENARIOS, WARMUP_REQUESTS, Scenario, ensure_fixtures, reset, server_env, setup_django
from surge_load import require_loadgen, run_scenario, warm_up
from surge_server import CpuMeter, Server

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
        choices=[*(s.name for s in SCENARIOS), "mirror"],
        default="hot",
        help="the API baseline of api_add_rps and page_vs_api: surge's hot (the issue's; most adds refused) "
        "or spread (most held), or mirror (the page wave's own adds through the API); "
        "hot runs unless spread is chosen, the mirror unless --no-mirror",
    )
    ap.add_argument("--no-mirror", action="store_true", help="do not run the API's mirror of the page wave")
    ap.add_argument("--quick", action="store_true", help="CI smoke run: 100 families, 1 rep, ../shared not needed")
    args = ap.parse_args(argv)
    args.families = args.families or (100 if args.quick else 500)
    args.reps = args.reps or (1 if args.quick else 3)
    if args.no_mirror and args.api_scenario == "mirror":
        ap.error("--api-scenario mirror needs the mirror: drop --no-mirror")
    args.mirror = not args.no_mirror
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
    from django.db import connection

    fixtures = build(rep=rep, families=args.families, run_id=run_id)
    visits = plan(fixtures, seed=rep)
    twin = build(rep=rep, families=args.families, run_id=run_id, api=True) if args.mirror else None
    families = [FamilyState(v) for v in visits]
    steps = {"concurrency": args.concurrency, "checkout": args.checkout}
    waves = run(args.port, fixtures.slug, families, ("catalog",), **steps)
    meter = CpuMeter(server.process.pid, connection.settings_dict["NAME"])
    asked = Counter()
    for visit in visits:
        asked[visit.offering_id] += len(visit.participant_ids)
    adds = sum(asked.values())  # seats asked for: the page requests' adds, one per participant
    before = meter.sample()
    waves |= run(args.port, fixtures.slug, families, ("add",), **steps)
    page_cpu = meter.per_request(before, meter.sample(), adds)
    # The API's adds right after the page's, while the machine is in the same state: the mirror
    # (the same adds), then surge's scenario.
    mirror = mirror_cpu = None
    if twin is not None:
        before = meter.sample()
        mirror = run_mirror(args.port, twin.slug, plan(twin, seed=rep), concurrency=args.concurrency)
        mirror_cpu = meter.per_request(before, meter.sample(), len(mirror.latencies))
    reset(surge_fixtures.organization_id)
    api = run_scenario(surge_scenario(args), surge_fixtures, server, rep)
    waves |= run(args.port, fixtures.slug, families, ("cart", "checkout"), **steps)
    counts = ledger(fixtures.offering_ids)
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
    api_errors = sum(v for k, v in api["status"].items() if k not in ("201", "409"))
    problems += [f"API add: {p}" for p in api["problems"]]
    overbooked = counts["overbooked"] + api["overbooked"]
    if mirror is not None and twin is not None:
        errors += mirror.errors(MIRROR_EXPECTED)
        problems += [f"mirror: {key}: {text}" for key, text in mirror.samples.items()]
        twin_counts = ledger(twin.offering_ids)
        overbooked += twin_counts["overbooked"]
        if twin_counts["live"] != mirror.status["201"] or mirror.status["201"] != expected_seats:
            problems.append(
                f"mirror: {mirror.status['201']} answers 201, {twin_counts['live']} live claims, "
                f"expected {expected_seats}"
            )
    walls = sum(w.wall_s for w in waves.values())
    result = {
        "registered": registered,
        "flows_per_s": len(families) / walls,
        "add_rps": adds / add.wall_s,
        "add_requests_rps": len(latencies) / add.wall_s,
        "add_p50_ms": pct(latencies, 50) * 1000,
        "add_p99_ms": pct(latencies, 99) * 1000,
        "surge_rps": api["throughput_rps"],
        "mirror_rps": len(mirror.latencies) / mirror.wall_s if mirror else float("nan"),
        "overbooked": overbooked,
        "errors": errors + api_errors,
        "problems": problems,
    }
    result["api_add_rps"] = result["mirror_rps" if args.api_scenario == "mirror" else "surge_rps"]
    result["page_vs_api"] = result["add_rps"] / result["api_add_rps"]
    result |= ratios(result)
    log(
        f"  rep {rep}: "
        + " ".join(f"{name} {w.wall_s:.1f}s {dict(w.status)}" for name, w in waves.items() if w.status)
        + (f" mirror {mirror.wall_s:.1f}s {dict(mirror.status)}" if mirror else "")
        + f"; seats {seats} of {adds} asked in {len(latencies)} requests (refused {sum(f.refused for f in families)}), "
        + f"ledger {counts}; "
        + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items() if k != "problems")
    )
    log(
        f"  rep {rep} CPU ms per add: page {cpu_words(page_cpu)}"
        + (f"; mirror {cpu_words(mirror_cpu)}" if mirror_cpu else "")
        + f"; {surge_scenario(args).name} {cpu_words(api['cpu_ms_per_request'])}"
    )
    for problem in problems:
        log(f"  ! rep {rep}: {problem}")
    return result


def ratios(result: dict) -> dict[str, float]:
    """The comparisons the run prints on stderr: the pages against surge's scenario (by adds, and
    by requests as add_rps counted them before decision 0026), against the mirror (the same adds
    through the API), and the mirror against surge's scenario (the API's own ceiling)."""
    return {
        "page_vs_surge": result["add_rps"] / result["surge_rps"],
        "page_requests_vs_surge": result["add_requests_rps"] / result["surge_rps"],
        "page_vs_mirror": result["add_rps"] / result["mirror_rps"],
        "mirror_vs_surge": result["mirror_rps"] / result["surge_rps"],
    }


def cpu_words(cpu: dict[str, float]) -> str:
    return " ".join(f"{k} {v}" for k, v in cpu.items())


def surge_scenario(args: argparse.Namespace) -> Scenario:
    name = "spread" if args.api_scenario == "spread" else "hot"
    return next(s for s in SCENARIOS if s.name == name)


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
        + f"; the API's adds: surge's {surge_scenario(args).name} scenario"
        + (", and the mirror of the page wave" if args.mirror else "")
        + f"; page_vs_api against {'the mirror' if args.api_scenario == 'mirror' else surge_scenario(args).name}"
    )
    api = surge_scenario(args)
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

    surge = surge_scenario(args).name
    log(
        f"morning, medians of {len(runs)}: page adds/s {median('add_rps'):.1f} "
        f"(page requests/s {median('add_requests_rps'):.1f}), {surge} adds/s {median('surge_rps'):.1f}"
        + (f", mirror adds/s {median('mirror_rps'):.1f}" if args.mirror else "")
        + f"; page vs {surge} {median('page_vs_surge'):.2f} (by requests {median('page_requests_vs_surge'):.2f})"
        + (
            f", page vs mirror {median('page_vs_mirror'):.2f}, mirror vs {surge} {median('mirror_vs_surge'):.2f}"
            if args.mirror
            else ""
        )
    )
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
