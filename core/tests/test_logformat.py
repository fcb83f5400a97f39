"""Structured logs on request: one JSON object per line with the record's extra fields."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command

from core.logformat import JsonFormatter


def test_a_record_becomes_one_json_line_with_its_extra_fields():
    record = logging.makeLogRecord(
        {
            "name": "jobs.worker",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "worker %s run %s",
            "args": ("w1", "degraded"),
            "created": 1772463600.0,
            "event": "worker.run",
            "jobs": [{"job": "deliver_notifications", "count": 0, "note": "throttled"}],
        }
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-03-02T15:00:00.000+00:00",
        "level": "WARNING",
        "logger": "jobs.worker",
        "message": "worker w1 run degraded",
        "event": "worker.run",
        "jobs": [{"job": "deliver_notifications", "count": 0, "note": "throttled"}],
    }


@pytest.fixture
def root_stream():
    """The root logger's handler writing to a buffer, with its formatter put back afterwards."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    for other in root.handlers:
        other.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))


def test_worker_log_format_json_writes_the_run_line_as_json(db, root_stream):
    call_command("worker", "--once", "--log-format", "json", stdout=StringIO())
    [line] = [json.loads(text) for text in root_stream.getvalue().splitlines() if '"worker.run"' in text]
    assert line["event"] == "worker.run"
    assert line["outcome"] == "ok"
    assert [job["job"] for job in line["jobs"]][:3] == ["expire_carts", "apply_grace_policies", "deliver_notifications"]
    assert line["jobs"][2] == {
        "job": "deliver_notifications",
        "outcome": "ok",
        "count": 0,
        "waiting": 0,
        "retry_at": None,
        "note": "nothing due",  # the reason for the zero, as in the text line
    }
