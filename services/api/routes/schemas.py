"""``/v1/schemas``: JSON Schemas of what SS sends besides HTTP bodies (the NATS events)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get

from libs.contracts.events import JobEvent
from services.api.openapi import PUBLIC


@get("/v1/schemas/events", tags=("schemas",), summary="JSON Schema of the job events on NATS",
     security=PUBLIC,
     description="Subjects: ss.events.<tenant>.<job_id>.<type>; the payload is one of these "
     "(tagged by `type`). See docs/events.md.")
async def events_schema() -> dict[str, Any]:
    schema: dict[str, Any] = msgspec.json.schema(JobEvent)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "SS job event"
    return schema
