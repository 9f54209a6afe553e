"""Once the local stack is up: print how to reach it, run the example job, keep serving.

honcho stops the whole stack when any process exits, so after the demo this process waits
for the stack's shutdown signal instead of exiting.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

from compose.e2e_check import DEFAULT_DATASET, DEFAULT_FORMATS, DEFAULT_PARAMS, run_check
from libs.settings import load_settings

FORMATS = (*DEFAULT_FORMATS, "docx", "pdf", "html", "log", "do")


def wait_ready(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if json.load(resp).get("status") == "ready":
                    return
        except Exception:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def main() -> int:
    settings = load_settings()
    api = f"http://{settings.api_host}:{settings.api_port}"
    wait_ready(f"{api}/readyz")
    out = Path(os.environ.get("SS_DEV_DATA", ".dev")) / "example-outputs"
    auth = Path(os.environ.get("SS_DEV_DATA", ".dev")) / "nats-auth"
    print(f"\nSS is up.\n  API:      {api}   (OpenAPI: {api}/schema)\n"
          f"  Console:  {api}/console/   (log in with the API key)\n"
          f"  API key:  {settings.dev_api_key}   (Authorization: Bearer ...; a tenant admin "
          f"of {settings.dev_tenant!r})\n"
          f"  NATS:     {settings.nats_url}   (operator credential: {auth / 'admin.creds'}; "
          f"a tenant's: POST {api}/v1/admin/event-credentials)\n"
          f"Running the example job: ols_robust on {DEFAULT_DATASET.name} ...", flush=True)
    result = asyncio.run(run_check(api, settings.dev_api_key, "ols_robust", DEFAULT_PARAMS,
                                   DEFAULT_DATASET, FORMATS, out, 300.0))
    if result.ok:
        print(f"Example job {result.job_id} {result.state} in {result.elapsed_s:.1f}s; "
              f"outputs in {out.resolve()}:", flush=True)
        for artifact in result.artifacts:
            print(f"  {artifact.path}", flush=True)
    else:
        print(f"Example job {result.job_id} ended {result.state}: {result.problems}",
              file=sys.stderr, flush=True)
    print("Serving; Ctrl-C (or `make down`) stops everything.", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    return 0


if __name__ == "__main__":
    sys.exit(main())
