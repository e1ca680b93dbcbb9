"""Memory that fits Community Cloud, measured in a fresh process as a visitor would use the app.

scripts/memory.py drives app.py through AppTest (every page, and the buttons a visitor presses:
Run Score-CAM, Randomize the model) and reports, for each step, the process's peak resident
memory (VmHWM) and the step's peak of anonymous memory (RssAnon, sampled every 2 ms).

The bounds are on anonymous memory, what the app allocates. The rest of VmHWM is file-backed:
the mapped TensorFlow libraries, page cache the kernel shares and can drop, whose resident size
depends on the machine's page cache, not on this code: 368 MB in one venv and 500 MB in another
with the very same packages, on one machine (the same session: 1057 against 1212 MB VmHWM, and
666 against 686 MB anonymous). A bound on VmHWM would pass on one of them and fail on the other.

- The default model, one session through all six pages and both buttons: every step's
  anonymous peak under 750 MB (686 MB measured at most: the Trust lab's randomization).
- The worst realistic session in low-memory mode (a 40-megapixel upload, then the largest model
  the mode loads, every page and both buttons): anonymous peak under 2.3 GB (2075 MB
  measured: the Trust lab randomizing ConvNeXt-Tiny; with 370-560 MB of file-backed pages that
  is 2.45-2.64 GB of VmHWM; 1974-2075 MB once a model let go was freed and the heap frozen,
  and 695 MB for the default model's worst step).

Zoo models use random weights (same arrays as ImageNet's, which cannot be downloaded here);
Score-CAM runs at each model's quickest layer, whose peak (one batch of masked photos through the
model) is the same as at any layer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.minutes]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_ANON_BOUND_MB = 750
LOW_MEMORY_ANON_BOUND_MB = 2300


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
        print(
            f"{step['name']}: anonymous peak {step['anon_peak_mb']} MB, VmHWM {step['peak_mb']} "
            f"MB, file-backed {step['file_mb']} MB"
        )
    assert not [step for step in steps if step["errors"]], steps
    assert all(0 < step["anon_peak_mb"] <= step["peak_mb"] for step in steps)
    return steps


def test_every_page_with_the_default_model_stays_under_750_mb_of_its_own():
    steps = _session("--models", "efficientnet_lite0")
    assert len(steps) == 8  # six pages and two buttons
    worst = max(steps, key=lambda step: step["anon_peak_mb"])
    assert worst["anon_peak_mb"] < DEFAULT_MODEL_ANON_BOUND_MB, worst


def test_the_worst_low_memory_session_stays_under_2_3_gb_of_its_own():
    sys.path.insert(0, str(ROOT / "scripts"))
    os.environ["GRADCAM_LOW_MEMORY"] = "1"
    try:
        import memory

        models = memory.largest_models()
    finally:
        del os.environ["GRADCAM_LOW_MEMORY"]
        sys.path.remove(str(ROOT / "scripts"))
    assert models == ["convnext_tiny", "resnet50"]  # VGG16 and VGG19 are refused in this mode
    # The largest of the two: its Trust lab is the session's worst step (ResNet50's steps peak
    # lower, docs/memory.md; with both the session took 523 s of CI's time, 427 s without it). A
    # model let go for the next is freed: test_deployment checks that; scripts/memory.py runs both.
    steps = _session("--models", models[0], "--upload", "--low-memory")
    assert any(step["name"].endswith("Trust lab (button)") for step in steps)
    assert max(step["anon_peak_mb"] for step in steps) < LOW_MEMORY_ANON_BOUND_MB
