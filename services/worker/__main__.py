"""``python -m services.worker``: the Stata-runner."""

from __future__ import annotations

import sys

from libs.contracts.errors import SSError
from services.common.lifecycle import configured, run_service


def main() -> None:
    settings = configured("worker")
    from services.worker.service import serve

    try:
        run_service(lambda stop: serve(settings, stop))
    except SSError as exc:
        # e.g. STATA_CMD_NOT_CONFIGURED: refuse to start, say why, exit non-zero.
        sys.exit(f"ss-worker: {exc.code.value}: {exc.message}")


if __name__ == "__main__":
    main()
