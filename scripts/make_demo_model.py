"""Make the example own model: a Teachable-Machine-shaped export trained on the sample photos.

    pip install --no-deps tf-keras==2.21.0   # dev only, beside tensorflow(-cpu) 2.21
    python scripts/make_demo_model.py

Writes gradcam_core/models/demo/converted_keras.zip (keras_model.h5 + labels.txt), what Teachable
Machine's "TensorFlow > Keras" download holds, for classrooms without a model of their own:

* classes: "0 Cat", "1 Coffee cup", "2 Something else";
* structure, as Teachable Machine's: Sequential[Sequential[Functional backbone 'model1',
  GlobalAveragePooling2D], Sequential[Dense(100, relu), Dense(3, softmax, no bias)]], saved by
  tf_keras as a Keras 2 .h5; input 224x224, scaled x / 127.5 - 1 (the 'tf' preset);
* backbone: the bundled EfficientNet-Lite0 with its real ImageNet weights, cut after block 5
  (block5c_add, 14x14x112: 0.7 M weights, so the file stays under 3 MB) where Teachable
  Machine uses a MobileNet;
* training: the head only, on seeded views of the sample photos (the samples.json boxes):
  the cat and the cup with some of their surroundings, from two photos each; the table beside
  the cup and every other photo as "Something else"; random flips and brightness. Full-batch
  gradient descent in numpy (float64) from seeded weights: the same inputs give the same head.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras
import numpy as np
import tf_keras as K
from PIL import Image, ImageEnhance

from gradcam_core.models import efficientnet_lite as lite
from gradcam_core.samples import list_samples

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "gradcam_core" / "models" / "demo" / "converted_keras.zip"
LABELS = ("Cat", "Coffee cup", "Something else")
OBJECT_PHOTOS = ("cat", "coffee", "cat_and_coffee")  # photos whose objects are cats and cups
Box = tuple[int, int, int, int]
SIZE = 224
CUT = "block5c_add"
CROPS_PER_PHOTO = 64
HIDDEN = 100
STEPS = 800
LEARNING_RATE = 0.05
L2 = 1e-3


# ---------------------------------------------------------------- data


def training_images(rng: np.random.Generator) -> tuple[list[Image.Image], np.ndarray]:
    """Seeded views of each sample: its objects with some of their surroundings (Cat, Coffee
    cup), the coffee photo's table left and right of the cup, and every other photo (Something
    else)."""
    images, labels = [], []
    for sample in list_samples():
        photo = Image.open(sample.path).convert("RGB")
        width, height = photo.size
        for obj in sample.objects if sample.id in OBJECT_PHOTOS else ():
            label = LABELS.index("Cat") if obj.label == "cat" else LABELS.index("Coffee cup")
            for _ in range(CROPS_PER_PHOTO // len(sample.objects)):
                images.append(_augment(photo, _around(obj.box, photo.size, rng), rng))
                labels.append(label)
        if sample.id == "coffee":
            x0, _, x1, _ = sample.objects[0].box
            for strip in ((0, 0, x0, height), (x1, 0, width, height)):
                for _ in range(CROPS_PER_PHOTO // 4):
                    images.append(_augment(photo, _inside(strip, rng), rng))
                    labels.append(LABELS.index("Something else"))
        if sample.id not in OBJECT_PHOTOS:
            for _ in range(CROPS_PER_PHOTO // 2):
                images.append(_augment(photo, _inside((0, 0, width, height), rng), rng))
                labels.append(LABELS.index("Something else"))
    return images, np.array(labels)


def _around(box: Box, size: tuple[int, int], rng: np.random.Generator) -> Box:
    """The object's box grown by a random share of the room on each side (up to the photo)."""
    x0, y0, x1, y1 = box
    width, height = size
    grow = rng.uniform(0, 1, 4) ** 2  # mostly tight, sometimes the whole photo
    return (
        int(x0 - grow[0] * x0),
        int(y0 - grow[1] * y0),
        int(x1 + grow[2] * (width - x1)),
        int(y1 + grow[3] * (height - y1)),
    )


def _inside(box: Box, rng: np.random.Generator) -> Box:
    """A random part of the box, 45-100 % of each side."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cw, ch = int(w * rng.uniform(0.45, 1.0)), int(h * rng.uniform(0.45, 1.0))
    left, top = x0 + int(rng.integers(0, w - cw + 1)), y0 + int(rng.integers(0, h - ch + 1))
    return left, top, left + cw, top + ch


def _augment(photo: Image.Image, box: Box, rng: np.random.Generator) -> Image.Image:
    """The box's pixels, flipped half the time, brightness times 0.8-1.2."""
    crop = photo.crop(box)
    if rng.random() < 0.5:
        crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return ImageEnhance.Brightness(crop).enhance(rng.uniform(0.8, 1.2))


def model_input(image: Image.Image) -> np.ndarray:
    """The whole image resized to 224x224, x / 127.5 - 1 (Teachable Machine's scaling)."""
    pixels = np.asarray(image.resize((SIZE, SIZE), Image.Resampling.BILINEAR, reducing_gap=3.0))
    return pixels.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


# ---------------------------------------------------------------- backbone


def keras3_backbone(cut: str = CUT) -> keras.Model:
    """EfficientNet-Lite0 with its bundled weights, cut after the layer ``cut`` (block 5)."""
    full = lite.load_efficientnet_lite("efficientnet_lite0")
    return keras.Model(full.inputs, full.get_layer(cut).output, name="model1")


_KEYS = {
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "use_bias"),
    "DepthwiseConv2D": ("kernel_size", "strides", "padding", "use_bias"),
    "BatchNormalization": ("epsilon", "momentum"),
    "ReLU": ("max_value",),
    "Add": (),
}


def tf_keras_copy(model: keras.Model) -> K.Model:
    """The same functional graph in tf_keras, layer by layer, with the same names and weights."""
    tensors = {}
    inputs = K.Input(model.inputs[0].shape[1:], name="input_1")
    tensors[id(model.inputs[0])] = inputs
    for layer in model.layers[1:]:
        kind = type(layer).__name__
        config = layer.get_config()
        copy = getattr(K.layers, kind)(name=layer.name, **{k: config[k] for k in _KEYS[kind]})
        args = layer._inbound_nodes[0].input_tensors
        given = [tensors[id(t)] for t in args]
        output = copy(given if kind == "Add" else given[0])
        copy.set_weights(layer.get_weights())
        tensors[id(layer.output)] = output
    return K.Model(inputs, tensors[id(model.outputs[0])], name=model.name)


# ---------------------------------------------------------------- head


def train_head(
    features: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> list[np.ndarray]:
    """Dense(100, relu) -> Dense(3, no bias) -> softmax, full-batch gradient descent with L2."""
    n, d = features.shape
    w1 = rng.normal(0, np.sqrt(2 / d), (d, HIDDEN))
    b1 = np.zeros(HIDDEN)
    w2 = rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, len(LABELS)))
    onehot = np.eye(len(LABELS))[labels]
    for _ in range(STEPS):
        hidden = np.maximum(features @ w1 + b1, 0)
        logits = hidden @ w2
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad_logits = (p - onehot) / n
        grad_w2 = hidden.T @ grad_logits + L2 * w2
        grad_hidden = (grad_logits @ w2.T) * (hidden > 0)
        grad_w1 = features.T @ grad_hidden + L2 * w1
        w1 -= LEARNING_RATE * grad_w1
        b1 -= LEARNING_RATE * grad_hidden.sum(axis=0)
        w2 -= LEARNING_RATE * grad_w2
    accuracy = float((p.argmax(axis=1) == labels).mean())
    print(f"head: training accuracy {accuracy:.3f} on {n} crops")
    return [w1.astype(np.float32), b1.astype(np.float32), w2.astype(np.float32)]


def teachable_machine_model(
    backbone3: keras.Model, head: list[np.ndarray], labels: tuple[str, ...]
) -> K.Model:
    """Teachable Machine's structure in tf_keras around the backbone, with the trained head."""
    w1, b1, w2 = head
    backbone = tf_keras_copy(backbone3)
    body = K.Sequential(
        [
            backbone,
            K.layers.GlobalAveragePooling2D(
                name="global_average_pooling2d_GlobalAveragePooling2D1"
            ),
        ],
        name="sequential_1",
    )
    head_model = K.Sequential(
        [
            K.layers.Dense(
                HIDDEN, activation="relu", input_shape=(w1.shape[0],), name="dense_Dense1"
            ),
            K.layers.Dense(len(labels), activation="softmax", use_bias=False, name="dense_Dense2"),
        ],
        name="sequential_2",
    )
    model = K.Sequential([body, head_model], name="sequential_3")
    model.build((None, SIZE, SIZE, 3))
    head_model.layers[0].set_weights([w1, b1])
    head_model.layers[1].set_weights([w2])
    return model


def teachable_machine_zip(model: K.Model, labels: tuple[str, ...]) -> bytes:
    """converted_keras.zip's bytes: keras_model.h5 (tf_keras, no optimizer) and labels.txt."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        h5 = Path(folder) / "keras_model.h5"
        model.save(h5, include_optimizer=False)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(h5, "keras_model.h5")
            names = "".join(f"{i} {name}\n" for i, name in enumerate(labels))
            archive.writestr("labels.txt", names)
    return buffer.getvalue()


def main() -> None:
    rng = np.random.default_rng(2024)
    images, labels = training_images(rng)
    backbone3 = keras3_backbone()
    batch = np.stack([model_input(im) for im in images])
    maps = backbone3.predict(batch, batch_size=32, verbose=0)
    features = maps.astype(np.float64).mean(axis=(1, 2))
    w1, b1, w2 = train_head(features, labels, rng)

    model = teachable_machine_model(backbone3, [w1, b1, w2], LABELS)

    for sample in list_samples():
        probabilities = model.predict(
            model_input(Image.open(sample.path).convert("RGB"))[None], verbose=0
        )[0]
        print(
            f"{sample.id:16s} -> {LABELS[int(probabilities.argmax())]} ({probabilities.max():.0%})"
        )

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(teachable_machine_zip(model, LABELS))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
