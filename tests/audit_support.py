"""A tiny colour classifier and tiny made datasets with known answers, for the audit's tests.

The model: an 8 x 8 RGB input scaled x / 255 ('unit'); 'features' = ReLU(1x1 conv) whose two
channels are the red and the green channel (A^0 = R / 255, A^1 = G / 255); global average
pooling; Dense(2) with the identity, so logit_red = mean(A^0) and logit_green = mean(A^1).
Grad-CAM of 'red' has alpha = (1/64, 0): its map is A^0 / 64, normalized R / max(R); on an
8 x 8 photo the map is at the photo's own pixels, so every measure can be counted by hand.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import keras
import numpy as np
from PIL import Image

LABELS = ("red", "green")


def colour_model() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")(inputs)
    h = keras.layers.ReLU(name="features")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    logits = keras.layers.Dense(2, name="logits")(h)
    model = keras.Model(inputs, logits, name="colours")
    kernel = np.zeros((1, 1, 3, 2), np.float32)
    kernel[0, 0, 0, 0] = kernel[0, 0, 1, 1] = 1.0
    model.get_layer("conv").set_weights([kernel])
    model.get_layer("logits").set_weights([np.eye(2, dtype=np.float32), np.zeros(2, np.float32)])
    return model


def save_colour_model(folder: Path) -> tuple[Path, Path]:
    """The model as a .keras file and its labels.txt."""
    model_path, labels_path = folder / "colours.keras", folder / "labels.txt"
    colour_model().save(model_path)
    labels_path.write_text("\n".join(LABELS) + "\n")
    return model_path, labels_path


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def red_corner() -> np.ndarray:
    """8 x 8: red (255) in the bottom-right 2 x 2 block, a dim green pixel at (0, 0)."""
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[6:, 6:, 0] = 255
    pixels[0, 0, 1] = 40
    return pixels


def green_centre() -> np.ndarray:
    """8 x 8: green (200) in the central 4 x 4 block."""
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[2:6, 2:6, 1] = 200
    return pixels


def red_centre_green_edge() -> np.ndarray:
    """8 x 8: red (255) in the central 4 x 4 block, weak green (60) along the top row.

    Predicted red (mean 64 against 7.5); in the folder 'green' its true class is green."""
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[2:6, 2:6, 0] = 255
    pixels[0, :, 1] = 60
    return pixels


# The tiny dataset: two classes, a folder no class matches, a bad file, a note, and a box.
FILES: dict[str, bytes] = {
    "red/corner.png": png(red_corner()),
    "green/centre.png": png(green_centre()),
    "green/mislabelled.png": png(red_centre_green_edge()),
    "blue/corner.png": png(red_corner()),
    "red/broken.png": b"\x89PNG\r\n\x1a\nnot really a png",
    "notes.txt": b"the photographer's notes\n",
    "boxes.csv": b"file,x0,y0,x1,y1,label\nred/corner.png,4,4,8,8,red\n",
}


def write_folder(folder: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def zip_bytes(files: dict[str, bytes] = FILES, top: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(top + name, data)
    return buffer.getvalue()


def require_ray() -> None:
    """Skip without Ray (an optional extra), unless CI requires it (GRADCAM_REQUIRE_RAY=1)."""
    import importlib.util
    import os

    import pytest

    if importlib.util.find_spec("ray") is None:
        message = "Ray is not installed (pip install '.[ray]')"
        if os.environ.get("GRADCAM_REQUIRE_RAY") == "1":
            pytest.fail(message)
        pytest.skip(message)
