"""The worker's sweep at scale: does one run cost what is due, or what is stored?

Builds, on PostgreSQL, an organization whose tables hold --sizes rows in all (claims and carts
exactly that many; orders, order lines and registrations about 0.89 of it), mostly not due:
paid orders and confirmed registrations, unpaid ones older than the 240-hour horizon, office
orders on account, part-paid and free orders, registrations deleted long ago, checked-out and
expired carts with released holds, a few live carts, and 200 recent unpaid registrations whose
notices were already sent. Then, --reps times per size:

  1. (not timed) deletes the previous repetition's due rows and everything the run wrote, and
     inserts --due fresh ones: registrations unpaid 49 hours after submission (the grace period
     is 48 hours), and open carts whose timer ran out, each with a held claim; VACUUM ANALYZE;
  2. (timed) runs every job once, exactly as `manage.py worker --once` does: it calls that
     command;
  3. checks the work happened: --due registrations deleted (claims cancelled), --due carts
     expired (holds released), 2 x --due notices enqueued, 5 sent (N4: the throttle is 5 per
     organization per run), every job OK, and nothing else touched.

Then --reps idle runs (nothing due: what a worker does every 5 minutes most of the day), and
checks they did nothing. Prints each run to stderr and ends with one line on stdout:

  sweep: due=1000 t_10k_s=<float> t_100k_s=<float> t_1m_s=<float> ratio_1m_10k=<float>

the median wall time of the worker run at each size, and the largest over the smallest.
--explain adds, per size, one more (untimed) run with every SQL statement timed, the statements
that cost most, and EXPLAIN (ANALYZE, BUFFERS) of the slowest ones.

  .venv/bin/python bench/sweep.py [--sizes 10000,100000,1000000] [--reps 3] [--explain]
  .venv/bin/python bench/sweep.py --quick      # smoke run: 2k and 8k rows, 100 due, 1 rep

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/registrar_sweep (created if
missing, migrated, and its registrar tables TRUNCATED: use a database of its own). Email goes
to Django's locmem backend. See bench/README.md.
"""

import argparse
import os
import statistics
import sys

from bench_support import ensure_database, log
from sweep_build import build
from sweep_db import Layout, built_layout, setup_django, sql, table_counts
from sweep_due import reset_due
from sweep_explain import explain
from sweep_run import Run, check_idle_run, check_rows, check_run, run_worker

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_sweep"
DEFAULT_SIZES = "10000,100000,1000000"
DEFAULT_DUE = 1000


def label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None, help=f"rows in all, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--reps", type=int, default=None, help="measured runs per size; the median counts (default 3)")
    parser.add_argument(
        "--due", type=int, default=None, help=f"due registrations and due carts (default {DEFAULT_DUE})"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 2000,8000, due 100, 1 rep")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if the database holds this layout")
    parser.add_argument("--explain", action="store_true", help="per size: statement timings and EXPLAIN ANALYZE")
    args = parser.parse_args(argv)
    quick = {"sizes": "2000,8000", "reps": 1, "due": 100} if args.quick else {}
    args.sizes = [int(s) for s in (args.sizes or quick.get("sizes") or DEFAULT_SIZES).split(",")]
    args.reps = args.reps or quick.get("reps") or 3
    args.due = args.due or quick.get("due") or DEFAULT_DUE
    if len(args.sizes) < 2:
        parser.error("--sizes needs at least two sizes")
    return args


def measure_size(layout: Layout, args: argparse.Namespace) -> tuple[float, float]:
    """The median wall time of the worker run, and its median CPU time (python + postgres)."""
    from django.utils import timezone

    if args.rebuild or built_layout() != layout.key:
        log(f"size {layout.size}: building ...")
        build(layout, timezone.now())
    else:
        log(f"size {layout.size}: database already holds {layout.key}")
    runs: list[Run] = []
    for rep in range(1, args.reps + 1):
        reset_due(layout, timezone.now())
        if rep == 1:
            counts = table_counts()
            log(f"size {layout.size}: rows " + ", ".join(f"{t}={n}" for t, n in counts.items()))
            check_rows(layout, counts)
        sql("CHECKPOINT")
        since = timezone.now()
        run = run_worker()
        check_run(layout, since)
        runs.append(run)
        log(f"size {layout.size} rep {rep}: {run.describe()} - checks OK")
    median = statistics.median(run.seconds for run in runs)
    cpu = statistics.median(run.python_cpu + run.postgres_cpu for run in runs)
    log(
        f"size {layout.size}: median {median:.3f}s of {[round(r.seconds, 3) for r in runs]}; "
        f"median cpu python+postgres {cpu:.2f}s"
    )
    idle: list[Run] = []
    for _ in range(args.reps):
        reset_due(layout, timezone.now(), due=False)
        sql("CHECKPOINT")
        idle.append(run_worker())
        check_idle_run()
    jobs = ", ".join(f"{name} {statistics.median(r.jobs[name] for r in idle):.3f}" for name in idle[0].jobs)
    log(
        f"size {layout.size}: idle run (nothing due) median {statistics.median(r.seconds for r in idle):.3f}s "
        f"of {[round(r.seconds, 3) for r in idle]} ({jobs})"
    )
    if args.explain:
        explain(layout)
    return median, cpu


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL: {database_url}")
    layouts = [Layout(size=size, due=args.due) for size in args.sizes]
    for layout in layouts:
        layout.check()
    ensure_database(database_url)
    setup_django(database_url)
    measured = {layout.size: measure_size(layout, args) for layout in layouts}
    medians = {size: wall for size, (wall, _) in measured.items()}
    cpus = {size: cpu for size, (_, cpu) in measured.items()}
    first, last = args.sizes[0], args.sizes[-1]
    log(
        "cpu time (python + postgres), less sensitive to the neighbours: "
        + " ".join(f"cpu_{label(size)}_s={cpu:.2f}" for size, cpu in cpus.items())
        + f" ratio_{label(last)}_{label(first)}={cpus[last] / cpus[first]:.2f}"
    )
    times = " ".join(f"t_{label(size)}_s={seconds:.3f}" for size, seconds in medians.items())
    print(f"sweep: due={args.due} {times} ratio_{label(last)}_{label(first)}={medians[last] / medians[first]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
