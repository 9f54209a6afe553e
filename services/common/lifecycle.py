"""Process identity, start-up and shutdown shared by the worker and the formatter."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Callable

import uvloop

from libs.settings import Settings, SettingsError, load_settings
from services.common.logs import setup_logging


def process_identity() -> str:
    """``<host name>-<pid>-<random>``: unique per process even where replicas share a host name
    and pid (containers on one network namespace, each its own pid 6)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def configured(service: str) -> Settings:
    """Settings from the environment and JSON logging; exit with the reason if invalid."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.exit(f"ss-{service}: configuration error: {exc}")
    setup_logging(service, settings.log_level)
    return settings


def run_service(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` on uvloop; SIGTERM/SIGINT set ``stop``, a second one exits now."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():
                sys.exit(1)
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)
        await main(stop)

    uvloop.run(runner())
