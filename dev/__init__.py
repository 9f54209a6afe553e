"""Real servers on this machine.

``make up``'s local stack (Procfile, nats.py, s3.py, example.py): real NATS and S3 from pip, the
three services, a demo job. For tests, benchmarks and the docs' samples: NATS and S3 servers
on free ports (servers.py), a whole stack of services around them with a test template
library (stack.py, library/), and the raw files of sample attempts (report_samples.py).
"""
