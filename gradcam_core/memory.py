"""Hand memory back to the system once large objects (a model, a 40 MP photo) are let go."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


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
