"""Hand memory back to the system once large objects (a model, a 40 MP photo) are let go."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from functools import cache
from pathlib import Path

TRIM_AFTER_GROWTH_MB = 16.0
_last_trimmed = {"rss_mb": 0.0}
_lock = threading.Lock()


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (macOS, musl, Windows)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect garbage (a model and its compiled passes form a cycle), then return freed heap.

    TensorFlow frees a model's buffers into the C heap, which keeps them for reuse: after
    switching between two zoo models the process stayed ~550 MB larger until malloc_trim.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident_mb() -> float:
    """This process's resident memory in MB (Linux), or 0 where /proc is not there."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def trim_after_growth(threshold_mb: float = TRIM_AFTER_GROWTH_MB) -> bool:
    """Return freed heap to the system when resident memory grew by threshold_mb since last time.

    Heavy steps (Score-CAM's batches, the Layers pass, deletion curves) free their tensors into
    the C heap's per-thread arenas, where other threads cannot reuse them: the process kept
    ~150 MB it no longer used after each. Reading /proc costs microseconds, so the app calls
    this after every run; the trim itself runs only after such growth.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    with _lock:
        now = resident_mb()
        if now - _last_trimmed["rss_mb"] < threshold_mb:
            return False
        trim(0)
        _last_trimmed["rss_mb"] = resident_mb()
        return True
