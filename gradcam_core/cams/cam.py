"""The original CAM (Zhou et al., 2016), for models ending in global average pooling + Dense."""

from __future__ import annotations

import keras
import numpy as np

from ..i18n import N_, Text
from ..layers import find_layer
from .base import BaseCAM, LayerInputs


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


def _not_cam(reason: Text) -> ValueError:
    return ValueError(
        Text(
            "CAM needs a model that ends in global average pooling and one Dense layer, with the "
            "chosen layer feeding the pooling; {reason}",
            reason=reason,
        )
    )


def cam_dense_layer(model: keras.Model, layer: str) -> keras.layers.Dense:
    """The Dense of a "layer -> GAP -> [Dropout] -> Dense" head, or a ValueError saying why not."""
    path, target = find_layer(model, layer)
    if not model.outputs:
        raise _not_cam(Text("this model has no symbolic outputs to inspect."))
    operation, inputs = _source(model.outputs[0])
    while _is_output_activation(operation):
        operation, inputs = _source(inputs[0])
    if not isinstance(operation, keras.layers.Dense):
        raise _not_cam(
            Text(
                "its output comes from {kind} '{name}'.",
                kind=type(operation).__name__,
                name=operation.name,
            )
        )
    if _activation_name(operation) not in ("linear", "softmax"):
        raise _not_cam(
            Text(
                "the Dense layer '{name}' has a {activation} activation.",
                name=operation.name,
                activation=_activation_name(operation),
            )
        )
    dense = operation
    operation, inputs = _source(inputs[0])
    while isinstance(operation, keras.layers.Dropout):
        operation, inputs = _source(inputs[0])
    if not isinstance(operation, keras.layers.GlobalAveragePooling2D) or operation.keepdims:
        raise _not_cam(
            Text(
                "'{dense}' is fed by {kind} '{name}'.",
                dense=dense.name,
                kind=type(operation).__name__,
                name=operation.name,
            )
        )
    if operation.data_format != "channels_last":
        raise _not_cam(Text("the pooling is channels_first."))
    feeder, _ = _source(inputs[0])
    if feeder is not target:
        raise _not_cam(
            Text(
                "the pooling is fed by '{feeder}', not by '{layer}'.",
                feeder=feeder.name,
                layer=path,
            )
        )
    return dense


def supports_cam(model: keras.Model, layer: str) -> bool:
    """True when CAM applies to this model and layer (see ``cam_dense_layer``)."""
    return CAM.unsupported_reason(model, layer) is None


class CAM(BaseCAM):
    """w_k = W_kc, the Dense weight of channel k for class c; map = sum_k W_kc A^k.

    Only for a layer -> global average pooling -> [dropout] -> Dense head, where the logit is
    y^c = sum_k W_kc mean_ij A^k_ij + b_c. Grad-CAM's weights there are W_kc / (h w), so Grad-CAM
    is CAM divided by h w. The weights never depend on ``score``; it only picks which score is
    reported.
    """

    name = "CAM"
    formula = (
        r"L^c=\mathrm{ReLU}\Big(\sum_k W^c_k A^k\Big),\quad y^c=\sum_k W^c_k\,\mathrm{GAP}(A^k)+b^c"
    )
    note = N_(
        "The original: the weights are the classifier's own Dense weights, which exist only "
        "when the layer is pooled straight into one Dense layer."
    )
    uses_gradients = False
    gradcam_equivalence = N_("here Grad-CAM's α_k = W^c_k / (h·w)")

    @classmethod
    def unsupported_reason(cls, model: keras.Model, layer: str) -> Text | None:
        """None when the layer feeds a GAP -> Dense head, else why CAM does not apply (a
        message rendered when shown)."""
        try:
            cam_dense_layer(model, layer)
        except ValueError as error:
            reason = error.args[0]
            return reason if isinstance(reason, Text) else Text("{reason}", reason=str(reason))
        return None

    def class_weights(self, inputs: LayerInputs) -> list[np.ndarray]:
        """Column c of the Dense kernel, for each class asked."""
        model, _ = inputs.model_and_input(self.name)
        kernel = keras.ops.convert_to_numpy(cam_dense_layer(model, inputs.layer).kernel)
        return [kernel[:, c].astype(np.float64) for c in inputs.class_indices]
