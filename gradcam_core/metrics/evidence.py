"""What a signed map says for and against a class, and how two maps differ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EvidenceBalance:
    """How a signed map splits: cells for the class (> 0), against it (< 0), and their peaks."""

    for_share: float  # fraction of cells with raw > 0
    against_share: float  # fraction of cells with raw < 0
    for_peak: float  # max(raw, 0)
    against_peak: float  # max(−raw, 0)

    @property
    def against_to_for(self) -> float:
        """against_peak / for_peak (inf when nothing is for the class, 0 when nothing is)."""
        if self.for_peak > 0:
            return self.against_peak / self.for_peak
        return float("inf") if self.against_peak > 0 else 0.0


def evidence_balance(raw: np.ndarray) -> EvidenceBalance:
    """Shares of cells with raw > 0 and raw < 0, and max(raw, 0), max(−raw, 0)."""
    raw = np.asarray(raw, dtype=np.float64)
    return EvidenceBalance(
        for_share=float(np.mean(raw > 0)),
        against_share=float(np.mean(raw < 0)),
        for_peak=float(max(raw.max(), 0.0)),
        against_peak=float(max(-raw.min(), 0.0)),
    )


@dataclass(frozen=True)
class DifferenceSummary:
    """A difference map d = B − A of two normalized maps, in [−1, 1]."""

    lowest: float  # min d: where A is most above B
    highest: float  # max d: where B is most above A
    a_above_share: float  # fraction of cells with d < −threshold
    b_above_share: float  # fraction of cells with d > threshold
    threshold: float


def summarize_difference(difference: np.ndarray, threshold: float = 0.1) -> DifferenceSummary:
    """min, max, and the shares of cells with d < −t and d > t."""
    d = np.asarray(difference, dtype=np.float64)
    return DifferenceSummary(
        lowest=float(d.min()),
        highest=float(d.max()),
        a_above_share=float(np.mean(d < -threshold)),
        b_above_share=float(np.mean(d > threshold)),
        threshold=float(threshold),
    )


def max_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| over the cells of two maps of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Compare maps of the same shape: got {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b))) if a.size else 0.0
