"""The console in headless Chromium against the real stack: a researcher runs a template from
its form and reads the report; refusals show in the page; an operator watches a killed
worker disappear while its job finishes elsewhere, and retries failures in bulk; keyboard
and phone use; no request ever leaves for another site."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.console.jobs import AUTO, TERMINAL, failed_job, start_job, wait_state
from tests.console.stack import Console
from tests.console.tour import PHONE, Visit, expect_settled, open_console, tour, visit

#: Long enough to outlive the other tenant's look, a SIGKILL and a lease on a loaded machine.
LONG_RUN_MS = 15_000


def test_a_researcher_runs_a_template_from_its_form(browser: Browser, console: Console,
                                                    visits: list[Visit], tmp_path: Path) -> None:
    page = visit(visits, browser, console, "alpha_client")
    page.fill("input[name=q]", "robust standard errors")
    page.press("input[name=q]", "Enter")
    page.click("#templates a[href='/console/templates/ols_robust']")
    page.set_input_files("[data-file=main]", str(AUTO))
    expect(page.locator("[data-preview=main] table th").first).to_have_text("make")
    page.select_option("[data-param=depvar]", "price")
    page.select_option("[data-param=indepvars]", ["mpg", "weight"])
    # Variable pickers offer what fits: a numeric outcome cannot be the string column.
    assert "make" not in page.locator("[data-param=depvar] option").all_inner_texts()
    for fmt in ("xlsx", "html"):
        page.check(f"input[name=format][value={fmt}]")
    page.click("#run")
    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{28}$"))
    job_id = page.url.rsplit("/", 1)[1]
    # The page follows the job live and shows the finished job (report, log) by itself.
    expect_settled(page, "succeeded")
    expect(page.locator("#timeline .step-completed")).to_contain_text("succeeded")
    expect(page.locator("#attempts tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.click("#outputs a[href$='/files/report.xlsx']")
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "report.xlsx"
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as book:
        assert "xl/workbook.xml" in book.namelist()
    report = page.frame_locator("#report")
    expect(report.locator("body")).to_contain_text("Regression results")
    expect(report.locator("body")).to_contain_text(job_id)
    with console.api("alpha_client") as api:
        job = api.get(f"/v1/jobs/{job_id}").json()
    assert job["spec"]["params"] == {"depvar": "price", "indepvars": ["mpg", "weight"],
                                     "level": 95}
    assert {"xlsx", "html"} <= set(job["spec"]["output_formats"])


def test_a_file_picked_before_the_form_script_runs_is_read(browser: Browser, console: Console,
                                                          visits: list[Visit]) -> None:
    # Hold the form's module script so the file is chosen while nothing listens for "change",
    # as on a slow connection; once the script runs it must read the file all the same.
    page = visit(visits, browser, console, "alpha_client")
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/js/run.js", hold)
    page.goto(f"{console.url}/console/templates/ols_robust", wait_until="commit")
    page.wait_for_selector("[data-file=main]", state="attached")
    page.set_input_files("[data-file=main]", str(AUTO))
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()
    expect(page.locator("[data-preview=main] table th").first).to_have_text("make")
    assert "make" not in page.locator("[data-param=depvar] option").all_inner_texts()


def test_example_data_runs_with_one_click(browser: Browser, console: Console,
                                          visits: list[Visit]) -> None:
    page = visit(visits, browser, console, "alpha_client")
    page.goto(f"{console.url}/console/templates/ols_robust")
    page.click("#try-example")
    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{28}$"))
    expect_settled(page, "succeeded")
    expect(page.locator("#inputs")).to_contain_text("auto.csv")


#: Records every value the upload's progress bar takes, across the page change after Run.
RECORD_PROGRESS = """() => {
    const bar = document.querySelector("[data-progress=main]");
    sessionStorage.setItem("progress", "[]");
    new MutationObserver(() => {
        const shown = JSON.parse(sessionStorage.getItem("progress"));
        shown.push(bar.value);
        sessionStorage.setItem("progress", JSON.stringify(shown));
    }).observe(bar, { attributes: true, attributeFilter: ["value"] });
}"""


def _session_item(page: Page, key: str) -> object:
    """A sessionStorage item of the page as JSON. The job page reloads itself when the job
    ends (its live region's ``done``), which can land while the page is read: read again
    once the reloaded page is there (the tab's sessionStorage outlives the reload)."""
    for _ in range(10):
        try:
            return page.evaluate(f"JSON.parse(sessionStorage.getItem({key!r}))")
        except PlaywrightError as exc:
            if "Execution context was destroyed" not in str(exc):
                raise
            page.wait_for_load_state()
    raise AssertionError(f"the page kept navigating while {key} was read")


def test_large_files_go_straight_to_s3(browser: Browser, console: Console,
                                       visits: list[Visit], tmp_path: Path) -> None:
    """Files from SS_CONSOLE_DIRECT_UPLOAD_BYTES up are uploaded with presigned URLs: one PUT,
    or parts (multipart) above SS_PRESIGN_SINGLE_MAX_BYTES; the API checks size and sha256."""
    note = "n" * 4000
    single = tmp_path / "single.csv"
    single.write_text("x,note\n" + "".join(f"{i},{note}\n" for i in range(80)))
    parts = tmp_path / "parts.csv"
    parts.write_text("x,note\n" + "".join(f"{i},{note}\n" for i in range(2300)))
    assert 256 * 1024 < single.stat().st_size < 1024 * 1024 < 8 * 1024**2 < parts.stat().st_size
    page = visit(visits, browser, console, "alpha_client")
    for data in (single, parts):
        page.goto(f"{console.url}/console/templates/sleepy")
        page.set_input_files("[data-file=main]", str(data))
        expect(page.locator("[data-preview=main] table")).to_contain_text("note")
        page.select_option("[data-param=var]", "x")
        page.fill("[data-param=ms]", "0")
        page.evaluate(RECORD_PROGRESS)
        page.click("#run")
        page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{28}$"))
        # The bar moved while the file was hashed (to 20) and sent (to 100), never back.
        shown = _session_item(page, "progress")
        assert shown == sorted(shown), shown
        assert shown[-1] == 100
        assert any(0 < value < 100 for value in shown), shown
        expect_settled(page, "succeeded")
        with console.api("alpha_client") as api:
            upload = api.get(f"/v1/jobs/{page.url.rsplit('/', 1)[1]}").json()["inputs"][0]
        assert upload["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    s3 = console.stack.s3.endpoint
    direct = [u for u in visits[0].requests if u.startswith(s3)]
    assert any("partNumber=1" in u for u in direct)
    assert any("partNumber=2" in u for u in direct)
    assert any("partNumber" not in u for u in direct)  # the single presigned PUT
    assert not any("/inputs/" in u for u in visits[0].requests if u.startswith(console.url))


def test_refusals_show_in_the_page(browser: Browser, console: Console,
                                   visits: list[Visit], tmp_path: Path) -> None:
    page = visit(visits, browser, console, "alpha_client")
    page.goto(f"{console.url}/console/templates/ols_robust")
    empty = tmp_path / "empty.csv"
    empty.write_text("price,mpg\n")
    # Dropped like a file from the desktop: a real drop event carrying the file.
    handle = page.evaluate_handle("""(text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], "empty.csv", {type: "text/csv"}));
        return data; }""", empty.read_text())
    page.dispatch_event("[data-drop=main]", "drop", {"dataTransfer": handle})
    expect(page.locator("[data-preview=main] .error")).to_contain_text("INPUT_EMPTY")
    page.set_input_files("[data-file=main]", str(AUTO))
    expect(page.locator("[data-preview=main] table")).to_be_visible()
    page.click("#run")  # no outcome chosen
    expect(page.locator("[data-error-for=depvar]")).not_to_be_empty()
    expect(page.locator("#alerts .error")).to_contain_text("TEMPLATE_PARAM_INVALID")
    expect(page.locator("[data-param=depvar]")).to_be_focused()
    page.select_option("[data-param=depvar]", "price")
    page.select_option("[data-param=indepvars]", ["price"])
    page.click("#run")
    expect(page.locator("#alerts .error")).to_contain_text("TEMPLATE_PARAM_INVALID")
    expect(page.locator("[data-error-for=indepvars]")).to_contain_text("price")
    for box in page.locator("input[name=format]").all():
        box.uncheck()
    page.select_option("[data-param=indepvars]", ["mpg"])
    page.click("#run")
    expect(page.locator("#alerts .error")).to_contain_text("OUTPUT_FORMATS_INVALID")


def test_a_failed_job_shows_its_failing_line_and_retries(
        browser: Browser, console: Console, visits: list[Visit]) -> None:
    with console.api("alpha_client") as api:
        job_id = failed_job(api)
    page = visit(visits, browser, console, "alpha_client")
    page.goto(f"{console.url}/console/jobs/{job_id}")
    expect(page.locator("#job-error")).to_contain_text("DOFILE_ERROR")
    expect(page.locator("#log .line.error")).to_have_text(re.compile(r"^\d+r\(9\);\s*$"))
    expect(page.locator("#log .line.command")).to_contain_text("assert")
    expect(page.locator("#dofile")).to_contain_text('local var "x"')
    page.click("button[data-action=retry]")
    expect(page.locator("#attempts tbody tr")).to_have_count(2, timeout=60_000)
    # The API first (a slow machine may take a while to run the retry), then the page,
    # which must follow on its own live feed.
    with console.api("alpha_client") as api:
        assert wait_state(api, job_id, TERMINAL, timeout=180)["state"] == "failed"
    expect(page.locator("h1 .state")).to_have_text("failed", timeout=30_000)


def test_an_operator_sees_a_killed_worker_go_and_its_job_finish_elsewhere(
        browser: Browser, console: Console, visits: list[Visit]) -> None:
    page = visit(visits, browser, console, "operator")
    other = visit(visits, browser, console, "beta_admin")
    expect(page.locator("#processes .proc[data-kind=worker]")).to_have_count(2)
    with console.api("alpha_client") as api:
        job_id = start_job(api, "sleepy", {"var": "x", "ms": LONG_RUN_MS})
        running = wait_state(api, job_id, {"running"})
    victim = running["attempts"][-1]["worker_id"]
    holder = page.locator(f"#processes .proc[data-member='{victim}']")
    expect(holder.locator(f"a[href*='{job_id}']")).to_have_count(1)  # live refresh
    # Another tenant's admin sees the same worker busy, in the page and in its live
    # refreshes, but never the job; its page of the job is "not found".
    other.goto(f"{console.url}/console/overview")
    seen = other.locator(f"#processes .proc[data-member='{victim}']")
    expect(seen.locator(".slot.busy")).to_have_count(1)
    other.evaluate("""() => new Promise((done) =>
        document.addEventListener("refreshed", done, { once: true }))""")
    expect(seen.locator(".slot.busy")).to_have_count(1)
    assert job_id not in other.content()
    for path in (f"/console/jobs/{job_id}", f"/console/jobs/{job_id}?tenant=alpha"):
        other.goto(console.url + path)
        expect(other.locator("main")).to_contain_text("JOB_NOT_FOUND")
    other.goto(f"{console.url}/console/jobs")
    expect(other.locator(f"#jobs tr[data-job='{job_id}']")).to_have_count(0)
    expect(holder.locator(f"a[href*='{job_id}']")).to_have_count(1)  # still running there
    console.stack.kill(victim)
    try:
        expect(holder).to_have_count(0, timeout=20_000)
        expect(page.locator("#processes .proc[data-kind=worker]")).to_have_count(1)
        page.goto(f"{console.url}/console/jobs/{job_id}?tenant=alpha")
        expect_settled(page, "succeeded")
        rows = page.locator("#attempts tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text(victim)
        expect(rows.nth(0)).to_contain_text("lost")
        expect(rows.nth(1)).not_to_contain_text(victim)
        expect(rows.nth(1)).to_contain_text("succeeded")
    finally:
        console.stack.start_worker(victim)
    page.goto(f"{console.url}/console/overview")
    expect(page.locator("#processes .proc[data-kind=worker]")).to_have_count(2, timeout=20_000)


def test_a_running_job_is_cancelled_from_its_page(browser: Browser, console: Console,
                                                 visits: list[Visit]) -> None:
    with console.api("alpha_client") as api:
        # Long enough that only the cancel can end it: the worker kills the engine.
        job_id = start_job(api, "sleepy", {"var": "x", "ms": 120_000})
    page = visit(visits, browser, console, "alpha_client")
    page.goto(f"{console.url}/console/jobs/{job_id}")
    expect(page.locator("h1 .state")).to_have_text("running", timeout=30_000)
    page.click("button[data-action=cancel]")
    expect(page.locator("h1 .state")).to_have_text("cancelled", timeout=30_000)
    expect(page.locator("button[data-action=retry]")).to_be_visible()
    expect(page.locator("#timeline .step-completed")).to_contain_text("cancelled")
    with console.api("alpha_client") as api:
        assert api.get(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"


def test_failed_jobs_are_retried_in_bulk(browser: Browser, console: Console,
                                         visits: list[Visit]) -> None:
    with console.api("beta_client") as api:
        jobs = [failed_job(api) for _ in range(2)]
    page = visit(visits, browser, console, "beta_admin")
    page.goto(f"{console.url}/console/failures?age=1h")
    for job_id in jobs:
        expect(page.locator(f"#failures tr[data-job='{job_id}']")).to_contain_text(
            "DOFILE_ERROR")
    for job_id in jobs:
        page.check(f"#failures tr[data-job='{job_id}'] input[name=job]")
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    page.click("#retry-selected")
    for job_id in jobs:
        expect(page.locator(f"#failures tr[data-job='{job_id}'] .result")).to_have_text(
            "retried: queued")
    with console.api("beta_client") as api:
        for job_id in jobs:
            assert wait_state(api, job_id, TERMINAL)["submission"] == 2


def test_the_run_form_works_from_the_keyboard(browser: Browser, console: Console,
                                              visits: list[Visit]) -> None:
    page = visit(visits, browser, console, "alpha_client")
    page.goto(f"{console.url}/console/templates/sleepy")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "document.activeElement.dataset.param || document.activeElement.id || "
            "document.activeElement.dataset.file || document.activeElement.value || ''"))
        if reached[-1] == "try-example":
            break
    assert {"main", "var", "ms", "run", "try-example"} <= set(reached), reached
    # Every control has a name a screen reader can say.
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input, select, button')]
        .filter(e => e.type !== 'hidden' && !(e.labels?.length || e.getAttribute('aria-label')
                     || e.textContent.trim())).map(e => e.outerHTML)""")
    assert unnamed == []
    page.focus("#try-example")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{28}$"))
    expect_settled(page, "succeeded")


def test_the_sha256_module_agrees_with_hashlib(browser: Browser, console: Console,
                                               visits: list[Visit]) -> None:
    page = visit(visits, browser, console, "alpha_client")
    sizes = [0, 1, 55, 56, 63, 64, 65, 1000, 4 * 1024 * 1024 + 7]
    found = page.evaluate("""async (sizes) => {
        const { fileSha256 } = await import("/console/static/js/sha256.js");
        const out = [];
        for (const n of sizes) {
            const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) % 251);
            out.push(await fileSha256(new Blob([bytes])));
        }
        return out; }""", sizes)
    wanted = [hashlib.sha256(bytes((i * 31 + 7) % 251 for i in range(n))).hexdigest()
              for n in sizes]
    assert found == wanted


def test_every_page_fits_a_phone_and_the_screenshots_render(
        browser: Browser, console: Console, tmp_path: Path) -> None:
    with console.api("alpha_client") as api:
        succeeded = start_job(api, "sleepy", {"var": "x", "ms": 0}, ["html", "xlsx", "csv"])
        failed = failed_job(api)
        wait_state(api, succeeded, {"succeeded"})
    for viewport, suffix in ((None, ""), (PHONE, "-phone")):
        shots = tour(browser, console, tmp_path, succeeded, failed,
                     **({"viewport": viewport} if viewport else {}), suffix=suffix)
        assert len(shots) == 9
        assert all(s.stat().st_size > 10_000 for s in shots)
    page = open_console(browser, console, "operator", PHONE)
    try:
        for path in ("/console/overview", "/console/jobs", f"/console/jobs/{failed}?tenant=alpha",
                     "/console/failures", "/console/templates", "/console/templates/ols_robust",
                     "/console/dofile"):
            page.page.goto(console.url + path)
            wide = page.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"{path} is {wide} px wide on a phone"
    finally:
        page.close()
