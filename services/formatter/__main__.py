"""``python -m services.formatter``: the output formatter."""

from __future__ import annotations

import sys

from libs.settings import SettingsError, load_settings
from services.common.lifecycle import run_service
from services.common.logs import setup_logging


def main() -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"ss-formatter: configuration error: {exc}")
    setup_logging("formatter", settings.log_level)
    from services.formatter.service import serve

    run_service(lambda stop: serve(settings, stop))


if __name__ == "__main__":
    main()
