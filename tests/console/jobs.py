"""Jobs the console's tests look at, made through the JSON API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.console.library import BUNDLED, PLATFORM

NUMBERS = PLATFORM / "examples" / "numbers.csv"
AUTO = BUNDLED / "examples" / "auto.csv"
TERMINAL = {"succeeded", "failed", "cancelled"}


def start_job(api: httpx.Client, template: str, params: dict[str, Any],
              formats: list[str] | None = None, data: Path = NUMBERS) -> str:
    """Create, upload ``data`` and submit; the job's id."""
    body: dict[str, Any] = {"template_id": template, "params": params}
    if formats:
        body["output_formats"] = formats
    created = api.post("/v1/jobs", json=body)
    assert created.status_code == 201, created.text
    job_id: str = created.json()["id"]
    uploaded = api.put(f"/v1/jobs/{job_id}/inputs/{data.name}", content=data.read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    submitted = api.post(f"/v1/jobs/{job_id}/submit")
    assert submitted.status_code == 202, submitted.text
    return job_id


def wait_state(api: httpx.Client, job_id: str, states: set[str],
               timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = api.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        assert time.monotonic() < deadline, f"job {job_id} stuck in {job['state']}"
        time.sleep(0.1)


def failed_job(api: httpx.Client) -> str:
    """A job that fails with DOFILE_ERROR (the ``failing`` template's assert)."""
    job_id = start_job(api, "failing", {"var": "x"}, ["csv", "log", "do"])
    assert wait_state(api, job_id, TERMINAL)["state"] == "failed"
    return job_id
