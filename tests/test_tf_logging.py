"""TensorFlow's start-up lines are recognised, held back, and shown only when asked for."""

from __future__ import annotations

import os

import pytest

from gradcam_core import tf_logging

# As printed by TensorFlow 2.21 on an AMD EPYC (oneDNN forced on) and on AVX2 machines.
STARTUP = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796059864.822772   11755 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors.",
    "I0000 00:00:1796059864.881099   11755 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.",
    "E0000 00:00:1700000000.000001    4242 cuda_dnn.cc:8310] Unable to register cuDNN factory",
]
OTHERS = [
    "error: File not found: nope.jpg. Check the path.",
    "  You can now view your Streamlit app in your browser.",
    "WARNING: something else entirely",
    "I0000 is not a log record",
]


@pytest.mark.parametrize("line", STARTUP)
def test_startup_lines_are_recognised(line):
    assert tf_logging.is_startup_line(line)


@pytest.mark.parametrize("line", OTHERS)
def test_other_lines_are_kept(line):
    assert not tf_logging.is_startup_line(line)


def test_quiet_by_default_and_a_users_level_is_kept(monkeypatch):
    monkeypatch.delenv(tf_logging.LEVEL_ENV, raising=False)
    monkeypatch.delenv(tf_logging.VERBOSE_ENV, raising=False)
    tf_logging.configure()
    assert os.environ[tf_logging.LEVEL_ENV] == "3"
    monkeypatch.setenv(tf_logging.LEVEL_ENV, "1")
    tf_logging.configure()
    assert os.environ[tf_logging.LEVEL_ENV] == "1"


def test_verbose_replaces_only_the_quiet_default(monkeypatch):
    # setenv, not delenv: monkeypatch restores only what it recorded, and delenv of an unset
    # name records nothing, so configure's GRADCAM_VERBOSE=1 outlived the test (later CLI
    # subprocesses in the same worker printed TensorFlow's start-up lines)
    monkeypatch.setenv(tf_logging.VERBOSE_ENV, "0")
    monkeypatch.setenv(tf_logging.LEVEL_ENV, "3")
    tf_logging.configure(verbose_output=True)
    assert os.environ[tf_logging.LEVEL_ENV] == "0" and tf_logging.verbose()
    monkeypatch.setenv(tf_logging.LEVEL_ENV, "2")
    tf_logging.configure(verbose_output=True)
    assert os.environ[tf_logging.LEVEL_ENV] == "2"
