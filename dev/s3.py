"""Run SeaweedFS's S3 (``weed mini``) for the local stack with the dev credentials.

A module rather than a Procfile line because weed needs a credentials file and a dozen flags
(see ../shared/NOTES.md: loopback only, no telemetry, every port set).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from libs.settings import load_settings


def main() -> None:
    settings = load_settings()
    data = Path(os.environ.get("SS_DEV_DATA", ".dev")) / "weed"
    (data / "data").mkdir(parents=True, exist_ok=True)
    (data / "logs").mkdir(exist_ok=True)
    config = {"identities": [{
        "name": "ss-dev",
        "credentials": [{"accessKey": settings.s3_access_key,
                         "secretKey": settings.s3_secret_key}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }]}
    (data / "s3.json").write_text(json.dumps(config))
    base = int(os.environ.get("SS_DEV_WEED_BASE_PORT", "19300"))
    s3_port = settings.s3_endpoint.rsplit(":", 1)[-1].strip("/")
    ports = {"master": base, "volume": base + 1, "filer": base + 2, "admin": base + 3}
    args = [str(Path(sys.executable).parent / "weed"), f"-logdir={data / 'logs'}", "mini",
            f"-dir={data / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-volume.preStopSeconds=0",
            "-s3.allowDeleteBucketNotEmpty=false", f"-s3.config={data / 's3.json'}",
            f"-filer.localSocket={data / 'filer.sock'}", f"-s3.localSocket={data / 's3.sock'}",
            f"-s3.port={s3_port}", f"-s3.port.grpc={base + 10}"]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={port + 10000}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(args, env=env)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    signal.signal(signal.SIGINT, lambda *_: proc.terminate())
    sys.exit(proc.wait())


if __name__ == "__main__":
    main()
