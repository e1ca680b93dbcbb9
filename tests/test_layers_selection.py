"""gradcam_core.layers: the readable subsets of a model's layers that the Layers page shows."""

from __future__ import annotations

import pytest

from gradcam_core import layers
from gradcam_core.layers import LayerInfo


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("block2a_expand_conv", "block2a"),
        ("block2a_project_bn", "block2a"),
        ("block_13_expand_relu", "block_13"),
        ("conv2_block1_out", "conv2_block1"),
        ("block5_conv3", "block5"),
        ("stem_conv", "stem"),
        ("top_relu", "top"),
        ("Conv1", "Conv1"),
        ("backbone/block3b_add", "block3b"),
    ],
)
def test_block_key(name, key):
    assert layers.block_key(name) == key


def test_block_outputs_keep_the_last_layer_of_each_block():
    names = [
        "stem_conv",
        "stem_relu",
        "block1a_dwconv",
        "block1a_project_bn",
        "block2a_expand_conv",
        "block2a_project_bn",
        "block2b_add",
        "top_conv",
        "top_relu",
    ]
    assert layers.block_outputs(names) == [
        "stem_relu",
        "block1a_project_bn",
        "block2a_project_bn",
        "block2b_add",
        "top_relu",
    ]


def test_resolution_outputs_keep_the_last_layer_at_each_size():
    table = [
        LayerInfo("a", "Conv2D", 8, 8, 4),
        LayerInfo("b", "ReLU", 8, 8, 4),
        LayerInfo("c", "Conv2D", 4, 4, 8),
        LayerInfo("d", "Conv2D", 2, 2, 8),
        LayerInfo("e", "ReLU", 2, 2, 8),
    ]
    assert layers.resolution_outputs(table) == ["b", "c", "e"]


def test_every_nth_keeps_the_last_layer():
    names = [f"l{i}" for i in range(7)]
    assert layers.every_nth(names, 3) == ["l0", "l3", "l6"]
    assert layers.every_nth(names, 4) == ["l0", "l4", "l6"]
    assert layers.every_nth(names, 1) == names
    with pytest.raises(ValueError, match="at least 1"):
        layers.every_nth(names, 0)


def test_nearest_layer():
    names = ["a", "b", "c", "d", "e"]
    assert layers.nearest_layer(names, ["b", "e"], "e") == "e"  # shown: kept
    assert layers.nearest_layer(names, ["b", "e"], "c") == "b"  # 1 away vs 2 away
    assert layers.nearest_layer(names, ["b", "d"], "c") == "b"  # tie: the earlier one
    assert layers.nearest_layer(names, ["b", "d"], "zzz") == "d"  # unknown: the last
    assert layers.nearest_layer(names, ["b", "d"], None) == "d"
    with pytest.raises(ValueError, match="No layers"):
        layers.nearest_layer(names, [], "a")
