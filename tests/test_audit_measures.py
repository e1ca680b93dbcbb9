"""Where a map looks: each measure on hand-made maps and on a tiny model's images, counted by hand.

The colour model (audit_support) makes Grad-CAM of 'red' the red channel itself, at the photo's
own 8 x 8 pixels, so box, corner and border mass and the spread are sums of cells.
"""

from __future__ import annotations

import math

import audit_support as tiny
import numpy as np
import pytest

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core.dataset_audit import measures
from gradcam_core.dataset_audit.dataset import open_dataset
from gradcam_core.dataset_audit.summary import distribution, summarize
from gradcam_core.dataset_audit.worker import AuditConfig, AuditItem, BatchAuditor


def block(rows: slice, cols: slice, size: int = 8) -> np.ndarray:
    cam = np.zeros((size, size))
    cam[rows, cols] = 1.0
    return cam


def test_box_mass_counts_cells_on_a_map_at_the_photo_size():
    cam = block(slice(6, 8), slice(6, 8))
    assert measures.box_mass(cam, (4, 4, 8, 8), 8, 8) == pytest.approx(1.0)
    assert measures.box_mass(cam, (6, 6, 7, 7), 8, 8) == pytest.approx(0.25)
    assert measures.box_mass(cam, (0, 0, 4, 4), 8, 8) == pytest.approx(0.0)
    assert math.isnan(measures.box_mass(np.zeros((8, 8)), (0, 0, 4, 4), 8, 8))


def test_box_mass_on_a_larger_photo_matches_the_upsampled_map():
    cam = np.random.default_rng(0).random((7, 7))
    expected = gm.localize(cam, (10, 20, 60, 45), (90, 60)).mass_share
    assert measures.box_mass(cam, (10, 20, 60, 45), 90, 60) == pytest.approx(expected)


def test_corner_mass_is_the_largest_corner_square():
    assert measures.corner_boxes(8, 8) == [(0, 0, 2, 2), (6, 0, 8, 2), (0, 6, 2, 8), (6, 6, 8, 8)]
    assert measures.corner_mass(block(slice(6, 8), slice(6, 8)), 8, 8) == pytest.approx(1.0)
    top_row = block(slice(0, 1), slice(0, 8))
    assert measures.corner_mass(top_row, 8, 8) == pytest.approx(2 / 8)
    assert measures.corner_mass(np.ones((8, 8)), 8, 8) == pytest.approx(4 / 64)
    assert measures.corner_mass(block(slice(2, 6), slice(2, 6)), 8, 8) == pytest.approx(0.0)


def test_border_mass_is_the_share_outside_the_inner_box():
    assert measures.inner_box(8, 8) == (1, 1, 7, 7)  # round(0.1 * 8) = 1 px band
    assert measures.inner_box(100, 50) == (10, 5, 90, 45)
    corner = block(slice(6, 8), slice(6, 8))
    assert measures.border_mass(corner, 8, 8) == pytest.approx(3 / 4)  # only (6, 6) is inside
    assert measures.border_mass(block(slice(2, 6), slice(2, 6)), 8, 8) == pytest.approx(0.0)
    assert measures.border_mass(np.ones((8, 8)), 8, 8) == pytest.approx(1 - 36 / 64)
    with pytest.raises(ValueError, match="border band"):
        measures.inner_box(8, 8, 0.5)


def test_spread_is_the_normalized_entropy_of_the_cells():
    assert measures.spread(block(slice(6, 8), slice(6, 8))) == pytest.approx(
        math.log(4) / math.log(64)
    )
    assert measures.spread(np.ones((8, 8))) == pytest.approx(1.0)
    one = np.zeros((8, 8))
    one[3, 4] = 0.7
    assert measures.spread(one) == pytest.approx(0.0)
    halves = np.zeros((2, 2))
    halves[0] = [1.0, 3.0]  # p = 1/4, 3/4
    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(4)
    assert measures.spread(halves) == pytest.approx(expected)
    assert math.isnan(measures.spread(np.zeros((3, 3))))


def test_kept_is_the_ratio_of_probabilities():
    assert measures.kept(0.8, 0.2) == pytest.approx(0.25)
    assert math.isnan(measures.kept(0.0, 0.1))


@pytest.fixture(scope="module")
def colour_classifier(tmp_path_factory) -> gc.Classifier:
    model_path, labels_path = tiny.save_colour_model(tmp_path_factory.mktemp("model"))
    return gc.load_classifier(model_path, labels=labels_path, preprocess="unit")


def test_the_colour_model_is_what_the_tests_assume(colour_classifier):
    x = colour_classifier.preprocess_batch(tiny.red_corner()[None].astype(np.float32))
    logits = gc.forward(colour_classifier.model, x).logits
    np.testing.assert_allclose(logits, [4 / 64, 40 / 255 / 64], rtol=1e-5)
    cam = gc.GradCAM()(colour_classifier.model, x, "features", 0)
    np.testing.assert_allclose(cam.weights, [1 / 64, 0.0], atol=1e-7)
    np.testing.assert_allclose(cam.normalized, block(slice(6, 8), slice(6, 8)), atol=1e-6)


def audit_files(classifier: gc.Classifier, tmp_path) -> dict[str, dict]:
    dataset = open_dataset(tiny.write_folder(tmp_path / "data"))
    auditor = BatchAuditor(classifier, AuditConfig(layer="features", top=2), dataset)
    items = [
        AuditItem(
            e.key,
            e.id,
            e.folder,
            {"red": 0, "green": 1}.get(e.folder or ""),
            dataset.boxes_for(e.key),
        )
        for e in dataset.entries
    ]
    return {r.row["key"]: r for r in auditor.audit(items)}


def test_each_row_holds_the_hand_counted_answers(colour_classifier, tmp_path):
    results = audit_files(colour_classifier, tmp_path)
    corner = results["red/corner.png"].row
    assert (corner["predicted_name"], corner["true_name"], corner["correct"]) == (
        "red",
        "red",
        True,
    )
    assert corner["box"] == "[4, 4, 8, 8]"
    assert corner["box_mass"] == pytest.approx(1.0)
    assert corner["corner_mass"] == pytest.approx(1.0)
    assert corner["border_mass"] == pytest.approx(0.75)
    assert corner["spread"] == pytest.approx(1 / 3)
    assert math.isnan(corner["true_border_mass"])  # the true class is the predicted one
    assert set(results["red/corner.png"].maps) == {"predicted"}

    centre = results["green/centre.png"].row
    assert (centre["predicted_name"], centre["correct"]) == ("green", True)
    assert (centre["corner_mass"], centre["border_mass"]) == pytest.approx((0.0, 0.0))
    assert centre["spread"] == pytest.approx(2 / 3)
    assert math.isnan(centre["box_mass"])  # no box given

    wrong = results["green/mislabelled.png"]
    assert (wrong.row["predicted_name"], wrong.row["correct"]) == ("red", False)
    assert wrong.row["spread"] == pytest.approx(2 / 3)
    np.testing.assert_allclose(wrong.maps["true"], block(slice(0, 1), slice(0, 8)), atol=1e-6)
    assert wrong.row["true_border_mass"] == pytest.approx(1.0)
    assert wrong.row["true_corner_mass"] == pytest.approx(0.25)
    assert wrong.row["true_spread"] == pytest.approx(0.5)
    assert wrong.row["true_probability"] < 0.5 < wrong.row["probability"]

    unlabelled = results["blue/corner.png"].row
    assert (unlabelled["true_index"], unlabelled["correct"]) == (-1, None)

    broken = results["red/broken.png"]
    assert "damaged" in broken.row["error"] and broken.maps == {} and broken.thumbnail == b""
    assert math.isnan(broken.row["corner_mass"])


def test_deletion_is_the_trust_labs_hide_top(colour_classifier, tmp_path):
    """The batched deletion equals metrics.hide_top, one image at a time."""
    results = audit_files(colour_classifier, tmp_path)
    for key in ("red/corner.png", "green/centre.png", "green/mislabelled.png"):
        result = results[key]
        pixels = gc.resize_for_model(gc.load_image(tiny.FILES[key]).image, (8, 8))
        expected = gm.hide_top(
            colour_classifier.model,
            pixels,
            colour_classifier.preprocess_batch,
            result.maps["predicted"],
            result.row["predicted_index"],
            0.2,
            probabilities=colour_classifier.probabilities,
        )
        assert result.row["deletion_probability"] == pytest.approx(expected, abs=1e-6)
        ratio = expected / result.row["probability"]
        assert result.row["deletion_kept"] == pytest.approx(ratio, abs=1e-6)


def test_summary_counts_accuracy_classes_and_confusion(colour_classifier, tmp_path):
    rows = [r.row for r in audit_files(colour_classifier, tmp_path).values()]
    summary = summarize(rows)
    assert (summary["images"], summary["errors"], summary["labelled"]) == (5, 1, 3)
    assert summary["accuracy"] == pytest.approx(2 / 3)
    assert summary["per_class"]["red"]["accuracy"] == 1.0
    green = summary["per_class"]["green"]
    assert (green["images"], green["correct"], green["accuracy"]) == (2, 1, 0.5)
    assert summary["confusion"]["labels"] == ["red", "green"]
    assert summary["confusion"]["matrix"] == [[1, 0], [1, 1]]  # rows: true; columns: predicted
    assert summary["measures"]["corner_mass"]["count"] == 4
    assert summary["measures_by_outcome"]["wrong"]["spread"]["median"] == pytest.approx(2 / 3)


def test_distribution_ignores_nan():
    stats = distribution([1.0, float("nan"), 3.0, None, 2.0])
    assert stats["count"] == 3 and stats["median"] == 2.0 and stats["mean"] == 2.0
    assert distribution([float("nan")]) == {"count": 0}


def test_a_pixel_level_method_or_a_bad_layer_is_refused(colour_classifier, tmp_path):
    dataset = open_dataset(tiny.write_folder(tmp_path / "data"))
    with pytest.raises(ValueError, match="map method"):
        BatchAuditor(colour_classifier, AuditConfig("features", method="guided_gradcam"), dataset)
    with pytest.raises(ValueError, match="Unknown method"):
        BatchAuditor(colour_classifier, AuditConfig("features", method="nope"), dataset)
    with pytest.raises(gc.LayerError):
        BatchAuditor(colour_classifier, AuditConfig("gap"), dataset)


def test_other_methods_audit_too(colour_classifier, tmp_path):
    """Grad-CAM++ of a class with one positive channel is that channel, normalized, too."""
    dataset = open_dataset(tiny.write_folder(tmp_path / "data"))
    auditor = BatchAuditor(colour_classifier, AuditConfig("features", method="gradcam++"), dataset)
    entry = next(e for e in dataset.entries if e.key == "red/corner.png")
    (result,) = auditor.audit([AuditItem(entry.key, entry.id, "red", 0)])
    np.testing.assert_allclose(result.maps["predicted"], block(slice(6, 8), slice(6, 8)), atol=1e-6)
