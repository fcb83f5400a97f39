"""bench/surge.py's load: one request per household through loadgen's worker loop, the warm-up,
one measured run of a scenario with its checks, and one run of the floor."""

import asyncio
import importlib.util
import ipaddress
import json
import math
import os
import random
import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import aiohttp
from bench_support import log
from surge_fixtures import (
    ROOT,
    SCENARIOS,
    SEATS,
    SLUG,
    WARMUP_REQUESTS,
    Fixtures,
    Scenario,
    check_ledger,
    raw_token,
    reset,
)
from surge_server import CpuMeter, Server

SHARED_BENCH = Path(os.environ.get("REGISTRAR_SHARED", str(ROOT.parent / "shared"))) / "bench"
REQUEST_TIMEOUT_S = 60.0


def load_shared_loadgen() -> ModuleType | None:
    """The shared load generator, for its percentile and loopback rules (same numbers as the
    floor); None if ../shared is not beside the project and REGISTRAR_SHARED does not say where."""
    path = SHARED_BENCH / "loadgen.py"
    spec = importlib.util.spec_from_file_location("loadgen", path)
    if not path.is_file() or spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class QuickRules:
    """The two rules surge takes from loadgen.py, written out for --quick where the shared
    directory is missing (a CI checkout): nearest-rank percentiles, loopback targets only."""

    @staticmethod
    def pct(sorted_values: list[float], p: float) -> float:
        if not sorted_values:
            return float("nan")
        return sorted_values[max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))]

    @staticmethod
    def check_loopback(url: str) -> None:
        host = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
        if not ipaddress.ip_address(host).is_loopback:
            raise SystemExit(f"refusing non-loopback target {host}")


loadgen: ModuleType | type[QuickRules] | None = load_shared_loadgen()


def require_loadgen(*, quick: bool) -> None:
    """Measured runs use the shared loadgen.py's rules, as the floor does; --quick may do without."""
    global loadgen
    if loadgen is not None:
        return
    if not quick:
        raise SystemExit(f"cannot find {SHARED_BENCH / 'loadgen.py'} (set REGISTRAR_SHARED)")
    log(f"no {SHARED_BENCH / 'loadgen.py'}: --quick uses the same two rules from surge_load.QuickRules")
    loadgen = QuickRules


@dataclass(frozen=True)
class Request:
    token: str
    offering_id: int
    body: bytes


def plan(fixtures: Fixtures, households: range, offering_ids: list[int], seed: int) -> list[Request]:
    """One request per household, for a seeded random offering of `offering_ids`."""
    rng = random.Random(seed)
    chosen = [(i, rng.choice(offering_ids)) for i in households]
    return [
        Request(
            token=raw_token(i),
            offering_id=offering_id,
            body=json.dumps({"offering_id": offering_id, "participant_id": fixtures.participant_ids[i]}).encode(),
        )
        for i, offering_id in chosen
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
    result["problems"] = problems(result, requests)
    for problem in result["problems"]:
        log(f"  ! {scenario.name} rep {rep}: {problem}")
    for key, text in result["error_samples"].items():
        log(f"  ! {scenario.name} rep {rep}: {key}: {text}")
    return result


def problems(result: dict[str, object], requests: list[Request]) -> list[str]:
    """What makes a run wrong rather than slow. Every request is a different household's first
    add, so each class holds min(its requests, SEATS): no more (overbooked), no fewer (an add
    refused or lost with seats left), and the database agrees with the answers."""
    status = result["status"]
    held, refused = status.get("201", 0), status.get("409", 0)
    expected = sum(min(n, SEATS) for n in Counter(r.offering_id for r in requests).values())
    found = []
    if held + refused != len(requests):
        found.append(f"{len(requests) - held - refused} answers neither 201 nor 409: {status}")
    if result["overbooked"]:
        found.append(f"overbooked: {result['overbooked']} claims beyond capacity")
    if result["db_live"] != held:
        found.append(f"{held} answers 201 but {result['db_live']} live claims in the database")
    if held != expected:
        found.append(f"{held} held, expected {expected} (each class: its requests, at most {SEATS})")
    return found


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
