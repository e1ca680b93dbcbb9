"""Eigen-CAM (Muhammad & Yeasin, 2020): the features projected on their first singular vector.

The SVD needs a zero point for the features. After a ReLU, 0 means "nothing detected", and the
paper's SVD of the activations as they are measures the dominant pattern from there. Where A has
negative values (after a batch norm or a residual add, with no ReLU), 0 is only where the layer's
offsets happen to put it: a constant per-channel shift moves it without changing what the layer
says about any place. There the zero point is the average cell, so the SVD finds the dominant
direction of the differences between places (a principal axis), and the map does not move when
a constant offset is added to a channel.

A singular vector's sign is arbitrary. The projection is pointed at the cells that stand out: it
must correlate positively with each cell's mean distance from the zero point, mean_k |A^k_ij - o_k|.
Where A >= 0 that distance is the mean activation over channels, which is the rule this module
has always used, so maps after a ReLU do not change. A map whose positive side is empty while the
other side is not is turned over: Eigen-CAM is empty only when every cell sits at the zero point
of its projection (all cells alike, or the layer all zero).
"""

from __future__ import annotations

import numpy as np

from ..i18n import N_
from .base import BaseCAM


def feature_origin(activations: np.ndarray) -> np.ndarray | None:
    """The features' zero point o (K,): None (o = 0) where A >= 0, else the mean cell."""
    activations = np.asarray(activations, dtype=np.float64)
    if not np.any(activations < 0):
        return None
    return activations.reshape(-1, activations.shape[-1]).mean(axis=0)


def _centred_rows(activations: np.ndarray) -> np.ndarray:
    """A - o as (h w, K) rows, one per cell (A itself where A >= 0)."""
    flat = np.asarray(activations, dtype=np.float64).reshape(-1, activations.shape[-1])
    origin = feature_origin(activations)
    return flat if origin is None else flat - origin


def first_singular_vector(activations: np.ndarray) -> np.ndarray:
    """v_1 (K,) of (A - o) as (h w, K) rows, signed so (A - o) v_1 follows mean_k |A^k - o_k|."""
    rows = _centred_rows(activations)
    _, _, vt = np.linalg.svd(rows, full_matrices=False)
    direction = vt[0]
    projection = rows @ direction
    distance = np.abs(rows).mean(axis=1)  # mean_k A^k where A >= 0
    agreement = np.dot(projection - projection.mean(), distance - distance.mean())
    if agreement == 0:
        agreement = projection.sum()
    if agreement < 0:
        direction, projection = -direction, -projection
    if not np.any(projection > 0) and np.any(projection < 0):
        direction = -direction
    return direction


class EigenCAM(BaseCAM):
    """map = (A - o) v_1: the features projected on their first singular vector (no gradients).

    o = 0 where A >= 0 (the paper's L = A V_1, its SVD of the activations as they are), else the
    mean cell (see the module's docstring). pytorch-grad-cam always centres and leaves the SVD's
    sign as it comes; here the sign is fixed by ``first_singular_vector``. The map is the same for
    every class: the weights are v_1.
    """

    name = "Eigen-CAM"
    formula_words = (N_("else"), N_("rows"))  # the formula's \text{} words, shown translated
    formula = (
        r"o=\begin{cases}0&A\ge0\\\bar A&\text{else}\end{cases},\quad "
        r"A-o=U\Sigma V^\top\ (\text{rows }A_{ij}-o),\quad "
        r"L=\mathrm{ReLU}\Big(\sum_k v_{1k}(A^k-o_k)\Big)"
    )
    note = N_(
        "No gradients and no class: the activations projected on their main direction (first "
        "singular vector), so the map is the same whichever class is chosen. The direction's "
        "sign is arbitrary, so it is pointed at the cells that stand out most from the features' "
        "zero point: 0 after a ReLU, the average cell where activations are signed."
    )
    uses_gradients = False
    signed_rule = N_(
        "measures the features from their average cell instead of from 0, so its map shows "
        "where the cells differ most from the rest of the photo"
    )
    empty_note = N_("every cell has the same features here, so there is no direction to project on")

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> np.ndarray:
        """v_1: the first right singular vector of A - o, pointed at the cells that stand out."""
        return first_singular_vector(activations)

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray | None, weights: np.ndarray | None
    ) -> np.ndarray:
        """sum_k v_1k (A^k - o_k): A v_1 where A >= 0."""
        origin = feature_origin(activations)
        shifted = activations if origin is None else activations - origin
        return super().weighted_map(shifted, gradients, weights)
