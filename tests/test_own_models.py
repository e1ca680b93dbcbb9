"""Your own model: files saved by Teachable Machine's tf.keras, tf_keras 2.x and Keras 3, loaded
through the checks, explained exactly as the framework that saved them computes Grad-CAM.

The fixtures and their reference maps come from scripts/make_model_fixtures.py: each reference was
computed with a GradientTape in the saving framework (tf_keras for the .h5 files, Keras 3 for the
.keras files) on the same input x, without any code of this project.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from PIL import Image
from scipy.special import expit

import gradcam_core as gc
from gradcam_core import samples
from gradcam_core.cli import main
from gradcam_core.models import architecture, legacy, own, safety

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "models"
PHOTO = samples.get_sample("cat_and_coffee").path

# file, origin detected, preset (None: the file does not say), classes, binary
CASES = {
    "teachable_machine_converted_keras.zip": ("Teachable Machine export", "tf", 3, False),
    "tf_keras_functional.h5": ("tf_keras .h5", "raw", 4, False),
    "tf_keras_grey_sigmoid.h5": ("tf_keras .h5", None, 2, True),
    "keras3_tutorial.keras": ("Keras 3 .keras", "raw", 2, True),
    "keras3_normalization.keras": ("Keras 3 .keras", "raw", 3, False),
}
# The preset the fixture script scaled x with, where the file does not say.
CHOSEN = {"tf_keras_grey_sigmoid.h5": "tf"}


def _reference(file_name: str) -> dict[str, np.ndarray]:
    stem = file_name.rsplit(".", 1)[0]
    with np.load(FIXTURES / f"{stem}.reference.npz") as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def classifiers() -> dict[str, gc.Classifier]:
    return {
        name: gc.load_classifier(FIXTURES / name, preprocess=CHOSEN.get(name)) for name in CASES
    }


@pytest.mark.parametrize("file_name", list(CASES))
def test_each_file_is_recognized_with_its_origin_input_and_preprocessing(classifiers, file_name):
    origin, preset, classes, binary = CASES[file_name]
    classifier = classifiers[file_name]
    assert classifier.origin == origin
    assert classifier.suggested_preprocessing == preset
    assert classifier.num_classes == classes and classifier.is_binary == binary
    assert classifier.head == ("sigmoid" if binary else "softmax")
    reference = _reference(file_name)
    height, width, channels = reference["x"].shape[1:]
    assert classifier.input_size == (width, height) and classifier.channels == channels
    assert classifier.model.count_params() == classifier.parameters + (2 if binary else 0)
    assert classifier.sha256 == hashlib.sha256((FIXTURES / file_name).read_bytes()).hexdigest()
    assert classifier.file_name == file_name


@pytest.mark.parametrize("file_name", list(CASES))
def test_preprocessing_matches_an_independent_resize_and_scale(classifiers, file_name):
    reference = _reference(file_name)
    photo = gc.load_image(PHOTO).image
    np.testing.assert_allclose(classifiers[file_name].preprocess(photo), reference["x"], atol=1e-6)


@pytest.mark.parametrize("file_name", list(CASES))
def test_grad_cam_equals_the_saving_frameworks_own_within_1e_4(classifiers, file_name):
    classifier = classifiers[file_name]
    reference = _reference(file_name)
    x = reference["x"]
    layer = str(reference["layer"])
    assert classifier.default_layer.rsplit("/", 1)[-1] == layer  # the last map before pooling
    forward = gc.forward(classifier.model, x, [classifier.default_layer])
    classes = list(range(classifier.num_classes))
    results = gc.GradCAM().from_forward(classifier.model, x, forward, layer, classes)
    for c, result in zip(classes, results, strict=True):
        scale = np.abs(reference["raw"][c]).max()
        np.testing.assert_allclose(result.raw, reference["raw"][c], rtol=0, atol=1e-4 * scale)
        np.testing.assert_allclose(
            result.weights,
            reference["weights"][c],
            rtol=0,
            atol=1e-4 * np.abs(reference["weights"][c]).max(),
        )
    logits = reference["logits"]
    expected = [-logits[0], logits[0]] if classifier.is_binary else logits
    np.testing.assert_allclose(forward.logits, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("file_name", list(CASES))
def test_probabilities_are_the_models_own_outputs(classifiers, file_name):
    """softmax or sigmoid as the saved model computed them (a logit-only model: sigmoid of it)."""
    classifier = classifiers[file_name]
    reference = _reference(file_name)
    probabilities = classifier.probabilities(gc.forward(classifier.model, reference["x"]).logits)
    predicted = reference["predicted"]
    if file_name == "keras3_tutorial.keras":  # Dense(1) with no activation: predict gives z
        predicted = expit(predicted)
    if classifier.is_binary:
        np.testing.assert_allclose(probabilities, [1 - predicted[0], predicted[0]], rtol=1e-5)
    else:
        np.testing.assert_allclose(probabilities, predicted, rtol=1e-5)
    assert probabilities.sum() == pytest.approx(1.0)


def test_teachable_machine_labels_and_backbone_layer(classifiers):
    tm = classifiers["teachable_machine_converted_keras.zip"]
    assert tm.labels.names == ("Cat", "Dog", "Hand")
    assert tm.default_layer == "sequential_1/model1/out_relu"
    assert tm.labels.find("dog") == 1
    assert [
        p.name
        for p in tm.top_k(
            gc.forward(tm.model, _reference("teachable_machine_converted_keras.zip")["x"]).logits, 3
        )
    ] == ["Cat", "Hand", "Dog"]


def test_the_teachable_machine_file_is_in_its_old_form():
    """What the fixture must be for the tests above to mean anything: tf.keras' old form."""
    with zipfile.ZipFile(FIXTURES / "teachable_machine_converted_keras.zip") as archive:
        assert sorted(archive.namelist()) == ["keras_model.h5", "labels.txt"]
        assert archive.read("labels.txt").decode().splitlines()[0] == "0 Cat"
        data = archive.read("keras_model.h5")
    with h5py.File(io.BytesIO(data), "r") as f:
        config = json.loads(f.attrs["model_config"])
    text = json.dumps(config)
    assert '"class_name": "Model"' in text and '"groups": 1' in text and '"module"' not in text
    assert '"batch_input_shape"' in text


def test_no_labels_gives_numbered_classes_and_labels_can_be_given(classifiers, tmp_path):
    assert classifiers["tf_keras_functional.h5"].labels.names == tuple(
        f"class {i}" for i in range(4)
    )
    names = tmp_path / "labels.json"
    names.write_text(json.dumps(["cat", "cup", "sky", "tree"]))
    classifier = gc.load_classifier(FIXTURES / "tf_keras_functional.h5", labels=names)
    assert classifier.labels.name(1) == "cup"
    with pytest.raises(gc.LabelsError, match="names 3 classes but the model has 4"):
        gc.load_classifier(FIXTURES / "tf_keras_functional.h5", labels=b"a\nb\nc\n")


def test_a_file_that_does_not_say_its_scaling_asks_for_a_preset():
    classifier = gc.load_classifier(FIXTURES / "tf_keras_grey_sigmoid.h5")
    assert classifier.preprocessing is None and classifier.preset is None
    photo = Image.new("RGB", (10, 10))
    with pytest.raises(gc.PreprocessingRequiredError, match=r"raw: .*unit: .*tf: .*caffe: .*torch"):
        classifier.preprocess(photo)
    chosen = classifier.with_preprocessing("unit")
    assert chosen.preprocess(photo).shape == (1, 32, 48, 1)
    assert chosen.cache_key == f"{classifier.sha256}:unit" and chosen.model is classifier.model


def test_load_model_accepts_a_path_and_bytes_work_like_files():
    path = FIXTURES / "keras3_tutorial.keras"
    model = gc.load_model(path)
    assert model.outputs[0].shape[-1] == 2  # [-z, z]
    from_bytes = gc.load_classifier(path.read_bytes(), file_name="upload.keras")
    assert from_bytes.file_name == "upload.keras" and from_bytes.origin == "Keras 3 .keras"
    x = _reference("keras3_tutorial.keras")["x"]
    np.testing.assert_allclose(
        gc.forward(from_bytes.model, x).logits, gc.forward(model, x).logits, rtol=1e-6
    )


def test_a_missing_model_file_is_one_clear_line(tmp_path):
    with pytest.raises(
        gc.ModelRefusedError, match=r"^File not found: nope\.keras\. Check the path\.$"
    ):
        gc.load_classifier(tmp_path / "nope.keras")
    with pytest.raises(gc.ModelUnavailableError, match="Unknown model 'alexnet'"):
        gc.load_classifier("alexnet")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_a_nested_keras3_model_saved_after_training_loads_as_keras_runs_it(tmp_path, suffix):
    """Compiled and fitted (optimizer state and compile settings in the file), nested models,
    a softmax head; the .h5 lists its arrays by path ('outer/body/c1/kernel')."""
    keras.utils.set_random_seed(9)
    body = keras.Sequential(
        [
            keras.Input((16, 20, 3)),
            keras.layers.Conv2D(4, 3, name="c1"),
            keras.layers.ReLU(name="act"),
        ],
        name="body",
    )
    model = keras.Sequential(
        [
            keras.Input((16, 20, 3)),
            body,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ],
        name="outer",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(9)
    model.fit(rng.uniform(size=(8, 16, 20, 3)), rng.integers(0, 3, 8), epochs=2, verbose=0)
    path = tmp_path / f"trained{suffix}"
    model.save(path)
    classifier = gc.load_classifier(path, preprocess="raw")
    assert classifier.origin == ("Keras 3 .keras" if suffix == ".keras" else "Keras 3 .h5")
    assert classifier.default_layer == "body/act"
    x = rng.uniform(size=(1, 16, 20, 3)).astype(np.float32)
    expected = model.predict(x, verbose=0)[0]
    probabilities = classifier.probabilities(gc.forward(classifier.model, x).logits)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-7)


def test_a_weight_the_file_did_not_provide_is_refused():
    """Weights start as NaN (unset_initializers); one still NaN after loading was never read."""
    config = own.unset_initializers(
        json.loads(json.dumps(keras.saving.serialize_keras_object(keras.layers.Dense(2))))
    )
    assert config["config"]["kernel_initializer"]["config"]["value"] != 0  # NaN
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.saving.deserialize_keras_object(config)(inputs))
    assert np.isnan(model.weights[0].numpy()).all()
    with pytest.raises(gc.ModelRefusedError, match="stores no weights for dense"):
        own._check_every_weight_read(model, "m.keras")
    model.set_weights([np.ones((3, 2)), np.zeros(2)])
    own._check_every_weight_read(model, "m.keras")


# ---------------------------------------------------------------- bundled and zoo models


def test_a_zoo_model_as_classifier_preprocesses_bit_for_bit_as_before():
    classifier = gc.load_classifier("mobilenet_v2", weights=None)
    photo = gc.load_image(PHOTO).image
    np.testing.assert_array_equal(
        classifier.preprocess(photo), gc.preprocess("mobilenet_v2", photo)
    )
    assert classifier.origin == "keras.applications" and classifier.labels.name(281) == "tabby"
    assert classifier.default_layer == gc.default_layer(classifier.model) == "out_relu"
    assert classifier.input_size == (224, 224) and classifier.sha256 is None


@pytest.mark.slow
def test_the_bundled_model_as_classifier_gives_the_same_predictions():
    classifier = gc.load_classifier("efficientnet_lite0")
    photo = gc.load_image(PHOTO).image
    x = classifier.preprocess(photo)
    np.testing.assert_array_equal(x, gc.preprocess("efficientnet_lite0", photo))
    logits = gc.forward(classifier.model, x).logits
    assert classifier.top_k(logits, 5) == gc.top_k(logits, 5)
    assert (
        classifier.origin == "bundled"
        and classifier.cache_key == "efficientnet_lite0:efficientnet_lite0"
    )


# ---------------------------------------------------------------- static shapes


@pytest.mark.slow
@pytest.mark.parametrize(
    "build",
    [
        lambda: keras.applications.ResNet50(weights=None),
        lambda: keras.applications.MobileNetV2(weights=None, input_shape=(160, 192, 3)),
        lambda: keras.applications.MobileNetV3Small(weights=None),
        lambda: keras.applications.EfficientNetB0(weights=None),
        lambda: keras.applications.DenseNet121(weights=None),
        lambda: keras.applications.Xception(weights=None),
    ],
)
def test_the_config_alone_gives_exactly_the_weights_keras_allocates(build):
    """architecture.summarize never builds the model; its count must equal the built one's."""
    model = build()
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(model)))
    summary = architecture.summarize(legacy.to_keras3(config))
    assert summary.parameters == model.count_params()
    assert summary.inputs == (tuple(model.inputs[0].shape[1:]),)
    assert summary.outputs == (tuple(model.outputs[0].shape[1:]),)
    safety.check_config(legacy.to_keras3(config), "model", strict=True)


# ---------------------------------------------------------------- command line


def test_cli_explains_an_own_model_with_its_labels(tmp_path, capsys):
    out = tmp_path / "out"
    model = FIXTURES / "teachable_machine_converted_keras.zip"
    args = ["explain", str(PHOTO), "--model", str(model), "--target", "Hand", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads((out / "result.json").read_text())
    assert summary["target"] == {"index": 2, "name": "Hand"}
    assert [p["name"] for p in summary["top_k"]] == ["Cat", "Hand", "Dog"]
    assert summary["model_origin"] == "Teachable Machine export"
    assert summary["preprocessing"] == "tf"
    assert summary["model_file"] == {
        "name": model.name,
        "sha256": hashlib.sha256(model.read_bytes()).hexdigest(),
    }
    reference = _reference(model.name)
    assert np.load(out / "raw.npy").shape == reference["raw"][2].shape == (16, 16)
    np.testing.assert_allclose(
        np.load(out / "raw.npy"), reference["raw"][2], atol=1e-4 * np.abs(reference["raw"][2]).max()
    )
    assert "Grad-CAM for 'Hand'" in capsys.readouterr().out


def test_cli_needs_preprocess_when_the_file_does_not_say(tmp_path, capsys):
    model = FIXTURES / "tf_keras_grey_sigmoid.h5"
    args = ["explain", str(PHOTO), "--model", str(model), "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--preprocess" in err and "caffe: " in err
    labels = tmp_path / "labels.txt"
    labels.write_text("dog\ncat\n")
    args += ["--preprocess", "tf", "--labels", str(labels), "--target", "cat"]
    assert main(args) == 0
    summary = json.loads((tmp_path / "o" / "result.json").read_text())
    assert summary["target"]["name"] == "cat" and summary["preprocessing"] == "tf"


# ---------------------------------------------------------------- the example own model


@pytest.mark.slow
def test_the_example_model_tells_cats_from_cups_and_looks_at_them():
    """scripts/make_demo_model.py's Teachable Machine export, trained on the sample photos."""
    classifier = gc.load_classifier(gc.demo_model_path())
    assert classifier.origin == "Teachable Machine export" and classifier.preset == "tf"
    assert classifier.labels.names == ("Cat", "Coffee cup", "Something else")
    assert classifier.default_layer == "sequential_1/model1/block5c_add"
    expected = {"cat": "Cat", "coffee": "Coffee cup", "rocket": "Something else"}
    for sample_id, name in expected.items():
        x = classifier.preprocess(samples.load_sample(sample_id).image)
        assert classifier.top_k(gc.forward(classifier.model, x).logits, 1)[0].name == name
    both = samples.get_sample("cat_and_coffee")
    photo = samples.load_sample("cat_and_coffee").image
    x = classifier.preprocess(photo)
    boxes = {obj.label: obj.box for obj in both.objects}

    def density(heat: np.ndarray, box: tuple[int, int, int, int]) -> float:
        """Share of the map's mass in the box over the box's share of the photo (flat map: 1)."""
        x0, y0, x1, y1 = box
        area = (x1 - x0) * (y1 - y0) / heat.size
        return float(heat[y0:y1, x0:x1].sum() / heat.sum() / area)

    for label, other in (("cat", "coffee cup"), ("coffee cup", "cat")):
        target = classifier.labels.find("Cat" if label == "cat" else "Coffee cup")
        heat = gc.grad_cam(classifier.model, x, class_index=target).normalized
        full = gc.upsample(heat, photo.height, photo.width)
        own, elsewhere = density(full, boxes[label]), density(full, boxes[other])
        assert own > 1.4 and own > 3 * elsewhere, f"{label}: {own:.2f} vs {elsewhere:.2f}"
