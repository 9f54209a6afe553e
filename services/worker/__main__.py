"""``python -m services.worker``: the Stata-runner."""

from __future__ import annotations

import sys

from libs.contracts.errors import SSError
from libs.settings import SettingsError, load_settings
from services.common.lifecycle import run_service
from services.common.logs import setup_logging


def main() -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"ss-worker: configuration error: {exc}")
    setup_logging("worker", settings.log_level)
    from services.worker.service import serve

    try:
        run_service(lambda stop: serve(settings, stop))
    except SSError as exc:
        # e.g. STATA_CMD_NOT_CONFIGURED: refuse to start, say why, exit non-zero.
        sys.exit(f"ss-worker: {exc.code.value}: {exc.message}")


if __name__ == "__main__":
    main()
