"""Hostile model files for the own-model loader: code, foreign functions, files on disk, bombs,
damaged and wrong files, and models that are not image classifiers.

Each builder writes one file into a folder and returns its path. Payloads that would run code
create ``marker`` when they run; the loader must refuse every file with one line before that.
Used by tests/test_hostile_models.py and ``benchmarks/bench_own_model.py --hostile``.
"""

from __future__ import annotations

import base64
import io
import json
import marshal
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import h5py
import keras
import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "models"
MB = 1024 * 1024


# ---------------------------------------------------------------- pieces


def _small_model(name: str = "small") -> keras.Model:
    inputs = keras.Input((8, 8, 3), name="image")
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="logits")(x), name=name)


def _keras_parts(model: keras.Model, folder: Path) -> dict[str, bytes]:
    path = folder / f"{model.name}_parts.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    path.unlink()
    return parts


def _write_keras(
    path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_STORED
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _with_config(folder: Path, name: str, edit: Callable[[dict], None]) -> Path:
    """A valid small .keras whose config.json is edited by ``edit`` (in place)."""
    parts = _keras_parts(_small_model(), folder)
    config = json.loads(parts["config.json"])
    edit(config)
    parts["config.json"] = json.dumps(config).encode()
    return _write_keras(folder / name, parts)


def _layer(config: dict, name: str) -> dict:
    return next(x for x in config["config"]["layers"] if x["config"]["name"] == name)


def _touch_code(marker: Path) -> str:
    """Keras 2's form of a lambda: base64 of its marshalled code; running it creates marker."""
    code = compile(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]", "<payload>", "eval")
    function_code = next(c for c in code.co_consts if hasattr(c, "co_code"))
    return base64.b64encode(marshal.dumps(function_code)).decode("ascii")


# ---------------------------------------------------------------- code and foreign objects


def lambda_keras(folder: Path, marker: Path) -> Path:
    """A Keras 3 .keras with a Lambda layer whose bytecode creates marker, saved by Keras."""
    payload = eval(f"lambda t: (open({str(marker)!r}, 'w').close(), t)[1]")  # path in its code
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Lambda(payload, name="payload")(inputs)
    x = keras.layers.Conv2D(4, 3)(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(x)))
    out = folder / "lambda.keras"
    model.save(out)
    marker.unlink(missing_ok=True)  # building the model ran it; loading must not
    return out


def lambda_h5(folder: Path, marker: Path) -> Path:
    """A Keras 2 style .h5 whose model_config has a Lambda layer with marshalled code."""
    out = folder / "lambda.h5"
    _small_model().save(out)
    with h5py.File(out, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        layer = _layer(config, "conv")
        layer["class_name"] = "Lambda"
        layer["config"] = {
            "name": "conv",
            "function": [_touch_code(marker), None, None],
            "function_type": "lambda",
            "output_shape": None,
            "arguments": {},
        }
        layer.pop("module", None)
        f.attrs["model_config"] = json.dumps(config)
    return out


def os_system_keras(folder: Path, marker: Path) -> Path:
    """A config naming os.system with a command that would create marker."""

    def edit(config: dict) -> None:
        _layer(config, "logits")["config"]["activation"] = {
            "module": "os",
            "class_name": "system",
            "config": {"command": f"touch {marker}"},
            "registered_name": None,
        }

    return _with_config(folder, "os_system.keras", edit)


def builtins_exec_keras(folder: Path, marker: Path) -> Path:
    """A config naming builtins.exec as a layer's activation."""

    def edit(config: dict) -> None:
        _layer(config, "conv")["config"]["activation"] = {
            "module": "builtins",
            "class_name": "function",
            "config": "exec",
            "registered_name": "function",
        }
        _layer(config, "conv")["config"]["name"] = f"open({str(marker)!r}, 'w')"

    return _with_config(folder, "builtins_exec.keras", edit)


def unsafe_switch_keras(folder: Path, marker: Path) -> Path:
    """A config switching on keras.config.enable_unsafe_deserialization, then a Lambda
    (the shape of CVE-2025-9906)."""

    def edit(config: dict) -> None:
        conv = _layer(config, "conv")["config"]
        conv["activation"] = {
            "module": "keras.config",
            "class_name": "function",
            "config": "enable_unsafe_deserialization",
            "registered_name": "function",
        }
        gap = _layer(config, "gap")
        gap["class_name"] = "Lambda"
        gap["config"] = {
            "name": "gap",
            "function": {
                "class_name": "__lambda__",
                "config": {"code": _touch_code(marker), "defaults": None, "closure": None},
            },
        }

    return _with_config(folder, "unsafe_switch.keras", edit)


def vocabulary_keras(folder: Path, secret: Path) -> Path:
    """A StringLookup layer whose vocabulary is a local file."""

    def edit(config: dict) -> None:
        config["config"]["layers"].insert(
            1,
            {
                "module": "keras.layers",
                "class_name": "StringLookup",
                "config": {"name": "lookup", "vocabulary": str(secret), "output_mode": "int"},
                "registered_name": None,
                "name": "lookup",
                "inbound_nodes": [],
            },
        )

    return _with_config(folder, "vocabulary.keras", edit)


def tfsm_layer_keras(folder: Path) -> Path:
    """A TFSMLayer, which would load a SavedModel from a path on disk."""

    def edit(config: dict) -> None:
        _layer(config, "conv").update(
            class_name="TFSMLayer",
            config={"name": "conv", "filepath": "/tmp/saved_model", "call_endpoint": "serve"},
        )

    return _with_config(folder, "tfsm.keras", edit)


def custom_object_keras(folder: Path) -> Path:
    """A layer registered by someone's package, not a Keras built-in."""

    def edit(config: dict) -> None:
        _layer(config, "conv").update(module="mypackage.layers", registered_name="MyPackage>Conv")

    return _with_config(folder, "custom.keras", edit)


# ---------------------------------------------------------------- memory


def zip_bomb_keras(folder: Path) -> Path:
    """A .keras whose config.json inflates 64 MB from about 64 kB (1000-fold)."""
    parts = _keras_parts(_small_model(), folder)
    parts["config.json"] = b" " * (64 * MB) + parts["config.json"]
    return _write_keras(folder / "zip_bomb.keras", parts, zipfile.ZIP_DEFLATED)


def lying_zip_keras(folder: Path) -> Path:
    """A .keras whose headers claim a 200-byte config.json that inflates to 64 MB."""
    path = zip_bomb_keras(folder)
    data = bytearray(path.read_bytes())
    real = 64 * MB + len(_keras_parts(_small_model(), folder)["config.json"])
    for offset in _all(data, struct.pack("<I", real)):
        data[offset : offset + 4] = struct.pack("<I", 200)
    out = folder / "lying_zip.keras"
    out.write_bytes(bytes(data))
    return out


def claimed_bomb_keras(folder: Path) -> Path:
    """A .keras whose headers claim config.json inflates to 3 GB (as a real bomb's would)."""
    parts = _keras_parts(_small_model(), folder)
    path = _write_keras(folder / "claimed.keras", parts, zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    for offset in _all(data, struct.pack("<I", len(parts["config.json"]))):
        data[offset : offset + 4] = struct.pack("<I", 3_000_000_000)
    out = folder / "claimed_bomb.keras"
    out.write_bytes(bytes(data))
    return out


def _all(data: bytearray, needle: bytes) -> list[int]:
    found, start = [], 0
    while (i := data.find(needle, start)) >= 0:
        found.append(i)
        start = i + 1
    return found


def huge_dense_keras(folder: Path) -> Path:
    """The Keras tutorial fixture with its last Dense claiming 250 million units."""
    with zipfile.ZipFile(FIXTURES / "keras3_tutorial.keras") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(parts["config.json"])
    _layer(config, "logit")["config"]["units"] = 250_000_000
    parts["config.json"] = json.dumps(config).encode()
    return _write_keras(folder / "huge_dense.keras", parts)


def huge_dense_h5(folder: Path) -> Path:
    """Teachable Machine's keras_model.h5 with its first Dense claiming 250 million units."""
    with zipfile.ZipFile(FIXTURES / "teachable_machine_converted_keras.zip") as archive:
        data = archive.read("keras_model.h5")
    out = folder / "huge_dense.h5"
    out.write_bytes(data)
    with h5py.File(out, "r+") as f:
        text = f.attrs["model_config"]
        text = text.decode() if isinstance(text, bytes) else text
        f.attrs["model_config"] = text.replace('"units": 16', '"units": 250000000')
    return out


def activation_bomb_keras(folder: Path) -> Path:
    """Few weights, but an UpSampling2D making a 4096x4096x4 map (67 M values) per image."""
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.UpSampling2D(512, name="blow_up")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(x), name="wide")
    out = folder / "activation_bomb.keras"
    model.save(out)
    return out


def _edit_weights(folder: Path, name: str, edit: Callable[[h5py.File], None]) -> Path:
    parts = _keras_parts(_small_model(), folder)
    weights = folder / "weights.h5"
    weights.write_bytes(parts["model.weights.h5"])
    with h5py.File(weights, "r+") as f:
        edit(f)
    parts["model.weights.h5"] = weights.read_bytes()
    weights.unlink()
    return _write_keras(folder / name, parts)


def missing_weights_keras(folder: Path) -> Path:
    """A weights file without the arrays of the last Dense layer."""

    def edit(f: h5py.File) -> None:
        del f["layers/dense/vars"]

    return _edit_weights(folder, "missing_weights.keras", edit)


def shape_bomb_keras(folder: Path) -> Path:
    """A weights file with an array declaring 4 GB, stored in a few bytes (never written)."""

    def edit(f: h5py.File) -> None:
        f.create_dataset("layers/dense_bomb/vars/0", shape=(2**30,), dtype="f4", chunks=(2**20,))

    return _edit_weights(folder, "shape_bomb.keras", edit)


def external_link_keras(folder: Path, secret: Path) -> Path:
    """A weights file linking to another HDF5 file on the machine."""

    def edit(f: h5py.File) -> None:
        f["layers/conv2d/vars/extra"] = h5py.ExternalLink(str(secret), "/data")

    return _edit_weights(folder, "external_link.keras", edit)


def virtual_dataset_keras(folder: Path, secret: Path) -> Path:
    """A weights file whose array is a virtual dataset reading another file."""

    def edit(f: h5py.File) -> None:
        layout = h5py.VirtualLayout(shape=(4,), dtype="f4")
        layout[:] = h5py.VirtualSource(str(secret), "data", shape=(4,))
        del f["layers/conv2d/vars/1"]
        f.create_virtual_dataset("layers/conv2d/vars/1", layout)

    return _edit_weights(folder, "virtual.keras", edit)


# ---------------------------------------------------------------- wrong or damaged files


def empty_file(folder: Path) -> Path:
    out = folder / "empty.keras"
    out.write_bytes(b"")
    return out


def truncated_keras(folder: Path) -> Path:
    data = (FIXTURES / "keras3_tutorial.keras").read_bytes()
    out = folder / "truncated.keras"
    out.write_bytes(data[: len(data) // 2])
    return out


def truncated_h5(folder: Path) -> Path:
    data = (FIXTURES / "tf_keras_functional.h5").read_bytes()
    out = folder / "truncated.h5"
    out.write_bytes(data[: len(data) // 2])
    return out


def text_file(folder: Path) -> Path:
    out = folder / "model.h5"
    out.write_text("This is my model, trust me.\n" * 10)
    return out


def image_renamed(folder: Path) -> Path:
    out = folder / "photo.h5"
    buffer = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, format="PNG")
    out.write_bytes(buffer.getvalue())
    return out


def oversized_file(folder: Path) -> Path:
    """A sparse file one byte over the 200 MB model limit (no disk space used)."""
    out = folder / "big.keras"
    with out.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(200 * MB + 1)
    return out


# ---------------------------------------------------------------- not image classifiers


def segmentation_keras(folder: Path) -> Path:
    """An image in, a 64x64x5 map out."""
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Conv2D(5, 1, activation="softmax")(x), name="seg")
    out = folder / "segmentation.keras"
    model.save(out)
    return out


def tabular_keras(folder: Path) -> Path:
    """Ten numbers in, three classes out."""
    inputs = keras.Input((10,))
    x = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x), name="tabular")
    out = folder / "tabular.keras"
    model.save(out)
    return out


def secret_files(folder: Path) -> tuple[Path, Path]:
    """A text 'secret' and an HDF5 file with a 'data' array, for the payloads that read files."""
    text = folder / "secret.txt"
    text.write_text("password\n")
    h5 = folder / "secret.h5"
    with h5py.File(h5, "w") as f:
        f["data"] = np.arange(4, dtype=np.float32)
    return text, h5


CASE_NAMES = (
    "lambda .keras",
    "lambda .h5",
    "os.system",
    "builtins.exec",
    "unsafe switch",
    "vocabulary path",
    "TFSMLayer",
    "custom object",
    "zip bomb",
    "zip header claiming 3 GB",
    "lying zip header",
    "Dense of 250M units .keras",
    "Dense of 250M units .h5",
    "4096x4096 activation",
    "HDF5 shape bomb",
    "HDF5 external link",
    "HDF5 virtual dataset",
    "empty",
    "truncated .keras",
    "truncated .h5",
    "weights missing for a layer",
    "text",
    "image renamed .h5",
    "over 200 MB",
    "segmentation",
    "tabular",
)


def all_cases(folder: Path, marker: Path) -> dict[str, tuple[Path, str]]:
    """Every hostile file, by case name, with a word its refusal must contain."""
    secret_text, secret_h5 = secret_files(folder)
    cases = {
        "lambda .keras": (lambda_keras(folder, marker), "Lambda"),
        "lambda .h5": (lambda_h5(folder, marker), "Lambda"),
        "os.system": (os_system_keras(folder, marker), "os.system"),
        "builtins.exec": (builtins_exec_keras(folder, marker), "builtins.exec"),
        "unsafe switch": (unsafe_switch_keras(folder, marker), "refused"),
        "vocabulary path": (vocabulary_keras(folder, secret_text), "vocabulary"),
        "TFSMLayer": (tfsm_layer_keras(folder), "SavedModel"),
        "custom object": (custom_object_keras(folder), "mypackage"),
        "zip bomb": (zip_bomb_keras(folder), "zip bomb"),
        "zip header claiming 3 GB": (claimed_bomb_keras(folder), "2.8 GB"),
        "lying zip header": (lying_zip_keras(folder), "config"),
        "Dense of 250M units .keras": (huge_dense_keras(folder), "GB of weights"),
        "Dense of 250M units .h5": (huge_dense_h5(folder), "GB of weights"),
        "4096x4096 activation": (activation_bomb_keras(folder), "blow_up"),
        "HDF5 shape bomb": (shape_bomb_keras(folder), "shape bomb"),
        "HDF5 external link": (external_link_keras(folder, secret_h5), "ExternalLink"),
        "HDF5 virtual dataset": (virtual_dataset_keras(folder, secret_h5), "other files"),
        "empty": (empty_file(folder), "empty"),
        "truncated .keras": (truncated_keras(folder), "zip"),
        "truncated .h5": (truncated_h5(folder), "HDF5"),
        "weights missing for a layer": (missing_weights_keras(folder), "weights do not fit"),
        "text": (text_file(folder), "text file"),
        "image renamed .h5": (image_renamed(folder), "PNG image"),
        "over 200 MB": (oversized_file(folder), "209,715,201 bytes"),
        "segmentation": (segmentation_keras(folder), "outputs a 64x64x5 map, not class scores"),
        "tabular": (tabular_keras(folder), "vector of 10 numbers, not an image"),
    }
    assert tuple(cases) == CASE_NAMES
    return cases
