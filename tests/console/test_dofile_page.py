"""The console's do-file page in headless Chromium against the real stack: a researcher runs
their own do-file with their data; the check lists what will not work, per line, and a
refused submit shows the same lines; the do- and ado-files it brings are checked and run; a
do-file job reads as one on its page and in the job list."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.console.jobs import AUTO, TERMINAL, wait_state
from tests.console.stack import Console
from tests.console.tour import Visit, expect_settled, visit

DOFILE = """import delimited using auto.csv, clear
regress price mpg weight, vce(robust)
estimates store robust
save cars, replace
"""


def _open(visits: list[Visit], browser: Browser, console: Console) -> Page:
    page = visit(visits, browser, console, "alpha_client")
    page.click("nav a[href='/console/dofile']")
    page.wait_for_url(re.compile(r".*/console/dofile$"))
    return page


def _job_id(page: Page) -> str:
    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{28}$"))
    return page.url.rsplit("/", 1)[1]


def test_a_researcher_runs_their_own_dofile(browser: Browser, console: Console,
                                            visits: list[Visit]) -> None:
    page = _open(visits, browser, console)
    page.fill("#source", DOFILE)
    page.set_input_files("#files", str(AUTO))
    expect(page.locator("#chosen li")).to_contain_text("auto.csv")
    page.click("#check")
    expect(page.locator("#check-verdict")).to_have_text(
        re.compile(r"^It can run as it is on: .*embedded"))
    expect(page.locator("#problems li")).to_have_count(0)
    page.check("input[name=format][value=xlsx]")
    page.click("#run")
    job_id = _job_id(page)
    expect_settled(page, "succeeded")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("analysis.do (uploaded)")
    expect(facts).not_to_contain_text("Template")
    expect(page.locator("#timeline")).to_contain_text("do-file")
    expect(page.locator("#dofile")).to_contain_text("regress price mpg weight, vce(robust)")
    expect(page.locator("#outputs a[href$='/files/report.xlsx']")).to_have_count(1)
    with console.api("alpha_client") as api:
        job = api.get(f"/v1/jobs/{job_id}").json()
    assert job["spec"]["dofile"] == {"source": None, "input": "analysis.do"}
    assert "xlsx" in job["spec"]["output_formats"]
    assert sorted(i["name"] for i in job["inputs"]) == ["analysis.do", "auto.csv"]
    stored = {a["name"] for a in job["artifacts"]}
    assert {"cars.dta", "results/coefficients.csv", "main.log"} <= stored
    # The job list names it a do-file job, not a template with an empty name.
    page.click("nav a[href='/console/jobs']")
    expect(page.locator(f"#jobs tr[data-job='{job_id}']")).to_contain_text("do-file")


def test_the_check_and_a_refused_submit_show_the_lines(browser: Browser, console: Console,
                                                       visits: list[Visit]) -> None:
    page = _open(visits, browser, console)
    page.fill("#name", "survey.do")
    page.fill("#source", "shell ls\nuse survey, clear\nsummarize\n")
    page.click("#check")
    expect(page.locator("#check-verdict")).to_have_text(re.compile(r"^It cannot run"))
    problems = page.locator("#problems li.stops")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("survey.do:1")
    expect(problems.nth(0).locator("pre")).to_have_text("shell ls")
    expect(problems.nth(1)).to_contain_text("survey.do:2")
    expect(problems.nth(1)).to_contain_text("r(601)")
    page.reload()  # what Run shows must come from the refused submit, not this check
    page.fill("#name", "survey.do")
    page.fill("#source", "shell ls\nuse survey, clear\nsummarize\n")
    page.click("#run")
    expect(page.locator("#alerts")).to_contain_text("DOFILE_CHECK_FAILED")
    expect(page.locator("#alerts")).to_contain_text("survey.do:1")
    expect(page.locator("#problems li.stops")).to_have_count(2)
    status = page.locator("#run-status")
    expect(status).to_have_text(re.compile(r"^Job [0-9a-f]{28} was created but not submitted"))
    job_id = (status.text_content() or "").split()[1]
    with console.api("alpha_client") as api:
        job = api.get(f"/v1/jobs/{job_id}").json()
    assert job["state"] == "created"  # refused at submit: nothing was queued
    assert job["submission"] == 0


def test_a_dofile_runs_the_do_and_ado_files_it_brings(browser: Browser, console: Console,
                                                      visits: list[Visit],
                                                      tmp_path: Path) -> None:
    (tmp_path / "prepare.do").write_text("import delimited using auto.csv, clear\n")
    (tmp_path / "twice.ado").write_text(
        "program define twice\n    syntax varname, generate(name)\n"
        "    generate double `generate' = 2 * `varlist'\nend\n")
    page = _open(visits, browser, console)
    page.fill("#source", "do prepare.do\ntwice price, generate(price2)\nsummarize price2\n")
    page.set_input_files("#files", [str(AUTO), str(tmp_path / "prepare.do"),
                                    str(tmp_path / "twice.ado")])
    expect(page.locator("#chosen li")).to_have_count(3)
    page.click("#check")  # the texts of prepare.do and twice.ado go with it
    expect(page.locator("#check-verdict")).to_have_text(re.compile(r"^It can run as it is"))
    expect(page.locator("#problems li")).to_have_count(0)
    page.click("#run")
    job_id = _job_id(page)
    expect_settled(page, "succeeded")
    # The ado's variable, summarised in the log, is twice auto.csv's price as pandas reads it.
    row = re.search(r"price2 \|\s+74\s+(\S+)", page.locator("#log").text_content() or "")
    assert row is not None
    assert float(row.group(1)) == pytest.approx(2 * pd.read_csv(AUTO)["price"].mean(), abs=0.01)
    with console.api("alpha_client") as api:
        job = wait_state(api, job_id, TERMINAL)
    assert sorted(i["name"] for i in job["inputs"]) == [
        "analysis.do", "auto.csv", "prepare.do", "twice.ado"]
