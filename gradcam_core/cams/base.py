"""The shared base of every CAM method, what a method declares, and the result it returns."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import keras
import numpy as np
from scipy.special import expit, softmax

from .. import engine
from ..engine import ForwardPass, Score
from ..i18n import N_, Text
from ..layers import find_layer
from ..modifiers import Head, logits_view, probability_head


@dataclass(frozen=True)
class CamResult:
    """Every stage of one class-activation map, at the layer's resolution (h, w)."""

    method: str
    layer: str
    class_index: int
    score_kind: Score
    score: float  # y^c: the logit, or the softmax probability
    weights: np.ndarray | None  # (K,) per-channel weights alpha_k, when the method has them
    raw: np.ndarray  # (h, w) signed map, e.g. sum_k alpha_k A^k
    relu: np.ndarray  # (h, w) max(raw, 0)
    normalized: np.ndarray  # (h, w) relu / max(relu), in [0, 1]
    is_empty: bool  # max(relu) <= 0: no positive evidence, normalized is all zeros
    activations_below_zero: float = 0.0  # share of A's values < 0: 0 after a ReLU, > 0 if signed

    @property
    def peak(self) -> float:
        """max(relu): the value that normalization divides by."""
        return float(self.relu.max()) if self.relu.size else 0.0


def relu_and_normalize(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """relu = max(raw, 0); normalized = relu / max(relu), or zeros (empty) when max(relu) <= 0."""
    raw = np.asarray(raw, dtype=np.float64)
    if not np.all(np.isfinite(raw)):
        raise ValueError("The map contains NaN or infinite values; the model output is not finite.")
    relu = np.maximum(raw, 0.0)
    peak = float(relu.max()) if relu.size else 0.0
    if peak <= 0.0:
        return relu.astype(np.float32), np.zeros_like(relu, dtype=np.float32), True
    return relu.astype(np.float32), (relu / peak).astype(np.float32), False


def cam_result(
    method: str,
    raw: np.ndarray,
    weights: np.ndarray | None,
    *,
    layer: str,
    class_index: int,
    score_kind: Score,
    score: float,
    activations_below_zero: float = 0.0,
) -> CamResult:
    """The result for a signed (h, w) map: adds its ReLU and normalized stages."""
    relu, normalized, empty = relu_and_normalize(raw)
    return CamResult(
        method=method,
        layer=layer,
        class_index=int(class_index),
        score_kind=score_kind,
        score=float(score),
        weights=None if weights is None else np.asarray(weights, dtype=np.float32),
        raw=np.asarray(raw, dtype=np.float32),
        relu=relu,
        normalized=normalized,
        is_empty=empty,
        activations_below_zero=float(activations_below_zero),
    )


def class_score(
    logits: np.ndarray, class_index: int, score: Score, head: Head = "softmax"
) -> float:
    """y^c: logits[c], or the model's probability: softmax(logits)[c], or sigmoid(logits[c]) for
    a sigmoid head (as ``engine`` scores it in the graph)."""
    logits = np.asarray(logits, dtype=np.float64)
    if score != "softmax":
        return float(logits[int(class_index)])
    if head == "sigmoid":
        return float(expit(logits[int(class_index)]))
    return float(softmax(logits)[int(class_index)])


@dataclass(frozen=True)
class SectionText:
    """What a page section says about a method: heading, introduction, and a sentence for its
    special case (``{layer}`` is filled in), or its pictures' captions."""

    heading: str
    text: str
    special: str = ""
    captions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerInputs:
    """What a method may use at one layer of one image, for the classes asked."""

    layer: str  # the layer's path in the model
    activations: np.ndarray  # A (h, w, k), float64
    class_indices: tuple[int, ...]
    scores: tuple[float, ...]  # y^c of each class
    score_kind: Score
    gradients: np.ndarray | None = None  # (C, h, w, k) dy^c/dA; None for gradient-free methods
    model: keras.Model | None = None  # the logits view, for methods that run the model
    x: np.ndarray | None = None  # the preprocessed image (1, H, W, C) that model takes

    def model_and_input(self, method: str) -> tuple[keras.Model, np.ndarray]:
        """The model and its input, or a ValueError saying that ``method`` needs them."""
        if self.model is None or self.x is None:
            raise ValueError(f"{method} needs the model and its input: call it with the model.")
        return self.model, self.x


@dataclass(frozen=True)
class BaseCAM:
    """A CAM method: per-channel weights w_k from one layer's A (h, w, k); map = sum_k w_k A^k.

    A method declares what it is in class variables (name, formula, note, uses_gradients,
    pixel_level, cost and work_unit, signed_rule, empty_note, gradcam_equivalence,
    difference_section, pixel_section), where it applies (``unsupported_reason``) and what a slow
    one costs (``work``); its constructor options are its dataclass fields (``options``).
    It overrides one hook for its weights: ``channel_weights`` when they come from A and dy^c/dA
    of one class, or ``class_weights`` when they need the model (CAM, Score-CAM); and
    ``weighted_map`` when its map is not a weighted sum of whole channels.
    ``from_forward`` views the model as logits and checks the score once for every entry point.
    """

    name: ClassVar[str] = "CAM method"
    formula: ClassVar[str] = ""  # LaTeX of the map, shown in the app
    formula_words: ClassVar[tuple[str, ...]] = ()  # its \text{} words, marked for translation
    note: ClassVar[str] = ""  # one or two sentences for the teacher: what it changes, and why
    uses_gradients: ClassVar[bool] = True  # False: no backward pass is run for it
    pixel_level: ClassVar[bool] = False  # its result proper is image-sized, not a layer map
    cost: ClassVar[str] = ""  # how a slow method's cost grows ("one forward pass per channel")
    signed_rule: ClassVar[str] = ""  # what it does where A has negative values, if not as written
    empty_note: ClassVar[str] = N_("no positive evidence for {class_name} at this layer")
    gradcam_equivalence: ClassVar[str] = ""  # set when the map is Grad-CAM's up to scale: why
    work_unit: ClassVar[str] = ""  # what each of a slow method's forward passes runs on

    # Set when the Methods page should show this map minus Grad-CAM's, and say what it means.
    difference_section: ClassVar[SectionText | None] = None
    # A pixel-level method's section: heading and introduction, and its three pictures' captions.
    pixel_section: ClassVar[SectionText | None] = None

    @classmethod
    def unsupported_reason(cls, model: keras.Model, layer: str) -> Text | None:
        """None when the method applies to this model and layer, else why not (one line, a
        ``Text`` rendered in the language of whoever shows it)."""
        return None

    @classmethod
    def work(cls, channels: int) -> tuple[int, int]:
        """A slow method's forward passes at a layer of ``channels`` channels (each one a
        ``work_unit``), and how many go in one batch; 0 passes: a fast method, run unasked."""
        return 0, 1

    @classmethod
    def options(cls) -> tuple[dataclasses.Field, ...]:
        """The constructor's options (the dataclass fields), e.g. Score-CAM's batch size."""
        return dataclasses.fields(cls)

    def channel_weights(
        self, activations: np.ndarray, gradients: np.ndarray | None
    ) -> np.ndarray | None:
        """w_k for each of the K channels, shape (K,), or None for per-cell methods."""
        raise NotImplementedError(
            f"{type(self).__name__} must define channel_weights or class_weights"
        )

    def from_gradcam(self, model: keras.Model, x: np.ndarray, gradcam: CamResult):
        """A pixel-level method's image-sized result built on a layer map (``pixel_level``)."""
        raise NotImplementedError(f"{type(self).__name__} is not a pixel-level method.")

    def class_weights(self, inputs: LayerInputs) -> list[np.ndarray | None]:
        """The weights of each class asked: ``channel_weights`` of A and that class's gradient."""
        if inputs.gradients is None:
            weights = self.channel_weights(inputs.activations, None)
            return [weights] * len(inputs.class_indices)
        return [self.channel_weights(inputs.activations, g) for g in inputs.gradients]

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray | None, weights: np.ndarray | None
    ) -> np.ndarray:
        """The signed map sum_k w_k A^k, shape (h, w)."""
        return np.tensordot(activations.astype(np.float64), weights, axes=([2], [0]))

    def from_inputs(self, inputs: LayerInputs) -> list[CamResult]:
        """One result per class asked, from what the layer gives (see ``LayerInputs``)."""
        activations = inputs.activations
        below_zero = float(np.mean(activations < 0)) if activations.size else 0.0
        gradients = inputs.gradients
        per_class = [None] * len(inputs.class_indices) if gradients is None else list(gradients)
        weights = self.class_weights(inputs)
        return [
            cam_result(
                self.name,
                self.weighted_map(activations, g, w),
                w,
                layer=inputs.layer,
                class_index=c,
                score_kind=inputs.score_kind,
                score=s,
                activations_below_zero=below_zero,
            )
            for c, s, g, w in zip(
                inputs.class_indices, inputs.scores, per_class, weights, strict=True
            )
        ]

    def from_tensors(
        self,
        activations: np.ndarray,
        gradients: np.ndarray | None,
        *,
        layer: str,
        class_index: int,
        score_kind: Score = "logit",
        score: float = float("nan"),
    ) -> CamResult:
        """Build the result from one layer's A (h, w, k) and dy^c/dA (h, w, k) of one class."""
        activations = np.asarray(activations, dtype=np.float64)
        given = activations if gradients is None else np.asarray(gradients, dtype=np.float64)
        if activations.ndim != 3 or activations.shape != given.shape:
            raise ValueError(
                f"Activations and gradients must both be (h, w, k); got {activations.shape} "
                f"and {given.shape}."
            )
        inputs = LayerInputs(
            layer=layer,
            activations=activations,
            class_indices=(int(class_index),),
            scores=(float(score),),
            score_kind=score_kind,
            gradients=None if gradients is None else given[None],
        )
        return self.from_inputs(inputs)[0]

    def from_forward(
        self,
        model: keras.Model,
        x: np.ndarray,
        forward_pass: ForwardPass,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps for several classes from one cached forward pass (only the head runs again).

        The model is viewed as logits (``logits_view``); the backward pass runs only for methods
        that use gradients, and then for all the classes as one batch.
        """
        engine.check_score(score)
        model = logits_view(model)
        path, _ = find_layer(model, layer)
        activations = forward_pass.activations[path]
        classes = engine.class_vector(class_indices, engine.num_classes(model))
        indices = tuple(int(c) for c in classes)
        gradients = None
        if self.uses_gradients:
            scores, grads = engine.class_gradients(model, x, path, activations, indices, score)
            gradients = np.asarray(grads, dtype=np.float64)
        else:
            head = probability_head(model)
            scores = [class_score(forward_pass.logits, c, score, head) for c in indices]
        inputs = LayerInputs(
            layer=path,
            activations=np.asarray(activations, dtype=np.float64),
            class_indices=indices,
            scores=tuple(float(s) for s in scores),
            score_kind=score,
            gradients=gradients,
            model=model,
            x=x,
        )
        return self.from_inputs(inputs)

    def for_classes(
        self,
        model: keras.Model,
        x: np.ndarray,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps for several classes of one image: one forward pass, one batched backward pass."""
        model = logits_view(model)
        forward_pass = engine.forward(model, x, [layer])
        return self.from_forward(model, x, forward_pass, layer, class_indices, score)

    def __call__(
        self,
        model: keras.Model,
        x: np.ndarray,
        layer: str,
        class_index: int,
        score: Score = "logit",
    ) -> CamResult:
        """The map for one image (1, H, W, C), one layer and one class."""
        return self.for_classes(model, x, layer, [class_index], score)[0]


def normalized_difference(result: CamResult, reference: CamResult) -> np.ndarray:
    """result.normalized − reference.normalized, in [−1, 1], for the same layer and class.

    Both maps are divided by their own peaks, so the difference is about where each method puts
    its attention, not about their scales: negative cells are where the reference puts attention
    that the method does not, positive cells where the method concentrates it.
    """
    if result.raw.shape != reference.raw.shape or result.layer != reference.layer:
        raise ValueError(
            f"Compare maps of the same layer: got {result.layer} {result.raw.shape} and "
            f"{reference.layer} {reference.raw.shape}."
        )
    if result.class_index != reference.class_index:
        raise ValueError(
            f"Compare maps of the same class: got {result.class_index} and {reference.class_index}."
        )
    return (result.normalized.astype(np.float64) - reference.normalized).astype(np.float32)
