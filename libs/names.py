"""Every name SS uses on NATS and S3, in one place.

Pure functions and constants only: subjects, streams, consumers, KV buckets and S3 keys are
built here and nowhere else, so a newcomer can read the whole wire layout in one file.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: Work stream (WorkQueue retention): run items per engine pool and format items.
WORK_STREAM = "SS_WORK"
#: Event stream (Limits retention, age-bounded): every job transition.
EVENTS_STREAM = "SS_EVENTS"
#: KV bucket holding the job record, key ``<tenant>.<job_id>``.
JOBS_BUCKET = "ss_jobs"
#: KV bucket (with TTL) mapping idempotency keys to job ids.
IDEMPOTENCY_BUCKET = "ss_idem"
#: KV bucket of API keys created through the admin API (key id -> hashed record).
API_KEYS_BUCKET = "ss_api_keys"
#: Job index stream (Limits retention): each tenant's job ids in creation order, in blocks of
#: ordinals, so a page of the newest jobs is found by subject (libs/bus/jobindex.py).
INDEX_STREAM = "SS_INDEX"
#: Rate-limit stream (memory, age-bounded): one message per allowed request of an API key, at
#: most ``SS_RATE_LIMIT_BURST`` per key alive at once (libs/bus/ratelimit.py).
RATE_STREAM = "SS_RATE"
#: KV bucket (with TTL) of work items handed back during outages, key ``<consumer>.<stream seq>``
#: (libs/bus/retries.py).
RETRIES_BUCKET = "ss_retries"
#: Durable consumer shared by every formatter replica.
FORMATTER_CONSUMER = "formatter"
#: Durable consumer of hand-over checks shared by every API replica (services/api/dispatch).
DISPATCH_CONSUMER = "api-dispatch"

WORK_SUBJECTS = "ss.work.>"
EVENTS_SUBJECTS = "ss.events.>"
INDEX_SUBJECTS = "ss.index.>"
RATE_SUBJECTS = "ss.rate.>"
FORMAT_SUBJECT = "ss.work.format"
DISPATCH_SUBJECT = "ss.work.dispatch"
#: Subscribing to this hears every finished job of every tenant.
COMPLETED_EVENTS = "ss.events.*.*.completed"
#: Subject patterns with ``{placeholders}``: the builders below fill them with checked tokens,
#: and NATS permissions (libs/bus/auth/permissions.py) with wildcards or template functions.
RUN_SUBJECT = "ss.work.run.{pool}"
TENANT_EVENTS = "ss.events.{tenant}.>"
TENANT_COMPLETED_EVENTS = "ss.events.{tenant}.*.completed"
#: Core NATS subject (not a stream) on which the API asks workers to stop a running job now.
CANCEL_SUBJECT = "ss.control.cancel"
#: Core NATS subjects (not a stream) of the heartbeats every worker and formatter process
#: sends (libs/bus/presence.py): ``ss.presence.<kind>.<member>``; the API listens to all.
PRESENCE_SUBJECT = "ss.presence.{kind}.{member}"
PRESENCE_SUBJECTS = "ss.presence.>"

#: Header JetStream uses to drop a replayed publish.
MSG_ID_HEADER = "Nats-Msg-Id"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _token(value: str, what: str) -> str:
    # Subjects and KV keys are dot-separated; a dot or wildcard inside a token would change
    # which messages a subscription matches, so refuse anything that is not a plain token.
    if not _TOKEN.fullmatch(value):
        raise ValueError(f"invalid {what} {value!r}: expected 1-64 of [A-Za-z0-9_-]")
    return value


def tenant_id(tenant: str) -> str:
    """``tenant`` if it is a valid tenant id (one subject/KV token), else ValueError."""
    return _token(tenant, "tenant")


def run_subject(pool: str) -> str:
    """Subject of run work items for one engine pool (``embedded``, ``stata``...)."""
    return RUN_SUBJECT.format(pool=_token(pool, "pool"))


def presence_subject(kind: str, member: str) -> str:
    """Subject of one process's heartbeats. ``member`` (a worker id, a host name and pid) is
    made a plain token: anything outside ``[A-Za-z0-9_-]`` becomes ``_``."""
    token = re.sub(r"[^A-Za-z0-9_-]", "_", member)[:64] or "_"
    return PRESENCE_SUBJECT.format(kind=_token(kind, "kind"), member=token)


def worker_consumer(pool: str) -> str:
    """Durable consumer every worker replica of ``pool`` binds to."""
    return f"worker-{_token(pool, 'pool')}"


def event_subject(tenant: str, job_id: str, event_type: str) -> str:
    """Subject of one job event."""
    return f"ss.events.{_token(tenant, 'tenant')}.{_token(job_id, 'job id')}.{event_type}"


def tenant_events_filter(tenant: str, *, completed_only: bool = False) -> str:
    """Subject filter matching every event (or every ``completed``) of one tenant's jobs."""
    pattern = TENANT_COMPLETED_EVENTS if completed_only else TENANT_EVENTS
    return pattern.format(tenant=_token(tenant, "tenant"))


def job_events_filter(tenant: str, job_id: str) -> str:
    """Subject filter matching every event of one job."""
    return f"ss.events.{_token(tenant, 'tenant')}.{_token(job_id, 'job id')}.*"


def job_key(tenant: str, job_id: str) -> str:
    """KV key of a job record."""
    return f"{_token(tenant, 'tenant')}.{_token(job_id, 'job id')}"


def index_subject(tenant: str, block: int) -> str:
    """Subject of one block of a tenant's job index (``block`` counts from 0)."""
    if block < 0:
        raise ValueError(f"block must be >= 0, got {block}")
    return f"ss.index.{_token(tenant, 'tenant')}.{block}"


def tenant_index_filter(tenant: str) -> str:
    """Subject filter matching every block of one tenant's job index."""
    return f"ss.index.{_token(tenant, 'tenant')}.*"


def rate_subject(key_id: str) -> str:
    """Subject counting one API key's recent requests."""
    return f"ss.rate.{_token(key_id, 'key id')}"


def retry_key(durable: str, stream_seq: int) -> str:
    """KV key of one work item's retry record: the consumer and the item's stream sequence."""
    return f"{_token(durable, 'consumer')}.{stream_seq}"


def msg_id(job_id: str, counter: int, stage: str) -> str:
    """``Nats-Msg-Id`` for a publish that must happen once per (job, counter, stage)."""
    return f"{job_id}:{counter}:{stage}"


# --- S3 keys -------------------------------------------------------------------------------

_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def safe_file_name(name: str) -> str:
    """Return ``name`` if it is a plain file name usable as one S3 key segment, else raise."""
    if not _FILE.fullmatch(name) or ".." in name:
        raise ValueError(
            f"invalid file name {name!r}: 1-128 of [A-Za-z0-9._-], not starting with . or -"
        )
    return name


#: Longest name of an uploaded input, in UTF-8 bytes (what common file systems allow).
INPUT_NAME_MAX_BYTES = 255
#: Characters that make a name display as something else ("report\u202ecsv.exe" shows as
#: "reportexe.csv"): bidirectional embeddings, overrides, isolates and marks.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def input_file_name(name: str) -> str:
    """``name`` if it is acceptable as the name of an uploaded input, else ValueError.

    Any Unicode name a person would give a file is fine ("my data.csv", "数据.csv",
    "Umfrage_2020 (final).csv"): the name is only shown and matched, never used as a path
    (``input_key`` and the worker derive those). Refused: an empty or blank name, more than
    ``INPUT_NAME_MAX_BYTES`` bytes of UTF-8, a path separator (``/`` or ``\\``), the name
    ``.``, ``..`` anywhere, control characters (NUL, C0, DEL, C1), line and paragraph separators,
    bidirectional controls, and unpaired surrogates.
    """
    problem = _input_name_problem(name)
    if problem:
        raise ValueError(f"invalid file name {name!r}: {problem}")
    return name


def _input_name_problem(name: str) -> str:
    if not name.strip():
        return "it is empty"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode"
    if size > INPUT_NAME_MAX_BYTES:
        return f"longer than {INPUT_NAME_MAX_BYTES} bytes of UTF-8"
    if "/" in name or "\\" in name:
        return "a file name cannot hold a path separator"
    if ".." in name or name == ".":
        return "'.' and '..' are not file names ('..' is refused anywhere in one)"
    for char in name:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return f"it holds the control character U+{ord(char):04X}"
    return ""


def stored_file_name(name: str) -> str:
    """The form of input ``name`` (``input_file_name``) used in S3 keys: its UTF-8
    percent-encoded, with ASCII letters, digits and ``._-~`` as they are ("my data.csv" ->
    "my%20data.csv"). Stable and reversible, one key segment, plain ASCII."""
    return quote(input_file_name(name), safe="")


def job_prefix(tenant: str, job_id: str) -> str:
    """Key prefix under which everything of one job lives."""
    return f"tenants/{_token(tenant, 'tenant')}/jobs/{_token(job_id, 'job id')}/"


def input_key(tenant: str, job_id: str, upload_id: str, name: str) -> str:
    """One upload, untouched. Each upload gets its own id, so replacing an input never
    overwrites a stored object: the job record points at the verified one. ``name`` is the
    client's file name (``input_file_name``), stored as ``stored_file_name``."""
    upload = _token(upload_id, "upload id")
    return f"{job_prefix(tenant, job_id)}inputs/{upload}/{stored_file_name(name)}"


def normalised_key(tenant: str, job_id: str, upload_id: str) -> str:
    """One upload as the API normalised it (``libs.datasets.packed``: report and ``.dta``)."""
    return f"{job_prefix(tenant, job_id)}normalised/{_token(upload_id, 'upload id')}"


def attempt_prefix(tenant: str, job_id: str, attempt: int) -> str:
    """Prefix of one attempt's raw artifacts (do-file, log, run.json, inputs, results)."""
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    return f"{job_prefix(tenant, job_id)}attempts/{attempt}/"


#: Deepest folder path an attempt's file may have (a do-file may write into subfolders).
ATTEMPT_PATH_DEPTH = 8
#: Longest S3 key (AWS's limit).
KEY_MAX_BYTES = 1024


def attempt_key(tenant: str, job_id: str, attempt: int, relpath: str) -> str:
    """Key of one raw artifact: ``relpath`` is the file's path in the attempt's workspace
    (``results/coefficients.csv``; a do-file's ``tables/Table 1.xlsx``), at most
    ``ATTEMPT_PATH_DEPTH`` segments, each an acceptable file name (``input_file_name``) not
    starting with ``.``, stored as ``stored_file_name`` (plain names are unchanged)."""
    parts = relpath.split("/")
    if not 1 <= len(parts) <= ATTEMPT_PATH_DEPTH or any(p.startswith(".") for p in parts):
        raise ValueError(f"invalid artifact path {relpath!r}")
    key = attempt_prefix(tenant, job_id, attempt) + "/".join(stored_file_name(p) for p in parts)
    if len(key.encode()) > KEY_MAX_BYTES:
        raise ValueError(f"invalid artifact path {relpath!r}: its key is too long")
    return key


def outputs_prefix(tenant: str, job_id: str) -> str:
    """Prefix of the formatted outputs."""
    return f"{job_prefix(tenant, job_id)}outputs/"


def output_key(tenant: str, job_id: str, relpath: str) -> str:
    """Key of one formatted output (``report.xlsx``, ``charts/coefplot.png``)."""
    parts = relpath.split("/")
    if not 1 <= len(parts) <= 2:
        raise ValueError(f"invalid output path {relpath!r}")
    return outputs_prefix(tenant, job_id) + "/".join(safe_file_name(p) for p in parts)
