"""``python -m services.api``: serve the HTTP API with uvicorn."""

from __future__ import annotations

import sys

import uvicorn

from libs.settings import SettingsError, load_settings
from services.common.logs import setup_logging


def main() -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"ss-api: configuration error: {exc}")
    setup_logging("api", settings.log_level)
    from services.api.app import create_app

    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
                loop="uvloop", http="httptools" if _has("httptools") else "h11",
                log_config=None, access_log=False, lifespan="on")


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
