"""The job events as JSON Schema and AsyncAPI 3.0, generated from ``libs.contracts.events``.

    python -m client.schemas            write docs/schemas/events.schema.json, docs/asyncapi.json
    python -m client.schemas --check    exit 1 if either committed file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from libs import names
from libs.contracts.events import EVENT_CLASSES, EVENT_TYPES, JobEvent

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCHEMA_PATH = DOCS / "schemas" / "events.schema.json"
ASYNCAPI_PATH = DOCS / "asyncapi.json"
#: event type (the subject's last token and the payload's ``type``) -> its Struct
BY_TYPE = dict(zip(EVENT_TYPES, EVENT_CLASSES, strict=True))

#: What each event means, for the documents (the Structs carry the fields).
SUMMARIES: dict[str, str] = {
    "created": "The job was created (POST /v1/jobs); inputs may now be uploaded.",
    "queued": "The job was submitted or retried (a new submission), or released back to the "
              "queue by a stopping worker; a run work item is on the queue.",
    "running": "A worker claimed the job and started attempt `attempt` on `engine`.",
    "formatting": "The run finished with rc 0; the formatter renders the requested outputs.",
    "completed": "The job finished: `status` is succeeded, failed or cancelled. Published "
                 "exactly once per finished submission (deduplicated by Nats-Msg-Id).",
}


def events_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one event payload: a union tagged by ``type``."""
    schema: dict[str, Any] = msgspec.json.schema(JobEvent)
    for kind, summary in SUMMARIES.items():
        schema["$defs"][BY_TYPE[kind].__name__]["description"] = summary
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ss.example/schemas/events.schema.json",
            "title": "SS job event",
            "description": f"Payload of every message on {names.EVENTS_STREAM} "
                           "(subject ss.events.<tenant>.<job_id>.<type>).",
            **schema}


def _parameter(description: str) -> dict[str, Any]:
    return {"description": description}


def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0: one channel and one receive operation per event type."""
    _, components = msgspec.json.schema_components(
        EVENT_CLASSES, ref_template="#/components/schemas/{name}")
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for kind, cls in BY_TYPE.items():
        components[cls.__name__]["description"] = SUMMARIES[kind]
        messages[kind] = {
            "name": kind, "title": cls.__name__, "summary": SUMMARIES[kind],
            "contentType": "application/json",
            "headers": {"type": "object", "properties": {names.MSG_ID_HEADER: {
                "type": "string",
                "description": "Deduplication id: <job>:<submission*10000+attempt>:<type>."}}},
            "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
        }
        channels[kind] = {
            "address": f"ss.events.{{tenant}}.{{job_id}}.{kind}",
            "title": f"{kind} events",
            "messages": {kind: {"$ref": f"#/components/messages/{kind}"}},
            "parameters": {"tenant": _parameter("Tenant of the job's owner."),
                           "job_id": _parameter("Job id (time-ordered hex).")},
        }
        operations[f"receive_{kind}"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{kind}"},
            "summary": f"Hear {kind} events (subscribe ss.events.*.*.{kind}).",
            "messages": [{"$ref": f"#/channels/{kind}/messages/{kind}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "SS job events", "version": "1.0.0",
                 "description": "Every job transition, published to JetStream stream "
                                f"{names.EVENTS_STREAM}. See docs/events.md."},
        "defaultContentType": "application/json",
        "servers": {"nats": {"host": "127.0.0.1:4222", "protocol": "nats",
                             "description": "SS_NATS_URL of the deployment"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": components},
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) both documents."""
    parser = argparse.ArgumentParser(prog="python -m client.schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, document in ((SCHEMA_PATH, events_json_schema()),
                           (ASYNCAPI_PATH, asyncapi_document())):
        text = render(document)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path} is out of date: run python -m client.schemas", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
