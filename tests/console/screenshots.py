"""Refresh the console's screenshots in docs/console/ (linked from the README and
docs/console.md): ``python -m tests.console.screenshots``.

It starts its own NATS, S3 and SS stack (tests/console/stack.py), runs a job that succeeds
and one that fails, keeps a long one running so the overview shows a busy worker, and takes
the same tour of every page the browser tests take (tests/console/tour.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from dev.servers import NatsServer, S3Server
from tests.console.browser import chromium
from tests.console.jobs import AUTO, failed_job, start_job, wait_state
from tests.console.stack import start_console
from tests.console.tour import PHONE, tour

DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="ss-screenshots-"))
    nats, s3 = NatsServer(root=root / "nats"), S3Server(root=root / "s3")
    nats.start()
    s3.start()
    console = None
    try:
        console = start_console(nats, s3, root / "stack")
        with console.api("alpha_client") as api:
            succeeded = start_job(api, "ols_robust", {"depvar": "price",
                                                      "indepvars": ["mpg", "weight"]},
                                  ["html", "xlsx", "csv", "log"], AUTO)
            failed = failed_job(api)
            wait_state(api, succeeded, {"succeeded"})
            start_job(api, "sleepy", {"var": "x", "ms": 120_000})
        with chromium() as browser:
            written = tour(browser, console, DOCS, succeeded, failed)
            written += tour(browser, console, DOCS, succeeded, failed, PHONE, "-phone")
        for path in written:
            print(path.relative_to(DOCS.parents[1]))
    finally:
        if console is not None:
            console.close()
        s3.stop()
        nats.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
