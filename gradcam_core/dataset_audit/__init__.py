"""Audit a whole dataset: is the model right, and does it look at the right place?

import gradcam_core as gc
result = gc.audit("photos/", model="converted_keras.zip", out="audit_out")
result.summary["accuracy"], result.rows[0]["border_mass"]

A folder or .zip (one subfolder per class, or flat), any model the app loads; per image the
top-k, the true class, Grad-CAM for the predicted (and true) class and where it looks (see
``measures``); a table, the maps, overlay thumbnails and a summary. ``engine="ray"`` runs the
same audit on Ray Data (``ray_engine``, imported only then). See docs/audit.md.
"""

from __future__ import annotations

from .dataset import (
    CLI_LIMITS,
    Dataset,
    DatasetError,
    DatasetLimits,
    ImageEntry,
    ImageReadError,
    open_dataset,
)
from .run import ENGINES, AuditResult, ModelRecipe, audit
from .worker import AuditConfig, AuditItem, BatchAuditor, ImageResult

__all__ = [
    "CLI_LIMITS",
    "ENGINES",
    "AuditConfig",
    "AuditItem",
    "AuditResult",
    "BatchAuditor",
    "Dataset",
    "DatasetError",
    "DatasetLimits",
    "ImageEntry",
    "ImageReadError",
    "ImageResult",
    "ModelRecipe",
    "audit",
    "open_dataset",
]
