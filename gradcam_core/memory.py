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


def settle_heap() -> None:
    """Collect everything, then freeze what survives: later collections skip it (``gc.freeze``).

    Streamlit collects twice after every script run (``runner.postScriptGC``, and Keras'
    ``clear_session``, which Streamlit calls whenever keras is imported). Over TensorFlow's
    ~415,000 objects that is 0.22 s each, with the GIL held: two thirds of a warm visit's server
    CPU, every other session stopped meanwhile. Once frozen, 0.001 s. Unfreezing first means a
    model frozen earlier and let go since (a cycle with its compiled passes) is collected now,
    and garbage frozen along with live objects waits one interval, never more.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def release_memory() -> None:
    """Collect garbage (a model and its compiled passes form a cycle), then return freed heap.

    The collection is ``settle_heap``'s: a let-go model may be frozen, which a plain
    ``gc.collect()`` would never free. TensorFlow frees a model's buffers into the C heap, which
    keeps them for reuse: after switching between two zoo models the process stayed ~550 MB
    larger until malloc_trim.
    """
    settle_heap()
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
    this after every run; the trim itself runs only after such growth. Such growth is also when
    the heap gained what stays (the first visit, a model loaded, a layer traced), so the heap is
    settled (collected and frozen) first: later runs' collections skip it.
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    with _lock:
        now = resident_mb()
        if now - _last_trimmed["rss_mb"] < threshold_mb:
            return False
        settle_heap()
        trim(0)
        _last_trimmed["rss_mb"] = resident_mb()
        return True
