"""Everything SS does with NATS: connection, provisioning, publishing, consuming, the job store.

The rest of the code imports from here and never from ``nats`` directly.
"""
