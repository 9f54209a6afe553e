"""The shared records of SS: one Struct is the HTTP body, the NATS payload and the KV value."""
