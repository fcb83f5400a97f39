"""What one page add costs inside the app, beside the API's add: no HTTP server, no load
generator, no concurrency, so the neighbours move it far less than morning.py's rates.

Production settings (DEBUG off) on PostgreSQL, through the project's WSGI application in this
process: the page add as morning.py sends it (POST /o/<slug>/cart/add/ with the family's
session and CSRF cookies, the form's fields and HX-Request) and surge's API add (a bearer
token, JSON), each once holding a seat (a class with room) and once refused (a full class).
Prints, for each of the four: the round trips and statements of one request, the app's CPU per
request over N sequential requests, and that CPU by part under cProfile (inclusive; cProfile's
overhead inflates the Python-heavy parts, so read the shares).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registrar_morning_anatomy \\
      .venv/bin/python bench/morning_anatomy.py [--requests 200]
See bench/README.md ("morning").
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from bench_support import ensure_database
from morning_fixtures import SEATS, build
from surge_fixtures import SLUG, WARMUP_REQUESTS, ensure_fixtures, raw_token, reset, server_env, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/registrar_morning_anatomy"
CSRF = "c" * 32  # the family's CSRF cookie and header, as morning_load sends them

# (label, module path suffix, function): CPU inclusive of what each calls.
PARTS = (
    ("whole request (WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("session read and decode", "contrib/sessions/backends/base.py", "_get_session"),
    ("auth: session's user (with the session)", "django/contrib/auth/__init__.py", "get_user"),
    ("auth: API token and household", "api/auth.py", "authenticate"),
    ("portal: user and household (session in it)", "portal/access.py", "customer_household"),
    ("CSRF check", "django/middleware/csrf.py", "process_view"),
    ("URL resolving", "django/urls/resolvers.py", "resolve"),
    ("add_to_cart service", "carts/services/adding.py", "add_to_cart"),
    ("refusal words (page)", "portal/views_cart.py", "_refusal"),
    ("answer fragment render (page)", "django/template/loader.py", "render_to_string"),
    ("ninja: body and answer (API)", "ninja/operation.py", "run"),
    ("request_finished signal", "django/dispatch/dispatcher.py", "send"),
    ("round trips (core.sqlbatch)", "core/sqlbatch.py", "_send_and_read"),
    ("ORM SQL compiling", "django/db/models/sql/compiler.py", "as_sql"),
)


def _call(application: Callable, environ: dict, body: bytes) -> int:
    environ |= {"SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "CONTENT_LENGTH": str(len(body))}
    environ["wsgi.input"] = io.BytesIO(body)
    setup_testing_defaults(environ)
    status: list[str] = []
    b"".join(application(environ, lambda s, headers, exc_info=None: status.append(s)))
    return int(status[0].split()[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200, help="sequential requests per case (200)")
    args = ap.parse_args()
    n = args.requests
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    setup_django(server_env(database_url))
    from django.core.wsgi import get_wsgi_application

    from accounts.models import ApiToken
    from accounts.tokens import password_stamp
    from core import sqlbatch

    api_fixtures = ensure_fixtures(6 * n + 4 * SEATS + WARMUP_REQUESTS)
    ApiToken.objects.filter(label="surge bench").update(password_stamp=password_stamp("!no-login"))
    page_fixtures = build(rep=1, families=6 * n + 4 * SEATS, run_id=secrets.token_hex(3))
    application = get_wsgi_application()
    families = iter(page_fixtures.families)
    households = iter(range(6 * n + 4 * SEATS))

    def page_add(offering_id: int) -> int:
        family = next(families)
        fields = [("offering", offering_id), ("next", f"/o/{page_fixtures.slug}/")]
        body = urlencode([*fields, ("participants", family.participant_ids[0])]).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/o/{page_fixtures.slug}/cart/add/",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "HTTP_COOKIE": f"sessionid={family.session_key}; csrftoken={CSRF}",
            "HTTP_X_CSRFTOKEN": CSRF,
            "HTTP_HX_REQUEST": "true",
        }
        return _call(application, environ, body)

    def api_add(offering_id: int) -> int:
        household = next(households)
        body = json.dumps({"offering_id": offering_id, "participant_id": api_fixtures.participant_ids[household]})
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/api/v1/orgs/{SLUG}/cart/items",
            "CONTENT_TYPE": "application/json",
            "HTTP_AUTHORIZATION": f"Bearer {raw_token(household)}",
        }
        return _call(application, environ, body.encode())

    cold, hot = page_fixtures.cold_ids, page_fixtures.hot_ids[0]
    spread = api_fixtures.spread_ids
    reset(api_fixtures.organization_id)
    for _ in range(SEATS + 2):  # fill the full classes, refuse twice (capacity.hints), warm every path
        page_add(hot)
        api_add(api_fixtures.hot_id)
    cases: dict[str, Callable[[int], int]] = {
        "page add, held": lambda i: page_add(cold[i % len(cold)]),
        "page add, refused": lambda i: page_add(hot),
        "API add, held": lambda i: api_add(spread[i % len(spread)]),
        "API add, refused": lambda i: api_add(api_fixtures.hot_id),
    }
    from django.db import connection

    for label, case in cases.items():
        case(0)  # this case's own statements compiled
        trips = sqlbatch.round_trips(connection)
        status = case(1)
        print(f"{label}: HTTP {status}, {sqlbatch.round_trips(connection) - trips} round trips through core.sqlbatch")
    print(f"app CPU per request, {n} sequential requests each (process time):")
    for label, case in cases.items():
        cpu = time.process_time()
        statuses = Counter(case(i) for i in range(n))
        print(f"  {label:<20} {(time.process_time() - cpu) * 1000 / n:5.2f} ms  {dict(statuses)}")
    print("CPU by part under cProfile, ms per request (inclusive; a part inside another is in both):")
    shares: dict[str, dict[str, float]] = {}
    for label, case in cases.items():
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda case=case: [case(i) for i in range(n)])
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        shares[label] = {
            part: sum(s[3] for (file, _, name), s in stats.items() if file.endswith(path) and name == function)
            * 1000
            / n
            for part, path, function in PARTS
        }
    print(f"  {'':<42}" + "".join(f"{label:>20}" for label in cases))
    for part, _, _ in PARTS:
        print(f"  {part:<42}" + "".join(f"{shares[label][part]:20.2f}" for label in cases))
    reset(api_fixtures.organization_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
