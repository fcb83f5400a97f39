"""What bench/surge.py and bench/sweep.py both need: progress on stderr, a PostgreSQL database
to work in, and where the machine's CPU went (/proc), so that each run can say whether it
measured Registrar or the neighbours."""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_database(database_url: str) -> None:
    """Create the database `database_url` names if it is missing (the user needs CREATEDB)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"DATABASE_URL must be PostgreSQL, not {config['ENGINE']}")
    params = {"dbname": "postgres", "user": config["USER"] or "postgres", "host": config["HOST"] or "127.0.0.1"}
    params |= {k: str(v) for k, v in (("port", config["PORT"]), ("password", config["PASSWORD"])) if v}
    with psycopg.connect(**params, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            log(f"created database {config['NAME']}")


def process_cpu(pid: int, *, if_gone: float = 0.0) -> float:
    """CPU seconds (user + system) process `pid` has used; `if_gone` once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return if_gone
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def machine_busy() -> float:
    """CPU seconds all cores spent not idle since boot (/proc/stat, without idle and iowait)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS


def add_caller(fixtures: Any, *, slug: str, token_of: Callable[[int], str]) -> Callable[[int, int], int]:
    """`call(household, offering_id) -> HTTP status`: one add to cart through the project's WSGI
    application in this process (no HTTP server, no load generator), as household `household`
    of the surge fixtures. For the in-process measurements: --anatomy, instructions.py, compare.py."""
    import io
    import json
    from wsgiref.util import setup_testing_defaults

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def call(household: int, offering_id: int) -> int:
        body = json.dumps({"offering_id": offering_id, "participant_id": fixtures.participant_ids[household]}).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/api/v1/orgs/{slug}/cart/items",
            "SERVER_NAME": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {token_of(household)}",
            "wsgi.input": io.BytesIO(body),
        }
        setup_testing_defaults(environ)
        status: list[str] = []
        b"".join(application(environ, lambda s, headers, exc_info=None: status.append(s)))
        return int(status[0].split()[0])

    return call
