"""Verdicts on the Trust lab's measurements: a map's AUC against a baseline's, the cascade's
summary. Numbers and outcomes only; the page says them in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

CurveKind = Literal["deletion", "insertion"]
Outcome = Literal["beats", "ties", "loses"]
TIE_MARGIN = 0.005  # AUCs closer than this count as "about the same"


SANITY_LIMIT = 0.5  # |Spearman| at or above this after randomization: the map partly survives


@dataclass(frozen=True)
class Comparison:
    """One map's AUC against a baseline's, in the direction that counts for the curve."""

    kind: CurveKind
    auc: float
    baseline_auc: float
    outcome: Outcome

    @property
    def advantage(self) -> float:
        """How much better than the baseline: lower AUC for deletion, higher for insertion."""
        difference = self.auc - self.baseline_auc
        return -difference if self.kind == "deletion" else difference


def compare_auc(
    kind: CurveKind, auc: float, baseline_auc: float, tie: float = TIE_MARGIN
) -> Comparison:
    """Deletion wants the lower AUC, insertion the higher; within ``tie`` it is a tie."""
    if kind not in ("deletion", "insertion"):
        raise ValueError(f"Unknown curve {kind!r}; use 'deletion' or 'insertion'.")
    difference = auc - baseline_auc
    advantage = -difference if kind == "deletion" else difference
    if abs(advantage) < tie:
        outcome: Outcome = "ties"
    else:
        outcome = "beats" if advantage > 0 else "loses"
    return Comparison(kind, float(auc), float(baseline_auc), outcome)


@dataclass(frozen=True)
class CascadeSummary:
    """What the randomization chart says, in three numbers."""

    first: float  # Spearman after the first step (nan: that map was empty)
    largest: float  # the largest |Spearman| over all steps (nan when every map was empty)
    empty_steps: int  # steps whose map had no positive evidence left
    survives: bool  # largest >= SANITY_LIMIT: part of the map outlives the weights


def summarize_cascade(
    spearman: Sequence[float], empty: Sequence[bool], limit: float = SANITY_LIMIT
) -> CascadeSummary:
    """First Spearman, the largest |Spearman| (nan values skipped) and the empty-step count."""
    rho = np.asarray(spearman, dtype=np.float64)
    if rho.size == 0:
        raise ValueError("The cascade has no steps.")
    finite = np.abs(rho[np.isfinite(rho)])
    largest = float(finite.max()) if finite.size else float("nan")
    return CascadeSummary(
        first=float(rho[0]),
        largest=largest,
        empty_steps=int(sum(bool(e) for e in empty)),
        survives=bool(finite.size and largest >= limit),
    )
