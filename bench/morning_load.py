"""bench/morning.py's load: families go through the portal's pages in waves, each family with
its own signed-in session: every family opens the catalog, then every family adds one or two
seats through the page's own htmx endpoint (the form's fields, with HX-Request as htmx sends
them), then every family opens its cart, then (when the portal has its checkout) checks out and
pays on the sandbox's page. The adds are one wave of their own so that their rate and latency
compare with the API's adds in the same run (morning.py runs the API's right after it, between
the page's add and cart waves: `run` takes the waves to send)."""

import asyncio
import re
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp
from morning_fixtures import Visit

REQUEST_TIMEOUT_S = 60.0
ADDED = re.compile(r"is in your cart\.")
REFUSED = re.compile(r"usa-alert--error")
CART_ID = re.compile(r'name="cart_id" value="(\d+)"')
WAVES = ("catalog", "add", "cart", "checkout")
T = TypeVar("T")


@dataclass
class Wave:
    name: str
    latencies: list[float] = field(default_factory=list)
    status: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    wall_s: float = 0.0

    def record(self, started: float, key: str, text: str, expected: tuple[int, ...]) -> None:
        self.latencies.append(time.perf_counter() - started)
        self.status[key] += 1
        if not key.isdigit() or int(key) not in expected:
            self.samples.setdefault(key, text[:300])

    def errors(self, expected: tuple[int, ...]) -> int:
        return sum(n for key, n in self.status.items() if not key.isdigit() or int(key) not in expected)


@dataclass
class FamilyState:
    visit: Visit
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 characters, as Django's secret
    seats: int = 0
    refused: int = 0
    cart_id: str = ""
    paid: bool = False

    def headers(self, *, htmx: bool = False, post: bool = False) -> dict[str, str]:
        cookie = f"sessionid={self.visit.family.session_key}; csrftoken={self.csrf}"
        headers = {"Cookie": cookie}
        if post:
            headers["X-CSRFToken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        return headers


def pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile, as the shared loadgen.py computes it."""
    if not sorted_values:
        return float("nan")
    index = max(0, min(len(sorted_values) - 1, -(-int(p * len(sorted_values)) // 100) - 1))
    return sorted_values[index]


async def send_wave(wave: Wave, items: Sequence[T], concurrency: int, step: Callable[[T], Awaitable[None]]) -> None:
    """`step(item)` for every item, at most `concurrency` at once; the wave's wall time."""
    queue = iter(items)

    async def worker() -> None:
        for family in queue:
            await step(family)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wave.wall_s = time.perf_counter() - started


async def send(
    session: aiohttp.ClientSession, wave: Wave, method: str, url: str, expected: tuple[int, ...], **kwargs: object
) -> tuple[str, str, str]:
    """(status key, body, Location) of one request, recorded in `wave`; never raises."""
    started = time.perf_counter()
    try:
        async with session.request(method, url, allow_redirects=False, **kwargs) as response:  # type: ignore[arg-type]
            text = await response.text(errors="replace")
            key, location = str(response.status), response.headers.get("Location", "")
    except Exception as exc:  # every failure counts, by kind
        text, key, location = repr(exc), "ERR:" + type(exc).__name__, ""
    wave.record(started, key, text, expected)
    return key, text, location


async def morning(
    base: str, slug: str, families: list[FamilyState], steps: Sequence[str], *, concurrency: int, checkout: bool
) -> dict[str, Wave]:
    waves = {name: Wave(name) for name in steps}
    if "checkout" in steps:
        waves["pay"] = Wave("pay")
    portal = f"{base}/o/{slug}"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    # No cookie jar: each request carries its family's own cookies (session, CSRF).
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def open_catalog(f: FamilyState) -> None:
            await send(session, waves["catalog"], "GET", f"{portal}/", (200,), headers=f.headers())

        async def add(f: FamilyState) -> None:
            data = [("offering", str(f.visit.offering_id)), ("next", f"/o/{slug}/")]
            data += [("participants", str(p)) for p in f.visit.participant_ids]
            key, text, _ = await send(
                session,
                waves["add"],
                "POST",
                f"{portal}/cart/add/",
                (200,),
                data=data,
                headers=f.headers(htmx=True, post=True),
            )
            if key == "200":
                f.seats, f.refused = len(ADDED.findall(text)), len(REFUSED.findall(text))

        async def open_cart(f: FamilyState) -> None:
            key, text, _ = await send(session, waves["cart"], "GET", f"{portal}/cart/", (200,), headers=f.headers())
            found = CART_ID.search(text) if key == "200" else None
            f.cart_id = found.group(1) if found else ""

        async def check_out_and_pay(f: FamilyState) -> None:
            if not f.seats or not f.cart_id:
                return
            key, _, location = await send(
                session,
                waves["checkout"],
                "POST",
                f"{portal}/checkout/",
                (302, 303),
                data={"cart_id": f.cart_id},
                headers=f.headers(post=True),
            )
            if "/pay/sandbox/" not in location:
                return
            pay_url = location if location.startswith("http") else base + location
            key, _, _ = await send(
                session, waves["pay"], "POST", pay_url, (302, 303), data={"choice": "pay"}, headers=f.headers(post=True)
            )
            f.paid = key in ("302", "303")

        step = {"catalog": open_catalog, "add": add, "cart": open_cart, "checkout": check_out_and_pay}
        for name in steps:
            if name != "checkout" or checkout:
                await send_wave(waves[name], families, concurrency, step[name])
    return waves


def run(
    port: int, slug: str, families: list[FamilyState], steps: Sequence[str], *, concurrency: int, checkout: bool
) -> dict[str, Wave]:
    """Send these waves (of WAVES, in that order) for these families, whose state they update."""
    base = f"http://127.0.0.1:{port}"
    return asyncio.run(morning(base, slug, families, steps, concurrency=concurrency, checkout=checkout))
