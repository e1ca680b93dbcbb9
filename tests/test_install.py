"""The engine installs and runs on its own: built from a copy of the project, run from elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "README.md", "requirements.txt")

WHERE = "import gradcam_core; print(gradcam_core.__file__)"

pytestmark = pytest.mark.slow


def _copy_project(destination: Path) -> Path:
    """The files `pip install .` reads, copied, so the build leaves nothing in the worktree."""
    destination.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "gradcam_core", destination / "gradcam_core", ignore=ignore)
    return destination


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_installed_engine_explains_a_bundled_sample_from_another_folder(tmp_path: Path) -> None:
    source = _copy_project(tmp_path / "source")
    site, elsewhere, out = tmp_path / "site", tmp_path / "elsewhere", tmp_path / "out"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    built = _run([*install, str(source)], elsewhere, env)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (site / "gradcam_core" / "samples_data" / "samples.json").is_file()
    assert (site / "gradcam_core" / "dataset_audit" / "lesson" / "photos.zip").is_file()

    env["PYTHONPATH"] = str(site)  # the installed copy only: the project folder is not on the path
    where = _run([sys.executable, "-c", WHERE], elsewhere, env)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    explain = [sys.executable, "-m", "gradcam_core", "explain", "coffee", "--out", str(out)]
    explained = _run(explain, elsewhere, env)
    assert explained.returncode == 0, explained.stderr[-2000:]
    result = json.loads((out / "result.json").read_text())
    assert result["top_k"][0]["index"] == 967  # espresso, as docs/models.md states for this photo
    assert (out / "overlay.png").stat().st_size > 0
    # The engine's catalogue is package data: the installed copy refuses in Chinese too.
    assert (site / "gradcam_core" / "locale" / "zh" / "LC_MESSAGES" / "gradcam_core.mo").is_file()
    chinese = [sys.executable, "-m", "gradcam_core", "--lang", "zh", "explain", "nope.jpg"]
    refused = _run([*chinese, "--out", str(out)], elsewhere, env)
    assert refused.returncode == 2 and refused.stderr.startswith("错误：找不到文件：nope.jpg")
    assert not list(elsewhere.iterdir())  # nothing written where it ran
