"""Start `streamlit run app.py` on a free port (localhost unless told) and wait until it answers."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def user_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the TensorFlow log level the tests set for themselves.

    The app must keep TensorFlow's start-up lines out of its log on its own, as for a user.
    """
    unset = ("TF_CPP_MIN_LOG_LEVEL", "GRADCAM_VERBOSE")
    return {**{k: v for k, v in os.environ.items() if k not in unset}, **extra}


def start(
    port: int,
    log: IO | int = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    *,
    address: str = "127.0.0.1",
    options: Sequence[str] = (),
    root: Path = ROOT,
    cpus: set[int] | None = None,
) -> subprocess.Popen:
    """Launch the app in ``root`` (headless, on localhost unless told); output goes to ``log``.

    ``options`` are more `streamlit run` options, e.g. the --server.sslCertFile/KeyFile pair.
    ``cpus`` pins the server (every thread it starts) to those cores, e.g. {0} for a benchmark
    whose clients run on the other core.
    """
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            address,
            "--server.headless",
            "true",
            *options,
        ],
        cwd=root,
        env=user_environment() if env is None else env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=None if cpus is None else (lambda: os.sched_setaffinity(0, cpus)),
    )


def wait_healthy(
    url: str, timeout_s: float, poll_s: float = 0.05, context: ssl.SSLContext | None = None
) -> bool:
    """Poll the health endpoint until it answers 200; False after ``timeout_s``.

    An https URL is checked with ``context`` (e.g. one that trusts a self-signed certificate).
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            health = f"{url}/_stcore/health"
            with urllib.request.urlopen(health, timeout=2, context=context) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(poll_s)
    return False
