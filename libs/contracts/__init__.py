"""The shared records of SS: one msgspec Struct is the HTTP body, the NATS payload and the KV value."""
