"""Shared test helpers (kept importable as ``tests.helpers``)."""

from tests.servers import NatsServer, S3Server, free_port, service_env, wait_http

__all__ = ["NatsServer", "S3Server", "free_port", "service_env", "wait_http"]
