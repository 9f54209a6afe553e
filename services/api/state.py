"""What every request handler shares: connections, stores, the catalogue, settings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from libs.auth.keys import KeyStore
from libs.auth.sessions import SessionSigner
from libs.bus.auth.users import SubscriberIssuer
from libs.bus.connection import Bus
from libs.bus.idempotency import IdempotencyStore
from libs.bus.jobindex import JobIndex
from libs.bus.jobstore import JobStore
from libs.bus.presence import Roster
from libs.bus.ratelimit import RateLimiter
from libs.settings import Settings
from libs.storage import ObjectStore
from libs.templates.catalogue import Catalogue
from services.api.console.trails import Activity
from services.api.packed_memory import PackedMemory
from services.api.pools import Pools
from services.api.recent import RecentRecords


@dataclass
class Services:
    settings: Settings
    bus: Bus
    jobs: JobStore
    objects: ObjectStore
    catalogue: Catalogue
    keys: KeyStore
    idempotency: IdempotencyStore
    limiter: RateLimiter
    index: JobIndex
    pools: Pools
    #: The live workers and formatters, from their heartbeats (the console's overview).
    roster: Roster
    #: The last hour of job events, folded (the console's overview).
    activity: Activity
    #: The inputs this process normalised at upload, for the run items it publishes.
    packed: PackedMemory
    #: The job records this process stored last, the first try of its next CAS on each.
    recent: RecentRecords = field(default_factory=RecentRecords)
    #: Issues tenants' NATS event credentials (None: SS_NATS_SUBSCRIBER_SIGNER unset).
    event_credentials: SubscriberIssuer | None = None
    #: Signs console session cookies (None: SS_CONSOLE_SECRET unset, the console is off).
    sessions: SessionSigner | None = None
    #: Set when the server begins to stop: open event streams end, so clients resume on
    #: another replica with Last-Event-ID instead of holding the shutdown up.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
