"""The audit on Ray Data: the same batches as the local engine, on a pool of actors.

Imported only for ``--engine ray`` (Ray is an optional extra: ``pip install .[ray]``). The items
(image keys, classes, boxes) become a ``ray.data`` dataset; ``map_batches`` runs them through an
actor pool in which each actor loads the model once (from the recipe's bytes, shipped through
Ray's object store) and reads its images itself from the dataset's path, so on a multi-node
cluster the dataset must sit at the same path on every node (a shared or synced folder). The
driver receives each row with its maps and thumbnail and writes them, so the output folder
needs to exist on the driver only.

Ray starts a local instance for the run (as many CPUs as actors), or joins the cluster that
``RAY_ADDRESS`` names; it is shut down after the run only if this run started it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dataset import Dataset, LabelledBox
from .messages import say
from .worker import AuditConfig, AuditItem, ImageResult

try:
    import ray
    import ray.data
except ImportError as error:  # pragma: no cover - what a user without the extra sees
    raise ImportError(say("ray_missing")) from error

Progress = Callable[[int, int], None]
Sink = Callable[[ImageResult], None]


def _item_row(item: AuditItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "id": item.id,
        "folder": item.folder or "",
        "true_index": -1 if item.true_index is None else int(item.true_index),
        "boxes": json.dumps([[*b.box, b.label] for b in item.boxes]),
    }


def _item(row: dict[str, Any]) -> AuditItem:
    boxes = tuple(
        LabelledBox((int(b[0]), int(b[1]), int(b[2]), int(b[3])), str(b[4]))
        for b in json.loads(str(row["boxes"]))
    )
    true_index = int(row["true_index"])
    return AuditItem(
        str(row["key"]),
        str(row["id"]),
        str(row["folder"]) or None,
        None if true_index < 0 else true_index,
        boxes,
    )


class AuditActor:
    """A Ray actor: the model loaded once, then batches audited as the local engine does."""

    def __init__(self, recipe: Any, config: AuditConfig, dataset: Dataset, threads: int) -> None:
        import tensorflow as tf

        try:  # each actor's share of the node's cores
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass  # TensorFlow was already initialized in this worker process
        from .worker import BatchAuditor

        self.auditor = BatchAuditor(recipe.load(), config, dataset)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        count = len(batch["key"])
        items = [_item({name: batch[name][i] for name in batch}) for i in range(count)]
        results = self.auditor.audit(items)
        return {
            "row": np.array([json.dumps(r.row) for r in results], dtype=object),
            "maps": np.array([r.maps_npz() if r.maps else b"" for r in results], dtype=object),
            "thumbnail": np.array([r.thumbnail for r in results], dtype=object),
        }


def _start_ray(workers: int) -> bool:
    """Join RAY_ADDRESS's cluster, or start a local Ray; True when this call started it."""
    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if os.environ.get("RAY_ADDRESS"):
        ray.init(**quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, **quiet)
    return True


def _quiet_data_context() -> None:
    """No Ray Data progress bars or execution logs: the CLI draws its own bar."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)


def default_workers() -> int:
    """One actor per CPU of the cluster (or of this machine before Ray starts)."""
    if ray.is_initialized():
        return max(1, int(ray.cluster_resources().get("CPU", 1)))
    return max(1, os.cpu_count() or 1)


def run_ray(
    recipe: Any,
    config: AuditConfig,
    dataset: Dataset,
    items: Sequence[AuditItem],
    sink: Sink,
    progress: Progress | None,
    workers: int | None = None,
) -> None:
    """Audit ``items`` on Ray Data; each result goes to ``sink`` on the driver as it arrives."""
    if not items:
        return
    started = _start_ray(workers or os.cpu_count() or 1)
    _quiet_data_context()
    try:
        actors = workers or default_workers()
        threads = max(1, int(ray.cluster_resources().get("CPU", actors)) // actors)
        batch = max(1, config.batch_size)
        blocks = max(1, min(len(items) // batch, actors * 4))
        data = ray.data.from_items([_item_row(item) for item in items], override_num_blocks=blocks)
        audited = data.map_batches(
            AuditActor,
            fn_constructor_kwargs={
                "recipe": recipe,
                "config": config,
                "dataset": dataset,
                "threads": threads,
            },
            batch_size=batch,
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
            batch_format="numpy",
        )
        done = 0
        for rows in audited.iter_batches(batch_size=batch, batch_format="numpy"):
            for row, maps, thumbnail in zip(
                rows["row"], rows["maps"], rows["thumbnail"], strict=True
            ):
                sink(
                    ImageResult(
                        json.loads(str(row)),
                        ImageResult.maps_from_npz(bytes(maps)) if len(maps) else {},
                        bytes(thumbnail),
                    )
                )
                done += 1
            if progress is not None:
                progress(done, len(items))
    finally:
        if started:
            ray.shutdown()
