"""A/B of two source trees: app and PostgreSQL CPU per add, measured side by side.

This machine's speed moves by a factor of two within minutes (other people's work), so two
runs of surge.py an hour apart cannot tell a 10 % change. This runs one long-lived process
per tree, each with its own connection to the surge database, and asks them in turn for a
round of sequential adds (half granted on the spread classes, half refused on the full hot
class) through the real WSGI application, production settings. Each round reports the
app's CPU (user + system: the kernel's share of a round trip counts, which callgrind's
instruction counts cannot see) and its PostgreSQL backend's. The rounds alternate A B B A
A B ..., and the answer is the median of the per-pair ratios B/A.

    .venv/bin/python bench/compare.py /tmp/base-src .        # 20 pairs of 200 adds, about 4 min
    compare: app_ratio=0.753 (q1 0.686 q3 0.825) pg_ratio=0.79 app_us A=1549 B=1212 pg_us A=700 B=552

Snapshot a commit to compare with `git archive`:
    rm -rf /tmp/base-src && mkdir /tmp/base-src && git archive HEAD~1 | tar -x -C /tmp/base-src

Needs the surge fixtures (surge.py creates them on its first run) and, in each tree,
`bench/surge.py`. Both trees run with this project's virtualenv.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(source: Path) -> None:
    """The measured process: reads a number of adds per line, answers one JSON line per round."""
    # This tree's helpers first: the other tree's surge.py then imports the same bench_support.
    from bench_support import add_caller, process_cpu

    sys.path.insert(0, str(source / "bench"))
    import surge

    surge.setup_django(surge.server_env(os.environ.get("DATABASE_URL", surge.DEFAULT_DATABASE_URL)))
    fixtures = surge.ensure_fixtures(2000 + surge.WARMUP_REQUESTS)
    from django.db import connection

    call = add_caller(fixtures, slug=surge.SLUG, token_of=surge.raw_token)
    spread = fixtures.spread_ids

    def one_round(adds: int) -> dict[str, float]:
        surge.reset(fixtures.organization_id)
        for i in range(surge.SEATS):  # fill the hot class
            call(1000 + i, fixtures.hot_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [backend] = cursor.fetchone()
        app0, pg0 = time.process_time(), process_cpu(backend)
        statuses = [call(i, spread[i % len(spread)] if i % 2 == 0 else fixtures.hot_id) for i in range(adds)]
        app, pg = time.process_time() - app0, process_cpu(backend) - pg0
        if statuses.count(201) != (adds + 1) // 2 or statuses.count(409) != adds // 2:
            raise SystemExit(f"unexpected answers: {sorted(set(statuses))}")
        return {"app_us": app * 1e6 / adds, "pg_us": pg * 1e6 / adds}

    one_round(200)  # warm up: imports, compiled and prepared statements
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(one_round(int(line))), flush=True)
    surge.reset(fixtures.organization_id)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path, help="source tree A (the baseline)")
    ap.add_argument("b", type=Path, help="source tree B")
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--adds", type=int, default=200, help="adds per round (200)")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker.resolve())
        return 0
    env = os.environ | {"REGISTRAR_SHARED": os.environ.get("REGISTRAR_SHARED", str(ROOT.parent / "shared"))}
    procs = []
    for source in (args.a.resolve(), args.b.resolve()):
        command = [sys.executable, str(Path(__file__).resolve()), "x", "x", "--worker", str(source)]
        proc = subprocess.Popen(command, cwd=source, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"the worker for {source} did not start")
        procs.append(proc)
    rounds: list[list[dict[str, float]]] = [[], []]
    for pair in range(args.pairs):
        for side in (0, 1) if pair % 2 == 0 else (1, 0):
            procs[side].stdin.write(f"{args.adds}\n")
            procs[side].stdin.flush()
            rounds[side].append(json.loads(procs[side].stdout.readline()))
    for proc in procs:
        proc.stdin.close()
        proc.wait()

    def ratios(key: str) -> list[float]:
        return [b[key] / a[key] for a, b in zip(*rounds, strict=True) if a[key]]

    app = ratios("app_us")
    q1, _, q3 = statistics.quantiles(app, n=4)
    medians = {key: [statistics.median(r[key] for r in side) for side in rounds] for key in ("app_us", "pg_us")}
    pg_a, pg_b = (sum(r["pg_us"] for r in side) for side in rounds)  # PostgreSQL CPU is read in 10 ms ticks
    print(
        f"compare: app_ratio={statistics.median(app):.3f} (q1 {q1:.3f} q3 {q3:.3f}) pg_ratio={pg_b / pg_a:.2f} "
        f"app_us A={medians['app_us'][0]:.0f} B={medians['app_us'][1]:.0f} "
        f"pg_us A={pg_a / args.pairs:.0f} B={pg_b / args.pairs:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
