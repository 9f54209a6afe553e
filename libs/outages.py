"""Which exceptions mean "NATS or S3 is unavailable right now", and how to name one in a log.

An outage is worth waiting out: the consumer loop retries its work item with backoff (without
spending the crash budget) and the API answers 503 with ``Retry-After``. Anything else raised
while handling a work item is a bug or a poison message and counts against ``SS_MAX_DELIVER``.
"""

from __future__ import annotations

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError
from nats.errors import Error as NatsError

from libs.contracts.errors import TransientError

#: NATS client errors (timeouts, no responders, a closed connection, JetStream saying
#: "unavailable"), S3 errors from botocore and from the signed aiohttp path, refused or reset
#: connections, and timeouts.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    TransientError, NatsError, BotoCoreError, ClientError, aiohttp.ClientError, ConnectionError,
    TimeoutError,
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency (NATS, S3) is unavailable rather than that the code or
    the work item is wrong."""
    return isinstance(exc, OUTAGE_ERRORS)


def describe(exc: BaseException) -> str:
    """``Type: text`` of an exception, never empty (``TimeoutError()`` has no text)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
