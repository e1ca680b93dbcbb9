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
from ..i18n import N_, Text
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
    "Lambda": N_("a Lambda layer (Python code), which is never run here"),
    "TFOpLambda": N_("TensorFlow operations saved as code (TFOpLambda), which are never run here"),
    "SlicingOpLambda": N_("TensorFlow slicing saved as code (SlicingOpLambda), never run here"),
    "TFSMLayer": N_("a TFSMLayer, which would load a TensorFlow SavedModel from disk"),
    "TorchModuleWrapper": N_("a TorchModuleWrapper (a pickled PyTorch module)"),
    "JaxLayer": N_("a JaxLayer (Python code)"),
    "FlaxLayer": N_("a FlaxLayer (Python code)"),
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
    (b"\x89PNG\r\n\x1a\n", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"RIFF", N_("a RIFF (WebP or WAV) file")),
    (b"BM", N_("a BMP image")),
    (b"%PDF", N_("a PDF document")),
    (b"\x80", N_("a Python pickle")),
    (b"\x08", N_("a protocol buffer (SavedModel or .pb)")),
)


def size_text(count: float) -> str | Text:
    """Bytes as '2.3 MB', '3.0 GB', '40 kB' (and '12 bytes', a message shown translated)."""
    for unit, scale in (("GB", 1024**3), ("MB", MB), ("kB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return Text("{count} bytes", count=int(count))


# ---------------------------------------------------------------- the file and its archive


def check_file(path: Path, shown: str) -> str:
    """The file's kind from its first bytes, 'zip' or 'hdf5'; anything else is refused."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelRefusedError(
            Text("File not found: {name}. Check the path.", name=shown)
        ) from None
    if not path.is_file():
        raise ModelRefusedError(Text("{shown} is not a file.", shown=shown))
    if size == 0:
        raise ModelRefusedError(Text("{shown} is empty.", shown=shown))
    if size > MAX_MODEL_BYTES:
        raise ModelRefusedError(
            Text(
                "{shown} is {size:,} bytes, over the {limit} limit for models.",
                shown=shown,
                size=size,
                limit=size_text(MAX_MODEL_BYTES),
            )
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    kind = next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)
    if kind in ("zip", "hdf5"):
        return kind
    if kind is not None:
        raise ModelRefusedError(
            Text(
                "{shown} is {kind}, not a Keras model (.keras, .h5 or .zip).",
                shown=shown,
                kind=Text(kind),
            )
        )
    if _looks_like_text(head):
        raise ModelRefusedError(
            Text("{shown} is a text file, not a Keras model (.keras, .h5 or .zip).", shown=shown)
        )
    raise ModelRefusedError(
        Text("{shown} is not a Keras model: neither a zip archive nor HDF5.", shown=shown)
    )


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
            Text("{shown} is not a complete zip archive (damaged or cut short).", shown=shown)
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
        raise ModelRefusedError(
            Text(
                "{shown} holds {count} files; a model archive holds a few.",
                shown=shown,
                count=len(infos),
            )
        )
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ModelRefusedError(Text("{shown}: {name} is encrypted.", shown=shown, name=name))
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise ModelRefusedError(
                Text(
                    "{shown}: the member name '{name}' is not a plain path.",
                    shown=shown,
                    name=name,
                )
            )
        if info.file_size > MAX_MEMBER_BYTES:
            raise ModelRefusedError(
                Text(
                    "{shown}: {name} would inflate to {size} (limit {limit}).",
                    shown=shown,
                    name=name,
                    size=size_text(info.file_size),
                    limit=size_text(MAX_MEMBER_BYTES),
                )
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ModelRefusedError(
                Text(
                    "{shown}: {name} would inflate {ratio:.0f}-fold to {size} (a zip bomb; the "
                    "limit is {limit}-fold).",
                    shown=shown,
                    name=name,
                    ratio=ratio,
                    size=size_text(info.file_size),
                    limit=MAX_RATIO,
                )
            )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, shown: str) -> bytes:
    """A member's bytes, refusing more than ``limit`` or than its header declared."""
    if info.file_size > limit:
        raise ModelRefusedError(
            Text(
                "{shown}: {name} is {size}, over the {limit} limit.",
                shown=shown,
                name=info.filename,
                size=size_text(info.file_size),
                limit=size_text(limit),
            )
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(min(limit, info.file_size) + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ModelRefusedError(
            Text(
                "{shown}: {name} is damaged ({reason}).",
                shown=shown,
                name=info.filename,
                reason=_reason(error),
            )
        ) from None
    if len(data) > info.file_size:
        raise ModelRefusedError(_more_than_declared(shown, info.filename))
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
            Text(
                "{shown}: {name} is damaged ({reason}).",
                shown=shown,
                name=info.filename,
                reason=_reason(error),
            )
        ) from None


class _Capped:
    """A reader that refuses to yield more than ``limit`` bytes in all."""

    def __init__(self, source: Any, limit: int, shown: str, name: str) -> None:
        self.source, self.left, self.shown, self.name = source, limit, shown, name

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(1024 * 1024 if size < 0 else min(size, 1024 * 1024))
        self.left -= len(chunk)
        if self.left < 0:
            raise ModelRefusedError(_more_than_declared(self.shown, self.name))
        return chunk


def _more_than_declared(shown: str, name: str) -> Text:
    return Text("{shown}: {name} holds more than its header declares.", shown=shown, name=name)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:120] if text else type(error).__name__


# ---------------------------------------------------------------- config


def parse_config(data: bytes | str, shown: str) -> dict[str, Any]:
    """The JSON config as a dict; size, syntax and depth checked."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ModelRefusedError(
            Text(
                "{shown}: the model config is {size}, over the {limit} limit.",
                shown=shown,
                size=size_text(len(data)),
                limit=size_text(MAX_CONFIG_BYTES),
            )
        )
    try:
        config = json.loads(data)
    except RecursionError:
        raise ModelRefusedError(_nested_too_deeply(shown)) from None
    except (ValueError, UnicodeDecodeError):
        raise ModelRefusedError(
            Text("{shown}: the model config is not valid JSON.", shown=shown)
        ) from None
    if not isinstance(config, dict):
        raise ModelRefusedError(
            Text("{shown}: the model config is not a JSON object.", shown=shown)
        )
    return config


def _nested_too_deeply(shown: str) -> Text:
    return Text("{shown}: the model config is nested too deeply.", shown=shown)


def h5_model_config(path: Path, shown: str) -> tuple[dict[str, Any], str]:
    """The ``model_config`` attribute of a Keras .h5 file (the weights are not read), and its
    ``keras_version``."""
    with open_h5(path, shown) as f:
        if "model_config" not in f.attrs:
            raise ModelRefusedError(
                Text(
                    "{shown} holds weights only (no model_config); save the whole model, not just "
                    "its weights.",
                    shown=shown,
                )
            )
        text = _h5_text_attribute(f, "model_config", MAX_CONFIG_BYTES, shown)
        version = (
            _h5_text_attribute(f, "keras_version", 64, shown) if "keras_version" in f.attrs else ""
        )
        if "model_weights" not in f:
            raise ModelRefusedError(
                Text("{shown} has a model config but no stored weights.", shown=shown)
            )
    return parse_config(text, shown), version


def open_h5(path: Path, shown: str) -> h5py.File:
    """Open an HDF5 file read-only, or refuse it in one line."""
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as error:
        raise ModelRefusedError(
            Text(
                "{shown} is not a readable HDF5 file (damaged or cut short: {reason}).",
                shown=shown,
                reason=_reason(error),
            )
        ) from None


def _h5_text_attribute(f: h5py.File, name: str, limit: int, shown: str) -> str:
    try:
        size = f.attrs.get_id(name).get_storage_size()
        if size > limit:
            raise ModelRefusedError(
                Text(
                    "{shown}: its {name} is {size}, over the {limit} limit.",
                    shown=shown,
                    name=name,
                    size=size_text(size),
                    limit=size_text(limit),
                )
            )
        value = f.attrs[name]
    except ModelRefusedError:
        raise
    except (OSError, ValueError, TypeError) as error:
        raise ModelRefusedError(
            Text(
                "{shown}: its {name} cannot be read ({reason}).",
                shown=shown,
                name=name,
                reason=_reason(error),
            )
        ) from None
    if hasattr(value, "tolist") and not isinstance(value, bytes | str):
        value = value.tolist()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    raise ModelRefusedError(Text("{shown}: its {name} is not text.", shown=shown, name=name))


def check_config(config: dict[str, Any], shown: str, strict: bool = False) -> None:
    """Refuse any object in the config that is not a Keras built-in, or that names code or files.

    ``strict`` (for the rewritten config Keras will receive) also requires each object's module
    to be the one Keras 3 itself writes.
    """
    for value, depth in _walk(config, shown):
        if depth > MAX_CONFIG_DEPTH:
            raise ModelRefusedError(_nested_too_deeply(shown))
        if isinstance(value, dict):
            for key in _FILE_KEYS & value.keys():
                if isinstance(value[key], str):
                    raise ModelRefusedError(
                        Text(
                            "{shown}: a layer setting names a file on disk ('{path}').",
                            shown=shown,
                            path=value[key],
                        )
                    )
            if "class_name" in value:
                _check_object(value, shown, strict)
            for key in ("activation", "recurrent_activation"):
                if isinstance(value.get(key), str) and value[key] not in ACTIVATIONS:
                    raise ModelRefusedError(
                        Text(
                            "{shown}: the activation '{activation}' is not a Keras built-in.",
                            shown=shown,
                            activation=value[key],
                        )
                    )


def _walk(config: Any, shown: str) -> Iterator[tuple[Any, int]]:
    """Every dict and list in the config, with its depth, without recursion."""
    stack = [(config, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_CONFIG_OBJECTS:
            raise ModelRefusedError(Text("{shown}: the model config is too large.", shown=shown))
        yield value, depth
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in children if isinstance(v, dict | list))


def _check_object(entry: dict[str, Any], shown: str, strict: bool) -> None:
    kind = entry["class_name"]
    module = entry.get("module")
    registered = entry.get("registered_name")
    if not isinstance(kind, str) or not isinstance(module, str | None):
        raise ModelRefusedError(
            Text("{shown}: the model config has a malformed object.", shown=shown)
        )
    if kind in _CODE_LAYERS:
        raise ModelRefusedError(
            Text("{shown} contains {what}; refused.", shown=shown, what=Text(_CODE_LAYERS[kind]))
        )
    if kind in _FILE_LAYERS:
        raise ModelRefusedError(
            Text(
                "{shown} contains a {kind} layer, which reads a vocabulary (possibly a file on "
                "disk); refused: image classifiers do not need one.",
                shown=shown,
                kind=kind,
            )
        )
    if module is not None and not _keras_module(module):
        target = entry.get("config") if kind == "function" else kind
        code = f"{module}.{target}"
        raise ModelRefusedError(
            Text(
                "{shown} names Python code outside Keras ({code}); refused.",
                shown=shown,
                code=code,
            )
        )
    if kind == "function":
        _check_function(entry, shown)
        return
    if module == OPS_MODULE:
        if kind not in OPS or registered not in (None, kind):
            raise ModelRefusedError(
                Text(
                    "{shown} uses the Keras operation '{kind}', which is not accepted.",
                    shown=shown,
                    kind=kind,
                )
            )
        return
    if kind not in _ALLOWED_CLASSES:
        raise ModelRefusedError(
            Text(
                "{shown} uses '{kind}', which is not one of the Keras built-in image layers "
                "accepted here (no custom objects).",
                shown=shown,
                kind=kind,
            )
        )
    if registered not in (None, kind):
        raise ModelRefusedError(
            Text(
                "{shown} uses a custom object registered as '{registered}'; refused.",
                shown=shown,
                registered=registered,
            )
        )
    if strict and module is not None and module != _expected_module(kind):
        raise ModelRefusedError(
            Text(
                "{shown}: '{kind}' comes from the unexpected module '{module}'.",
                shown=shown,
                kind=kind,
                module=module,
            )
        )


def _keras_module(module: str) -> bool:
    return module in ("keras", "tf_keras") or module.startswith(("keras.", "tf_keras."))


def _check_function(entry: dict[str, Any], shown: str) -> None:
    """A function object may only be one of Keras' built-in activations."""
    name = entry.get("config")
    if entry.get("module") not in ACTIVATION_MODULES or name not in ACTIVATIONS:
        function = f"{entry.get('module')}.{name}"
        raise ModelRefusedError(
            Text(
                "{shown} names the function '{function}', which is not a Keras activation; "
                "refused.",
                shown=shown,
                function=function,
            )
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
                raise ModelRefusedError(
                    Text(
                        "{shown}: the stored array '{name}' is not numeric.",
                        shown=shown,
                        name=name,
                    )
                )
            if dataset.is_virtual or dataset.external:
                raise ModelRefusedError(
                    Text(
                        "{shown}: the stored array '{name}' points at other files.",
                        shown=shown,
                        name=name,
                    )
                )
            count = (
                math.prod(dataset.shape) if dataset.shape else (0 if dataset.shape is None else 1)
            )
            arrays += 1
            values += count
            declared += count * dataset.dtype.itemsize
    if declared > 2 * file_bytes + MB:
        raise ModelRefusedError(
            Text(
                "{shown}: its stored arrays declare {declared} in a file of {size} (an HDF5 "
                "shape bomb).",
                shown=shown,
                declared=size_text(declared),
                size=size_text(file_bytes),
            )
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
                raise ModelRefusedError(
                    Text("{shown}: its HDF5 groups are nested too deeply.", shown=shown)
                )
            for name in group:
                seen += 1
                if seen > MAX_H5_OBJECTS:
                    raise ModelRefusedError(
                        Text("{shown}: it holds too many HDF5 objects.", shown=shown)
                    )
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    raise ModelRefusedError(
                        Text(
                            "{shown}: it links to '{name}' elsewhere (an HDF5 {link}).",
                            shown=shown,
                            name=name,
                            link=type(link).__name__,
                        )
                    )
                item = group[name]
                if isinstance(item, h5py.Group):
                    stack.append((item, depth + 1))
                elif isinstance(item, h5py.Dataset):
                    yield f"{group.name}/{name}", item
                else:
                    raise ModelRefusedError(
                        Text("{shown}: it holds an HDF5 object that is not data.", shown=shown)
                    )
    except ModelRefusedError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise ModelRefusedError(
            Text(
                "{shown}: its weights cannot be read ({reason}).",
                shown=shown,
                reason=_reason(error),
            )
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
            raise ModelRefusedError(
                Text("{shown}: {reason}", shown=shown, reason=error.args[0])
            ) from None
        return
    heaviest = architecture.heaviest
    if heaviest is None:
        raise ModelRefusedError(
            Text(
                "{shown}: its layers would need {needed} of weights but the file stores "
                "{stored}; refused before allocating any.",
                shown=shown,
                needed=size_text(4 * implied),
                stored=size_text(stored.bytes),
            )
        )
    raise ModelRefusedError(
        Text(
            "{shown}: its layers would need {needed} of weights but the file stores {stored}; "
            "its layer '{layer}' ({kind}) alone would take {heaviest}; refused before allocating "
            "any.",
            shown=shown,
            needed=size_text(4 * implied),
            stored=size_text(stored.bytes),
            layer=heaviest.name,
            kind=heaviest.kind,
            heaviest=size_text(4 * heaviest.parameters),
        )
    )
