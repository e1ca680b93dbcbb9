"""The original CAM (Zhou et al., 2016), for models ending in global average pooling + Dense.

Also the two helpers shared by the methods whose weights do not come from one layer's gradient
(CAM, Score-CAM, Eigen-CAM): the class score from the logits, and a result from given weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from .. import engine
from ..engine import ForwardPass, Score
from ..labels import softmax
from ..layers import find_layer
from .base import BaseCAM, CamResult, cam_result


def class_score(logits: np.ndarray, class_index: int, score: Score) -> float:
    """y^c: logits[c], or softmax(logits)[c]."""
    if score not in engine.SCORES:
        raise ValueError(f"Score must be one of {engine.SCORES}, got {score!r}.")
    values = softmax(logits) if score == "softmax" else np.asarray(logits, dtype=np.float64)
    return float(values[int(class_index)])


def result_from_weights(
    method: str,
    activations: np.ndarray,
    weights: np.ndarray,
    *,
    layer: str,
    class_index: int,
    score_kind: Score,
    score: float,
) -> CamResult:
    """The CamResult of raw = sum_k w_k A^k for weights found without the layer's gradient."""
    activations = np.asarray(activations, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if activations.ndim != 3 or weights.shape != activations.shape[2:]:
        raise ValueError(
            f"Need activations (h, w, k) and k weights; got {activations.shape} and "
            f"{weights.shape}."
        )
    raw = np.tensordot(activations, weights, axes=([2], [0]))
    return cam_result(
        method,
        raw,
        weights,
        layer=layer,
        class_index=class_index,
        score_kind=score_kind,
        score=score,
    )


def _source(tensor) -> tuple[keras.Operation, list]:
    """The leaf layer that produced a symbolic tensor and that call's inputs (enters sub-models)."""
    operation, node_index, tensor_index = tensor._keras_history
    while isinstance(operation, keras.Model):
        tensor = operation.outputs[tensor_index]
        operation, node_index, tensor_index = tensor._keras_history
    return operation, list(operation._inbound_nodes[node_index].input_tensors)


def _activation_name(layer: keras.Operation) -> str | None:
    return getattr(getattr(layer, "activation", None), "__name__", None)


def _is_output_activation(layer: keras.Operation) -> bool:
    """A softmax or linear layer after the logits (CAM uses the Dense output before it)."""
    if isinstance(layer, keras.layers.Softmax):
        return True
    return isinstance(layer, keras.layers.Activation) and _activation_name(layer) in (
        "softmax",
        "linear",
    )


def _not_cam(reason: str) -> ValueError:
    return ValueError(
        "CAM needs a model that ends in global average pooling and one Dense layer, with the "
        f"chosen layer feeding the pooling; {reason}"
    )


def cam_dense_layer(model: keras.Model, layer: str) -> keras.layers.Dense:
    """The Dense of a "layer -> GAP -> [Dropout] -> Dense" head, or a ValueError saying why not."""
    path, target = find_layer(model, layer)
    if not model.outputs:
        raise _not_cam("this model has no symbolic outputs to inspect.")
    operation, inputs = _source(model.outputs[0])
    while _is_output_activation(operation):
        operation, inputs = _source(inputs[0])
    if not isinstance(operation, keras.layers.Dense):
        raise _not_cam(f"its output comes from {type(operation).__name__} '{operation.name}'.")
    if _activation_name(operation) not in ("linear", "softmax"):
        raise _not_cam(
            f"the Dense layer '{operation.name}' has a {_activation_name(operation)} activation."
        )
    dense = operation
    operation, inputs = _source(inputs[0])
    while isinstance(operation, keras.layers.Dropout):
        operation, inputs = _source(inputs[0])
    if not isinstance(operation, keras.layers.GlobalAveragePooling2D) or operation.keepdims:
        raise _not_cam(f"'{dense.name}' is fed by {type(operation).__name__} '{operation.name}'.")
    if operation.data_format != "channels_last":
        raise _not_cam("the pooling is channels_first.")
    feeder, _ = _source(inputs[0])
    if feeder is not target:
        raise _not_cam(f"the pooling is fed by '{feeder.name}', not by '{path}'.")
    return dense


def supports_cam(model: keras.Model, layer: str) -> bool:
    """True when CAM applies to this model and layer (see ``cam_dense_layer``)."""
    try:
        cam_dense_layer(model, layer)
    except ValueError:
        return False
    return True


class CAM(BaseCAM):
    """w_k = W_kc, the Dense weight of channel k for class c; map = sum_k W_kc A^k.

    Only for a layer -> global average pooling -> [dropout] -> Dense head, where the logit is
    y^c = sum_k W_kc mean_ij A^k_ij + b_c. Grad-CAM's weights there are W_kc / (h w), so Grad-CAM
    is CAM divided by h w. The weights never depend on ``score``; it only picks which score is
    reported. Give a model that returns logits (``gc.logits_view``), or the softmax score is off.
    """

    name = "CAM"
    formula = (
        r"L^c=\mathrm{ReLU}\Big(\sum_k W^c_k A^k\Big),\quad y^c=\sum_k W^c_k\,\mathrm{GAP}(A^k)+b^c"
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        raise TypeError("CAM's weights are the model's Dense kernel: call it with the model.")

    def from_forward(
        self,
        model: keras.Model,
        x: np.ndarray,
        forward_pass: ForwardPass,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps for several classes from one forward pass; no gradient is needed."""
        path, _ = find_layer(model, layer)
        kernel = keras.ops.convert_to_numpy(cam_dense_layer(model, path).kernel).astype(np.float64)
        indices = engine.class_vector(class_indices, kernel.shape[1])
        activations = forward_pass.activations[path]
        return [
            result_from_weights(
                self.name,
                activations,
                kernel[:, c],
                layer=path,
                class_index=int(c),
                score_kind=score,
                score=class_score(forward_pass.logits, int(c), score),
            )
            for c in indices
        ]
