"""The command line on the bundled model and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import streamlit_server
from PIL import Image
from tiny_models import FlatCAM

import gradcam_core as gc
from gradcam_core.cams import CAM_METHODS
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


def _run_cli(args: list[str], cwd: Path, onednn: str | None) -> subprocess.CompletedProcess:
    """``python -m gradcam_core`` in a fresh process, with the environment a user would have.

    The test process set TF_CPP_MIN_LOG_LEVEL itself; it is removed so the CLI's own handling is
    what is checked. TF_ENABLE_ONEDNN_OPTS=1 makes every CPU take the path on which AVX-512
    machines print "oneDNN custom operations are on" through absl, whatever the log level.
    """
    env = streamlit_server.user_environment(PYTHONPATH=str(ROOT))
    if onednn is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = onednn
    else:
        env.pop("TF_ENABLE_ONEDNN_OPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "gradcam_core", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("onednn", ["1", "0", None])
def test_missing_file_stderr_is_exactly_one_line_on_every_cpu(tmp_path, onednn):
    missing = tmp_path / "nope.jpg"
    result = _run_cli(["explain", str(missing), "--out", str(tmp_path / "o")], tmp_path, onednn)
    assert result.returncode == 2
    assert result.stderr == "error: File not found: nope.jpg. Check the path.\n"
    assert result.stdout == ""


def test_verbose_lets_tensorflow_print_its_startup_lines(tmp_path):
    missing = tmp_path / "nope.jpg"
    args = ["--verbose", "explain", str(missing), "--out", str(tmp_path / "o")]
    result = _run_cli(args, tmp_path, "1")
    lines = result.stderr.splitlines()
    assert result.returncode == 2
    assert lines[-1] == "error: File not found: nope.jpg. Check the path."
    assert any("oneDNN" in line for line in lines[:-1])


@pytest.mark.slow
def test_a_method_added_to_the_registry_is_listed_and_explains(
    photo, tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(CAM_METHODS, "flat", FlatCAM)
    assert main(["methods"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [*CAM_METHODS]
    assert any(line.startswith("flat") and "Flat test CAM" in line for line in listed)
    out = tmp_path / "out"
    assert main(["explain", str(photo), "--method", "flat", "--out", str(out)]) == 0
    # The map, worked out apart from the CLI: the sum of top_relu's channels on the same photo.
    model = gc.load_model("efficientnet_lite0")
    x = gc.preprocess("efficientnet_lite0", gc.load_image(photo).image)
    activations = np.asarray(gc.forward(model, x, ["top_relu"]).activations["top_relu"])
    np.testing.assert_allclose(
        np.load(out / "raw.npy"), activations.reshape(7, 7, -1).sum(-1), rtol=1e-4
    )
    summary = json.loads((out / "result.json").read_text())
    assert summary["method"] == "Flat test CAM" and summary["method_id"] == "flat"
    assert summary["method_settings"] == {} and summary["settings"]["method"] == "flat"


@pytest.mark.slow
def test_slow_and_pixel_level_methods_from_the_command_line(photo, tmp_path, capsys):
    out = tmp_path / "score"
    args = ["explain", str(photo), "--method", "scorecam", "--layer", "block1a_project_bn"]
    assert main([*args, "--out", str(out)]) == 0
    summary = json.loads((out / "result.json").read_text())
    assert summary["method"] == "Score-CAM" and summary["method_settings"] == {"batch_size": 4}
    assert np.load(out / "raw.npy").shape == (112, 112)
    guided = tmp_path / "guided"
    assert main(["explain", str(photo), "--method", "guided_gradcam", "--out", str(guided)]) == 0
    assert np.load(guided / "pixel.npy").shape == (224, 224, 3)
    with Image.open(guided / "pixel.png") as picture:
        assert picture.size == (90, 60)
    capsys.readouterr()
    assert (
        main(
            [
                "explain",
                str(photo),
                "--method",
                "cam",
                "--layer",
                "block5c_add",
                "--out",
                str(tmp_path / "cam"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: CAM does not apply at block5c_add") and err.count("\n") == 1
