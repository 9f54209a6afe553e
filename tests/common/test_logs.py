"""The services' logs carry signal: third-party chatter stays out."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev.report_samples import write_attempt
from libs.reports import ResultBundle, render
from services.common.logs import NOISY_LOGGERS, setup_logging


@pytest.fixture
def service_log() -> Iterator[io.StringIO]:
    """What a service configured by ``setup_logging`` would write to stderr, while the test
    runs; the logging configuration as it was afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    setup_logging("formatter", "INFO")
    written = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)
    try:
        yield written
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)


def test_rendering_a_pdf_report_logs_no_third_party_chatter(
    service_log: io.StringIO, tmp_path: Path
) -> None:
    context, _ = write_attempt(tmp_path / "raw", models=2)
    bundle = ResultBundle.load(tmp_path / "raw" / "results", context)
    render("pdf", bundle, tmp_path / "raw", tmp_path / "out")
    logging.getLogger("services.formatter").info("rendered")
    lines = [json.loads(line) for line in service_log.getvalue().splitlines()]
    assert [(e["logger"], e["msg"]) for e in lines] == [("services.formatter", "rendered")]
