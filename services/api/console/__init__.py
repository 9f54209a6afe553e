"""The web console: HTML pages the API serves itself (docs/console.md).

Operators watch pools, workers and failures; researchers pick a template, upload data, run it
and read the report. Pages are rendered on the server (Jinja2, autoescaped) from the same
operations and checks the JSON API uses; a few small ES modules under ``static/`` add live
refresh (SSE), uploads with progress and the buttons, which call the JSON API with the
session's CSRF token. Nothing is fetched from another site: the Content-Security-Policy only
allows the console's own scripts and styles.
"""
