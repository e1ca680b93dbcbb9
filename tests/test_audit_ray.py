"""--engine ray against the local engine on the same dataset: the same rows, maps within 1e-5.

Ray runs as a local instance for the run (ray.init(num_cpus=2), shut down after), as the engine
starts it when RAY_ADDRESS is not set. Skipped without Ray; CI requires it (GRADCAM_REQUIRE_RAY=1).
"""

from __future__ import annotations

import json
import math

import audit_support as tiny
import numpy as np
import pytest

from gradcam_core.cli import main

pytestmark = pytest.mark.slow
MAP_TOLERANCE = 1e-5
MEASURE_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    tiny.require_ray()
    folder = tmp_path_factory.mktemp("ray")
    model, labels = tiny.save_colour_model(folder)
    files = dict(tiny.FILES)
    rng = np.random.default_rng(0)
    for i in range(12):  # more images than one batch, so several actors get work
        files[f"{'red' if i % 2 else 'green'}/random_{i:02d}.png"] = tiny.png(
            rng.integers(0, 256, (8, 8, 3))
        )
    data = folder / "photos.zip"
    data.write_bytes(tiny.zip_bytes(files))
    outs = {}
    for engine in ("local", "ray"):
        out = folder / engine
        extra = (
            ["--workers", "2", "--batch-size", "4"] if engine == "ray" else ["--batch-size", "4"]
        )
        options = ["--model", str(model), "--labels", str(labels), "--preprocess", "unit"]
        code = main(["audit", str(data), *options, "--out", str(out), "--engine", engine, *extra])
        assert code == 0
        outs[engine] = out
    return outs


def rows(out) -> dict[str, dict]:
    lines = (out / "rows.jsonl").read_text().splitlines()
    return {row["key"]: row for row in map(json.loads, lines)}


def test_ray_gives_the_same_rows(both_engines):
    local, ray = rows(both_engines["local"]), rows(both_engines["ray"])
    assert set(local) == set(ray) and len(local) == 17
    for key, row in local.items():
        other = ray[key]
        for column, value in row.items():
            if isinstance(value, float) or isinstance(other[column], float):
                both_missing = value is None and other[column] is None
                assert both_missing or math.isclose(
                    value, other[column], abs_tol=MEASURE_TOLERANCE
                ), (key, column, value, other[column])
            elif column != "top_k":
                assert value == other[column], (key, column)
        assert [p[:2] for p in json.loads(row["top_k"])] == [
            p[:2] for p in json.loads(other["top_k"])
        ]


def test_ray_gives_the_same_maps_and_tables(both_engines):
    local, ray = both_engines["local"], both_engines["ray"]
    for key, row in rows(local).items():
        if not row["map_file"]:
            continue
        a, b = np.load(local / row["map_file"]), np.load(ray / row["map_file"])
        assert a.files == b.files, key
        for name in a.files:
            np.testing.assert_allclose(a[name], b[name], atol=MAP_TOLERANCE)
        assert (ray / row["thumbnail_file"]).is_file()
    summary = [json.loads((out / "summary.json").read_text()) for out in (local, ray)]
    assert summary[0]["confusion"] == summary[1]["confusion"]
    assert summary[0]["accuracy"] == summary[1]["accuracy"]


def test_ray_is_shut_down_after_the_run(both_engines):
    import ray

    assert not ray.is_initialized()
