"""Driving the console in a real browser: logging in as a key (recording every request the
pages make), and a tour of every page that screenshots each one. The browser tests and the
script that refreshes docs/console/ (``python -m tests.console.screenshots``) share it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.console.jobs import AUTO
from tests.console.stack import Console

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: The do-file the tour checks on the do-file page: one line the embedded engine lacks.
TOUR_DOFILE = """import delimited using auto.csv, clear
regress price mpg weight, vce(robust)
estimates store robust
tabout foreign using table.txt
"""
#: Screenshots show at most this much of a long page (the catalogue lists every template).
MAX_HEIGHT = 2400


@dataclass
class Visit:
    """A browser context logged in as one key, recording every request and script error."""

    context: BrowserContext
    page: Page
    requests: list[str]
    errors: list[str]

    def foreign_requests(self, *allowed: str) -> list[str]:
        """Requests to anywhere but the console's origin and ``allowed`` origins."""
        origins = {_origin(a) for a in allowed}
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:")) and _origin(url) not in origins]

    def close(self) -> None:
        self.context.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def open_console(browser: Browser, console: Console, key: str,
                 viewport: dict[str, int] | None = None) -> Visit:
    """Log in through the login page as ``key`` (a name in ``console.keys``)."""
    context = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True)
    context.set_default_timeout(60_000)  # a loaded machine, not a slow page
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A refused request is logged by the browser itself ("Failed to load resource"): the
    # page shows it; anything else on the console is a script's error.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not
            m.text.startswith("Failed to load resource") else None)
    page.goto(f"{console.url}/console/login")
    page.fill("#key", console.keys[key])
    page.press("#key", "Enter")
    page.wait_for_url(re.compile(r".*/console/(overview|templates)$"))
    return Visit(context, page, requests, errors)


def visit(visits: list[Visit], browser: Browser, console: Console, key: str,
          viewport: dict[str, int] | None = None) -> Page:
    """A page logged in as ``key``, its visit added to ``visits`` (the fixture checks it)."""
    opened = open_console(browser, console, key, viewport)
    visits.append(opened)
    return opened.page


def expect_settled(page: Page, state: str) -> None:
    """The job page shows ``state`` and has stopped following the job. A live page shows the
    new state from its event stream and then reloads itself on ``done``; an action taken in
    between (a ``goto``, a read) races that reload, so wait for the reloaded page, which has
    no ``data-live`` region once the job is terminal."""
    expect(page.locator("h1 .state")).to_have_text(state, timeout=60_000)
    expect(page.locator("#job[data-live]")).to_have_count(0, timeout=30_000)


@dataclass(frozen=True)
class Stop:
    """One page of the tour: its file name, the key that looks at it, and its path."""

    name: str
    key: str
    path: str


def stops(succeeded: str, failed: str) -> list[Stop]:
    """Every page of the console; ``succeeded`` and ``failed`` are jobs of tenant alpha."""
    return [
        Stop("login", "", "/console/login"),
        Stop("overview", "operator", "/console/overview"),
        Stop("jobs", "operator", "/console/jobs"),
        Stop("job-succeeded", "alpha_client", f"/console/jobs/{succeeded}"),
        Stop("job-failed", "operator", f"/console/jobs/{failed}?tenant=alpha"),
        Stop("failures", "operator", "/console/failures"),
        Stop("templates", "alpha_client", "/console/templates"),
        Stop("template", "alpha_client", "/console/templates/ols_robust"),
        Stop("dofile", "alpha_client", "/console/dofile"),
    ]


def tour(browser: Browser, console: Console, folder: Path, succeeded: str, failed: str,
         viewport: dict[str, int] = DESKTOP, suffix: str = "") -> list[Path]:
    """Screenshot every page into ``folder`` (``<name><suffix>.png``); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    visits: dict[str, Visit] = {}
    written = []
    try:
        for stop in stops(succeeded, failed):
            if stop.key not in visits:
                if stop.key:
                    visits[stop.key] = open_console(browser, console, stop.key, viewport)
                else:
                    context = browser.new_context(viewport=viewport)
                    visits[""] = Visit(context, context.new_page(), [], [])
            page = visits[stop.key].page
            page.goto(console.url + stop.path)
            if stop.name == "overview":  # its live stream never lets the network idle
                page.wait_for_selector("#processes .proc")
            else:
                page.wait_for_load_state("networkidle")
            if "/jobs/" in stop.path:
                page.wait_for_selector("#timeline")
            if stop.name == "template":  # as a researcher sees it once the data is in
                page.set_input_files("[data-file=main]", str(AUTO))
                page.wait_for_selector("[data-preview=main] table")
                page.select_option("[data-param=depvar]", "price")
                page.select_option("[data-param=indepvars]", ["mpg", "weight"])
            if stop.name == "dofile":  # a do-file with its data, checked
                page.fill("#source", TOUR_DOFILE)
                page.set_input_files("#files", str(AUTO))
                page.click("#check")
                page.wait_for_selector("#check-section:not([hidden])")
            target = folder / f"{stop.name}{suffix}.png"
            height = page.evaluate("document.documentElement.scrollHeight")
            page.screenshot(path=str(target), full_page=True, clip={
                "x": 0, "y": 0, "width": viewport["width"], "height": min(height, MAX_HEIGHT)})
            written.append(target)
    finally:
        for visit in visits.values():
            visit.close()
    return written
