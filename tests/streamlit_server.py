"""Start `streamlit run app.py` on a free localhost port and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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
    root: Path = ROOT,
) -> subprocess.Popen:
    """Launch the app in ``root`` (headless, localhost only); output goes to ``log``."""
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
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=root,
        env=user_environment() if env is None else env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(url: str, timeout_s: float, poll_s: float = 0.05) -> bool:
    """Poll the health endpoint until it answers 200; False after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(poll_s)
    return False
