"""The paper's own figures for the two human studies, to show beside a class's results.

Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
Localization", IJCV 2020 (arXiv:1610.02391), section 5. Class discrimination: 43 workers on
Amazon Mechanical Turk, 90 image-category pairs from PASCAL VOC 2007 with two categories each,
4 visualizations of VGG16, 9 ratings per pair. Trust: 54 workers, VGG16 against AlexNet on images
both classify correctly, rated from -2 to +2 with the models' order random.

The paper reports each figure without an interval. For the accuracies, ``counts`` gives the
ratings behind them as the study's design implies (90 pairs x 9 ratings = 810 per method, and
the share times 810), so the same Wilson interval as a class's can be drawn beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER = "Selvaraju et al., IJCV 2020, section 5"
PAPER_RATINGS_PER_METHOD = 90 * 9
CHANCE_ACCURACY = 0.5  # two categories per photo


@dataclass(frozen=True)
class PaperAccuracy:
    """A visualization's accuracy in the paper's class-discrimination study."""

    method: str  # a quiz method id, or a method the quiz does not show (deconvolution)
    title: str
    accuracy: float  # share of correct answers, 0..1
    in_quiz: bool

    @property
    def counts(self) -> tuple[int, int]:
        """(correct, ratings) implied by 9 ratings of each of the 90 pairs."""
        n = PAPER_RATINGS_PER_METHOD
        return round(self.accuracy * n), n


@dataclass(frozen=True)
class PaperTrust:
    """A visualization's mean rating in favour of the stronger model in the paper's trust study."""

    method: str
    title: str
    mean_score: float  # on -2..+2


DISCRIMINATION: dict[str, PaperAccuracy] = {
    p.method: p
    for p in (
        PaperAccuracy("guided_backprop", "Guided Backprop", 0.4444, True),
        PaperAccuracy("guided_gradcam", "Guided Grad-CAM", 0.6123, True),
        PaperAccuracy("deconvolution", "Deconvolution", 0.5333, False),
        PaperAccuracy("deconvolution_gradcam", "Deconvolution Grad-CAM", 0.6037, False),
    )
}

TRUST: dict[str, PaperTrust] = {
    p.method: p
    for p in (
        PaperTrust("guided_backprop", "Guided Backprop", 1.00),
        PaperTrust("guided_gradcam", "Guided Grad-CAM", 1.27),
    )
}

PAPER_MODELS = ("VGG16", "AlexNet")  # the trust study's stronger and weaker model


def expected_accuracy(method: str) -> float | None:
    """The paper's accuracy for a quiz method; chance (0.5) for a class-agnostic map, whose
    picture is the same for both categories; None where the paper has no figure (Grad-CAM)."""
    if method in DISCRIMINATION:
        return DISCRIMINATION[method].accuracy
    if method == "eigencam":
        return CHANCE_ACCURACY
    return None
