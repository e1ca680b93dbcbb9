"""Layer listing and defaults, and the keras.applications zoo wired without network."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core.models import zoo

ZOO_DEFAULTS = {
    "vgg16": ("block5_conv3", (14, 14, 512), 224),
    "vgg19": ("block5_conv4", (14, 14, 512), 224),
    "resnet50": ("conv5_block3_out", (7, 7, 2048), 224),
    "resnet50v2": ("post_relu", (7, 7, 2048), 224),
    "inception_v3": ("mixed10", (8, 8, 2048), 299),
    "xception": ("block14_sepconv2_act", (10, 10, 2048), 299),
    "mobilenet_v2": ("out_relu", (7, 7, 1280), 224),
    "densenet121": ("relu", (7, 7, 1024), 224),
    "efficientnet_b0": ("top_activation", (7, 7, 1280), 224),
    "convnext_tiny": ("convnext_tiny_stage_3_block_2_identity", (7, 7, 768), 224),
}


@pytest.mark.parametrize("name", sorted(ZOO_DEFAULTS))
def test_zoo_model_layers_and_default(name):
    layer, shape, size = ZOO_DEFAULTS[name]
    model = gc.load_model(name, weights=None)
    spec = gc.get_spec(name)
    assert model.output_shape == (None, 1000)
    assert model.input_shape == (None, size, size, 3) and spec.input_size == size
    assert gc.default_layer(model) == layer == spec.default_layer
    infos = gc.describe_layers(model)
    assert [i.name for i in infos] == gc.list_layers(model)
    assert next(i for i in infos if i.name == layer).shape == shape
    assert all(len(i.shape) == 3 for i in infos)
    # the score is the logit: the last layer applies no softmax
    assert not gc.ends_in_softmax(model)
    keras.backend.clear_session()


def test_every_zoo_model_reports_a_download_size():
    for name in ZOO_DEFAULTS:
        spec = gc.get_spec(name)
        assert spec.source == "download" and spec.size_mb > 10 and "MB" in spec.label


def test_failed_download_names_model_size_and_offline_choice(monkeypatch):
    def offline(*args, **kwargs):
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/x.h5: None -- [Errno -3]"
        )

    monkeypatch.setattr(keras.src.utils.file_utils, "get_file", offline)
    with pytest.raises(gc.ModelUnavailableError) as error:
        gc.load_model("mobilenet_v2")
    message = str(error.value)
    assert "MobileNetV2" in message and "14 MB" in message and "offline" in message
    assert "\n" not in message


def test_mocked_download_loads_the_downloaded_weights(monkeypatch, tmp_path):
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    source = keras.applications.MobileNetV2(weights=None, classifier_activation=None)
    marker = np.full(source.get_layer("predictions").get_weights()[1].shape, 0.125, np.float32)
    kernel = source.get_layer("predictions").get_weights()[0]
    source.get_layer("predictions").set_weights([kernel, marker])
    path = tmp_path / "mobilenet_v2_weights.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, source)
    requested = []

    def fake_get_file(fname, origin=None, **kwargs):
        requested.append(origin)
        return str(path)

    monkeypatch.setattr(keras.src.utils.file_utils, "get_file", fake_get_file)
    model = gc.load_model("mobilenet_v2")
    assert requested and requested[0].startswith("https://")
    np.testing.assert_array_equal(model.get_layer("predictions").get_weights()[1], marker)


def test_zoo_preprocessing_is_each_models_own():
    white = Image.new("RGB", (50, 30), (255, 255, 255))
    vgg = gc.preprocess("vgg16", white)  # caffe: BGR minus the ImageNet mean
    assert vgg.shape == (1, 224, 224, 3) and vgg.dtype == np.float32
    np.testing.assert_allclose(
        vgg[0, 0, 0], [255 - 103.939, 255 - 116.779, 255 - 123.68], atol=1e-3
    )
    mobile = gc.preprocess("mobilenet_v2", white)  # tf: x / 127.5 - 1
    np.testing.assert_allclose(mobile[0, 5, 7], [1.0, 1.0, 1.0], atol=1e-6)
    inception = gc.preprocess("inception_v3", Image.new("RGB", (9, 9)))
    assert inception.shape == (1, 299, 299, 3)
    np.testing.assert_allclose(inception[0, 0, 0], [-1.0, -1.0, -1.0])


def test_unknown_model_is_a_clear_error():
    with pytest.raises(gc.ModelUnavailableError, match="Unknown model 'alexnet'"):
        gc.load_model("alexnet")


def _sequential(*layers):
    return keras.Sequential([keras.Input((16, 16, 3)), *layers])


def test_default_skips_trailing_pooling_like_the_paper_on_vgg():
    model = _sequential(
        keras.layers.Conv2D(4, 3, padding="same", name="conv"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Flatten(),
        keras.layers.Dense(5),
    )
    assert gc.list_layers(model) == ["conv", "pool"]
    assert gc.default_layer(model) == "conv"


def test_default_is_never_a_1x1_logits_convolution():
    model = _sequential(
        keras.layers.Conv2D(8, 3, name="features"),
        keras.layers.Conv2D(10, 1, name="class_conv"),
        keras.layers.Activation("relu", name="class_relu"),
        keras.layers.GlobalAveragePooling2D(),
    )
    assert gc.default_layer(model) == "features"


def test_squeeze_excite_maps_of_one_cell_are_not_the_default():
    inputs = keras.Input((8, 8, 3))
    features = keras.layers.Conv2D(4, 3, name="features")(inputs)
    squeeze = keras.layers.GlobalAveragePooling2D(keepdims=True, name="squeeze")(features)
    logits = keras.layers.Dense(3)(keras.layers.Flatten()(squeeze))
    model = keras.Model(inputs, logits)
    assert gc.list_layers(model) == ["features", "squeeze"]
    assert gc.default_layer(model) == "features"


def test_ambiguous_nested_names_need_a_path():
    inner_a = _sequential(keras.layers.Conv2D(2, 3, name="conv"))
    inner_b = keras.Sequential([keras.Input((14, 14, 2)), keras.layers.Conv2D(2, 3, name="conv")])
    model = _sequential(inner_a, inner_b, keras.layers.Flatten(), keras.layers.Dense(2))
    names = gc.list_layers(model)
    assert names == [f"{inner_a.name}/conv", f"{inner_b.name}/conv"]
    with pytest.raises(gc.LayerError, match="ambiguous"):
        gc.find_layer(model, "conv")
    assert gc.find_layer(model, names[1])[0] == names[1]


def test_zoo_table_matches_registry():
    assert set(zoo.ZOO) == set(ZOO_DEFAULTS)
    assert gc.DEFAULT_MODEL == "efficientnet_lite0"
    assert gc.available_models()[0].source == "bundled"
