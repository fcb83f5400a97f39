"""Instructions per add in the app process: the one figure the neighbours cannot move.

Runs an in-process driver twice under `valgrind --tool=callgrind` (which counts instructions,
not seconds): once with 50 adds and once with 250, half of them granted (spread classes) and
half refused (the full hot class), through the real WSGI application with production settings
and the surge fixtures on PostgreSQL. The difference of the two totals over 200 adds is the
cost of one add; start-up, imports and warm-up cancel out. PostgreSQL's own work is not in it.

    .venv/bin/python bench/instructions.py        # about 2 minutes; needs valgrind
    instructions: per_add=4.16M adds=200 (half granted, half refused; app process only)
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SMALL, LARGE = 50, 250


def drive(adds: int) -> None:
    """The measured process: warm up, then `adds` adds alternating granted and refused."""
    sys.argv = [sys.argv[0]]  # surge parses nothing at import, but keep it clean
    import surge
    from bench_support import add_caller

    surge.setup_django(surge.server_env(os.environ.get("DATABASE_URL", surge.DEFAULT_DATABASE_URL)))
    fixtures = surge.ensure_fixtures(2000 + surge.WARMUP_REQUESTS)
    call = add_caller(fixtures, slug=surge.SLUG, token_of=surge.raw_token)

    surge.reset(fixtures.organization_id)
    try:
        for i in range(surge.SEATS):  # fill the hot class
            call(1000 + i, fixtures.hot_id)
        for i in range(40):  # warm up both paths: prepared statements, compiled SQL
            call(1100 + i, fixtures.spread_ids[i % len(fixtures.spread_ids)])
            call(1200 + i, fixtures.hot_id)
        spread = fixtures.spread_ids
        statuses = [call(i, spread[i % len(spread)] if i % 2 == 0 else fixtures.hot_id) for i in range(adds)]
        expected = {201: (adds + 1) // 2, 409: adds // 2}
        if {s: statuses.count(s) for s in set(statuses)} != expected:
            raise SystemExit(f"unexpected answers: {statuses}")
    finally:
        surge.reset(fixtures.organization_id)


def collected(adds: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                *("valgrind", "--tool=callgrind", f"--callgrind-out-file={Path(tmp) / 'out'}"),
                *(sys.executable, __file__, "--drive", str(adds)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"callgrind run of {adds} adds failed:\n{done.stderr[-3000:]}")
    return int(found.group(1))


def main() -> int:
    if sys.argv[1:2] == ["--drive"]:
        drive(int(sys.argv[2]))
        return 0
    small, large = collected(SMALL), collected(LARGE)
    per_add = (large - small) / (LARGE - SMALL)
    print(
        f"instructions: per_add={per_add / 1e6:.2f}M adds={LARGE - SMALL} "
        "(half granted, half refused; app process only)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
