"""The local stack behind ``make up``: real NATS and S3 from pip, the three services, a demo job."""
