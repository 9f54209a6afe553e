"""The embedded engine: runs Stata do-files (the subset SS templates use) without Stata.

Entry point: :func:`libs.engine.batch.run_do_file`.  How to add a command: docs/engine.md.
"""
