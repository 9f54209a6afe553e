"""The generated event documents: current, and true to the payloads actually published."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from client import schemas
from libs.contracts.errors import ErrorCode, ErrorInfo
from libs.contracts.events import (
    EVENT_TYPES,
    JobCompleted,
    JobCreated,
    JobEvent,
    JobFormatting,
    JobQueued,
    JobRunning,
    encode_event,
)
from libs.contracts.jobs import JobState

BASE: dict[str, Any] = {"tenant": "t1", "job_id": "0190abc", "at": "2026-01-01T00:00:00.000Z",
                        "submission": 2, "attempt": 3}
EVENTS: list[JobEvent] = [
    JobCreated(**BASE, template_id="ols_robust"), JobQueued(**BASE),
    JobRunning(**BASE, worker_id="w", engine="embedded"),
    JobFormatting(**BASE, rc=0, duration_s=1.5),
    JobCompleted(**BASE, status=JobState.FAILED, outputs=[],
                 error=ErrorInfo(error_code=ErrorCode.DOFILE_ERROR, message="r(111)",
                                 details={"rc": 111})),
]


def test_committed_documents_are_current() -> None:
    assert schemas.main(["--check"]) == 0, "run: python -m client.schemas"


def test_every_event_type_is_described() -> None:
    assert set(schemas.SUMMARIES) == set(schemas.BY_TYPE) == set(EVENT_TYPES)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_published_payloads_validate_and_wrong_ones_do_not(event: JobEvent) -> None:
    validator = jsonschema.Draft202012Validator(schemas.events_json_schema())
    payload = json.loads(encode_event(event))
    validator.validate(payload)
    assert not validator.is_valid({**payload, "surprise": 1})
    assert not validator.is_valid({**payload, "type": "exploded"})
    assert not validator.is_valid({k: v for k, v in payload.items() if k != "job_id"})


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_asyncapi_refs_resolve_and_payload_schemas_match_the_events() -> None:
    document = schemas.asyncapi_document()
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs
    for ref in refs:
        _resolve(document, ref)  # KeyError if dangling
    assert {c["address"].rsplit(".", 1)[1] for c in document["channels"].values()} == set(
        EVENT_TYPES)
    for event in EVENTS:
        kind = json.loads(encode_event(event))["type"]
        payload_ref = document["components"]["messages"][kind]["payload"]["$ref"]
        schema = {**_resolve(document, payload_ref),
                  "components": document["components"]}  # nested refs resolve from here
        jsonschema.Draft202012Validator(schema).validate(json.loads(encode_event(event)))
