"""Compiled passes that expose a layer's activations A and the gradients dy^c/dA.

Any Keras model works, including base models nested in a Sequential or functional wrapper: rather
than building a second model from ``layer.output`` (which fails with "Graph disconnected" for a
layer inside a sub-model), the chosen layers' ``call`` is wrapped while the graph is traced, so
their outputs are captured, or replaced, wherever they sit.

Two passes serve one Grad-CAM, so that a new class does not repeat the forward pass:

* ``forward``: x -> logits and the activations A of the chosen layers (one compiled forward pass).
* ``class_gradients``: (x, A, classes) -> dy^c/dA for each class. The layer's output is replaced
  by the given A, so the graph only runs what lies between A and the logits (TensorFlow prunes
  the unused ops before the layer when nothing else needs them). Several classes run as one batch.

``layer_gradients`` does one forward and one backward pass for many layers at once;
``layer_grad_cams`` does the same but reduces each layer to its Grad-CAM weights and signed map
inside the graph, so no layer's activations or gradients outlive the pass (the memory of
returning them for every layer of a network was a third of the app's). ``input_gradient`` gives
dy^c/dX, optionally with layer calls rerouted while it is traced (guided backprop routes every
ReLU through one that passes only positive gradients back).
Compiled functions are cached per (model, layers, score) and never retraced per class or call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from .layers import find_layer
from .modifiers import Head, probability_head

Score = Literal["logit", "softmax"]
SCORES: tuple[Score, ...] = ("logit", "softmax")

# Tracing swaps a layer's ``call`` for a moment; the lock keeps two threads from tracing at once.
TF_LOCK = threading.RLock()

# Each model keeps its own compiled functions, in this attribute. A module-level dictionary keyed
# weakly by the model never let go: its values (the functions) refer to the model, so a model
# evicted from the app's cache stayed alive with its weights; on the model itself, the two form a
# cycle that the garbage collector frees with the model.
_FUNCTIONS_ATTRIBUTE = "_gradcam_compiled_functions"
_TRACE_COUNT = 0  # number of graph traces: lets tests prove that calls reuse compiled functions

# A layer call rerouted while a pass is traced: wrapper(original call, args, kwargs) -> output.
LayerWrapper = Callable[[Callable, tuple, dict], tf.Tensor]


def trace_count() -> int:
    """How many times any pass was traced (compiled) in this process."""
    return _TRACE_COUNT


def _count_trace() -> None:
    global _TRACE_COUNT
    _TRACE_COUNT += 1


@dataclass(frozen=True)
class ForwardPass:
    """One forward pass: the logits and each chosen layer's activations for one image."""

    logits: np.ndarray  # (num_classes,)
    activations: dict[str, np.ndarray]  # layer path -> (h, w, k)


@contextmanager
def _wrapped_calls(wrappers: Mapping[keras.layers.Layer, LayerWrapper]) -> Iterator[None]:
    """Temporarily route each layer's ``call`` through ``wrapper(original, args, kwargs)``.

    Only the tracing thread sees the wrapper, so a model used elsewhere at the same time is safe.
    """
    owner = threading.get_ident()
    for layer, wrapper in wrappers.items():
        original = layer.call

        def routed(*args, _original=original, _wrapper=wrapper, **kwargs):
            if threading.get_ident() != owner:
                return _original(*args, **kwargs)
            return _wrapper(_original, args, kwargs)

        object.__setattr__(layer, "call", routed)
    try:
        yield
    finally:
        for layer in wrappers:
            layer.__dict__.pop("call", None)


def _capture(store: dict[str, tf.Tensor], path: str, tape: tf.GradientTape | None = None):
    """A wrapper that records the layer's first output (and lets the tape watch it)."""

    def wrapper(original: Callable, args: tuple, kwargs: dict) -> tf.Tensor:
        output = original(*args, **kwargs)
        if path not in store:
            if tape is not None:
                tape.watch(output)
            store[path] = output
        return output

    return wrapper


def _replace(given: tf.Tensor):
    """A wrapper that ignores the layer's input and returns the given activations instead."""

    def wrapper(original: Callable, args: tuple, kwargs: dict) -> tf.Tensor:
        return given

    return wrapper


def _scores(
    logits: tf.Tensor, class_indices: tf.Tensor, score: Score, head: Head = "softmax"
) -> tf.Tensor:
    """y^c for row i and class class_indices[i]: the logit, or the model's probability.

    The probability is softmax over the classes, or sigmoid(z_c) for a sigmoid head (see
    ``modifiers.probability_head``); ``score="softmax"`` names the probability either way.
    """
    if score == "softmax":
        values = tf.sigmoid(logits) if head == "sigmoid" else tf.nn.softmax(logits, axis=-1)
    else:
        values = logits
    rows = tf.range(tf.shape(class_indices)[0])
    return tf.gather_nd(values, tf.stack([rows, class_indices], axis=1))


def _input_spec(model: keras.Model, batch: int | None) -> tf.TensorSpec:
    shape = tuple(model.inputs[0].shape[1:]) if model.inputs else (None, None, 3)
    return tf.TensorSpec((batch, *shape), tf.float32)


def _cached(model: keras.Model, key: tuple, build: Callable[[], Callable]) -> Callable:
    with TF_LOCK:
        functions = model.__dict__.get(_FUNCTIONS_ATTRIBUTE)
        if functions is None:
            functions = {}
            object.__setattr__(model, _FUNCTIONS_ATTRIBUTE, functions)  # not tracked by Keras
        if key not in functions:
            functions[key] = build()
        return functions[key]


def _resolve(model: keras.Model, layers: Sequence[str]) -> list[tuple[str, keras.layers.Layer]]:
    return [find_layer(model, name) for name in layers]


def _forward_function(model: keras.Model, layers: tuple[str, ...]) -> Callable:
    resolved = _resolve(model, layers)

    def forward(x: tf.Tensor):
        _count_trace()
        store: dict[str, tf.Tensor] = {}
        with _wrapped_calls({layer: _capture(store, path) for path, layer in resolved}):
            logits = model(x, training=False)
        return logits, [store[path] for path, _ in resolved]

    return _compile(forward, [_input_spec(model, None)])


def _class_gradients_function(model: keras.Model, layer: str, score: Score) -> Callable:
    _, target = find_layer(model, layer)
    head = probability_head(model)

    def class_gradients(x: tf.Tensor, activations: tf.Tensor, class_indices: tf.Tensor):
        _count_trace()
        count = tf.shape(class_indices)[0]
        tiled_x = tf.repeat(x, count, axis=0)
        tiled_a = tf.repeat(activations, count, axis=0)
        with tf.GradientTape() as tape:
            tape.watch(tiled_a)
            with _wrapped_calls({target: _replace(tiled_a)}):
                logits = model(tiled_x, training=False)
            scores = _scores(logits, class_indices, score, head)
        return scores, tape.gradient(scores, tiled_a)

    return _compile(
        class_gradients,
        [
            _input_spec(model, 1),
            tf.TensorSpec([1, *target.output.shape[1:]], tf.float32),
            tf.TensorSpec([None], tf.int32),
        ],
    )


def _layers_backward(
    model: keras.Model,
    resolved: list[tuple[str, keras.layers.Layer]],
    x: tf.Tensor,
    class_index: tf.Tensor,
    score: Score,
) -> tuple[tf.Tensor, list[tf.Tensor], list[tf.Tensor]]:
    """Inside a traced pass: logits, each layer's A and dy^c/dA from one forward and one backward
    pass, y^c scored with the model's own head (softmax or sigmoid)."""
    store: dict[str, tf.Tensor] = {}
    with tf.GradientTape() as tape:
        wrappers = {layer: _capture(store, path, tape) for path, layer in resolved}
        with _wrapped_calls(wrappers):
            logits = model(x, training=False)
        score_value = _scores(logits, tf.reshape(class_index, [1]), score, probability_head(model))
    activations = [store[path] for path, _ in resolved]
    return logits, activations, tape.gradient(score_value, activations)


def _layer_gradients_function(model: keras.Model, layers: tuple[str, ...], score: Score):
    resolved = _resolve(model, layers)

    def layer_gradients(x: tf.Tensor, class_index: tf.Tensor):
        _count_trace()
        return _layers_backward(model, resolved, x, class_index, score)

    return _compile(layer_gradients, [_input_spec(model, 1), tf.TensorSpec([], tf.int32)])


def _layer_grad_cams_function(model: keras.Model, layers: tuple[str, ...], score: Score):
    resolved = _resolve(model, layers)

    def layer_grad_cams(x: tf.Tensor, class_index: tf.Tensor):
        _count_trace()
        logits, activations, gradients = _layers_backward(model, resolved, x, class_index, score)
        weights, maps, below_zero = [], [], []
        for a, g in zip(activations, gradients, strict=True):
            alpha = tf.reduce_mean(g[0], axis=(0, 1))  # alpha_k
            weights.append(alpha)
            maps.append(tf.tensordot(a[0], alpha, axes=[[2], [0]]))
            below_zero.append(tf.reduce_mean(tf.cast(a < 0, tf.float32)))  # signed layer?
        return logits, weights, maps, below_zero

    return _compile(layer_grad_cams, [_input_spec(model, 1), tf.TensorSpec([], tf.int32)])


def _input_gradient_function(
    model: keras.Model, score: Score, wrappers: Mapping[keras.layers.Layer, LayerWrapper]
) -> Callable:
    head = probability_head(model)

    def input_gradient(x: tf.Tensor, class_index: tf.Tensor):
        _count_trace()
        with tf.GradientTape() as tape:
            tape.watch(x)
            with _wrapped_calls(wrappers):
                logits = model(x, training=False)
            value = _scores(logits, tf.reshape(class_index, [1]), score, head)
        return value, tape.gradient(value, x)

    return _compile(input_gradient, [_input_spec(model, 1), tf.TensorSpec([], tf.int32)])


def _compile(fn: Callable, signature: list[tf.TensorSpec]) -> Callable:
    """Trace once for this signature, under the lock (tracing swaps layer calls)."""
    compiled = tf.function(fn, input_signature=signature, reduce_retracing=True)
    with TF_LOCK:
        return compiled.get_concrete_function()


def _check_image(x: np.ndarray) -> np.ndarray:
    array = np.asarray(x, dtype=np.float32)
    if array.ndim != 4 or array.shape[0] != 1:
        raise ValueError(
            f"Expected one preprocessed image of shape (1, H, W, C), got {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("The preprocessed image contains NaN or infinite values.")
    return array


def check_score(score: str) -> Score:
    """The score kind itself, or a ValueError naming the allowed ones."""
    if score not in SCORES:
        raise ValueError(f"Score must be one of {SCORES}, got {score!r}.")
    return score  # type: ignore[return-value]


def class_vector(class_indices: Sequence[int], num_classes: int) -> np.ndarray:
    indices = np.asarray(list(class_indices), dtype=np.int32).reshape(-1)
    if indices.size == 0:
        raise ValueError("Give at least one class index.")
    bad = indices[(indices < 0) | (indices >= num_classes)]
    if bad.size:
        raise ValueError(f"Class index {int(bad[0])} is outside 0..{num_classes - 1}.")
    return indices


def num_classes(model: keras.Model) -> int:
    """The size of the model's score vector."""
    return int(model.outputs[0].shape[-1])


def forward(model: keras.Model, x: np.ndarray, layers: Sequence[str] = ()) -> ForwardPass:
    """One compiled forward pass: logits and the activations of ``layers`` for one image."""
    array = _check_image(x)
    key = ("forward", tuple(layers))
    fn = _cached(model, key, lambda: _forward_function(model, tuple(layers)))
    logits, activations = fn(tf.constant(array))
    paths = [find_layer(model, name)[0] for name in layers]
    return ForwardPass(
        logits=logits.numpy()[0],
        activations={p: a.numpy()[0] for p, a in zip(paths, activations, strict=True)},
    )


def forward_batch(model: keras.Model, batch: np.ndarray) -> np.ndarray:
    """Logits for a batch of preprocessed images, through the same compiled forward pass."""
    fn = _cached(model, ("forward", ()), lambda: _forward_function(model, ()))
    logits, _ = fn(tf.constant(np.asarray(batch, dtype=np.float32)))
    return logits.numpy()


def class_gradients(
    model: keras.Model,
    x: np.ndarray,
    layer: str,
    activations: np.ndarray,
    class_indices: Sequence[int],
    score: Score = "logit",
) -> tuple[np.ndarray, np.ndarray]:
    """(y^c for each class (C,), dy^c/dA (C, h, w, k)), reusing activations from ``forward``."""
    check_score(score)
    indices = class_vector(class_indices, num_classes(model))
    path, _ = find_layer(model, layer)
    fn = _cached(
        model, ("gradients", path, score), lambda: _class_gradients_function(model, path, score)
    )
    scores, grads = fn(
        tf.constant(_check_image(x)),
        tf.constant(np.asarray(activations, dtype=np.float32)[None]),
        tf.constant(indices),
    )
    return scores.numpy(), grads.numpy()


def layer_gradients(
    model: keras.Model,
    x: np.ndarray,
    layers: Sequence[str],
    class_index: int,
    score: Score = "logit",
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """One forward and one backward pass for many layers: logits, {layer: (A, dy^c/dA)}."""
    check_score(score)
    (index,) = class_vector([class_index], num_classes(model))
    paths = tuple(find_layer(model, name)[0] for name in layers)
    fn = _cached(
        model, ("layers", paths, score), lambda: _layer_gradients_function(model, paths, score)
    )
    logits, activations, grads = fn(tf.constant(_check_image(x)), tf.constant(index))
    maps = {
        p: (a.numpy()[0], g.numpy()[0]) for p, a, g in zip(paths, activations, grads, strict=True)
    }
    return logits.numpy()[0], maps


def layer_grad_cams(
    model: keras.Model,
    x: np.ndarray,
    layers: Sequence[str],
    class_index: int,
    score: Score = "logit",
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray, float]]]:
    """Grad-CAM's alpha_k = mean_ij dy^c/dA^k_ij and raw = sum_k alpha_k A^k for many layers.

    One forward and one backward pass, as ``layer_gradients``, reduced in the graph (float64):
    logits and {layer: (alpha (K,), raw (h, w), share of A's values below 0)}.
    """
    check_score(score)
    (index,) = class_vector([class_index], num_classes(model))
    paths = tuple(find_layer(model, name)[0] for name in layers)
    fn = _cached(
        model,
        ("layer_grad_cams", paths, score),
        lambda: _layer_grad_cams_function(model, paths, score),
    )
    logits, weights, maps, below_zero = fn(tf.constant(_check_image(x)), tf.constant(index))
    return logits.numpy()[0], {
        p: (w.numpy(), m.numpy(), float(b))
        for p, w, m, b in zip(paths, weights, maps, below_zero, strict=True)
    }


def input_gradient(
    model: keras.Model,
    x: np.ndarray,
    class_index: int,
    score: Score = "logit",
    wrappers: Mapping[keras.layers.Layer, LayerWrapper] | None = None,
    name: str = "plain",
) -> np.ndarray:
    """dy^c/dX for one image (1, H, W, C) as (H, W, C), with ``wrappers`` rerouting layer calls.

    The pass is compiled once per (model, name, score): ``name`` stands for the wrappers, so give
    each set of wrappers its own name (``"guided"`` for guided backprop).
    """
    check_score(score)
    (index,) = class_vector([class_index], num_classes(model))
    routes = dict(wrappers or {})
    fn = _cached(
        model, ("input", name, score), lambda: _input_gradient_function(model, score, routes)
    )
    _, gradient = fn(tf.constant(_check_image(x)), tf.constant(index))
    return gradient.numpy()[0]
