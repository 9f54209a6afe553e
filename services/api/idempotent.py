"""Running a handler under an ``Idempotency-Key`` (job creation and submit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response

from libs.auth.keys import Principal
from libs.bus.idempotency import Claim, fingerprint
from libs.contracts.errors import ErrorCode, SSError
from libs.contracts.views import JobView
from services.api.state import Services

HEADER = "idempotency-key"
_decoder = msgspec.json.Decoder(JobView)


async def idempotently(
    request: Request[Any, Any, Any], services: Services, principal: Principal, scope: str,
    body: bytes, status: int, action: Callable[[Claim], Awaitable[JobView]],
    reserve: Callable[[], str] = str,
) -> Response[JobView]:
    """Run ``action`` once per (tenant, scope, Idempotency-Key); replay its response after.

    ``action`` gets the claim: its ``reservation`` (minted by ``reserve`` when the key is new,
    the first request's otherwise) and whether an earlier request with the key died part way.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return Response(await action(Claim("", "", reserve())), status_code=status)
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise SSError(ErrorCode.VALIDATION_FAILED, "Idempotency-Key must be 1-255 printable "
                      "characters", field="Idempotency-Key")
    store = services.idempotency
    entry = store.entry_key(principal.tenant, scope, key)
    print_ = fingerprint(request.method, request.url.path, body)
    claim = await store.begin(entry, print_, reserve())
    if not isinstance(claim, Claim):
        return Response(_decoder.decode(claim.body), status_code=claim.status,
                        headers={"idempotent-replayed": "true"})
    try:
        view = await action(claim)
    except BaseException:
        await store.release(claim)
        raise
    await store.finish(claim, status, msgspec.json.encode(view))
    return Response(view, status_code=status)
