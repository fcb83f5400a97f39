"""gunicorn's settings for production (`gunicorn -c python:registrar.gunicorn_conf
registrar.wsgi`): where to listen and how many processes, from the environment, and
prometheus-client's multiprocess mode, so that /metrics adds up the counters of every web
process of this host (docs/decisions/0019-operations.md)."""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers: each request holds one process; the add's transaction is short (bench/README).
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "0") == "1" else None
control_socket_disable = True
# gunicorn's largest bounded request line (its default is 4094): room above the API's own limit
# (core.middleware.MAX_REQUEST_TARGET, 4096), so a long address gets the API's JSON 414, not
# gunicorn's HTML page. Beyond 8190 bytes gunicorn still answers 414 itself (README).
limit_request_line = 8190


def on_starting(server: object) -> None:
    """Before the web processes start: an empty directory for their counters (a restart must
    not add up the counts of processes long gone)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    """A web process ended: its gauges no longer count (its counters still do)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
