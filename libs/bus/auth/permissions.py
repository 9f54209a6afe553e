"""What each NATS user of SS may publish and subscribe to: least privilege, built from the
names in ``libs.names`` (never typed twice) and the JetStream API's subject conventions.

Every role is a *scoped signing key* of the SS account: a user signed by it gets exactly its
template, so these lists live in the account JWT (re-signed by ``python -m libs.bus.auth
init``), not in each user's credential. Two template functions make one template fit many
users: ``{{subject()}}`` (the user's public key: its own reply inbox and, for a subscriber,
its one consumer) and ``{{name()}}`` (a subscriber's tenant).

- api: provisions the streams and buckets; publishes run items, hand-over checks, events,
  cancel notices, job index entries and rate-limit marks (and reads those two streams); its
  dispatch consumer; ordered consumers on the events (SSE) and on its three buckets, which it
  reads and writes; hears the workers' and formatters' heartbeats;
- worker: its pools' consumers; publishes format items, its pools' run items (a release),
  events and its heartbeats; reads and writes job records and the retry ledger; hears cancel
  notices;
- formatter: its consumer; publishes events and its heartbeats; reads and writes job records
  and the retry ledger;
- subscriber: its tenant's events, live and replayed through one consumer named after itself;
- every service (api, worker, formatter): the account's JetStream info, for its readiness
  probe;
- admin: everything in the account, for the operator's own tools (``nats`` CLI backups).

None of them may delete or purge a stream, and only the API creates or changes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from libs import names

JS_API = "$JS.API"
#: Template functions the server fills in per user (scoped signing keys).
USER = "{{subject()}}"
TENANT = "{{name()}}"
INBOX = "_INBOX.{user}"


class Role(StrEnum):
    API = "api"
    WORKER = "worker"
    FORMATTER = "formatter"
    #: A tenant's event subscriber (its credential is issued by the API).
    SUBSCRIBER = "subscriber"
    #: The operator's tools: every subject of the account.
    ADMIN = "admin"


#: Roles each SS service connects as (their credentials are minted by the operator).
SERVICES = (Role.API, Role.WORKER, Role.FORMATTER)


def inbox_prefix(public_key: str) -> str:
    """A user's reply inbox: only it may subscribe there."""
    return INBOX.format(user=public_key)


def kv_stream(bucket: str) -> str:
    """The stream behind a KV bucket (nats-py's and the server's convention)."""
    return f"KV_{bucket}"


def _read_stream(stream: str) -> list[str]:
    return [f"{JS_API}.STREAM.INFO.{stream}", f"{JS_API}.STREAM.MSG.GET.{stream}",
            f"{JS_API}.DIRECT.GET.{stream}", f"{JS_API}.DIRECT.GET.{stream}.>"]


def _manage_stream(stream: str) -> list[str]:
    return [f"{JS_API}.STREAM.CREATE.{stream}", f"{JS_API}.STREAM.UPDATE.{stream}",
            *_read_stream(stream)]


def _ordered_consumers(stream: str) -> list[str]:
    """Ephemeral ordered consumers (SSE replay, KV watches and key listings): created without
    a name, checked and deleted by the one the server gave them."""
    return [f"{JS_API}.CONSUMER.CREATE.{stream}", f"{JS_API}.CONSUMER.INFO.{stream}.*",
            f"{JS_API}.CONSUMER.DELETE.{stream}.*", f"$JS.FC.{stream}.>"]


def _durable(stream: str, consumer: str, filter_subject: str) -> list[str]:
    """Create (by name, with the filter in the subject), bind, fetch and ack one consumer."""
    return [f"{JS_API}.CONSUMER.CREATE.{stream}.{consumer}.{filter_subject}",
            f"{JS_API}.CONSUMER.INFO.{stream}.{consumer}",
            f"{JS_API}.CONSUMER.MSG.NEXT.{stream}.{consumer}",
            f"$JS.ACK.{stream}.{consumer}.>"]


def _queue_metrics() -> list[str]:
    """Read-only consumer state of the work stream (queue metrics, pool checks)."""
    return [f"{JS_API}.CONSUMER.LIST.{names.WORK_STREAM}",
            f"{JS_API}.CONSUMER.NAMES.{names.WORK_STREAM}",
            f"{JS_API}.CONSUMER.INFO.{names.WORK_STREAM}.*"]


def _jetstream_ready() -> list[str]:
    """The account's JetStream info (limits and usage, read-only): every service's readiness
    probe asks it to learn that JetStream answers."""
    return [f"{JS_API}.INFO"]


def _kv(bucket: str, *, watch: bool, manage: bool = False) -> list[str]:
    stream = kv_stream(bucket)
    found = _manage_stream(stream) if manage else _read_stream(stream)
    found.append(f"$KV.{bucket}.>")
    return found + (_ordered_consumers(stream) if watch else [])


def _api() -> tuple[list[str], list[str]]:
    pub = [*_manage_stream(names.WORK_STREAM), *_manage_stream(names.EVENTS_STREAM),
           *_manage_stream(names.INDEX_STREAM), *_manage_stream(names.RATE_STREAM),
           names.INDEX_SUBJECTS, names.RATE_SUBJECTS,
           *_kv(names.JOBS_BUCKET, watch=True, manage=True),
           *_kv(names.API_KEYS_BUCKET, watch=True, manage=True),
           *_kv(names.IDEMPOTENCY_BUCKET, watch=True, manage=True),
           *_kv(names.RETRIES_BUCKET, watch=False, manage=True),
           *_durable(names.WORK_STREAM, names.DISPATCH_CONSUMER, names.DISPATCH_SUBJECT),
           *_ordered_consumers(names.EVENTS_STREAM), *_queue_metrics(), *_jetstream_ready(),
           names.RUN_SUBJECT.format(pool="*"), names.DISPATCH_SUBJECT,
           names.EVENTS_SUBJECTS, names.CANCEL_SUBJECT]
    return pub, [names.PRESENCE_SUBJECTS]


def _worker(pools: Iterable[str]) -> tuple[list[str], list[str]]:
    pub = [*_read_stream(names.WORK_STREAM), *_read_stream(names.EVENTS_STREAM),
           *_kv(names.JOBS_BUCKET, watch=False), *_kv(names.RETRIES_BUCKET, watch=False),
           *_queue_metrics(), *_jetstream_ready(), names.FORMAT_SUBJECT,
           names.EVENTS_SUBJECTS, names.PRESENCE_SUBJECT.format(kind="worker", member="*")]
    for pool in pools:
        pub += [*_durable(names.WORK_STREAM, names.worker_consumer(pool),
                          names.run_subject(pool)), names.run_subject(pool)]
    return pub, [names.CANCEL_SUBJECT]


def _formatter() -> tuple[list[str], list[str]]:
    pub = [*_read_stream(names.WORK_STREAM), *_read_stream(names.EVENTS_STREAM),
           *_kv(names.JOBS_BUCKET, watch=False), *_kv(names.RETRIES_BUCKET, watch=False),
           *_queue_metrics(), *_jetstream_ready(),
           *_durable(names.WORK_STREAM, names.FORMATTER_CONSUMER, names.FORMAT_SUBJECT),
           names.EVENTS_SUBJECTS, names.PRESENCE_SUBJECT.format(kind="formatter", member="*")]
    return pub, []


def _subscriber() -> tuple[list[str], list[str]]:
    tenant_events = names.TENANT_EVENTS.format(tenant=TENANT)
    stream = names.EVENTS_STREAM
    pub = [f"{JS_API}.CONSUMER.CREATE.{stream}.{USER}.{tenant_events}",
           f"{JS_API}.CONSUMER.INFO.{stream}.{USER}",
           f"{JS_API}.CONSUMER.DELETE.{stream}.{USER}",
           f"{JS_API}.CONSUMER.MSG.NEXT.{stream}.{USER}",
           f"$JS.ACK.{stream}.{USER}.>"]
    return pub, [tenant_events]


def grants(role: Role, pools: Iterable[str] = ()) -> dict[str, Any]:
    """The user-permission template of ``role`` (the ``template`` of its scoped signing key):
    publish and subscribe allow-lists, everything else denied; every role may hear the
    replies to its own requests on its inbox."""
    if role is Role.ADMIN:
        pub, sub = [">"], [">"]
    else:
        builders = {Role.API: _api, Role.FORMATTER: _formatter, Role.SUBSCRIBER: _subscriber}
        pub, sub = _worker(pools) if role is Role.WORKER else builders[role]()
        sub = [*sub, f"{inbox_prefix(USER)}.>"]
    return {"pub": {"allow": sorted(set(pub))}, "sub": {"allow": sorted(set(sub))},
            "subs": -1, "data": -1, "payload": -1}
