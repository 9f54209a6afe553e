"""Headless Chromium for the console's tests and screenshots: Debian's ``chromium`` (installed
by ``make sysdeps``) driven by Playwright, never a browser Playwright downloads itself.
Playwright starts it headless with a fresh, temporary profile each time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

#: What a closed network needs: no background traffic, no first-run or sync services.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    """The Chromium to drive: ``SS_CHROMIUM`` or Debian's; an error saying how to get one."""
    found = os.environ.get("SS_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise RuntimeError("no chromium on this machine: `make sysdeps` installs Debian's "
                           "chromium and chromium-driver (the console's browser tests need it)")
    return found


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
