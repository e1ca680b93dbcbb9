"""Memory figures from /proc/<pid>/status (Linux), for the tests and scripts that measure memory."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path


def status_kb(field_name: str, pid: int | str = "self") -> int:
    """A kB field of the process's status, e.g. VmRSS (resident) or VmHWM (peak resident)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


_CLEAR_REFS = Path("/proc/self/clear_refs")


@functools.cache
def peak_rss_resettable() -> bool:
    """True where Linux lets a process reset its own peak RSS (writing 5 to clear_refs)."""
    try:
        _CLEAR_REFS.write_text("5")
        status_kb("VmHWM")
    except (OSError, KeyError):
        return False
    return True


@contextlib.contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """Yield [growth, peak]: the peak RSS growth over the block and the peak itself, in bytes.

    Resetting the peak (VmHWM) also resets what getrusage reports, so callers that want the
    process's peak over many blocks keep the maximum of the second item.
    """
    box = [0, 0]
    if not peak_rss_resettable():
        yield box
        return
    _CLEAR_REFS.write_text("5")  # VmHWM := VmRSS
    before = status_kb("VmRSS")
    yield box
    peak = status_kb("VmHWM")
    box[0], box[1] = max(0, peak - before) * 1024, peak * 1024
