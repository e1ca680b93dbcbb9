"""The command line on the bundled model and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gradcam_core.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def photo(tmp_path) -> Path:
    """A 90 x 60 photo: left half red, right half blue."""
    pixels = np.zeros((60, 90, 3), np.uint8)
    pixels[:, :45, 0] = 220
    pixels[:, 45:, 2] = 220
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    return path


@pytest.mark.slow
def test_explain_writes_every_stage_and_the_summary(photo, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["explain", str(photo), "--target", "tabby", "--top", "3", "--out", str(out)])
    assert code == 0
    raw, relu, normalized = (np.load(out / f"{s}.npy") for s in ("raw", "relu", "normalized"))
    assert raw.shape == relu.shape == normalized.shape == (7, 7)
    np.testing.assert_allclose(relu, np.maximum(raw, 0))
    assert normalized.min() >= 0.0 and normalized.max() <= 1.0
    with Image.open(out / "overlay.png") as overlay:
        assert overlay.size == (90, 60)
    summary = json.loads((out / "result.json").read_text())
    assert summary["model"] == "efficientnet_lite0" and summary["layer"] == "top_relu"
    assert summary["target"] == {"index": 281, "name": "tabby"}
    assert len(summary["top_k"]) == 3
    assert summary["top_k"][0]["probability"] >= summary["top_k"][1]["probability"]
    assert set(summary["timings"]) >= {"load_model_s", "grad_cam_s"}
    printed = capsys.readouterr().out
    assert printed.startswith("1. ") and "tabby" in printed


def test_models_lists_sources_and_sizes(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("efficientnet_lite0") and "bundled" in line for line in lines)
    assert any(
        line.startswith("vgg16") and "download" in line and "528 MB" in line for line in lines
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"hello, world\n", "text file"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "")],
)
def test_bad_image_exits_2_with_one_line(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.png"
    bad.write_bytes(content)
    assert main(["explain", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "o").exists()


def test_bad_options_exit_2(photo, tmp_path, capsys):
    assert main(["explain", str(photo), "--opacity", "2", "--out", str(tmp_path / "o")]) == 2
    assert main(["explain", str(photo), "--colormap", "nope", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 2


def test_missing_file_exits_2_without_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gradcam_core",
            "explain",
            str(tmp_path / "nope.jpg"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error: ")
