"""NATS authentication: nkeys and JWTs, each role's permissions, the operator's folder of keys
and credentials (``python -m libs.bus.auth``), and users logging in or being issued."""
