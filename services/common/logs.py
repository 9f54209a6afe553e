"""Structured JSON logs: one object per line, with job and request ids when known."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

#: Set around the handling of one job / one request; every log line carries them.
job_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (job_id := job_id_var.get()) is not None:
            entry["job_id"] = job_id
        if (request_id := request_id_var.get()) is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(service: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


#: Third-party loggers whose INFO lines are routine chatter (fontTools.subset alone writes
#: ~110 per PDF report): only their warnings and errors reach the log.
NOISY_LOGGERS = ("botocore", "aiobotocore", "urllib3", "nats", "fontTools", "fpdf",
                 "matplotlib", "PIL")
