"""``audit``: a whole dataset through one model, on the local engine or on Ray Data.

Both engines audit the same items with the same ``worker.BatchAuditor``; they differ only in
where the batches run (this process, or a pool of Ray actors that each hold the model once).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import gradcam_core as gc

from ..i18n import Text
from ..models import DEFAULT_MODEL
from ..models.own import looks_like_path
from ..models.preprocessing import required_message
from .dataset import CLI_LIMITS, Dataset, DatasetLimits, open_dataset
from .matching import FolderMatch, match_folders
from .messages import say
from .output import AuditOutput
from .summary import summarize
from .worker import AuditConfig, AuditItem, BatchAuditor, ImageResult

Engine = Literal["local", "ray"]
ENGINES: tuple[Engine, ...] = ("local", "ray")
Progress = Callable[[int, int], None]  # (images done, images in the run)
Sink = Callable[[ImageResult], None]


@dataclass(frozen=True)
class ModelRecipe:
    """How to load the classifier again elsewhere (a Ray actor): a model name or file, its
    labels and preprocessing. ``portable`` carries the files' bytes, so no node needs the path."""

    model: str | bytes = DEFAULT_MODEL
    labels: str | bytes | None = None
    preprocess: str | None = None
    file_name: str | None = None

    def load(self) -> gc.Classifier:
        labels = self.labels
        if isinstance(labels, str):
            labels = Path(labels)
        return gc.load_classifier(
            self.model, labels=labels, preprocess=self.preprocess, file_name=self.file_name
        )

    def portable(self) -> ModelRecipe:
        """The same recipe with model and labels files read into bytes."""
        model, labels, file_name = self.model, self.labels, self.file_name
        if isinstance(model, str) and looks_like_path(model):
            file_name = file_name or Path(model).name
            model = Path(model).read_bytes()
        if isinstance(labels, str):
            labels = Path(labels).read_bytes()
        return ModelRecipe(model, labels, self.preprocess, file_name)


@dataclass
class AuditResult:
    """The audit's rows (dataset order), its summary, the one-line notes and where it went.

    ``results`` holds every image's maps and thumbnail when no output folder was given. The
    notes are ``Text``: rendered in the language of whoever shows them (the summary holds them
    as text, in the language of the run)."""

    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    notes: list[Text]
    out: Path | None
    seconds: float
    results: dict[str, ImageResult] = field(default_factory=dict)


@dataclass
class Prepared:
    """What both engines need: the dataset, the classifier, the settings and the items."""

    dataset: Dataset
    classifier: gc.Classifier
    config: AuditConfig
    items: list[AuditItem]
    notes: list[Text]
    match: FolderMatch


def folder_notes(dataset: Dataset, match: FolderMatch, model: str) -> list[Text]:
    """One line for folders that match no class (or several), one for skipped files."""
    notes = []
    if match.unmatched:
        images = sum(e.folder in match.unmatched for e in dataset.entries)
        names = ", ".join(f"'{f}'" for f in match.unmatched[:8])
        notes.append(
            say(
                "unmatched_folders",
                count=len(match.unmatched),
                model=model,
                images=images,
                names=names,
            )
        )
    for folder, classes in match.ambiguous.items():
        notes.append(
            say(
                "ambiguous_folder", folder=folder, model=model, classes=", ".join(map(str, classes))
            )
        )
    if dataset.skipped:
        notes.append(say("skipped_files", count=len(dataset.skipped), example=dataset.skipped[0]))
    return notes


def prepare(
    dataset: Dataset, classifier: gc.Classifier, config: AuditConfig
) -> tuple[Prepared, BatchAuditor]:
    """Match the folders to the classes and list the items; the auditor checks the settings."""
    if classifier.preprocessing is None:
        raise gc.PreprocessingRequiredError(
            say("needs_preprocess", message=required_message(classifier.title))
        )
    auditor = BatchAuditor(classifier, config, dataset)
    match = match_folders(dataset.folders, classifier.labels)
    items = [
        AuditItem(
            entry.key,
            entry.id,
            entry.folder,
            match.class_of(entry.folder),
            dataset.boxes_for(entry.key),
        )
        for entry in dataset.entries
    ]
    notes = folder_notes(dataset, match, classifier.title)
    return Prepared(dataset, classifier, config, items, notes, match), auditor


def run_local(
    auditor: BatchAuditor, items: Sequence[AuditItem], sink: Sink, progress: Progress | None
) -> None:
    """Audit ``items`` in this process, ``batch_size`` at a time, in order."""
    size = max(1, auditor.config.batch_size)
    for start in range(0, len(items), size):
        for result in auditor.audit(items[start : start + size]):
            sink(result)
        if progress is not None:
            progress(min(start + size, len(items)), len(items))


def run_description(classifier: gc.Classifier, config: AuditConfig) -> dict[str, Any]:
    """What a resumed run must share with the first: the model, its preprocessing, settings."""
    return {
        "model": classifier.name,
        "model_sha256": classifier.sha256,
        "preprocessing": classifier.preset,
        "classes": list(classifier.labels.names) if classifier.num_classes <= 100 else None,
        **config.describe(),
    }


def audit(
    dataset: str | os.PathLike | bytes | Dataset,
    model: str | os.PathLike = DEFAULT_MODEL,
    *,
    labels: str | os.PathLike | None = None,
    preprocess: str | None = None,
    layer: str | None = None,
    method: str = "gradcam",
    top: int = 5,
    boxes: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    engine: Engine = "local",
    workers: int | None = None,
    batch_size: int = 8,
    progress: Progress | None = None,
    limits: DatasetLimits = CLI_LIMITS,
    classifier: gc.Classifier | None = None,
    notify: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audit every image of a folder or .zip (see docs/audit.md); returns rows and summary.

    ``classifier`` uses a model already loaded (``model``, ``labels`` and ``preprocess`` are then
    ignored; the Ray engine needs them, to load the model in each actor). With ``out`` the
    results are written there as they come, and a second run skips the images already done.
    ``notify`` gets each one-line note (a ``Text``: unmatched folders, skipped files, a resumed
    run) as soon as it is known.
    """
    start = time.perf_counter()
    if engine not in ENGINES:
        raise ValueError(say("unknown_engine", engine=engine, choices=", ".join(ENGINES)))
    if top < 1:
        raise ValueError(say("bad_top", top=top))
    if workers is not None and workers < 1:
        raise ValueError(say("bad_workers", workers=workers))
    if engine == "ray" and classifier is not None:
        raise ValueError(say("ray_model_bytes"))
    recipe = ModelRecipe(str(model), None if labels is None else str(labels), preprocess)
    if classifier is None:
        classifier = recipe.load()
    if not isinstance(dataset, Dataset):
        dataset = open_dataset(dataset, boxes=boxes, limits=limits)
    config = AuditConfig(
        layer=layer or classifier.default_layer, method=method, top=top, batch_size=batch_size
    )
    prepared, auditor = prepare(dataset, classifier, config)
    output = None if out is None else AuditOutput(out, run_description(classifier, config))
    kept: dict[str, ImageResult] = {}
    done = {} if output is None else output.done
    todo = [item for item in prepared.items if item.key not in done]
    if len(todo) < len(prepared.items):
        prepared.notes.append(
            say(
                "resumed",
                done=len(prepared.items) - len(todo),
                total=len(prepared.items),
                out=out,
                left=len(todo),
            )
        )
    for note in prepared.notes if notify is not None else ():
        notify(note)

    def sink(result: ImageResult) -> None:
        if output is not None:
            output.add(result)
        else:
            kept[result.row["id"]] = result

    try:
        if engine == "ray":
            from .ray_engine import run_ray  # only now: Ray is an optional extra

            run_ray(recipe.portable(), config, dataset, todo, sink, progress, workers)
        else:
            run_local(auditor, todo, sink, progress)
    finally:
        if output is not None:
            output.close()
    order = [item.key for item in prepared.items]
    if output is not None:
        rows_by_key = output.done
    else:
        rows_by_key = {r.row["key"]: r.row for r in kept.values()}
    rows = [rows_by_key[key] for key in order if key in rows_by_key]
    summary = summarize(rows, prepared.notes)
    if output is not None:
        rows = output.finish(order, summary)
    return AuditResult(
        rows,
        summary,
        prepared.notes,
        None if out is None else Path(out),
        time.perf_counter() - start,
        kept,
    )
