"""Sentences built from numbers that several pages say: durations, signed layers.

User-facing words live here and in the page sections, never inside the engine's numeric modules,
so that one place holds what a translation has to cover.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradcam_core.cams import BaseCAM

from .i18n import _


def timing(seconds: float) -> str:
    """'85 ms' below ten seconds, '80 s' above."""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"


def signed_layer_note(
    layer: str, below_zero: float, methods: Sequence[type[BaseCAM]]
) -> str | None:
    """One sentence on what signed activations mean for these methods; None where A >= 0."""
    if below_zero <= 0:
        return None
    share = f"{below_zero:.0%}" if below_zero >= 0.01 else _("under 1%")
    rules = [f"{kind.name} {_(kind.signed_rule)}" for kind in methods if kind.signed_rule]
    if rules:
        changed = _("{rules}; the other maps").format(rules="; ".join(rules))
    else:
        changed = _("the maps")
    return _(
        "{layer} has signed activations ({share} of its values are below 0, as after a batch "
        "norm or a residual add, with no ReLU): {changed} use their formulas as written, so a "
        "negative activation under a positive weight counts against the class."
    ).format(layer=layer, share=share, changed=changed)
