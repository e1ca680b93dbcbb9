"""The audit behind a progress bar, kept for every session (``progress.Kept``).

A result is keyed by the zip's SHA-256, the model's key and the layer: a classroom auditing the
lesson with the same model computes it once. Only a session that holds the same zip (or the
lesson) can ask for its key. The run holds ``gc.TF_LOCK`` one image at a time (in the engine),
so other sessions' pages keep answering between images.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from gradcam_core.dataset_audit import AuditResult, Dataset, audit

from ..controls import Selection
from ..i18n import _
from ..progress import Kept, ProgressBar
from . import texts
from .source import Source

KEPT_AUDITS = 4  # results of a few hundred images each: thumbnails (~5 kB) and small maps
_REQUESTED = "_dataset_requested"


class AuditKey(NamedTuple):
    """What an audit depends on: the zip, the model (with its preprocessing) and the layer."""

    digest: str
    model: str
    layer: str


AUDITS: Kept[AuditKey, AuditResult] = Kept(KEPT_AUDITS)


def audit_key(source: Source, selection: Selection) -> AuditKey:
    return AuditKey(source.digest, selection.model_name, selection.layer.name)


def requested(key: AuditKey) -> bool:
    """Was this audit run (or asked for) in this session, so it shows again after a rerun?"""
    return st.session_state.get(_REQUESTED) == key


def kept(key: AuditKey) -> AuditResult | None:
    """The kept result when this session asked for it."""
    return AUDITS.get(key) if requested(key) else None


def run(key: AuditKey, dataset: Dataset, selection: Selection) -> AuditResult:
    """The audit of every image, kept; while it runs, a bar with the time left."""
    st.session_state[_REQUESTED] = key
    found = AUDITS.get(key)
    if found is not None:
        return found
    bar = ProgressBar(len(dataset.entries))
    bar.show(0, texts.running(0, len(dataset.entries)))

    def report(done: int, total: int) -> None:
        bar.show(done, texts.running(done, total))

    def compute() -> AuditResult:
        return audit(
            dataset,
            classifier=selection.classifier,
            layer=selection.layer.name,
            progress=report,
            batch_size=4,
        )

    result, _computed_here = AUDITS.get_or_compute(
        key, compute, waiting=lambda: bar.note(_(texts.WAITING))
    )
    bar.clear()
    return result
