"""Structured logs on request (LOG_FORMAT=json, or `worker --log-format json`): one JSON
object per line, with the record's own fields (time, level, logger, message) and whatever the
code passed in `extra=` (the worker's run line carries each job's counts this way)."""

import json
import logging
from datetime import UTC, datetime

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields |= {key: value for key, value in record.__dict__.items() if key not in _STANDARD}
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(fields, default=str)


def use_json_logs() -> None:
    """Switch the handlers of the root logger to JSON, whatever LOGGING set up."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonFormatter())
