"""bench/morning.py's mirror of the page wave through the JSON API: the same adds as the pages'
(each family's class and children, in the same order, at the same concurrency) sent to the API's
add, POST /api/v1/orgs/<slug>/cart/items, one participant per request as the API takes them
(a family adding both children sends two, one after the other), each family with its own bearer
token, on a twin organization built like the page wave's (morning_fixtures.build(api=True)).

Against the page wave it isolates what the pages cost on top of the add itself (session, user,
household, CSRF, the answer's fragment against the token, ninja and JSON); against surge's hot
scenario it says how fast the API itself does this morning's adds, most of which hold a seat,
compared with the hot wave's, most of which are refused without a lock: the ceiling of any page.
"""

import asyncio
import json

import aiohttp
from morning_fixtures import Visit
from morning_load import REQUEST_TIMEOUT_S, Wave, send, send_wave

EXPECTED = (201, 409)


async def _mirror(base: str, slug: str, visits: list[Visit], concurrency: int) -> Wave:
    wave = Wave("mirror")
    url = f"{base}/api/v1/orgs/{slug}/cart/items"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def add(visit: Visit) -> None:
            headers = {"Authorization": f"Bearer {visit.family.token}", "Content-Type": "application/json"}
            for participant_id in visit.participant_ids:
                body = json.dumps({"offering_id": visit.offering_id, "participant_id": participant_id})
                await send(session, wave, "POST", url, EXPECTED, data=body, headers=headers)

        await send_wave(wave, visits, concurrency, add)
    return wave


def run_mirror(port: int, slug: str, visits: list[Visit], *, concurrency: int) -> Wave:
    """The API's adds of these visits; the wave's status counts 201 (held) and 409 (refused)."""
    return asyncio.run(_mirror(f"http://127.0.0.1:{port}", slug, visits, concurrency))
