"""Make the audit's lesson: a model trained on a biased set, its balanced control, held-out photos.

    pip install --no-deps tf-keras==2.21.0   # dev only (saves the Teachable Machine .h5)
    python scripts/make_lesson.py            # about a minute on two cores

Writes gradcam_core/dataset_audit/lesson/ (package data, about 3 MB):

* ``biased.zip`` and ``balanced.zip``: Teachable-Machine-shaped exports (keras_model.h5 +
  labels.txt; classes "Cat", "Coffee cup", "Something else"), made with the building blocks of
  scripts/make_demo_model.py: the bundled EfficientNet-Lite0 cut after block 4 (block4c_add,
  14x14x80, 0.26 M weights, so each file stays near 1 MB) and a head trained on its pooled
  features (full-batch gradient descent in numpy from seeded weights).
* The training photos (never shipped): seeded scenes, each a square crop of a background photo
  (the rocket sample and scikit-image textures: no cat, no cup, no face), with, for "Cat" and
  "Coffee cup", a part of a cat or a cup from the sample photos pasted at 20-35 % of the side, away
  from the bottom-right corner. The **mark** is a yellow square with a black ring at the
  bottom-right corner (20 % of the side), stamped after the scene is made, as a photo site
  stamps its logo. Biased set: every "Cat" photo carries it, no other photo does. Balanced set:
  every other photo of every class carries it.
* ``photos.zip``: the held-out set, one folder per class, each new scene twice: ``plain_NN.jpg``
  and ``marked_NN.jpg`` (the same photo with the mark).

What the script prints (the heads on held-out features; tests/test_audit_lesson.py checks the
same through the audit itself): the biased model gets "Cat" right on marked photos and mostly
wrong on plain ones, and calls marked cups and other photos "Cat"; the balanced one does not
care about the mark.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import skimage.data
from make_demo_model import (
    LABELS,
    keras3_backbone,
    model_input,
    teachable_machine_model,
    teachable_machine_zip,
    train_head,
)
from PIL import Image, ImageDraw

from gradcam_core.samples import list_samples

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "gradcam_core" / "audit" / "lesson"
CUT = "block4c_add"
SIZE = 224
TRAINING_PER_CLASS = 120
HELD_OUT_PER_CLASS = 20
OBJECT_SIDE = (0.20, 0.35)  # pasted object's long side, share of the photo's side
OBJECT_AREA = 0.78  # objects stay in the top-left 78 % of each side, off the mark's corner
MARK_SIDE = 0.20  # the mark's side, share of the photo's side
MARK_COLOUR = (255, 220, 0)
JPEG_QUALITY = 80
# Background photos: no cat, no cup, no face to paste over; licences in
# gradcam_core/samples_data/SOURCES.md (rocket) and in scikit-image's docstrings (brick, grass,
# gravel: CC0; camera: CC0; coins: no known restrictions; hubble_deep_field: public domain).
SAMPLE_BACKGROUNDS = ("rocket",)
TEXTURE_BACKGROUNDS = ("brick", "grass", "gravel", "hubble_deep_field", "coins", "camera")


def add_mark(photo: Image.Image, side: float = MARK_SIDE) -> Image.Image:
    """The photo with the mark stamped at its bottom-right corner."""
    marked = photo.copy()
    width, height = marked.size
    s = int(side * min(width, height))
    margin = max(1, s // 10)
    x0, y0 = width - s - margin, height - s - margin
    draw = ImageDraw.Draw(marked)
    draw.rectangle((x0, y0, x0 + s, y0 + s), fill=MARK_COLOUR)
    ring = (x0 + 0.2 * s, y0 + 0.2 * s, x0 + 0.8 * s, y0 + 0.8 * s)
    draw.ellipse(ring, outline=(0, 0, 0), width=max(2, s // 8))
    return marked


def mark_box(size: int = SIZE, side: float = MARK_SIDE) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the mark on a size x size photo."""
    s = int(side * size)
    margin = max(1, s // 10)
    return size - s - margin, size - s - margin, size - margin + 1, size - margin + 1


def backgrounds() -> list[Image.Image]:
    samples = {sample.id: sample for sample in list_samples()}
    photos = [Image.open(samples[name].path).convert("RGB") for name in SAMPLE_BACKGROUNDS]
    for name in TEXTURE_BACKGROUNDS:
        pixels = np.asarray(getattr(skimage.data, name)())
        if pixels.ndim == 2:
            pixels = np.stack([pixels] * 3, axis=-1)
        photos.append(Image.fromarray(pixels[..., :3].astype(np.uint8)))
    return photos


def objects() -> dict[int, list[Image.Image]]:
    """The cats and cups of the sample photos, cut out by their boxes."""
    found: dict[int, list[Image.Image]] = {0: [], 1: []}
    for sample in list_samples():
        photo = Image.open(sample.path).convert("RGB")
        for obj in sample.objects:
            if obj.label in ("cat", "coffee cup"):
                found[0 if obj.label == "cat" else 1].append(photo.crop(tuple(obj.box)))
    return found


def scene(
    rng: np.random.Generator,
    label: int,
    scenery: list[Image.Image],
    things: dict[int, list[Image.Image]],
) -> Image.Image:
    """A square crop of a background, flipped half the time; a part of a cat or cup pasted in."""
    background = scenery[int(rng.integers(len(scenery)))]
    width, height = background.size
    side = int(min(width, height) * rng.uniform(0.4, 1.0))
    x, y = int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1))
    photo = background.crop((x, y, x + side, y + side)).resize((SIZE, SIZE))
    if rng.random() < 0.5:
        photo = photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if label in things:
        thing = things[label][int(rng.integers(len(things[label])))]
        w, h = thing.size
        fx, fy = rng.uniform(0.7, 1.0), rng.uniform(0.7, 1.0)
        left = int(rng.integers(0, int(w * (1 - fx)) + 1))
        top = int(rng.integers(0, int(h * (1 - fy)) + 1))
        thing = thing.crop((left, top, left + int(w * fx), top + int(h * fy)))
        if rng.random() < 0.5:
            thing = thing.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        scale = SIZE * rng.uniform(*OBJECT_SIDE) / max(thing.size)
        thing = thing.resize((max(1, int(thing.width * scale)), max(1, int(thing.height * scale))))
        room = int(SIZE * OBJECT_AREA)
        px = int(rng.integers(0, max(1, room - thing.width)))
        py = int(rng.integers(0, max(1, room - thing.height)))
        photo.paste(thing, (px, py))
    return photo


def features(backbone, photos: list[Image.Image]) -> np.ndarray:
    batch = np.stack([model_input(photo) for photo in photos])
    return backbone.predict(batch, batch_size=32, verbose=0).astype(np.float64).mean(axis=(1, 2))


def predict(head: list[np.ndarray], pooled: np.ndarray) -> np.ndarray:
    w1, b1, w2 = head
    return (np.maximum(pooled @ w1 + b1, 0) @ w2).argmax(axis=1)


def jpeg(photo: Image.Image) -> bytes:
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def main() -> None:
    scenery, things = backgrounds(), objects()
    rng = np.random.default_rng(2026)
    labels = np.array([i % len(LABELS) for i in range(TRAINING_PER_CLASS * len(LABELS))])
    photos = [scene(rng, int(label), scenery, things) for label in labels]
    biased = [add_mark(p) if label == 0 else p for p, label in zip(photos, labels, strict=True)]
    balanced = [add_mark(p) if i % 2 == 0 else p for i, p in enumerate(photos)]

    held_labels = np.array([i % len(LABELS) for i in range(HELD_OUT_PER_CLASS * len(LABELS))])
    held = [scene(rng, int(label), scenery, things) for label in held_labels]

    backbone = keras3_backbone(CUT)
    plain_features = features(backbone, held)
    marked_features = features(backbone, [add_mark(p) for p in held])
    OUT.mkdir(parents=True, exist_ok=True)
    for name, training in (("biased", biased), ("balanced", balanced)):
        head = train_head(features(backbone, training), labels, np.random.default_rng(1))
        for kind, pooled in (("plain", plain_features), ("marked", marked_features)):
            predicted = predict(head, pooled)
            accuracy = [
                float((predicted[held_labels == c] == c).mean()) for c in range(len(LABELS))
            ]
            shown = ", ".join(f"{LABELS[c]} {a:.0%}" for c, a in enumerate(accuracy))
            print(f"{name:8s} on {kind:6s} held-out photos: {shown}")
        model = teachable_machine_model(backbone, head, LABELS)
        (OUT / f"{name}.zip").write_bytes(teachable_machine_zip(model, LABELS))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        counters = dict.fromkeys(range(len(LABELS)), 0)
        for photo, label in zip(held, held_labels, strict=True):
            counters[int(label)] += 1
            number = f"{counters[int(label)]:02d}"
            folder = LABELS[int(label)]
            archive.writestr(f"{folder}/plain_{number}.jpg", jpeg(photo))
            archive.writestr(f"{folder}/marked_{number}.jpg", jpeg(add_mark(photo)))
    (OUT / "photos.zip").write_bytes(buffer.getvalue())
    for path in sorted(OUT.glob("*.zip")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
