"""Memory that fits Community Cloud, measured in a fresh process as a visitor would use the app.

scripts/memory.py drives app.py through AppTest (every page, and the buttons a visitor
presses) and reports the process's peak resident memory after each step. Here: the worst
realistic session in low-memory mode (a 40-megapixel upload, then the two largest models the
mode loads, every page, Score-CAM and the randomization cascade) has the goal of 2.5 GB (2.45 GB
measured on the developer's machine) and must stay under 2.6 GB here, so that another CPU's
kernels and allocator do not make it flaky, still under Cloud's largest 2.7 GB; with
the default model, every page (opened after the Grad-CAM page, with its button pressed) under
1.0 GB, and one session through all six pages and both buttons under 1.2 GB (1.06 GB measured:
each page's caches and compiled passes stay for the next visit). Zoo models use random weights (same
arrays as ImageNet's, which cannot be downloaded here); Score-CAM runs at each model's quickest
layer, whose peak (one batch of masked photos through the model) is the same as at any layer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LOW_MEMORY_BOUND_MB = 2600
PAGE_BOUND_MB = 1000
DEFAULT_SESSION_BOUND_MB = 1200


def _session(*arguments: str) -> list[dict]:
    """The steps of one scenario of scripts/memory.py, run in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "GRADCAM_LOW_MEMORY"}
    done = subprocess.run(
        [sys.executable, "scripts/memory.py", "--json", "--quick", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    steps = json.loads(done.stdout.strip().splitlines()[-1])["steps"]
    for step in steps:
        print(f"{step['name']}: peak {step['peak_mb']} MB, resident {step['rss_mb']} MB")
    assert not [step for step in steps if step["errors"]], steps
    return steps


def test_the_worst_low_memory_session_stays_under_2_6_gb():
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ["GRADCAM_LOW_MEMORY"] = "1"
    try:
        import memory

        models = memory.largest_models()
    finally:
        del os.environ["GRADCAM_LOW_MEMORY"]
        sys.path.remove(str(ROOT / "scripts"))
    assert models == ["convnext_tiny", "resnet50"]  # VGG16 and VGG19 are refused in this mode
    steps = _session("--models", *models, "--upload", "--low-memory")
    assert any(step["name"].endswith("Trust lab (button)") for step in steps)
    assert max(step["peak_mb"] for step in steps) < LOW_MEMORY_BOUND_MB


@pytest.mark.parametrize("page", ["How it works", "Layers", "Classes", "Methods", "Trust lab"])
def test_each_page_with_the_default_model_stays_under_1_gb(page):
    steps = _session("--models", "efficientnet_lite0", "--page", page)
    assert [step["name"] for step in steps][:2] == ["Grad-CAM", page]
    assert max(step["peak_mb"] for step in steps) < PAGE_BOUND_MB


def test_one_session_through_every_page_with_the_default_model_stays_under_1_2_gb():
    steps = _session("--models", "efficientnet_lite0")
    assert len(steps) == 8  # six pages and two buttons
    assert max(step["peak_mb"] for step in steps) < DEFAULT_SESSION_BOUND_MB
