"""Hostile model files: each refused in one line, fast, in bounded memory, with nothing run.

The files come from tests/hostile_model_files.py. A payload that runs creates a marker file; it
must stay absent. Memory is the process's peak RSS growth during the load (VmHWM, reset just
before), time the wall clock of the load. A control test shows Keras itself, without safe mode,
does run the Lambda payload, so the marker check can fail.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import hostile_model_files as hostile
import keras
import pytest
import streamlit_server
from proc_status import peak_rss_growth, peak_rss_resettable

import gradcam_core as gc
from gradcam_core import samples
from gradcam_core.cli import main

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
TIME_BOUND_S = 5.0  # measured: under 50 ms each on two busy cores
MEMORY_BOUND = 64 * MB  # measured: under 1 MB each


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> tuple[dict[str, tuple[Path, str]], Path]:
    folder = tmp_path_factory.mktemp("hostile")
    marker = folder / "PAYLOAD_RAN"
    built = hostile.all_cases(folder, marker)
    gc.load_classifier(hostile.FIXTURES / "keras3_tutorial.keras")  # imports done before timing
    return built, marker


def _measured_load(path: Path) -> tuple[BaseException | None, float, int]:
    if not peak_rss_resettable():
        pytest.skip("this kernel does not let a process reset its peak RSS")
    error = None
    with peak_rss_growth() as growth:
        started = time.perf_counter()
        try:
            gc.load_classifier(path)
        except Exception as caught:
            error = caught
        seconds = time.perf_counter() - started
    return error, seconds, growth[0]


@pytest.mark.parametrize("case", list(hostile.CASE_NAMES))
def test_hostile_file_is_refused_in_one_line_fast_and_small(cases, case):
    built, marker = cases
    path, word = built[case]
    error, seconds, growth = _measured_load(path)
    assert isinstance(error, gc.ModelRefusedError), f"{case}: {error!r}"
    message = str(error)
    assert "\n" not in message and word in message, message
    assert not marker.exists()
    assert seconds < TIME_BOUND_S, f"{case}: {seconds:.2f} s"
    assert growth < MEMORY_BOUND, f"{case}: +{growth / MB:.0f} MB"


def test_uploaded_bytes_get_the_same_checks(cases):
    built, _ = cases
    path, word = built["zip bomb"]
    with pytest.raises(gc.ModelRefusedError, match=word):
        gc.load_classifier(path.read_bytes(), file_name="upload.keras")


@pytest.mark.parametrize("build", [hostile.lambda_keras, hostile.lambda_h5])
def test_the_lambda_payloads_are_live_when_keras_runs_them_unsafely(cases, tmp_path, build):
    """Control: the marker check can fail. Keras, told to trust the file, runs the payload."""
    marker = tmp_path / "RAN"
    model_path = build(tmp_path, marker)
    assert not marker.exists()
    with contextlib.suppress(ValueError):  # the .h5 then fails on its weights, after running
        keras.models.load_model(model_path, safe_mode=False, compile=False)
    assert marker.exists()


def test_cli_refuses_a_hostile_model_with_exactly_one_stderr_line(cases, tmp_path):
    built, marker = cases
    photo = samples.get_sample("cat").path
    env = streamlit_server.user_environment(PYTHONPATH=str(ROOT))
    args = ["explain", str(photo), "--model", str(built["lambda .keras"][0])]
    result = subprocess.run(
        [sys.executable, "-m", "gradcam_core", *args, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=180,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: lambda.keras contains a Lambda layer")
    assert not marker.exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize("case", ["truncated .h5", "image renamed .h5", "HDF5 virtual dataset"])
def test_cli_exit_2_and_one_line_whatever_the_file(cases, case, tmp_path, capsys):
    built, _ = cases
    photo = samples.get_sample("cat").path
    args = ["explain", str(photo), "--model", str(built[case][0]), "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
