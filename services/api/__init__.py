"""The HTTP API (Litestar): jobs, uploads, artifacts, events, templates. Never runs an analysis."""
