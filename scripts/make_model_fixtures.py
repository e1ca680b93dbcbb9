"""Make the own-model test fixtures in tests/fixtures/models/, with reference maps computed by the
framework that saved each file.

    pip install --no-deps tf-keras==2.21.0   # dev only, beside tensorflow(-cpu) 2.21
    python scripts/make_model_fixtures.py

Files (small random-weight models, seeded):

* ``teachable_machine_converted_keras.zip``: ``keras_model.h5`` + ``labels.txt`` ("0 Cat" lines) as
  Teachable Machine's download has them: Sequential[Sequential[MobileNetV2-style Functional
  'model1' ending in 'out_relu', GlobalAveragePooling2D], Sequential[Dense(relu),
  Dense(softmax, no bias)]], saved by tf_keras, then its model_config attribute put in the older
  tf.keras form Teachable Machine's files have: no module/registered_name/build_config keys,
  'Model' for the functional backbone, DepthwiseConv2D's 'groups': 1 kept.
* ``tf_keras_functional.h5``: as tf_keras 2.21 writes it after training (compiled with Adam,
  fitted for one epoch: the file has training_config and optimizer weights), a non-square
  40x56x3 input, separable convolutions, concatenation, a residual add, softmax over 4 classes.
* ``tf_keras_grey_sigmoid.h5``: a Sequential with no Input (batch_input_shape on its first layer),
  a 1-channel 32x48 input, LeakyReLU(alpha), one sigmoid output: a binary classifier.
* ``keras3_tutorial.keras``: Keras 3, as in Keras' "image classification from scratch": Rescaling
  first, a residual block, one logit (no activation), input 36x60x3.
* ``keras3_normalization.keras``: Keras 3 after training (compile_config and optimizer
  variables in the file), RandomFlip then an adapted Normalization, a softmax head over 3
  classes, input 48x32x3.

For each, ``<name>.reference.npz`` holds the input x (samples/cat_and_coffee.jpg resized with
Pillow, scaled as the file's preset says), the framework's own outputs (``predict``) and, for
every class, Grad-CAM at the last feature map computed there with a GradientTape: the score is
the logit taken before the final activation (for one sigmoid unit z, class 1 scores z and class
0 scores -z); alpha_k = mean_ij dy/dA^k_ij; raw = sum_k alpha_k A^k.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py
import keras
import numpy as np
import tensorflow as tf
import tf_keras as K
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "models"
PHOTO = ROOT / "samples" / "cat_and_coffee.jpg"
TM_LABELS = "0 Cat\n1 Dog\n2 Hand\n"


# ---------------------------------------------------------------- input, written independently


def photo_input(width: int, height: int, channels: int, preset: str) -> np.ndarray:
    """x (1, H, W, C): the whole photo resized by Pillow (bilinear), grey if 1 channel, scaled."""
    rgb = Image.open(PHOTO).convert("RGB")
    pixels = np.asarray(
        rgb.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=3.0), np.float32
    )
    if channels == 1:
        pixels = (pixels @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
    scale = {"raw": lambda v: v, "tf": lambda v: v / np.float32(127.5) - np.float32(1.0)}
    return scale[preset](pixels)[None].astype(np.float32)


def train_one_epoch(model, optimizer, input_shape, classes: int) -> None:
    """Compile and fit on 8 random images, so the file carries what training leaves behind."""
    rng = np.random.default_rng(6)
    x = rng.uniform(0, 255, (8, *input_shape)).astype(np.float32)
    y = rng.integers(0, classes, 8)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)


def randomize_batch_norms(layers, rng: np.random.Generator) -> None:
    """Give every BatchNormalization non-trivial statistics, so that reading them matters."""
    for layer in layers:
        if type(layer).__name__ == "BatchNormalization":
            c = layer.get_weights()[0].shape[0]
            layer.set_weights(
                [
                    rng.uniform(0.8, 1.2, c),
                    rng.normal(0, 0.1, c),
                    rng.normal(0, 0.1, c),
                    rng.uniform(0.5, 1.5, c),
                ]
            )


# ---------------------------------------------------------------- models


def tm_backbone() -> K.Model:
    """A small MobileNetV2-style backbone named 'model1', ending in ReLU6 'out_relu' (as TM's)."""
    inputs = K.Input((64, 64, 3), name="input_1")
    x = K.layers.ZeroPadding2D(((0, 1), (0, 1)), name="Conv1_pad")(inputs)
    x = K.layers.Conv2D(8, 3, strides=2, use_bias=False, name="Conv1")(x)
    x = K.layers.BatchNormalization(name="bn_Conv1")(x)
    x = K.layers.ReLU(6.0, name="Conv1_relu")(x)
    for block, (expand, out, stride) in enumerate([(16, 8, 1), (24, 12, 2), (24, 12, 1)]):
        prefix = f"block_{block}_"
        skip = x
        x = K.layers.Conv2D(expand, 1, use_bias=False, name=prefix + "expand")(x)
        x = K.layers.BatchNormalization(name=prefix + "expand_BN")(x)
        x = K.layers.ReLU(6.0, name=prefix + "expand_relu")(x)
        if stride == 2:
            x = K.layers.ZeroPadding2D(((0, 1), (0, 1)), name=prefix + "pad")(x)
        padding = "valid" if stride == 2 else "same"
        x = K.layers.DepthwiseConv2D(
            3, strides=stride, padding=padding, use_bias=False, name=prefix + "depthwise"
        )(x)
        x = K.layers.BatchNormalization(name=prefix + "depthwise_BN")(x)
        x = K.layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
        x = K.layers.Conv2D(out, 1, use_bias=False, name=prefix + "project")(x)
        x = K.layers.BatchNormalization(name=prefix + "project_BN")(x)
        if stride == 1 and skip.shape[-1] == out:
            x = K.layers.Add(name=prefix + "add")([skip, x])
    x = K.layers.Conv2D(32, 1, use_bias=False, name="Conv_1")(x)
    x = K.layers.BatchNormalization(name="Conv_1_bn")(x)
    x = K.layers.ReLU(6.0, name="out_relu")(x)
    return K.Model(inputs, x, name="model1")


def teachable_machine() -> K.Model:
    backbone = tm_backbone()
    body = K.Sequential(
        [
            backbone,
            K.layers.GlobalAveragePooling2D(
                name="global_average_pooling2d_GlobalAveragePooling2D1"
            ),
        ],
        name="sequential_1",
    )
    head = K.Sequential(
        [
            K.layers.Dense(16, activation="relu", input_shape=(32,), name="dense_Dense1"),
            K.layers.Dense(3, activation="softmax", use_bias=False, name="dense_Dense2"),
        ],
        name="sequential_2",
    )
    model = K.Sequential([body, head], name="sequential_3")
    model.build((None, 64, 64, 3))
    return model


def tf_keras_functional() -> K.Model:
    inputs = K.Input((40, 56, 3), name="image")
    x = K.layers.Rescaling(1 / 127.5, offset=-1, name="scale")(inputs)
    x = K.layers.Conv2D(12, 3, strides=2, padding="same", name="stem")(x)
    x = K.layers.BatchNormalization(name="stem_bn")(x)
    x = K.layers.Activation("relu", name="stem_relu")(x)
    a = K.layers.SeparableConv2D(8, 3, padding="same", activation="relu", name="branch_a")(x)
    b = K.layers.Conv2D(8, 1, activation="relu", name="branch_b")(x)
    x = K.layers.Concatenate(name="concat")([a, b])
    y = K.layers.Conv2D(16, 3, padding="same", name="res_conv")(x)
    x = K.layers.Add(name="res_add")([x, y])
    x = K.layers.Activation("relu", name="features")(x)
    x = K.layers.MaxPooling2D(2, name="pool")(x)
    x = K.layers.GlobalAveragePooling2D(name="gap")(x)
    x = K.layers.Dropout(0.3, name="drop")(x)
    outputs = K.layers.Dense(4, activation="softmax", name="predictions")(x)
    return K.Model(inputs, outputs, name="functional_tfk")


def tf_keras_grey_sigmoid() -> K.Model:
    return K.Sequential(
        [
            K.layers.Conv2D(6, 3, input_shape=(32, 48, 1), name="conv1"),
            K.layers.LeakyReLU(alpha=0.2, name="leaky1"),
            K.layers.Conv2D(8, 3, strides=2, name="conv2"),
            K.layers.LeakyReLU(alpha=0.2, name="leaky2"),
            K.layers.AveragePooling2D(2, name="pool"),
            K.layers.Flatten(name="flatten"),
            K.layers.Dense(1, activation="sigmoid", name="is_cat"),
        ],
        name="grey_binary",
    )


def keras3_tutorial() -> keras.Model:
    inputs = keras.Input((36, 60, 3), name="image")
    x = keras.layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = keras.layers.Conv2D(16, 3, strides=2, padding="same", name="stem")(x)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.Activation("relu", name="stem_relu")(x)
    residual = x
    x = keras.layers.SeparableConv2D(24, 3, padding="same", name="sep")(x)
    x = keras.layers.BatchNormalization(name="sep_bn")(x)
    x = keras.layers.Activation("relu", name="sep_relu")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(x)
    residual = keras.layers.Conv2D(24, 1, strides=2, padding="same", name="shortcut")(residual)
    x = keras.layers.add([x, residual], name="block_add")
    x = keras.layers.Activation("relu", name="features")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(0.25, name="drop")(x)
    outputs = keras.layers.Dense(1, name="logit")(x)
    return keras.Model(inputs, outputs, name="tutorial")


def keras3_normalization() -> keras.Model:
    inputs = keras.Input((48, 32, 3), name="image")
    x = keras.layers.RandomFlip("horizontal", name="flip")(inputs)
    norm = keras.layers.Normalization(name="normalize")
    norm.adapt(np.random.default_rng(3).uniform(0, 255, (16, 48, 32, 3)).astype(np.float32))
    x = norm(x)
    x = keras.layers.Conv2D(10, 3, padding="same", activation="relu", name="conv")(x)
    x = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", name="dw")(x)
    x = keras.layers.BatchNormalization(name="dw_bn")(x)
    x = keras.layers.ReLU(name="features")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="normalized")


# ---------------------------------------------------------------- references


def reference_maps(feature_model, head, x: np.ndarray, classes: int, binary: bool) -> dict:
    """Grad-CAM per class with a GradientTape: feature_model(x) -> (A, h) (or A, then h = A);
    head(h) -> logits z."""
    x_t = tf.constant(x)
    raws, weights = [], []
    for c in range(classes):
        with tf.GradientTape() as tape:
            outputs = feature_model(x_t, training=False)
            activations, hidden = outputs if isinstance(outputs, list | tuple) else (outputs,) * 2
            z = head(hidden)
            score = (z[0, 0] if c == 1 else -z[0, 0]) if binary else z[0, c]
        grads = tape.gradient(score, activations)[0].numpy().astype(np.float64)
        a = activations[0].numpy().astype(np.float64)
        alpha = grads.mean(axis=(0, 1))
        weights.append(alpha)
        raws.append(np.tensordot(a, alpha, axes=([2], [0])))
    return {"raw": np.stack(raws), "weights": np.stack(weights), "logits": z[0].numpy()}


def linear_head(dense):
    """The Dense layer's pre-activation: h W + b."""
    kernel, *bias = dense.get_weights()

    def head(h):
        z = tf.matmul(h, tf.constant(kernel))
        return z + tf.constant(bias[0]) if bias else z

    return head


def save_reference(name: str, layer: str, x: np.ndarray, predicted: np.ndarray, refs: dict) -> None:
    np.savez_compressed(
        OUT / f"{name}.reference.npz",
        x=x,
        layer=np.array(layer),
        predicted=predicted[0],
        **refs,
    )


def old_tf_keras_form(config: object) -> object:
    """The config as tf.keras wrote it before module keys: no module/registered_name/build_config,
    'Model' for functional models; everything else (DepthwiseConv2D's groups) as it was."""
    if isinstance(config, list):
        return [old_tf_keras_form(v) for v in config]
    if not isinstance(config, dict):
        return config
    out = {
        k: old_tf_keras_form(v)
        for k, v in config.items()
        if k not in ("module", "registered_name", "build_config")
    }
    if out.get("class_name") == "Functional":
        out["class_name"] = "Model"
    if out.get("class_name") == "InputLayer":
        out["config"].pop("optional", None)
    return out


def make_teachable_machine(rng: np.random.Generator) -> None:
    K.utils.set_random_seed(1)
    model = teachable_machine()
    randomize_batch_norms(model.layers[0].layers[0].layers, rng)
    h5_path = OUT / "keras_model.h5"
    model.save(h5_path, include_optimizer=False)
    with h5py.File(h5_path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        f.attrs["model_config"] = json.dumps(old_tf_keras_form(config))
        f.attrs["keras_version"] = "2.4.0"  # tf.keras of TensorFlow 2.3/2.4
        f["model_weights"].attrs["keras_version"] = "2.4.0"
    reloaded = K.models.load_model(h5_path, compile=False)  # tf.keras reads its old form
    backbone = reloaded.layers[0].layers[0]
    pool = reloaded.layers[0].layers[1]
    dense1, dense2 = reloaded.layers[1].layers
    features = K.Model(backbone.inputs, backbone.get_layer("out_relu").output)

    def head_from_map(activations):
        return linear_head(dense2)(dense1(pool(activations)))

    x = photo_input(64, 64, 3, "tf")
    refs = reference_maps(features, head_from_map, x, 3, binary=False)
    save_reference(
        "teachable_machine_converted_keras", "out_relu", x, reloaded.predict(x, verbose=0), refs
    )
    archive = OUT / "teachable_machine_converted_keras.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(h5_path, "keras_model.h5")
        z.writestr("labels.txt", TM_LABELS)
    h5_path.unlink()


def make_tf_keras_functional(rng: np.random.Generator) -> None:
    K.utils.set_random_seed(2)
    model = tf_keras_functional()
    randomize_batch_norms(model.layers, rng)
    train_one_epoch(model, K.optimizers.Adam(1e-3), (40, 56, 3), 4)
    path = OUT / "tf_keras_functional.h5"
    model.save(path)  # with its training_config and optimizer weights
    reloaded = K.models.load_model(path, compile=False)
    dense = reloaded.get_layer("predictions")
    features = K.Model(reloaded.inputs, [reloaded.get_layer("features").output, dense.input])
    x = photo_input(56, 40, 3, "raw")
    refs = reference_maps(features, linear_head(dense), x, 4, binary=False)
    save_reference("tf_keras_functional", "features", x, reloaded.predict(x, verbose=0), refs)


def make_tf_keras_grey_sigmoid(rng: np.random.Generator) -> None:
    K.utils.set_random_seed(3)
    model = tf_keras_grey_sigmoid()
    path = OUT / "tf_keras_grey_sigmoid.h5"
    model.save(path, include_optimizer=False)
    reloaded = K.models.load_model(path, compile=False)
    dense = reloaded.get_layer("is_cat")
    features = K.Model(reloaded.inputs, [reloaded.get_layer("leaky2").output, dense.input])
    x = photo_input(48, 32, 1, "tf")
    refs = reference_maps(features, linear_head(dense), x, 2, binary=True)
    save_reference("tf_keras_grey_sigmoid", "leaky2", x, reloaded.predict(x, verbose=0), refs)


def make_keras3(
    name: str, build, layer: str, head_layer: str, size, preset, classes, binary, compiled=False
) -> None:
    keras.utils.set_random_seed(4)
    model = build()
    randomize_batch_norms(model.layers, np.random.default_rng(5))
    if compiled:
        train_one_epoch(model, keras.optimizers.Adam(1e-3), model.inputs[0].shape[1:], classes)
    path = OUT / f"{name}.keras"
    model.save(path)  # with compile_config and optimizer variables when compiled
    reloaded = keras.models.load_model(path, compile=False)
    dense = reloaded.get_layer(head_layer)
    features = keras.Model(reloaded.inputs, [reloaded.get_layer(layer).output, dense.input])
    x = photo_input(*size, preset)
    refs = reference_maps(features, linear_head(dense), x, classes, binary)
    save_reference(name, layer, x, reloaded.predict(x, verbose=0), refs)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    make_teachable_machine(rng)
    make_tf_keras_functional(rng)
    make_tf_keras_grey_sigmoid(rng)
    make_keras3(
        "keras3_tutorial", keras3_tutorial, "features", "logit", (60, 36, 3), "raw", 2, True
    )
    make_keras3(
        "keras3_normalization",
        keras3_normalization,
        "features",
        "probs",
        (32, 48, 3),
        "raw",
        3,
        False,
        compiled=True,
    )
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size / 1024:8.1f} kB  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
