"""The operator's end-to-end check of a running SS stack.

Creates a job from an example template, uploads its dataset, submits it, follows the job until
it ends, downloads every artifact into a folder and prints a summary. Exit status 0 means the
job succeeded and every requested output format was delivered intact; 1 means it did not; 2 is
a usage error.

    python compose/e2e_check.py                       # defaults: a local `docker compose up`
    python compose/e2e_check.py --api-url https://ss.example.org --api-key "$KEY" \\
        --formats xlsx,json,csv,pdf --timeout 600 --out /tmp/ss-e2e

Every option also reads an environment variable (E2E_API_URL, E2E_API_KEY or SS_DEV_API_KEY,
E2E_TEMPLATE, E2E_PARAMS, E2E_DATASET, E2E_FORMATS, E2E_TIMEOUT, E2E_OUT, E2E_PRESIGNED).
Tests import ``run_check``, which does the same and returns a ``CheckResult`` instead of exiting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = "ols_robust"
DEFAULT_PARAMS: dict[str, Any] = {"depvar": "price", "indepvars": ["mpg", "weight"]}
DEFAULT_DATASET = REPO_ROOT / "do_library" / "examples" / "auto.csv"
DEFAULT_FORMATS = ("xlsx", "json", "csv")
TERMINAL_STATES = frozenset({"succeeded", "failed", "cancelled"})
_CHUNK = 1024 * 1024
#: Output suffixes per format where they differ from the format's name (docs/outputs.md):
#: several csv tables come as one zip.
_SUFFIXES = {"csv": (".csv", ".zip")}


class CheckError(Exception):
    """The API answered something the check cannot go on from (wrong status, bad body)."""


class Artifact(msgspec.Struct, kw_only=True, frozen=True):
    """One downloaded artifact: what the API declared and where it was saved."""

    name: str
    #: ``output`` (a formatted report) or ``raw`` (what one attempt ran and wrote).
    kind: str
    attempt: int | None
    declared_size: int
    path: Path
    size: int


class CheckResult(msgspec.Struct, kw_only=True, frozen=True):
    """Outcome of one end-to-end check; ``ok`` only if nothing in ``problems``."""

    job_id: str
    state: str
    error: Any
    artifacts: list[Artifact]
    problems: list[str]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """Human-readable report: job, state, each artifact, each problem."""
        lines = [
            f"job {self.job_id}: {self.state} in {self.elapsed_s:.1f}s",
            *(f"  {a.kind or '-':7} {a.size:>12,d} B  {a.path}" for a in self.artifacts),
        ]
        if self.error:
            lines.append(f"  error: {json.dumps(self.error)}")
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        lines.append("E2E CHECK PASSED" if self.ok else "E2E CHECK FAILED")
        return "\n".join(lines)


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise CheckError(
            f"{what}: expected HTTP {status}, got {response.status_code}: {response.text[:500]}"
        )


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    # Streamed, so a large dataset is never held in memory.
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


async def _wait_for_end(client: httpx.AsyncClient, job_id: str, deadline: float) -> dict[str, Any]:
    delay = 0.25
    while True:
        response = await client.get(f"/v1/jobs/{job_id}")
        _expect(response, 200, "GET job")
        job: dict[str, Any] = response.json()
        if job.get("state") in TERMINAL_STATES or time.monotonic() >= deadline:
            return job
        await asyncio.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
        delay = min(delay * 2, 2.0)


async def _download(
    client: httpx.AsyncClient, job_id: str, entry: dict[str, Any], out_dir: Path, presigned: bool
) -> Artifact:
    name, kind, attempt = str(entry["name"]), str(entry.get("kind") or ""), entry.get("attempt")
    params: dict[str, str] = {}
    relative = name
    if kind == "raw":
        # Every attempt has its own main.do, main.log...: keep them apart.
        params["attempt"] = str(attempt)
        relative = f"attempt-{attempt}/{name}"
    if presigned:
        params["redirect"] = "true"
    target = (out_dir / relative).resolve()
    if not target.is_relative_to(out_dir.resolve()):
        raise CheckError(f"artifact name {name!r} escapes the output folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    url = f"/v1/jobs/{job_id}/artifacts/{quote(name, safe='/')}"
    # A presigned redirect goes to S3 at SS_S3_PUBLIC_ENDPOINT; httpx drops the API's
    # Authorization header when the redirect leaves the API's origin, as S3 requires.
    async with client.stream("GET", url, params=params, follow_redirects=presigned) as r:
        if r.status_code != 200:
            await r.aread()
        _expect(r, 200, f"GET artifact {name}")
        with target.open("wb") as handle:
            async for chunk in r.aiter_bytes(_CHUNK):
                handle.write(chunk)
                size += len(chunk)
    return Artifact(
        name=name,
        kind=kind,
        attempt=attempt,
        declared_size=int(entry.get("size") or 0),
        path=target,
        size=size,
    )


def _problems(job: dict[str, Any], artifacts: list[Artifact], formats: Sequence[str]) -> list[str]:
    if job.get("state") not in TERMINAL_STATES:
        return [f"job still {job.get('state')!r} when the timeout ran out"]
    problems = []
    if job.get("state") != "succeeded":
        problems.append(f"job ended {job.get('state')!r}, not 'succeeded'")
    else:
        names = [a.name.lower() for a in artifacts if a.kind == "output"]
        problems += [
            f"no {fmt} output among the artifacts"
            for fmt in formats
            if not any(name.endswith(_SUFFIXES.get(fmt.lower(), (f".{fmt.lower()}",)))
                       for name in names)
        ]
    for a in artifacts:
        if a.size != a.declared_size:
            problems.append(f"{a.name}: downloaded {a.size} B, the API declared {a.declared_size}")
        elif a.size == 0:
            problems.append(f"{a.name}: empty")
    return problems


async def run_check(
    api_url: str,
    api_key: str,
    template_id: str,
    params: dict[str, Any],
    dataset: Path,
    formats: Sequence[str],
    out_dir: Path,
    timeout: float,
    *,
    presigned: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CheckResult:
    """Run one job end to end against ``api_url`` and download its artifacts into ``out_dir``.

    Raises ``CheckError`` when the API answers a step with an unexpected status; a job that
    ends badly, misses a format or delivers a truncated file is reported in the result.
    ``presigned`` downloads through the API's presigned S3 redirects instead of its stream,
    which also proves SS_S3_PUBLIC_ENDPOINT is right. ``transport`` replaces the network
    (tests pass an ``httpx.MockTransport``).
    """
    started = time.monotonic()
    deadline = started + timeout
    out_dir.mkdir(parents=True, exist_ok=True)
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(
        base_url=api_url, headers=headers, timeout=30.0, transport=transport
    ) as client:
        spec = {"template_id": template_id, "params": params, "output_formats": list(formats)}
        response = await client.post("/v1/jobs", json=spec)
        _expect(response, 201, "POST /v1/jobs")
        job_id = str(response.json()["id"])

        response = await client.put(
            f"/v1/jobs/{job_id}/inputs/{quote(dataset.name, safe='')}",
            content=_file_chunks(dataset),
            headers={
                "Content-Type": "application/octet-stream",
                # Explicit length: the upload streams, yet is not sent chunked.
                "Content-Length": str(dataset.stat().st_size),
            },
        )
        _expect(response, 201, f"PUT input {dataset.name}")
        _expect(await client.post(f"/v1/jobs/{job_id}/submit"), 202, "POST submit")

        job = await _wait_for_end(client, job_id, deadline)
        artifacts: list[Artifact] = []
        # Failed attempts keep their do-file and log: download those too, for the diagnosis.
        if job.get("state") in TERMINAL_STATES:
            response = await client.get(f"/v1/jobs/{job_id}/artifacts")
            _expect(response, 200, "GET artifacts")
            body = response.json()
            for entry in body["items"] if isinstance(body, dict) else body:
                artifacts.append(await _download(client, job_id, entry, out_dir, presigned))
    return CheckResult(
        job_id=job_id,
        state=str(job.get("state")),
        error=job.get("error"),
        artifacts=artifacts,
        problems=_problems(job, artifacts, formats),
        elapsed_s=time.monotonic() - started,
    )


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--api-url", default=env("E2E_API_URL", f"http://localhost:{env('API_PORT', '8000')}")
    )
    parser.add_argument(
        "--api-key", default=env("E2E_API_KEY", env("SS_DEV_API_KEY", "ss-dev-key"))
    )
    parser.add_argument("--template", default=env("E2E_TEMPLATE", DEFAULT_TEMPLATE))
    parser.add_argument(
        "--params", default=env("E2E_PARAMS", json.dumps(DEFAULT_PARAMS)), help="JSON object"
    )
    parser.add_argument("--dataset", type=Path, default=Path(env("E2E_DATASET", DEFAULT_DATASET)))
    parser.add_argument(
        "--formats", default=env("E2E_FORMATS", ",".join(DEFAULT_FORMATS)), help="comma-separated"
    )
    parser.add_argument("--timeout", type=float, default=float(env("E2E_TIMEOUT", "300")))
    parser.add_argument("--out", type=Path, default=Path(env("E2E_OUT", "e2e-out")))
    parser.add_argument(
        "--presigned",
        action="store_true",
        default=env("E2E_PRESIGNED", "") not in ("", "0"),
        help="download through presigned S3 URLs (checks SS_S3_PUBLIC_ENDPOINT)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the process exit status."""
    args = _arguments(argv)
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        print(f"--params is not JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(params, dict):
        print("--params must be a JSON object", file=sys.stderr)
        return 2
    if not args.dataset.is_file():
        print(f"--dataset {args.dataset} is not a file", file=sys.stderr)
        return 2
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        result = asyncio.run(
            run_check(
                args.api_url,
                args.api_key,
                args.template,
                params,
                args.dataset,
                formats,
                args.out,
                args.timeout,
                presigned=args.presigned,
            )
        )
    except (CheckError, httpx.HTTPError) as exc:
        print(f"E2E CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
