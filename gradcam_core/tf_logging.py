"""Keep TensorFlow's start-up lines (absl, oneDNN, CPU features) out of stderr unless asked for.

TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL`` once, when it is loaded, and not every start-up line
obeys it: with oneDNN on (AVX-512 CPUs, or ``TF_ENABLE_ONEDNN_OPTS=1``) absl prints "oneDNN custom
operations are on" before its logging is set up, whatever the level. So ``load_tensorflow``
imports TensorFlow with file descriptor 2 pointed at a temporary file, keeps what TensorFlow
printed (``startup_lines``) and writes anything else back. ``GRADCAM_VERBOSE=1`` (the CLI's
``--verbose``) lets everything through at log level 0. A level the user set is kept.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

LEVEL_ENV = "TF_CPP_MIN_LOG_LEVEL"
VERBOSE_ENV = "GRADCAM_VERBOSE"
QUIET_LEVEL = "3"
VERBOSE_LEVEL = "0"

# What TensorFlow and absl print while loading: glog-style records
# ("I0000 00:00:1796059864.822772   11755 port.cc:153] ..."), absl's warning before its logging is
# set up, and the CPU feature guard's continuation line.
_STARTUP_LINE = re.compile(
    r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: )"
)
_LOCK = threading.Lock()
_startup_lines: list[str] = []


def verbose() -> bool:
    """True when TensorFlow's own lines were asked for (``GRADCAM_VERBOSE`` set, not 0)."""
    return os.environ.get(VERBOSE_ENV, "").strip() not in ("", "0")


def configure(verbose_output: bool | None = None) -> None:
    """Set TensorFlow's log level before it loads: quiet (3), or 0 when verbose output is asked.

    ``verbose_output=True`` also sets ``GRADCAM_VERBOSE`` (read by ``load_tensorflow``). A level
    the user set is kept; asking for verbose output replaces only the quiet default.
    """
    if verbose_output:
        os.environ[VERBOSE_ENV] = "1"
    if verbose():
        if os.environ.get(LEVEL_ENV) in (None, QUIET_LEVEL):
            os.environ[LEVEL_ENV] = VERBOSE_LEVEL
    else:
        os.environ.setdefault(LEVEL_ENV, QUIET_LEVEL)


def is_startup_line(line: str) -> bool:
    """True for a line TensorFlow or absl prints while loading."""
    return bool(_STARTUP_LINE.match(line))


def startup_lines() -> list[str]:
    """What TensorFlow printed while ``load_tensorflow`` held it back (empty when verbose)."""
    return list(_startup_lines)


@contextmanager
def _stderr_to_file() -> Iterator[IO[bytes]]:
    """Point file descriptor 2 (what C++ code writes to) at a temporary file for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield sink
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def load_tensorflow() -> None:
    """Import TensorFlow once, holding back its start-up lines unless verbose output is asked.

    Lines that are not TensorFlow's (another thread's log, a Python warning) are written back to
    stderr; if the import fails, everything it printed is written back before the error rises.
    """
    configure()
    with _LOCK:
        if "tensorflow" in sys.modules:
            return
        if verbose():
            import tensorflow

            return
        failure: BaseException | None = None
        with _stderr_to_file() as sink:
            try:
                import tensorflow  # noqa: F401
            except BaseException as error:  # re-raised below, once stderr is back
                failure = error
            sink.seek(0)
            captured = sink.read().decode("utf-8", "replace").splitlines()
        if failure is None:
            _startup_lines.extend(line for line in captured if is_startup_line(line))
            captured = [line for line in captured if not is_startup_line(line)]
        if captured:
            sys.stderr.write("\n".join(captured) + "\n")
            sys.stderr.flush()
        if failure is not None:
            raise failure
