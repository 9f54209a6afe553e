"""Peak memory of the running process, for benchmarks that measure in child processes."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB. Linux keeps ``ru_maxrss`` across exec (a child would
    report its parent's peak), so prefer VmHWM, which belongs to the new address space."""
    found = _status_mb("VmHWM:")
    if found is not None:
        return found
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's resident set now (VmRSS) in MiB, 0.0 where /proc is missing."""
    return _status_mb("VmRSS:") or 0.0


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
