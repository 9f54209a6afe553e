"""Every ``SS_*`` environment variable, in one place, validated at start.

A field ``foo_bar`` of ``Settings`` is read from ``SS_FOO_BAR``. ``DOCS`` describes each one;
the README's configuration table is generated from it (``python -m libs.settings``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from libs.auth.sessions import MIN_SECRET_CHARS
from libs.contracts.errors import SSBaseError


class SettingsError(SSBaseError):
    """The environment holds an invalid ``SS_*`` value; the message names the variable."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Configuration shared by all services (each reads what it needs)."""

    nats_url: str = "nats://127.0.0.1:4222"
    nats_creds: str = ""
    nats_subscriber_signer: str = ""
    nats_subscriber_ttl_s: float = 30 * 24 * 3600.0
    js_replicas: int = 1
    events_max_age_s: float = 7 * 24 * 3600.0
    idempotency_ttl_s: float = 24 * 3600.0
    s3_endpoint: str = "http://127.0.0.1:8333"
    s3_public_endpoint: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = "ss-dev"
    s3_secret_key: str = "ss-dev-secret"
    s3_bucket: str = "ss-artifacts"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    dev_tenant: str = "dev"
    dev_api_key: str = "ss-dev-key"
    api_keys_file: str = ""
    api_keys: str = ""
    console_secret: str = ""
    console_session_ttl_s: float = 8 * 3600.0
    console_direct_upload_bytes: int = 16 * 1024**2
    rate_limit_per_s: float = 50.0
    rate_limit_burst: int = 100
    upload_max_bytes: int = 5 * 1024**3
    api_normalise_max_bytes: int = 4 * 1024**2
    work_inline_max_bytes: int = 64 * 1024
    inputs_max_per_job: int = 8
    presign_expiry_s: int = 900
    presign_single_max_bytes: int = 64 * 1024**2
    engine: str = "embedded"
    pool: str = ""
    stata_cmd: str = ""
    worker_slots: int = 2
    worker_id: str = ""
    ack_wait_s: float = 30.0
    max_deliver: int = 5
    infra_retry_budget_s: float = 900.0
    max_ack_pending: int = 64
    job_timeout_s: float = 1800.0
    job_memory_mb: int = 4096
    worker_max_memory: int = 0
    worker_input_cache_mb: int = 512
    job_cpu_s: float = 0.0
    job_output_max_bytes: int = 2 * 1024**3
    job_max_files: int = 200
    dofile_inline_max_bytes: int = 32 * 1024
    dofile_max_bytes: int = 1024**2
    shutdown_grace_s: float = 20.0
    workdir: str = ""
    do_library: str = ""
    formatter_slots: int = 2
    render_timeout_s: float = 600.0
    health_port: int = 0
    log_level: str = "INFO"

    @property
    def run_pool(self) -> str:
        """The queue a worker takes run items from: ``SS_POOL`` or else the engine name."""
        return self.pool or self.engine

    @property
    def heartbeat_s(self) -> float:
        """How often a busy consumer says ``in_progress`` (and checks for cancellation)."""
        return max(self.ack_wait_s / 3.0, 0.2)

    @property
    def infra_retry_max_delay_s(self) -> float:
        """The cap of the exponential backoff between retries through an outage: a twentieth
        of the budget, between 1 and 30 s (so a short test budget still sees several tries)."""
        return min(30.0, max(1.0, self.infra_retry_budget_s / 20.0))

    @property
    def run_memory_bytes(self) -> int | None:
        """Memory one run may take (normalising its inputs, then the engine): the smaller of
        ``SS_JOB_MEMORY_MB`` and the run's share of ``SS_WORKER_MAX_MEMORY``; None: no limit."""
        limits = [self.job_memory_mb * 1024**2,
                  self.worker_max_memory * 1024**2 // self.worker_slots]
        limits = [b for b in limits if b]
        return min(limits) if limits else None

    @property
    def presign_endpoint(self) -> str:
        """The S3 endpoint clients reach; presigned URLs must be signed for it."""
        return self.s3_public_endpoint or self.s3_endpoint


DOCS: dict[str, str] = {
    "nats_url": "NATS server URL(s), comma-separated (tls://... for TLS; docs/deploy.md).",
    "nats_creds": "This process's NATS credentials (.creds file from python -m libs.bus.auth); "
    "empty: connect without authentication.",
    "nats_subscriber_signer": "API: the account's subscriber signing key (subscriber-signer.nk) "
    "for issuing tenants' event credentials; empty: none are issued.",
    "nats_subscriber_ttl_s": "Longest lifetime of an issued event credential (seconds).",
    "js_replicas": "Replicas of every stream and KV bucket (1 locally, 3 on a cluster).",
    "events_max_age_s": "How long job events stay in SS_EVENTS (seconds).",
    "idempotency_ttl_s": "How long an Idempotency-Key is remembered (seconds).",
    "s3_endpoint": "S3 endpoint the services use.",
    "s3_public_endpoint": "S3 endpoint clients reach; presigned URLs are signed for it "
    "(default: SS_S3_ENDPOINT).",
    "s3_region": "S3 region used for signing.",
    "s3_access_key": "S3 access key.",
    "s3_secret_key": "S3 secret key.",
    "s3_bucket": "Bucket holding every artifact.",
    "api_host": "Address the API binds to.",
    "api_port": "Port the API binds to.",
    "dev_tenant": "Tenant of the development API key.",
    "dev_api_key": "Development API key (tenant admin of SS_DEV_TENANT, never an operator); "
    "empty disables it.",
    "api_keys_file": "JSON file listing operator-provisioned API keys, the only source of "
    "operator keys (hashed; docs/deploy.md).",
    "api_keys": "The same list inline, as JSON.",
    "console_secret": "Web console: secret the API signs session cookies with (at least 32 "
    "characters, the same on every API replica); empty: the console's login is switched off.",
    "console_session_ttl_s": "Web console: lifetime of a login session (seconds).",
    "console_direct_upload_bytes": "Web console: files from this size up are uploaded straight "
    "to S3 with presigned URLs (the bucket must allow the console's origin: docs/console.md); "
    "smaller ones stream through the API.",
    "rate_limit_per_s": "Requests per second allowed per API key, counted across every API "
    "replica (0: no limit).",
    "rate_limit_burst": "Requests an API key may make at once; each counts for "
    "SS_RATE_LIMIT_BURST / SS_RATE_LIMIT_PER_S seconds.",
    "upload_max_bytes": "Largest accepted input upload (bytes).",
    "api_normalise_max_bytes": "Uploads up to this size (bytes) are normalised by the API "
    "when it reads them, and stored normalised beside the upload, so the worker starts the "
    "job without reading them again; larger ones are normalised by the worker (0 = never by "
    "the API).",
    "work_inline_max_bytes": "Small files a job hands from one service to the next (the "
    "API's normalised input to the worker, the raw files the output formats read to the "
    "formatter, result tables first) ride inside the work item, up to this many bytes in "
    "all, besides being stored in S3, so the next service "
    "need not download them; 0 = never (the first step of a rolling upgrade from a release "
    "without it). At most 512 KiB (NATS' message limit is 1 MiB).",
    "inputs_max_per_job": "Most inputs one job may have.",
    "presign_expiry_s": "Lifetime of presigned URLs (seconds).",
    "presign_single_max_bytes": "Presigned uploads up to this size use one PUT; larger ones "
    "go multipart.",
    "engine": "Engine a worker runs: embedded or stata.",
    "pool": "Queue a worker takes run items from (default: the engine name).",
    "stata_cmd": "Real Stata command line (engine stata), e.g. /usr/local/stata18/stata-mp.",
    "worker_slots": "Concurrent runs per worker process.",
    "worker_id": "Worker identity in job records (default: host name, pid and a random "
    "suffix, unique per process).",
    "ack_wait_s": "JetStream ack wait of work items: the lease a busy consumer renews.",
    "max_deliver": "Deliveries of one work item that may end without an answer (a crashed or "
    "hung process, a bug) before the job fails as dead-lettered; outages do not count.",
    "infra_retry_budget_s": "How long a job keeps retrying through a NATS or S3 outage "
    "(exponential backoff with jitter, capped at budget/20 up to 30 s) before it fails with "
    "INFRA_RETRY_BUDGET_EXCEEDED (seconds).",
    "max_ack_pending": "Work items in flight across ALL replicas of a pool (e.g. Stata licences).",
    "job_timeout_s": "Default hard time limit of one run (seconds).",
    "job_memory_mb": "Memory one run may take beyond the engine's own (MiB of address space; "
    "0 = no limit).",
    "worker_max_memory": "Memory all of a worker's runs may take together (MiB; 0 = no cap "
    "beyond SS_JOB_MEMORY_MB): each of its SS_WORKER_SLOTS runs gets an equal share, for "
    "normalising its inputs and for the engine, and fails with JOB_MEMORY_EXCEEDED past it "
    "instead of being OOM-killed. Set it below the container's memory limit, less about "
    "300 MiB for the worker itself.",
    "worker_input_cache_mb": "Disk a worker may keep normalised inputs on, to reuse them for "
    "later jobs of the same tenant on the same bytes instead of downloading and normalising "
    "them again (MiB; least recently used first out; a file over half of it is not kept; "
    "0 = off).",
    "job_cpu_s": "CPU time one run may take (seconds; 0 = twice its time limit).",
    "job_output_max_bytes": "Bytes one run may write into its workspace (any one file, and "
    "all together).",
    "job_max_files": "Files one run may leave in its workspace to be stored as artifacts.",
    "dofile_inline_max_bytes": "Largest do-file sent inline in a job spec (bytes of UTF-8; "
    "larger ones are uploaded as an input).",
    "dofile_max_bytes": "Largest do-file or ado-file a do-file job may bring, and that "
    "POST /v1/dofiles/check reads (bytes).",
    "shutdown_grace_s": "On SIGTERM, how long running jobs may finish before being released.",
    "workdir": "Folder for per-attempt workspaces (default: a temporary folder).",
    "do_library": "Template library folder (default: the bundled do_library/).",
    "formatter_slots": "Concurrent renders per formatter process; each slot renders in a "
    "process of its own (~85 MiB idle), so a formatter uses as many cores as slots.",
    "render_timeout_s": "Longest one output format (or reading the result tables) may render; "
    "past it the renderer is killed and the job fails with OUTPUT_FORMATTER_FAILED "
    "(reason RENDER_TIMEOUT).",
    "health_port": "Worker/formatter: port of /healthz, /readyz and /metrics (0 = off).",
    "log_level": "Log level: DEBUG, INFO, WARNING, ERROR.",
}

_ENGINES = ("embedded", "stata")


def env_name(field: str) -> str:
    return "SS_" + field.upper()


#: Settings whose empty value means "off" rather than "the default" (the dev key: an operator
#: who sets it empty must not be left with the well-known default key).
_EMPTY_IS_A_VALUE = frozenset({"dev_api_key"})


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every ``SS_*`` variable; raise ``SettingsError`` naming the bad one."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(Settings):
        raw = env.get(env_name(field.name))
        if raw is None or (raw == "" and field.name not in _EMPTY_IS_A_VALUE):
            continue
        try:
            values[field.name] = msgspec.convert(raw, field.type, strict=False)
        except msgspec.ValidationError as exc:
            raise SettingsError(
                f"{env_name(field.name)}={raw!r} is invalid: expected {field.type}"
            ) from exc
    settings = Settings(**values)
    _check(settings)
    return settings


def _check(s: Settings) -> None:
    problems = []
    if s.engine not in _ENGINES:
        problems.append(f"SS_ENGINE={s.engine!r} is invalid: expected one of {_ENGINES}")
    for name in (
        "js_replicas",
        "worker_slots",
        "formatter_slots",
        "max_deliver",
        "api_port",
        "max_ack_pending",
    ):
        if getattr(s, name) < 1:
            problems.append(f"{env_name(name)} must be >= 1")
    for name in ("ack_wait_s", "job_timeout_s", "render_timeout_s", "events_max_age_s",
                 "nats_subscriber_ttl_s", "job_output_max_bytes", "job_max_files",
                 "dofile_inline_max_bytes", "dofile_max_bytes", "infra_retry_budget_s"):
        if getattr(s, name) <= 0:
            problems.append(f"{env_name(name)} must be > 0")
    if s.console_secret and len(s.console_secret) < MIN_SECRET_CHARS:
        problems.append(f"SS_CONSOLE_SECRET must have at least {MIN_SECRET_CHARS} characters")
    if s.console_session_ttl_s <= 0:
        problems.append("SS_CONSOLE_SESSION_TTL_S must be > 0")
    if s.rate_limit_per_s < 0 or s.rate_limit_burst < 1:
        problems.append("SS_RATE_LIMIT_PER_S must be >= 0 and SS_RATE_LIMIT_BURST >= 1")
    for name in ("job_memory_mb", "job_cpu_s", "worker_max_memory", "worker_input_cache_mb",
                 "api_normalise_max_bytes"):
        if getattr(s, name) < 0:
            problems.append(f"{env_name(name)} must be >= 0")
    if not 0 <= s.work_inline_max_bytes <= 512 * 1024:
        problems.append("SS_WORK_INLINE_MAX_BYTES must be between 0 and 524288")
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"SS_LOG_LEVEL={s.log_level!r} is invalid")
    if s.nats_subscriber_signer and not s.nats_creds:
        # The issued users belong to the account of the API's own credentials.
        problems.append("SS_NATS_SUBSCRIBER_SIGNER needs SS_NATS_CREDS")
    if problems:
        raise SettingsError("; ".join(problems))


def markdown_table() -> str:
    """The configuration table of the README."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    defaults = Settings()
    for field in msgspec.structs.fields(Settings):
        default = getattr(defaults, field.name)
        rows.append(f"| `{env_name(field.name)}` | `{default}` | {DOCS[field.name]} |")
    return "\n".join(rows)


BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"


def with_table(text: str) -> str:
    """``text`` with the table between the settings markers regenerated."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{markdown_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """Print the table; ``--write FILE...`` / ``--check FILE...`` keep documents current."""
    if not argv:
        sys.stdout.write(markdown_table() + "\n")
        return 0
    mode, files = argv[0], argv[1:]
    if mode not in ("--write", "--check") or not files:
        sys.stderr.write(f"usage: python -m libs.settings [--write|--check FILE...] "
                         f"(got {mode!r})\n")
        return 2
    stale = []
    for name in files:
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        if with_table(text) != text:
            stale.append(name)
            if mode == "--write":
                path.write_text(with_table(text), encoding="utf-8")
    if mode == "--check" and stale:
        sys.stderr.write(f"stale settings table in {', '.join(stale)}: run make docs\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
