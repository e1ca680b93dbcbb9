"""The audit's output folder, written as it goes so that a second run skips what is done.

    DIR/run.json        the model and settings (a second run must match them)
    DIR/rows.jsonl      one JSON row per audited image, appended as each is done
    DIR/maps/<id>.npz   that image's normalized maps: ``predicted`` and, if it differs, ``true``
    DIR/thumbs/<id>.jpg the predicted class's overlay, 160 px on its long side
    DIR/audit.parquet   the table, in the dataset's order (and DIR/audit.csv)
    DIR/summary.json    accuracy, per-class accuracy, confusion matrix, measure distributions

An image's maps and thumbnail are written (to a temporary name, then renamed) before its row, so
a row on disk means its files are there. A run stopped mid-line leaves a broken last line: it
is dropped on the next run, which audits that image again. ``<id>`` is derived from the image's
path in the dataset (``ImageEntry.id``): no name from the dataset becomes a file name here.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .dataset import DatasetError
from .messages import say
from .worker import ImageResult

RUN_FILE = "run.json"
ROWS_FILE = "rows.jsonl"
MAPS_DIR = "maps"
THUMBS_DIR = "thumbs"
TABLE_PARQUET = "audit.parquet"
TABLE_CSV = "audit.csv"
SUMMARY_FILE = "summary.json"


def json_ready(value: Any) -> Any:
    """NaN and infinities as None (JSON has no NaN), recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value


def _from_json(row: dict[str, Any]) -> dict[str, Any]:
    """A row read back: None measures become NaN again."""
    return {
        k: (math.nan if v is None and k not in ("correct", "empty_map") else v)
        for k, v in row.items()
    }


class AuditOutput:
    """The output folder of one audit; ``done`` holds the rows already written (by key)."""

    def __init__(self, folder: str | os.PathLike, run: dict[str, Any]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / MAPS_DIR).mkdir(exist_ok=True)
        (self.folder / THUMBS_DIR).mkdir(exist_ok=True)
        self._check_run(run)
        self.done: dict[str, dict[str, Any]] = self._read_rows()
        self._rows = (self.folder / ROWS_FILE).open("a", encoding="utf-8")

    def _check_run(self, run: dict[str, Any]) -> None:
        path = self.folder / RUN_FILE
        wanted = json_ready(run)
        if path.is_file():
            try:
                previous = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = None
            if isinstance(previous, dict) and previous != wanted:
                differences = ", ".join(  # a list of settings, in this run's language
                    str(
                        say(
                            "run_difference",
                            setting=key,
                            before=repr(previous.get(key)),
                            now=repr(wanted.get(key)),
                        )
                    )
                    for key in sorted(set(previous) | set(wanted))
                    if previous.get(key) != wanted.get(key)
                )
                raise DatasetError(say("other_run", out=self.folder, differences=differences))
        _write_atomically(path, json.dumps(wanted, indent=2).encode("utf-8"))

    def _read_rows(self) -> dict[str, dict[str, Any]]:
        path = self.folder / ROWS_FILE
        if not path.is_file():
            return {}
        data = path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]  # a run stopped mid-line: drop the broken end
        if len(complete) != len(data):
            path.write_bytes(complete)
        rows: dict[str, dict[str, Any]] = {}
        for line in complete.decode("utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            rows[row["key"]] = _from_json(row)
        return rows

    def add(self, result: ImageResult) -> None:
        """Write one image's maps, thumbnail and then its row."""
        row = dict(result.row)
        row["map_file"] = row["thumbnail_file"] = ""
        if result.maps:
            row["map_file"] = f"{MAPS_DIR}/{row['id']}.npz"
            _write_atomically(self.folder / row["map_file"], result.maps_npz())
        if result.thumbnail:
            row["thumbnail_file"] = f"{THUMBS_DIR}/{row['id']}.jpg"
            _write_atomically(self.folder / row["thumbnail_file"], result.thumbnail)
        self._rows.write(json.dumps(json_ready(row)) + "\n")
        self._rows.flush()
        self.done[row["key"]] = row

    def finish(self, order: Sequence[str], summary: dict[str, Any]) -> list[dict[str, Any]]:
        """Write the table (dataset order) and the summary; the rows in that order."""
        self._rows.close()
        rows = [self.done[key] for key in order if key in self.done]
        write_table(rows, self.folder)
        _write_atomically(
            self.folder / SUMMARY_FILE, json.dumps(json_ready(summary), indent=2).encode("utf-8")
        )
        return rows

    def close(self) -> None:
        self._rows.close()


def table_frame(rows: Iterable[dict[str, Any]]):
    """The rows as a pandas DataFrame (columns in the rows' order)."""
    import pandas as pd

    return pd.DataFrame(list(rows))


def write_table(rows: Sequence[dict[str, Any]], folder: Path) -> None:
    """audit.csv, and audit.parquet when pyarrow is installed (it comes with Streamlit)."""
    frame = table_frame(rows)
    frame.to_csv(folder / TABLE_CSV, index=False)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return
    frame.to_parquet(folder / TABLE_PARQUET, index=False)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
