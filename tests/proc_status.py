"""Memory figures from /proc/<pid>/status (Linux), for the tests and scripts that measure memory."""

from __future__ import annotations

from pathlib import Path


def status_kb(field_name: str, pid: int | str = "self") -> int:
    """A kB field of the process's status, e.g. VmRSS (resident) or VmHWM (peak resident)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)
