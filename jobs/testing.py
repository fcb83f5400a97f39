"""Workers in processes of their own, for tests that kill them: `manage.py worker` started
against the test database, and a wait for a condition that another process makes true.

Tests move time with time-machine and never sleep for a timer; a test that watches other
processes can only look again until a deadline, which `wait_for` does.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.05


def database_url() -> str:
    """The URL of the database this process uses now (the test database, in a test)."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config["USER"] or "postgres"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return f"postgres://{user}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"


def worker_env(**variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    return env | {
        "DJANGO_SETTINGS_MODULE": "registrar.settings",
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
        **variables,
    }


def start_worker(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`manage.py worker ARGS` in a process of its own, its output in `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 (this interpreter, manage.py, our arguments)
            [sys.executable, "manage.py", "worker", *args], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL, and collect the process so that it does not linger as a zombie."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Look at `condition` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL_SECONDS)
