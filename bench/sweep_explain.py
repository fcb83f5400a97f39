"""bench/sweep.py --explain: every SQL statement of one due run and one idle run timed, and
EXPLAIN (ANALYZE, BUFFERS) of the costliest, in rolled-back transactions."""

import re
import time
from collections import defaultdict

from bench_support import log
from sweep_db import Layout, sql
from sweep_due import reset_due
from sweep_run import run_worker


class StatementTimer:
    """Times every SQL statement of a run, grouped by its text (IN-lists folded)."""

    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        self.slowest: dict[str, tuple[float, object]] = {}

    @staticmethod
    def shape(statement: str) -> str:
        return re.sub(r"\((?:%s, )+%s\)", "(%s, ...)", statement)

    def __call__(self, execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            shape = self.shape(statement)
            self.total[shape] += elapsed
            self.count[shape] += 1
            if elapsed > self.slowest.get(shape, (-1.0, None))[0]:
                self.slowest[shape] = (elapsed, (statement, params))

    def report(self, top: int) -> list[str]:
        ranked = sorted(self.total, key=self.total.__getitem__, reverse=True)[:top]
        log(f"  {'total_s':>8} {'calls':>6} {'max_ms':>8}  statement")
        for shape in ranked:
            log(
                f"  {self.total[shape]:8.3f} {self.count[shape]:6d} {1000 * self.slowest[shape][0]:8.2f}  "
                f"{' '.join(shape.split())[:220]}"
            )
        return ranked


def explain(layout: Layout, top: int = 8) -> None:
    """One more run, untimed, with every statement timed; then EXPLAIN (ANALYZE, BUFFERS) of
    the SELECTs and UPDATEs that cost most, on fresh due rows, rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    reset_due(layout, timezone.now())
    timer = StatementTimer()
    with connection.execute_wrapper(timer):
        run = run_worker()
    log(
        f"size {layout.size}: profiled run {run.seconds:.2f}s, {sum(timer.count.values())} statements taking "
        f"{sum(timer.total.values()):.2f}s in all; costliest:"
    )
    ranked = timer.report(top)
    by_slowest = sorted(timer.slowest, key=lambda s: timer.slowest[s][0], reverse=True)[:top]
    reset_due(layout, timezone.now(), due=False)
    idle_timer = StatementTimer()
    with connection.execute_wrapper(idle_timer):
        run = run_worker()
    log(f"size {layout.size}: profiled idle run {run.seconds:.3f}s; costliest statements:")
    idle_ranked = idle_timer.report(4)
    for shape in idle_ranked:
        timer.slowest.setdefault(shape, idle_timer.slowest[shape])
    reset_due(layout, timezone.now())
    for shape in dict.fromkeys(ranked[:4] + by_slowest[:4] + idle_ranked[:2]):
        statement, params = timer.slowest[shape][1]
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        log(f"\nEXPLAIN (ANALYZE, BUFFERS) {' '.join(statement.split())[:300]}")
        try:
            with transaction.atomic():
                for (line,) in sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params):
                    log(f"    {line[:300]}")
                transaction.set_rollback(True)
        except Exception as error:  # a statement that needs its run's context: show why, go on
            log(f"    (could not explain: {error})")
