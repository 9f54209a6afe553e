"""Writing output files so that a crash never leaves a half-written file under its name.

Every renderer writes to ``.<name>.partial`` beside the target and renames it into place,
so a redelivered render after a crash overwrites, never duplicates, and a reader never sees
a truncated report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return ``target``."""
    with atomic_path(target) as partial:
        partial.write_bytes(data)
    return target
