"""Checks on an untrusted model file, made before Keras sees any of it.

A model file is an attack surface: a ``.keras`` archive whose ``config.json`` inflates to
gigabytes, a config claiming a layer of 250 million units (Keras allocates it before reading a
single stored weight), a ``Lambda`` layer carrying Python bytecode, a config naming ``os.system``
or ``keras.config.enable_unsafe_deserialization``, a layer reading a vocabulary from a local path,
HDF5 links or virtual datasets pointing at other files. In order, this module checks:

1. the file: its size, and what it is (zip or HDF5, from its first bytes; an image, a text or an
   empty file is named as such);
2. an archive: every member's uncompressed size and compression ratio from the zip headers,
   before extracting, and then every read is capped at the size the header declared;
3. the config, parsed as JSON with a size cap (``config.json``, or the ``.h5`` file's
   ``model_config`` attribute read through h5py without touching the weights): every object in it
   must be one of Keras' built-in layers, initializers, regularizers, constraints, activations or
   dtype policies, from Keras' own modules, with no custom ``registered_name`` and no setting
   that names a file;
4. the stored weights, read as HDF5 metadata only: no links to other files, no virtual or
   external datasets, numeric arrays only, and no more declared bytes than the file can hold;
5. the memory the config implies (``architecture.summarize``, computed without building) against
   the weights the file stores.

Only a file that passes all of them is built by Keras (``deserialize_keras_object`` with
``safe_mode=True``, never compiled). Every refusal is one ``ModelRefusedError`` line.
"""

from __future__ import annotations

import json
import math
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py

from ..errors import ModelRefusedError
from .architecture import (
    LAYER_CLASSES,
    MODEL_CLASSES,
    OPS,
    OPS_MODULE,
    Architecture,
    check_activations,
)
from .legacy import CONSTRAINTS, DTYPE_POLICIES, INITIALIZERS, REGULARIZERS

MB = 1024 * 1024
MAX_MODEL_BYTES = 200 * MB  # a ResNet50 .keras is 103 MB; a Teachable Machine zip a few MB
MAX_CONFIG_BYTES = 16 * MB  # keras.applications' largest config (NASNetLarge) is 1.0 MB
MAX_MEMBER_BYTES = 2 * MAX_MODEL_BYTES  # any archive member, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1 * MB
MAX_MEMBERS = 16
MAX_CONFIG_DEPTH = 64  # nesting of JSON objects and lists in a config
MAX_CONFIG_OBJECTS = 1_000_000  # dicts and lists in a config
MAX_H5_OBJECTS = 100_000  # groups and datasets in a weights file
MAX_H5_DEPTH = 32
# The weights a config implies may exceed the stored ones by this much before it is refused:
# Keras allocates them in float32 before reading the file (stored ones are what it then reads).
WEIGHT_SLACK_FACTOR = 2
WEIGHT_SLACK_VALUES = 4_000_000  # 16 MB of float32

KERAS_MEMBERS = frozenset({"config.json", "metadata.json", "model.weights.h5"})
IGNORED_MEMBERS = ("__MACOSX/", ".DS_Store")
ACTIVATIONS = frozenset(
    {
        "linear",
        "relu",
        "relu6",
        "sigmoid",
        "softmax",
        "softplus",
        "softsign",
        "tanh",
        "selu",
        "elu",
        "exponential",
        "leaky_relu",
        "silu",
        "swish",
        "gelu",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "mish",
        "log_softmax",
    }
)
ACTIVATION_MODULES = frozenset({"keras.activations", "keras.src.activations.activations"})
# Keras objects and settings refused with their own sentence.
_CODE_LAYERS = {
    "Lambda": "a Lambda layer (Python code), which is never run here",
    "TFOpLambda": "TensorFlow operations saved as code (TFOpLambda), which are never run here",
    "SlicingOpLambda": "TensorFlow slicing saved as code (SlicingOpLambda), never run here",
    "TFSMLayer": "a TFSMLayer, which would load a TensorFlow SavedModel from disk",
    "TorchModuleWrapper": "a TorchModuleWrapper (a pickled PyTorch module)",
    "JaxLayer": "a JaxLayer (Python code)",
    "FlaxLayer": "a FlaxLayer (Python code)",
}
_FILE_LAYERS = frozenset(
    {"StringLookup", "IntegerLookup", "TextVectorization", "Hashing", "CategoryEncoding"}
)
_FILE_KEYS = frozenset({"vocabulary", "filepath", "file_path", "path", "idf_weights"})
_SPECIAL_OBJECTS = frozenset({"__keras_tensor__", "__tuple__"})
_ALLOWED_CLASSES = (
    MODEL_CLASSES
    | {"Model"}
    | LAYER_CLASSES
    | INITIALIZERS
    | REGULARIZERS
    | CONSTRAINTS
    | DTYPE_POLICIES
    | _SPECIAL_OBJECTS
)
_SIGNATURES = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x89HDF\r\n\x1a\n", "hdf5"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF (WebP or WAV) file"),
    (b"BM", "a BMP image"),
    (b"%PDF", "a PDF document"),
    (b"\x80", "a Python pickle"),
    (b"\x08", "a protocol buffer (SavedModel or .pb)"),
)


def size_text(count: float) -> str:
    """Bytes as '2.3 MB', '3.0 GB', '40 kB'."""
    for unit, scale in (("GB", 1024**3), ("MB", MB), ("kB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{int(count)} bytes"


# ---------------------------------------------------------------- the file and its archive


def check_file(path: Path, shown: str) -> str:
    """The file's kind from its first bytes, 'zip' or 'hdf5'; anything else is refused."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelRefusedError(f"File not found: {shown}. Check the path.") from None
    if not path.is_file():
        raise ModelRefusedError(f"{shown} is not a file.")
    if size == 0:
        raise ModelRefusedError(f"{shown} is empty.")
    if size > MAX_MODEL_BYTES:
        raise ModelRefusedError(
            f"{shown} is {size:,} bytes, over the {size_text(MAX_MODEL_BYTES)} limit for models."
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    kind = next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)
    if kind in ("zip", "hdf5"):
        return kind
    if kind is not None:
        raise ModelRefusedError(f"{shown} is {kind}, not a Keras model (.keras, .h5 or .zip).")
    if _looks_like_text(head):
        raise ModelRefusedError(f"{shown} is a text file, not a Keras model (.keras, .h5 or .zip).")
    raise ModelRefusedError(f"{shown} is not a Keras model: neither a zip archive nor HDF5.")


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in text)


def open_archive(path: Path, shown: str) -> zipfile.ZipFile:
    """The zip archive, its members checked from the headers (sizes, ratios, names)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ModelRefusedError(
            f"{shown} is not a complete zip archive (damaged or cut short)."
        ) from None
    try:
        check_members(archive.infolist(), shown)
    except BaseException:
        archive.close()
        raise
    return archive


def members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files, without folders and macOS metadata."""
    return [
        info
        for info in archive.infolist()
        if not info.is_dir() and not any(part in info.filename for part in IGNORED_MEMBERS)
    ]


def check_members(infos: list[zipfile.ZipInfo], shown: str) -> None:
    """Refuse encrypted members, odd names, and sizes or ratios beyond the caps (headers only)."""
    if len(infos) > MAX_MEMBERS:
        raise ModelRefusedError(f"{shown} holds {len(infos)} files; a model archive holds a few.")
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ModelRefusedError(f"{shown}: {name} is encrypted.")
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise ModelRefusedError(f"{shown}: the member name '{name}' is not a plain path.")
        if info.file_size > MAX_MEMBER_BYTES:
            raise ModelRefusedError(
                f"{shown}: {name} would inflate to {size_text(info.file_size)} "
                f"(limit {size_text(MAX_MEMBER_BYTES)})."
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ModelRefusedError(
                f"{shown}: {name} would inflate {ratio:.0f}-fold to {size_text(info.file_size)} "
                f"(a zip bomb; the limit is {MAX_RATIO}-fold)."
            )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, shown: str) -> bytes:
    """A member's bytes, refusing more than ``limit`` or than its header declared."""
    if info.file_size > limit:
        raise ModelRefusedError(
            f"{shown}: {info.filename} is {size_text(info.file_size)}, "
            f"over the {size_text(limit)} limit."
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(min(limit, info.file_size) + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ModelRefusedError(
            f"{shown}: {info.filename} is damaged ({_reason(error)})."
        ) from None
    if len(data) > info.file_size:
        raise ModelRefusedError(f"{shown}: {info.filename} holds more than its header declares.")
    return data


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, shown: str) -> None:
    """Extract one member to ``target``, stopping at the size its header declared."""
    try:
        with archive.open(info) as source, target.open("wb") as sink:
            shutil.copyfileobj(_Capped(source, info.file_size, shown, info.filename), sink)
    except ModelRefusedError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ModelRefusedError(
            f"{shown}: {info.filename} is damaged ({_reason(error)})."
        ) from None


class _Capped:
    """A reader that refuses to yield more than ``limit`` bytes in all."""

    def __init__(self, source: Any, limit: int, shown: str, name: str) -> None:
        self.source, self.left, self.shown, self.name = source, limit, shown, name

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(1024 * 1024 if size < 0 else min(size, 1024 * 1024))
        self.left -= len(chunk)
        if self.left < 0:
            raise ModelRefusedError(
                f"{self.shown}: {self.name} holds more than its header declares."
            )
        return chunk


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:120] if text else type(error).__name__


# ---------------------------------------------------------------- config


def parse_config(data: bytes | str, shown: str) -> dict[str, Any]:
    """The JSON config as a dict; size, syntax and depth checked."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ModelRefusedError(
            f"{shown}: the model config is {size_text(len(data))}, over the "
            f"{size_text(MAX_CONFIG_BYTES)} limit."
        )
    try:
        config = json.loads(data)
    except RecursionError:
        raise ModelRefusedError(f"{shown}: the model config is nested too deeply.") from None
    except (ValueError, UnicodeDecodeError):
        raise ModelRefusedError(f"{shown}: the model config is not valid JSON.") from None
    if not isinstance(config, dict):
        raise ModelRefusedError(f"{shown}: the model config is not a JSON object.")
    return config


def h5_model_config(path: Path, shown: str) -> tuple[dict[str, Any], str]:
    """The ``model_config`` attribute of a Keras .h5 file (the weights are not read), and its
    ``keras_version``."""
    with open_h5(path, shown) as f:
        if "model_config" not in f.attrs:
            raise ModelRefusedError(
                f"{shown} holds weights only (no model_config); save the whole model, not just its "
                "weights."
            )
        text = _h5_text_attribute(f, "model_config", MAX_CONFIG_BYTES, shown)
        version = (
            _h5_text_attribute(f, "keras_version", 64, shown) if "keras_version" in f.attrs else ""
        )
        if "model_weights" not in f:
            raise ModelRefusedError(f"{shown} has a model config but no stored weights.")
    return parse_config(text, shown), version


def open_h5(path: Path, shown: str) -> h5py.File:
    """Open an HDF5 file read-only, or refuse it in one line."""
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as error:
        raise ModelRefusedError(
            f"{shown} is not a readable HDF5 file (damaged or cut short: {_reason(error)})."
        ) from None


def _h5_text_attribute(f: h5py.File, name: str, limit: int, shown: str) -> str:
    try:
        size = f.attrs.get_id(name).get_storage_size()
        if size > limit:
            raise ModelRefusedError(
                f"{shown}: its {name} is {size_text(size)}, over the {size_text(limit)} limit."
            )
        value = f.attrs[name]
    except ModelRefusedError:
        raise
    except (OSError, ValueError, TypeError) as error:
        raise ModelRefusedError(f"{shown}: its {name} cannot be read ({_reason(error)}).") from None
    if hasattr(value, "tolist") and not isinstance(value, bytes | str):
        value = value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise ModelRefusedError(f"{shown}: its {name} is not text.")


def check_config(config: dict[str, Any], shown: str, strict: bool = False) -> None:
    """Refuse any object in the config that is not a Keras built-in, or that names code or files.

    ``strict`` (for the rewritten config Keras will receive) also requires each object's module
    to be the one Keras 3 itself writes.
    """
    for value, depth in _walk(config, shown):
        if depth > MAX_CONFIG_DEPTH:
            raise ModelRefusedError(f"{shown}: the model config is nested too deeply.")
        if isinstance(value, dict):
            for key in _FILE_KEYS & value.keys():
                if isinstance(value[key], str):
                    raise ModelRefusedError(
                        f"{shown}: a layer setting names a file on disk ('{value[key]}')."
                    )
            if "class_name" in value:
                _check_object(value, shown, strict)
            for key in ("activation", "recurrent_activation"):
                if isinstance(value.get(key), str) and value[key] not in ACTIVATIONS:
                    raise ModelRefusedError(
                        f"{shown}: the activation '{value[key]}' is not a Keras built-in."
                    )


def _walk(config: Any, shown: str) -> Iterator[tuple[Any, int]]:
    """Every dict and list in the config, with its depth, without recursion."""
    stack = [(config, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_CONFIG_OBJECTS:
            raise ModelRefusedError(f"{shown}: the model config is too large.")
        yield value, depth
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in children if isinstance(v, dict | list))


def _check_object(entry: dict[str, Any], shown: str, strict: bool) -> None:
    kind = entry["class_name"]
    module = entry.get("module")
    registered = entry.get("registered_name")
    if not isinstance(kind, str) or not isinstance(module, str | None):
        raise ModelRefusedError(f"{shown}: the model config has a malformed object.")
    if kind in _CODE_LAYERS:
        raise ModelRefusedError(f"{shown} contains {_CODE_LAYERS[kind]}; refused.")
    if kind in _FILE_LAYERS:
        raise ModelRefusedError(
            f"{shown} contains a {kind} layer, which reads a vocabulary (possibly a file on disk); "
            "refused: image classifiers do not need one."
        )
    if module is not None and not _keras_module(module):
        target = entry.get("config") if kind == "function" else kind
        raise ModelRefusedError(
            f"{shown} names Python code outside Keras ({module}.{target}); refused."
        )
    if kind == "function":
        _check_function(entry, shown)
        return
    if module == OPS_MODULE:
        if kind not in OPS or registered not in (None, kind):
            raise ModelRefusedError(
                f"{shown} uses the Keras operation '{kind}', which is not accepted."
            )
        return
    if kind not in _ALLOWED_CLASSES:
        raise ModelRefusedError(
            f"{shown} uses '{kind}', which is not one of the Keras built-in image layers accepted "
            "here (no custom objects)."
        )
    if registered not in (None, kind):
        raise ModelRefusedError(
            f"{shown} uses a custom object registered as '{registered}'; refused."
        )
    if strict and module is not None and module != _expected_module(kind):
        raise ModelRefusedError(f"{shown}: '{kind}' comes from the unexpected module '{module}'.")


def _keras_module(module: str) -> bool:
    return module in ("keras", "tf_keras") or module.startswith(("keras.", "tf_keras."))


def _check_function(entry: dict[str, Any], shown: str) -> None:
    """A function object may only be one of Keras' built-in activations."""
    name = entry.get("config")
    if entry.get("module") not in ACTIVATION_MODULES or name not in ACTIVATIONS:
        raise ModelRefusedError(
            f"{shown} names the function '{entry.get('module')}.{name}', which is not a Keras "
            "activation; refused."
        )


def _expected_module(kind: str) -> str | None:
    if kind == "Functional":
        return "keras.src.models.functional"
    if kind in ("Sequential", "DTypePolicy", "FloatDTypePolicy"):
        return "keras"
    if kind in LAYER_CLASSES:
        return "keras.layers"
    if kind in INITIALIZERS:
        return "keras.initializers"
    if kind in REGULARIZERS:
        return "keras.regularizers"
    if kind in CONSTRAINTS:
        return "keras.constraints"
    return None


# ---------------------------------------------------------------- stored weights


@dataclass(frozen=True)
class StoredWeights:
    """What a weights file holds, from its HDF5 metadata: arrays, values and bytes declared."""

    arrays: int
    values: int
    bytes: int


def check_weights_file(path: Path, shown: str) -> StoredWeights:
    """Walk an HDF5 weights file's metadata: refuse links, virtual or external data, non-numeric
    arrays, and more declared bytes than the file can hold. No array is read."""
    file_bytes = path.stat().st_size
    arrays = values = declared = 0
    with open_h5(path, shown) as f:
        for name, dataset in _datasets(f, shown):
            kind = dataset.dtype.kind
            if kind not in "fiub" or dataset.dtype.itemsize > 8 or dataset.dtype.names:
                raise ModelRefusedError(f"{shown}: the stored array '{name}' is not numeric.")
            if dataset.is_virtual or dataset.external:
                raise ModelRefusedError(
                    f"{shown}: the stored array '{name}' points at other files."
                )
            count = (
                math.prod(dataset.shape) if dataset.shape else (0 if dataset.shape is None else 1)
            )
            arrays += 1
            values += count
            declared += count * dataset.dtype.itemsize
    if declared > 2 * file_bytes + MB:
        raise ModelRefusedError(
            f"{shown}: its stored arrays declare {size_text(declared)} in a file of "
            f"{size_text(file_bytes)} (an HDF5 shape bomb)."
        )
    return StoredWeights(arrays, values, declared)


def _datasets(root: h5py.Group, shown: str) -> Iterator[tuple[str, h5py.Dataset]]:
    """Every dataset under ``root`` through hard links only, with a depth and count cap."""
    stack: list[tuple[h5py.Group, int]] = [(root, 0)]
    seen = 0
    try:
        while stack:
            group, depth = stack.pop()
            if depth > MAX_H5_DEPTH:
                raise ModelRefusedError(f"{shown}: its HDF5 groups are nested too deeply.")
            for name in group:
                seen += 1
                if seen > MAX_H5_OBJECTS:
                    raise ModelRefusedError(f"{shown}: it holds too many HDF5 objects.")
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    raise ModelRefusedError(
                        f"{shown}: it links to '{name}' elsewhere (an HDF5 {type(link).__name__})."
                    )
                item = group[name]
                if isinstance(item, h5py.Group):
                    stack.append((item, depth + 1))
                elif isinstance(item, h5py.Dataset):
                    yield f"{group.name}/{name}", item
                else:
                    raise ModelRefusedError(f"{shown}: it holds an HDF5 object that is not data.")
    except ModelRefusedError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise ModelRefusedError(
            f"{shown}: its weights cannot be read ({_reason(error)})."
        ) from None


# ---------------------------------------------------------------- memory


def check_memory(architecture: Architecture, stored: StoredWeights, shown: str) -> None:
    """Refuse a config whose layers need far more weights than the file stores, or whose layer
    outputs for one image are larger than ``architecture.MAX_ACTIVATION_ELEMENTS``."""
    implied = architecture.parameters
    if implied <= WEIGHT_SLACK_FACTOR * stored.values + WEIGHT_SLACK_VALUES:
        try:
            check_activations(architecture)
        except ModelRefusedError as error:
            raise ModelRefusedError(f"{shown}: {error}") from None
        return
    heaviest = architecture.heaviest
    detail = (
        f"; its layer '{heaviest.name}' ({heaviest.kind}) alone would take "
        f"{size_text(4 * heaviest.parameters)}"
        if heaviest is not None
        else ""
    )
    raise ModelRefusedError(
        f"{shown}: its layers would need {size_text(4 * implied)} of weights but the file stores "
        f"{size_text(stored.bytes)}{detail}; refused before allocating any."
    )
