"""`python -m gradcam_core audit` and gc.audit: outputs, resuming, and one line for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import audit_support as tiny
import numpy as np
import pandas as pd
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model_files(tmp_path_factory) -> tuple[Path, Path]:
    return tiny.save_colour_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
def dataset(tmp_path) -> Path:
    path = tmp_path / "photos.zip"
    path.write_bytes(tiny.zip_bytes(top="photos/"))
    return path


def run_cli(dataset: Path, model_files, out: Path, *extra: str) -> int:
    model, labels = model_files
    options = ["--model", str(model), "--labels", str(labels), "--preprocess", "unit"]
    return main(["audit", str(dataset), *options, "--out", str(out), *extra])


def test_the_audit_writes_table_maps_thumbnails_and_summary(dataset, model_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(dataset, model_files, out) == 0
    captured = capsys.readouterr()
    assert "accuracy 66.7% on 3 labelled images" in captured.out
    assert "match no class of colours.keras (n = 1): 'blue'" in captured.err
    assert "not images (n = 1), e.g. 'notes.txt'" in captured.err
    assert "5/5 images" in captured.err  # the progress bar's last line

    table = pd.read_parquet(out / "audit.parquet")
    assert list(table.key) == sorted(table.key)  # the dataset's order
    assert table.equals(pd.read_parquet(out / "audit.parquet"))
    csv = pd.read_csv(out / "audit.csv")
    assert list(csv.key) == list(table.key)
    corner = table.set_index("key").loc["red/corner.png"]
    assert corner.corner_mass == pytest.approx(1.0) and corner.box_mass == pytest.approx(1.0)
    maps = np.load(out / corner.map_file)
    expected = np.zeros((8, 8))
    expected[6:, 6:] = 1
    np.testing.assert_allclose(maps["predicted"], expected, atol=1e-6)
    with Image.open(out / corner.thumbnail_file) as thumbnail:
        assert thumbnail.size == (8, 8) and thumbnail.format == "JPEG"
    wrong = table.set_index("key").loc["green/mislabelled.png"]
    assert set(np.load(out / wrong.map_file).files) == {"predicted", "true"}
    broken = table.set_index("key").loc["red/broken.png"]
    assert broken.error and not broken.map_file

    summary = json.loads((out / "summary.json").read_text())
    assert summary["accuracy"] == pytest.approx(2 / 3)
    assert summary["confusion"]["matrix"] == [[1, 0], [1, 1]]
    assert summary["measures"]["box_mass"]["count"] == 1
    run = json.loads((out / "run.json").read_text())
    assert (run["layer"], run["method"], run["classes"]) == (
        "features",
        "gradcam",
        ["red", "green"],
    )


def test_a_second_run_skips_what_is_done(dataset, model_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(dataset, model_files, out) == 0
    first = (out / "rows.jsonl").read_text().splitlines()
    assert len(first) == 5
    # a run stopped while writing: one row and half of the next
    (out / "rows.jsonl").write_text(first[0] + "\n" + first[1][:20])
    capsys.readouterr()
    assert run_cli(dataset, model_files, out) == 0
    assert "1 of 5 images were already audited" in capsys.readouterr().err
    again = (out / "rows.jsonl").read_text().splitlines()
    assert len(again) == 5 and again[0] == first[0]
    assert sorted(json.loads(r)["key"] for r in again) == sorted(
        json.loads(r)["key"] for r in first
    )
    assert len(pd.read_parquet(out / "audit.parquet")) == 5


def test_a_second_run_with_other_settings_is_refused(dataset, model_files, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(dataset, model_files, out) == 0
    capsys.readouterr()
    assert run_cli(dataset, model_files, out, "--method", "gradcam++") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "other settings (method: 'gradcam' then" in error


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "2"], "use it with --engine ray"),
        (["--layer", "nope"], "nope"),
        (["--top", "0"], "--top must be at least 1"),
    ],
)
def test_bad_options_give_one_line(dataset, model_files, tmp_path, capsys, extra, message):
    assert run_cli(dataset, model_files, tmp_path / "out", *extra) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and message in error


def test_a_bad_dataset_gives_one_line(model_files, tmp_path, capsys):
    bomb = tmp_path / "bomb.zip"
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cat/x.bmp", b"\0" * (4 * 1024 * 1024))
    assert run_cli(bomb, model_files, tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert "zip bomb" in error and error.count("\n") == 1
    assert run_cli(tmp_path / "missing", model_files, tmp_path / "out") == 2
    assert "does not exist" in capsys.readouterr().err


def test_gc_audit_in_memory_keeps_maps_and_thumbnails(model_files):
    model, labels = model_files
    result = gc.audit(tiny.zip_bytes(), str(model), labels=labels, preprocess="unit")
    assert result.rows[0]["key"] == "blue/corner.png"
    assert result.out is None and result.summary["accuracy"] == pytest.approx(2 / 3)
    kept = result.results[result.rows[-1]["id"]]  # red/corner.png
    assert kept.row["key"] == "red/corner.png" and kept.thumbnail[:2] == b"\xff\xd8"
    assert kept.maps["predicted"].shape == (8, 8)


def test_ray_needs_a_model_it_can_load_in_every_actor(model_files):
    model, labels = model_files
    loaded = gc.load_classifier(model, labels=labels, preprocess="unit")
    with pytest.raises(ValueError, match="name or a file path"):
        gc.audit(tiny.zip_bytes(), engine="ray", classifier=loaded)


def test_the_local_engine_never_imports_ray(model_files, tmp_path):
    """Ray is an optional extra: the CLI's local engine runs without importing it."""
    model, labels = model_files
    data = tmp_path / "photos.zip"
    data.write_bytes(tiny.zip_bytes())
    script = (
        "import sys; from gradcam_core.cli import main; "
        f"code = main(['audit', {str(data)!r}, '--model', {str(model)!r}, '--labels', "
        f"{str(labels)!r}, '--preprocess', 'unit', '--out', {str(tmp_path / 'out')!r}]); "
        "assert code == 0; assert 'ray' not in sys.modules, 'ray was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_the_bundled_model_on_imagenet_folders(tmp_path, capsys):
    """Folders named by ImageNet classes: the sample photos' classes are matched and predicted."""
    from gradcam_core import samples

    files = {
        "tabby/cat.jpg": samples.get_sample("cat").path.read_bytes(),
        "espresso/coffee.jpg": samples.get_sample("coffee").path.read_bytes(),
    }
    folder = tiny.write_folder(tmp_path / "data", files)
    assert main(["audit", str(folder), "--out", str(tmp_path / "out"), "--top", "3"]) == 0
    table = pd.read_csv(tmp_path / "out" / "audit.csv").set_index("key")
    assert table.loc["espresso/coffee.jpg"].predicted_name == "espresso"
    assert table.loc["espresso/coffee.jpg"].correct
    assert table.loc["tabby/cat.jpg"].true_index == 281
    assert table.loc["tabby/cat.jpg"].predicted_name == "Egyptian cat"
    assert len(json.loads(table.loc["tabby/cat.jpg"].top_k)) == 3


def _chinese_lines(text: str) -> list[str]:
    """Lines of CLI output that are not Chinese sentences: English words outside the quoted
    names of the dataset's files and folders and outside what a library said about a damaged
    file (in parentheses without a Chinese word, as in tests/test_i18n.py)."""
    from i18n_support import english_words

    cjk = re.compile(r"[\u4e00-\u9fff]")
    names = re.compile(r"'[^']*'|“[^”]*”|（[^（）\u4e00-\u9fff]*）")
    return [
        line
        for line in text.splitlines()
        if not cjk.search(line) or english_words(names.sub(" ", line))
    ]


def test_the_audit_speaks_chinese_with_lang_zh(dataset, model_files, tmp_path, capsys):
    """Progress, notes, the outcome and the errors in Chinese; the files keep English columns
    and keys (a data format), with the row's error and the notes in the run's language."""
    from gradcam_core.i18n import use_language

    out = tmp_path / "out"
    with use_language("en"):  # main() sets the run's language: give the test's thread its own
        assert run_cli(dataset, model_files, out, "--lang", "zh") == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and not _chinese_lines(captured.out), captured.out
    assert "blue" in captured.err and "notes.txt" in captured.err  # the two notes
    assert "5/5" in captured.err and not _chinese_lines(captured.err), captured.err
    table = pd.read_csv(out / "audit.csv")
    assert {"key", "error", "corner_mass", "predicted_name"} <= set(table.columns)
    broken = table.set_index("key").loc["red/broken.png"]
    assert not _chinese_lines(broken.error), broken.error
    summary = json.loads((out / "summary.json").read_text())
    assert {"accuracy", "confusion", "notes"} <= set(summary)
    assert summary["notes"] and not _chinese_lines("\n".join(summary["notes"]))

    bomb = tmp_path / "bomb.zip"
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cat/x.bmp", b"\0" * (4 * 1024 * 1024))
    model = model_files[0]
    with use_language("en"):
        code = main(["--lang", "zh", "audit", str(bomb), "--model", str(model), "--out", "x"])
    assert code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and not _chinese_lines(error), error
    assert "bomb.zip" in error
