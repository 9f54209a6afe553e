"""Run nats-server for the local stack with the deployment's authentication.

The operator's folder (``python -m libs.bus.auth``) lives in ``$SS_DEV_DATA/nats-auth`` and is
made on the first start; the services log in with its credentials (dev/Procfile).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from libs.bus.auth.operator import AuthFolder


def main() -> None:
    data = Path(os.environ.get("SS_DEV_DATA", ".dev"))
    folder = AuthFolder(data / "nats-auth")
    folder.init()
    server = str(Path(sys.executable).parent / "nats-server")
    os.execv(server, [server, "-c", str(folder.server_config), "-js", "-a", "127.0.0.1",
                      "-p", os.environ.get("SS_DEV_NATS_PORT", "4222"),
                      "-m", os.environ.get("SS_DEV_NATS_MONITOR", "8222"),
                      "-sd", str(data / "nats"), "-l", str(data / "nats.log")])


if __name__ == "__main__":
    main()
