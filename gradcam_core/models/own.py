"""Your own model: a Teachable Machine export, a tf_keras .h5 or a Keras 3 .keras, loaded safely.

``load_own_model`` runs every check of :mod:`.safety` on the file, rewrites its config into
Keras 3 form (:mod:`.legacy`), makes its final softmax or sigmoid linear in the config (so the
model returns logits and no copy is needed), and only then lets Keras build it
(``deserialize_keras_object(..., safe_mode=True)``, never compiled) and reads the weights.

What counts as an image classifier: one (H, W, 1 or 3) image input of fixed size, one (N, C)
output, at least one (h, w, c) feature map. C = 1 is a binary model: class 1 scores its logit z,
class 0 scores -z, with probabilities sigmoid(z) and 1 - sigmoid(z).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import keras
import numpy as np

from ..errors import LayerError, ModelRefusedError
from ..i18n import N_, Text
from ..labels import MAX_LABELS_BYTES, ClassLabels, numbered_labels, parse_labels
from ..layers import default_layer
from ..modifiers import Head, mark_head, signed_logit_view
from . import architecture, legacy, safety
from .classifier import Classifier
from .efficientnet_lite import file_sha256
from .preprocessing import for_model

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5", ".zip")
MAX_INPUT_SIDE = 4096

TEACHABLE_MACHINE = N_("Teachable Machine export")  # shown translated by the app
KERAS3_FILE = "Keras 3 .keras"
KERAS3_H5 = "Keras 3 .h5"
TF_KERAS_H5 = "tf_keras .h5"

# Layers that leave the pixel scale as it is, looked past to find a Rescaling or Normalization.
_SCALE_NEUTRAL = frozenset(
    {
        "InputLayer",
        "Resizing",
        "CenterCrop",
        "RandomCrop",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
    }
)

ModelSource = str | os.PathLike | bytes | BinaryIO


@dataclass(frozen=True)
class CheckedModel:
    """A model file that passed every check: its Keras 3 config with a linear head, and more."""

    config: dict[str, Any]
    architecture: architecture.Architecture
    weights: Path  # a Keras 3 .weights.h5, or the legacy .h5 itself
    legacy_weights: bool
    origin: str
    final_activation: str | None  # the softmax or sigmoid the config ended in (now linear)
    labels: bytes | None  # a labels file found beside the model (Teachable Machine's zip)
    suggested_preprocessing: str | None


def looks_like_path(source: object) -> bool:
    """True for a path (or a str ending in .keras/.h5/.zip, or naming an existing file)."""
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str):
        return False
    return source.lower().endswith(MODEL_SUFFIXES) or os.sep in source or Path(source).is_file()


def load_own_model(
    source: ModelSource,
    *,
    labels: ClassLabels | bytes | str | os.PathLike | None = None,
    preprocess: str | None = None,
    file_name: str | None = None,
) -> Classifier:
    """Check, rewrite and load a model file (path, bytes or binary file object) as a Classifier.

    ``labels``: class names (a labels file's path, bytes or text, or ClassLabels); else the
    file's own labels.txt, else 'class 0'... ``preprocess``: a preset name; else what the file
    says (Teachable Machine: 'tf'; a model starting with Rescaling or Normalization: 'raw'), else
    none and ``Classifier.preprocess`` asks for one. Refusals are one-line ModelRefusedError.
    """
    with tempfile.TemporaryDirectory(prefix="gradcam-model-") as work:
        path, shown = _materialize(source, file_name, Path(work))
        try:
            checked = inspect_model_file(path, shown, Path(work))
            digest = file_sha256(path)  # the file is size-checked already
            model = _build(checked, shown)
        except ModelRefusedError:
            raise
        except Exception as error:  # whatever the file: one line, never a traceback
            raise ModelRefusedError(
                Text(
                    "{shown} could not be loaded ({reason}).", shown=shown, reason=_one_line(error)
                )
            ) from None
    units = checked.architecture.outputs[0][-1]
    head: Head = "sigmoid" if checked.final_activation == "sigmoid" or units == 1 else "softmax"
    if units == 1:
        model = signed_logit_view(model)
    else:
        mark_head(model, head)
    classes = 2 if units == 1 else int(units or 0)
    height, width, channels = (int(d or 0) for d in checked.architecture.inputs[0])
    chosen = preprocess or checked.suggested_preprocessing
    return Classifier(
        model=model,
        labels=_labels(labels, checked.labels, classes, shown),
        preprocessing=None if chosen is None else for_model(chosen, (width, height), channels),
        head=head,
        default_layer=_default_layer(model, shown),
        origin=checked.origin,
        name=shown,
        title=shown,
        input_shape=(height, width, channels),
        parameters=checked.architecture.parameters,
        binary=units == 1,
        suggested_preprocessing=checked.suggested_preprocessing,
        file_name=shown,
        sha256=digest,
        notes=_notes(checked),
    )


def _materialize(source: ModelSource, file_name: str | None, work: Path) -> tuple[Path, str]:
    """A path on disk for the model (bytes are written to ``work``), and the name to show."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path, file_name or path.name
    shown = file_name or getattr(source, "name", None) or "the uploaded model"
    shown = PurePosixPath(str(shown)).name
    data = (
        source if isinstance(source, bytes | bytearray) else source.read(safety.MAX_MODEL_BYTES + 1)
    )
    if len(data) > safety.MAX_MODEL_BYTES:
        raise ModelRefusedError(
            Text(
                "{shown} is over the {limit} limit for models.",
                shown=shown,
                limit=safety.size_text(safety.MAX_MODEL_BYTES),
            )
        )
    path = work / ("upload" + (PurePosixPath(shown).suffix.lower() or ".bin"))
    path.write_bytes(bytes(data))
    return path, shown


# ---------------------------------------------------------------- checks, in order


def inspect_model_file(path: Path, shown: str, work: Path) -> CheckedModel:
    """Every check of the file, its config and its stored weights; nothing reaches Keras."""
    kind = safety.check_file(path, shown)
    labels = None
    if kind == "zip":
        config, weights, origin, labels = _open_zip(path, shown, work)
    else:
        config, version = safety.h5_model_config(path, shown)
        weights, origin = path, _h5_origin(version)
    config.pop("compile_config", None)  # optimizer, loss, metrics: never read, never passed on
    safety.check_config(config, shown)
    rewritten = legacy.to_keras3(config)
    safety.check_config(rewritten, shown, strict=True)
    arch = _summarize(rewritten, shown)
    safety.check_memory(arch, safety.check_weights_file(weights, shown), shown)
    check_image_classifier(arch, shown)
    activation = make_head_linear(rewritten)
    if arch.outputs[0][-1] == 1 and activation == "softmax":
        raise ModelRefusedError(
            Text(
                "{shown} has one output unit followed by softmax, which is always 1: there is "
                "nothing to explain.",
                shown=shown,
            )
        )
    if is_teachable_machine(rewritten) and origin != KERAS3_FILE:
        origin = TEACHABLE_MACHINE
    return CheckedModel(
        config=rewritten,
        architecture=arch,
        weights=weights,
        legacy_weights=origin != KERAS3_FILE,
        origin=origin,
        final_activation=activation,
        labels=labels,
        suggested_preprocessing=suggested_preprocessing(rewritten, origin),
    )


def _open_zip(path: Path, shown: str, work: Path) -> tuple[dict, Path, str, bytes | None]:
    """A .keras archive (config.json + model.weights.h5) or a Teachable Machine zip."""
    with safety.open_archive(path, shown) as archive:
        infos = safety.members(archive)
        by_name = {info.filename: info for info in infos}
        if "config.json" in by_name:
            unexpected = sorted(set(by_name) - safety.KERAS_MEMBERS)
            if unexpected or "model.weights.h5" not in by_name:
                what = (
                    Text("an unexpected {member}", member=unexpected[0])
                    if unexpected
                    else Text("no model.weights.h5")
                )
                raise ModelRefusedError(
                    Text(
                        "{shown} is a .keras archive with {what}; refused.", shown=shown, what=what
                    )
                )
            data = safety.read_member(
                archive, by_name["config.json"], safety.MAX_CONFIG_BYTES, shown
            )
            config = safety.parse_config(data, shown)
            weights = work / "model.weights.h5"
            safety.copy_member(archive, by_name["model.weights.h5"], weights, shown)
            return config, weights, KERAS3_FILE, None
        models = [i for i in infos if i.filename.lower().endswith((".h5", ".hdf5"))]
        label_files = [i for i in infos if PurePosixPath(i.filename).name.lower() == "labels.txt"]
        if len(models) != 1 or len(infos) != 1 + len(label_files) or len(label_files) > 1:
            raise ModelRefusedError(
                Text(
                    "{shown} is a zip but not a model archive: expected a .keras model "
                    "(config.json, model.weights.h5) or a Teachable Machine export "
                    "(keras_model.h5, labels.txt).",
                    shown=shown,
                )
            )
        weights = work / "model.h5"
        safety.copy_member(archive, models[0], weights, shown)
        labels = None
        if label_files:
            labels = safety.read_member(archive, label_files[0], MAX_LABELS_BYTES, shown)
    config, version = safety.h5_model_config(weights, shown)
    return config, weights, _h5_origin(version), labels


def _h5_origin(keras_version: str) -> str:
    return KERAS3_H5 if keras_version.startswith("3.") else TF_KERAS_H5


def _summarize(config: dict[str, Any], shown: str) -> architecture.Architecture:
    try:
        return architecture.summarize(config)
    except ModelRefusedError as error:
        raise ModelRefusedError(Text("{shown}: {error}", shown=shown, error=error)) from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise ModelRefusedError(
            Text(
                "{shown}: its config is malformed ({error}).",
                shown=shown,
                error=type(error).__name__,
            )
        ) from None


def _shape_text(shape: tuple) -> str:
    return "x".join("?" if d is None else str(d) for d in shape)


def check_image_classifier(arch: architecture.Architecture, shown: str) -> None:
    """One fixed-size (H, W, 1 or 3) input, one (N, C) output, a feature map: else one sentence."""
    if len(arch.inputs) != 1:
        raise ModelRefusedError(
            Text(
                "{shown} takes {count} inputs; an image classifier takes one image.",
                shown=shown,
                count=len(arch.inputs),
            )
        )
    shape = arch.inputs[0]
    if len(shape) == 1:
        raise ModelRefusedError(
            Text(
                "{shown} takes a vector of {shape} numbers, not an image.",
                shown=shown,
                shape=shape[0],
            )
        )
    if len(shape) != 3:
        raise ModelRefusedError(
            Text(
                "{shown} takes a {shape} array, not an image (height x width x channels).",
                shown=shown,
                shape=_shape_text(shape),
            )
        )
    height, width, channels = shape
    if height is None or width is None:
        raise ModelRefusedError(
            Text(
                "{shown} accepts images of any size ({shape}); save it with a fixed input size, "
                "such as keras.Input((224, 224, 3)).",
                shown=shown,
                shape=_shape_text(shape),
            )
        )
    if channels not in (1, 3):
        raise ModelRefusedError(
            Text(
                "{shown} takes images with {channels} channels; only 1 (grey) or 3 (RGB) work "
                "here.",
                shown=shown,
                channels=channels,
            )
        )
    if max(height, width) > MAX_INPUT_SIDE:
        raise ModelRefusedError(
            Text(
                "{shown} takes {height}x{width} images, over {limit} pixels a side.",
                shown=shown,
                height=height,
                width=width,
                limit=MAX_INPUT_SIDE,
            )
        )
    if len(arch.outputs) != 1:
        raise ModelRefusedError(
            Text(
                "{shown} has {count} outputs; a classifier has one.",
                shown=shown,
                count=len(arch.outputs),
            )
        )
    output = arch.outputs[0]
    if len(output) != 1:
        raise ModelRefusedError(
            Text(
                "{shown}: this model outputs a {shape} map, not class scores.",
                shown=shown,
                shape=_shape_text(output),
            )
        )
    if arch.feature_maps == 0:
        raise ModelRefusedError(
            Text(
                "{shown} has no convolutional feature map (no 4-D layer) for Grad-CAM to explain.",
                shown=shown,
            )
        )


# ---------------------------------------------------------------- reading the config


def _non_inputs(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [x for x in entry["config"]["layers"] if x.get("class_name") != "InputLayer"]


def _output_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """The config entry of the layer that produces the model's output (inside nested models)."""
    if entry.get("class_name") == "Sequential":
        last = _non_inputs(entry)[-1]
    elif entry.get("class_name") == "Functional":
        outputs = entry["config"]["output_layers"]
        name = outputs[0] if isinstance(outputs[0], str) else outputs[0][0]
        last = next(
            x
            for x in entry["config"]["layers"]
            if (x.get("name") or x["config"].get("name")) == name
        )
    else:
        return entry
    return _output_entry(last) if last.get("class_name") in architecture.MODEL_CLASSES else last


def make_head_linear(config: dict[str, Any]) -> str | None:
    """Make the output layer's softmax or sigmoid linear, in place; return which it was."""
    entry = _output_entry(config)
    settings = entry["config"]
    if entry.get("class_name") == "Softmax":
        keep = {k: settings[k] for k in ("name", "trainable", "dtype") if k in settings}
        entry.update(class_name="Activation", config={**keep, "activation": "linear"})
        return "softmax"
    activation = settings.get("activation")
    if activation in ("softmax", "sigmoid"):
        settings["activation"] = "linear"
        return activation
    return None


def _in_order(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Leaf layer entries from the input side, descending into nested models."""
    for layer in entry["config"]["layers"]:
        if layer.get("class_name") in architecture.MODEL_CLASSES:
            yield from _in_order(layer)
        else:
            yield layer


def suggested_preprocessing(config: dict[str, Any], origin: str) -> str | None:
    """'tf' for Teachable Machine, 'raw' for a model that scales its own input, else None."""
    if origin == TEACHABLE_MACHINE:
        return "tf"
    first = next((x for x in _in_order(config) if x.get("class_name") not in _SCALE_NEUTRAL), None)
    if first is not None and first.get("class_name") in ("Rescaling", "Normalization"):
        return "raw"
    return None


def is_teachable_machine(config: dict[str, Any]) -> bool:
    """Sequential[Sequential[backbone, GlobalAveragePooling2D], Sequential[Dense, ..., Dense]]."""
    if config.get("class_name") != "Sequential":
        return False
    parts = _non_inputs(config)
    if len(parts) != 2 or any(p.get("class_name") != "Sequential" for p in parts):
        return False
    body, head = (_non_inputs(p) for p in parts)
    return (
        [x.get("class_name") for x in body] == ["Functional", "GlobalAveragePooling2D"]
        and bool(head)
        and all(x.get("class_name") == "Dense" for x in head)
    )


# ---------------------------------------------------------------- building


def _one_line(error: BaseException) -> str:
    """Keras' message in one short line: its innermost 'Exception encountered' if it has one."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    inner = [line for line in lines if line.startswith("Exception encountered:")]
    if inner:
        text = inner[-1].removeprefix("Exception encountered:").strip()
    elif lines:
        text = lines[0]
        if text.endswith(":") and len(lines) > 1:  # the detail is on the next line
            text = f"{text} {lines[1]}"
    else:
        text = type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


_UNSET = {
    "module": "keras.initializers",
    "class_name": "Constant",
    "config": {"value": float("nan")},
    "registered_name": None,
}


def unset_initializers(config: Any) -> Any:
    """The config with every initializer set to NaN: the file's weights must replace them all,
    which ``_check_every_weight_read`` then verifies; and Keras need not draw random numbers (or
    run an Orthogonal initializer's QR) for weights it is about to overwrite."""
    if isinstance(config, list):
        return [unset_initializers(v) for v in config]
    if not isinstance(config, dict):
        return config
    return {
        k: dict(_UNSET) if k.endswith("_initializer") and v is not None else unset_initializers(v)
        for k, v in config.items()
    }


def _check_every_weight_read(model: keras.Model, shown: str) -> None:
    """Refuse a model with a weight the file did not provide (still NaN from unset_initializers)."""
    for variable in model.weights:
        if "float" in str(variable.dtype) and np.isnan(variable.numpy()).any():
            raise ModelRefusedError(
                Text(
                    "{shown}: the file stores no weights for {path}.",
                    shown=shown,
                    path=variable.path,
                )
            )


def _build(checked: CheckedModel, shown: str) -> keras.Model:
    """Keras builds the checked config (safe mode, not compiled) and reads the weights."""
    try:
        config = unset_initializers(checked.config)
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as error:  # Keras raises many types for configs it cannot build
        raise ModelRefusedError(
            Text(
                "{shown}: Keras could not build it ({reason}).",
                shown=shown,
                reason=_one_line(error),
            )
        ) from None
    if not isinstance(model, keras.Model):
        raise ModelRefusedError(Text("{shown}: the config did not build a model.", shown=shown))
    try:
        if checked.legacy_weights:
            legacy.assign_h5_weights(model, checked.weights, shown)
        else:
            model.load_weights(checked.weights)
    except ModelRefusedError:
        raise
    except Exception as error:  # shape or count mismatches surface as several types
        raise ModelRefusedError(
            Text(
                "{shown}: its weights do not fit its layers ({reason}).",
                shown=shown,
                reason=_one_line(error),
            )
        ) from None
    _check_every_weight_read(model, shown)
    return model


def _default_layer(model: keras.Model, shown: str) -> str:
    try:
        return default_layer(model)
    except LayerError:
        raise ModelRefusedError(
            Text("{shown} has no feature map for Grad-CAM.", shown=shown)
        ) from None


def _labels(
    given: ClassLabels | bytes | str | os.PathLike | None,
    found: bytes | None,
    count: int,
    shown: str,
) -> ClassLabels:
    if isinstance(given, ClassLabels):
        if len(given) != count:
            raise ModelRefusedError(
                Text(
                    "{count} class names given for {shown}'s {classes} classes.",
                    count=len(given),
                    shown=shown,
                    classes=count,
                )
            )
        return given
    if isinstance(given, os.PathLike):
        path = Path(given)
        try:
            data = path.read_bytes()
        except OSError:
            raise ModelRefusedError(
                Text("Labels file not found or unreadable: {name}.", name=path.name)
            ) from None
        return parse_labels(data, count, path.name)
    if given is not None:
        return parse_labels(given, count)
    if found is not None:
        return parse_labels(found, count, f"{shown}'s labels.txt")
    return numbered_labels(count)


def _notes(checked: CheckedModel) -> tuple[str, ...]:
    notes = []
    if checked.final_activation:
        notes.append(f"the final {checked.final_activation} is looked through: scores are logits")
    if checked.architecture.outputs[0][-1] == 1:
        notes.append("one output unit: class 1 scores z, class 0 scores -z")
    if checked.origin != KERAS3_FILE:
        notes.append("config rewritten into Keras 3 form")
    return tuple(notes)
