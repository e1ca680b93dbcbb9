"""Where the app runs, and what follows from it: the low-memory mode, and model uploads.

Streamlit Community Cloud gives an app between 690 MB and 2.7 GB. In low-memory mode the app keeps
one model in memory (letting the previous one go before the next loads), the Trust lab's
randomized copy is the only second model there ever is, and models too large for the mode are
listed as such and not loaded. The mode is on when ``GRADCAM_LOW_MEMORY`` says so (1/0, for
any host), else when the app's secrets say so (``low_memory = true`` in
``.streamlit/secrets.toml`` or the Cloud settings), else when the app runs on Community Cloud.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

LOW_MEMORY_ENV = "GRADCAM_LOW_MEMORY"
LOW_MEMORY_SECRET = "low_memory"
UPLOADS_ENV = "GRADCAM_ALLOW_MODEL_UPLOAD"
UPLOADS_SECRET = "allow_model_upload"
# Community Cloud runs apps from a clone under /mount/src as the user "appuser".
CLOUD_SOURCE_ROOT = Path("/mount/src")
CLOUD_HOME = Path("/home/appuser")
# Models whose weights are larger than this do not fit the low-memory mode: the model, the Trust
# lab's randomized copy and the work of a page would pass the 2.5 GB the mode keeps under
# (docs/memory.md: VGG16 and VGG19, 528 and 549 MB).
LOW_MEMORY_MODEL_LIMIT_MB = 200.0

# The low-memory setting of this script run, in the thread that runs it (see read_for_run).
_RUN = threading.local()

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(value: object) -> bool | None:
    """True, False, or None when the value says neither."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def on_community_cloud(cwd: Path | None = None, home: Path | None = None) -> bool:
    """True when the app seems to run on Streamlit Community Cloud."""
    cwd = Path.cwd() if cwd is None else cwd
    home = Path.home() if home is None else home
    return cwd.is_relative_to(CLOUD_SOURCE_ROOT) or home == CLOUD_HOME


def _secret(name: str) -> object | None:
    try:
        return st.secrets.get(name)
    except Exception:  # no secrets file at all: Streamlit raises rather than return nothing
        return None


def _setting(env: str, secret: str) -> bool | None:
    """The environment variable's yes or no, else the secret's, else None."""
    for value in (os.environ.get(env), _secret(secret)):
        if value is not None and _flag(value) is not None:
            return _flag(value)
    return None


def _low_memory_now() -> bool:
    setting = _setting(LOW_MEMORY_ENV, LOW_MEMORY_SECRET)
    return on_community_cloud() if setting is None else setting


def read_for_run() -> bool:
    """Read the low-memory setting for this script run (app.py, first thing in every run).

    The page asks ``low_memory()`` some 28 times (model labels, what fits), and each reading asks
    ``st.secrets``, which without a secrets file searches its paths again every time. Read once
    per run, not once per process, so a changed secret or variable applies on the next run.
    """
    _RUN.low_memory = _low_memory_now()
    return _RUN.low_memory


def low_memory() -> bool:
    """Is the low-memory mode on (environment, then secrets, then Community Cloud)?

    In a script run, as ``read_for_run`` read it; elsewhere (a thread of its own, a test), now.
    """
    known = getattr(_RUN, "low_memory", None)
    return _low_memory_now() if known is None else known


def model_uploads_allowed() -> bool:
    """May visitors upload their own model? Yes unless the operator switched it off.

    ``GRADCAM_ALLOW_MODEL_UPLOAD=0`` or ``allow_model_upload = false`` in the secrets: for a
    public deployment that should only explain the models it ships.
    """
    setting = _setting(UPLOADS_ENV, UPLOADS_SECRET)
    return True if setting is None else setting


def fits(size_mb: float) -> bool:
    """Can a model with this much weight be used here?"""
    return not low_memory() or size_mb <= LOW_MEMORY_MODEL_LIMIT_MB


def resident_models() -> int:
    """How many models stay loaded for all sessions: one in low-memory mode, else two."""
    return 1 if low_memory() else 2
