"""A dataset to audit: a folder or a .zip, one subfolder per class or flat, with optional boxes.

Layouts, as Keras' ``image_dataset_from_directory`` reads them: ``root/<class>/.../image.jpg``
(the first folder under the root names the class; images deeper down belong to it too), or a
flat ``root/image.jpg`` with no labels (images at the root of a labelled layout have no label
either). A zip made by "compress this folder" holds one top folder: it is looked through. Files
whose extension is not an image's are skipped and counted; ``boxes.csv`` at the root (or a file
given apart) holds boxes: ``file,x0,y0,x1,y1[,label]`` in pixels of the photo.

A zip is hostile until checked: its entry count, every entry's declared size and compression
ratio, and the sum of the declared sizes are checked from the central directory before any
entry is read; entry names must be plain relative paths; each read stops one byte past the size
its header declared. Nothing is extracted to disk: each image's bytes go straight to the same
defensive loader as an upload (``gradcam_core.images.load_image``). A problem with one image is
that image's row (``ImageReadError``); a problem with the whole archive is a ``DatasetError``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import GradCamError
from ..images import MAX_FILE_BYTES, UPLOAD_EXTENSIONS
from ..metrics.localization import Box, check_box
from ..models.safety import size_text
from .headers import declared_pixels
from .messages import say

MB = 1024 * 1024
IMAGE_SUFFIXES = frozenset(f".{extension}" for extension in UPLOAD_EXTENSIONS)
BOXES_FILE = "boxes.csv"
IGNORED_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db")
MAX_BOXES_BYTES = 16 * MB


class DatasetError(GradCamError, ValueError):
    """The dataset as a whole cannot be audited (one line: what and what to do)."""


class ImageReadError(GradCamError, ValueError):
    """One image of the dataset could not be read (its row says why; the audit goes on)."""


@dataclass(frozen=True)
class DatasetLimits:
    """Caps on a dataset, checked before any image is read (a zip's from its headers)."""

    max_images: int = 200_000
    max_entries: int = 400_000  # zip entries: files and folders
    max_archive_bytes: int | None = None  # the zip file itself
    max_image_bytes: int = MAX_FILE_BYTES  # one image, as the loader's own cap
    max_total_bytes: int = 64 * 1024 * MB  # a zip's declared uncompressed sum
    max_ratio: int = 100  # uncompressed / compressed, for entries over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB
    max_total_pixels: int | None = None  # checked by ``Dataset.check_total_pixels`` when set


CLI_LIMITS = DatasetLimits()


@dataclass(frozen=True)
class ImageEntry:
    """One image: its path in the dataset (posix, from the root) and its class folder."""

    key: str
    folder: str | None  # the first folder under the root, None in a flat layout

    @property
    def id(self) -> str:
        """A short stable name for its output files: the first 16 hex digits of sha256(key)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LabelledBox:
    """A box on one image, with the label its row gave (may be empty)."""

    box: Box
    label: str = ""


@dataclass
class Dataset:
    """The images of a folder or zip, in sorted order, read one at a time on demand.

    Picklable (for Ray actors): an open archive is not carried along, each process opens its
    own. ``source`` is a folder path, a zip path, or a zip's bytes (an upload).
    """

    source: str | bytes
    shown: str  # how messages name it
    kind: str  # "folder" or "zip"
    root: str  # folder: the path; zip: the prefix looked through ("" or "top/")
    entries: tuple[ImageEntry, ...]
    skipped: tuple[str, ...]
    boxes: dict[str, tuple[LabelledBox, ...]] = field(default_factory=dict)
    limits: DatasetLimits = CLI_LIMITS
    _archive: zipfile.ZipFile | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_archive"] = None
        return state

    @property
    def labelled(self) -> bool:
        """True when images sit in class folders."""
        return any(entry.folder is not None for entry in self.entries)

    @property
    def folders(self) -> tuple[str, ...]:
        """The class folders, sorted."""
        return tuple(sorted({e.folder for e in self.entries if e.folder is not None}))

    def read(self, key: str) -> bytes:
        """The bytes of one image, capped; ImageReadError says what is wrong with it."""
        if self.kind == "folder":
            return _read_file(Path(str(self.root)) / key, self.limits.max_image_bytes)
        archive = self._open()
        try:
            info = archive.getinfo(self.root + key)
        except KeyError:
            reason = say("not_in_archive")
            raise ImageReadError(say("file_unreadable", reason=reason)) from None
        return _read_member(archive, info, self.limits.max_image_bytes)

    def check_total_pixels(self, limit: int) -> int:
        """The sum of the images' pixels from their headers (no decoding), or DatasetError."""
        total = 0
        for entry in self.entries:
            try:
                total += declared_pixels(self.read(entry.key)) or 0
            except ImageReadError:
                continue  # that image's row will say why
            if total > limit:
                raise DatasetError(say("too_many_pixels", source=self.shown, limit=limit / 1e6))
        return total

    def boxes_for(self, key: str) -> tuple[LabelledBox, ...]:
        """The boxes given for one image (none when there is no boxes file or row)."""
        return self.boxes.get(key, ())

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def _open(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = _zip_file(self.source, self.shown)
        return self._archive


def open_dataset(
    source: str | os.PathLike | bytes,
    *,
    boxes: str | os.PathLike | bytes | None = None,
    limits: DatasetLimits = CLI_LIMITS,
    name: str | None = None,
) -> Dataset:
    """The dataset at a folder or .zip path, or in a zip's bytes, checked against ``limits``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        dataset = _zip_dataset(bytes(source), name or "the zip", limits)
    else:
        path = Path(source)
        shown = name or str(path)
        if path.is_dir():
            dataset = _folder_dataset(path, shown, limits)
        elif path.is_file():
            dataset = _zip_dataset(str(path), shown, limits)
        else:
            raise DatasetError(say("not_found", source=shown))
    if not dataset.entries:
        raise DatasetError(say("no_images", source=dataset.shown))
    given = _boxes_bytes(dataset, boxes)
    if given is not None:
        text, shown_boxes = given
        dataset.boxes = parse_boxes(text, shown_boxes, {e.key for e in dataset.entries})
    return dataset


# ---------------------------------------------------------------- layouts


def _split(keys: list[str]) -> tuple[tuple[ImageEntry, ...], tuple[str, ...]]:
    """Image entries (sorted by key) and the skipped non-image files."""
    entries, skipped = [], []
    for key in sorted(keys):
        if PurePosixPath(key).suffix.lower() not in IMAGE_SUFFIXES:
            if PurePosixPath(key).name != BOXES_FILE or "/" in key:
                skipped.append(key)
            continue
        parts = key.split("/")
        entries.append(ImageEntry(key, parts[0] if len(parts) > 1 else None))
    return tuple(entries), tuple(skipped)


def _ignored(name: str) -> bool:
    return any(part in IGNORED_PARTS or part.startswith("._") for part in name.split("/"))


def _folder_dataset(path: Path, shown: str, limits: DatasetLimits) -> Dataset:
    keys: list[str] = []
    images = 0
    for folder, subfolders, files in os.walk(path):  # never follows symlinked folders
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for file in files:
            full = Path(folder) / file
            key = full.relative_to(path).as_posix()
            if file.startswith(".") or _ignored(key):
                continue
            keys.append(key)
            images += PurePosixPath(key).suffix.lower() in IMAGE_SUFFIXES
            if images > limits.max_images:
                raise DatasetError(say("too_many_images", source=shown, limit=limits.max_images))
    entries, skipped = _split(keys)
    return Dataset(str(path), shown, "folder", str(path), entries, skipped, limits=limits)


def _zip_file(source: str | bytes, shown: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except zipfile.BadZipFile:
        raise DatasetError(
            say("not_zip" if _not_a_zip(source) else "bad_zip", source=shown)
        ) from None
    except (OSError, ValueError, EOFError):
        raise DatasetError(say("bad_zip", source=shown)) from None


def _not_a_zip(source: str | bytes) -> bool:
    head = source[:4] if isinstance(source, bytes) else Path(source).read_bytes()[:4]
    return head not in (b"PK\x03\x04", b"PK\x05\x06")


def _zip_dataset(source: str | bytes, shown: str, limits: DatasetLimits) -> Dataset:
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if limits.max_archive_bytes is not None:
        _check_size("zip_too_large", size, limits.max_archive_bytes, source=shown)
    with _zip_file(source, shown) as archive:
        infos = archive.infolist()
        check_archive(infos, shown, limits)
        names = [i.filename for i in infos if not i.is_dir() and not _ignored(i.filename)]
    root = _top_folder(names)
    keys = [name[len(root) :] for name in names]
    entries, skipped = _split(keys)
    if len(entries) > limits.max_images:
        raise DatasetError(say("too_many_images", source=shown, limit=limits.max_images))
    return Dataset(source, shown, "zip", root, entries, skipped, limits=limits)


def _top_folder(names: list[str]) -> str:
    """'top/' when every file lies in one top folder that holds folders itself, else ''.

    ("photos/cat/1.jpg" is looked through; "cat/1.jpg" alone is one class.)"""
    firsts = {name.split("/")[0] for name in names}
    inside = all("/" in name for name in names)
    if len(firsts) == 1 and inside and any(name.count("/") >= 2 for name in names):
        return next(iter(firsts)) + "/"
    return ""


def check_archive(infos: list[zipfile.ZipInfo], shown: str, limits: DatasetLimits) -> None:
    """Entry count, names, declared sizes and ratios, from the central directory only."""
    if len(infos) > limits.max_entries:
        raise DatasetError(
            say("too_many_members", source=shown, count=len(infos), limit=limits.max_entries)
        )
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name:
            raise DatasetError(say("unsafe_name", source=shown, name=name))
        total += info.file_size
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise DatasetError(
                say(
                    "zip_bomb",
                    source=shown,
                    name=name,
                    ratio=info.file_size / max(info.compress_size, 1),
                    size=size_text(info.file_size),
                    limit=limits.max_ratio,
                )
            )
    _check_size("too_many_bytes", total, limits.max_total_bytes, source=shown)


def _check_size(message: str, size: int, limit: int, **values: object) -> None:
    """DatasetError with the message ``message`` (its size and limit filled) when over."""
    if size > limit:
        raise DatasetError(say(message, size=size_text(size), limit=size_text(limit), **values))


# ---------------------------------------------------------------- reading one image


def _read_file(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImageReadError(
                say("member_too_large", size=size_text(size), limit=size_text(limit))
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ImageReadError(say("file_unreadable", reason=error.strerror or error)) from None
    if len(data) > limit:
        raise ImageReadError(
            say("member_too_large", size=size_text(len(data)), limit=size_text(limit))
        )
    return data


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        raise ImageReadError(say("member_encrypted"))
    if info.file_size > limit:
        raise ImageReadError(
            say("member_too_large", size=size_text(info.file_size), limit=size_text(limit))
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        reason = " ".join(str(error).split())[:120] or type(error).__name__
        raise ImageReadError(say("member_damaged", reason=reason)) from None
    if len(data) > info.file_size:
        raise ImageReadError(say("member_lying"))
    return data


# ---------------------------------------------------------------- boxes


def _boxes_bytes(
    dataset: Dataset, given: str | os.PathLike | bytes | None
) -> tuple[bytes, str] | None:
    """The boxes file: the one given, else boxes.csv at the dataset's root, else None."""
    if isinstance(given, (bytes, bytearray)):
        _check_size("boxes_too_large", len(given), MAX_BOXES_BYTES, name=BOXES_FILE)
        return bytes(given), BOXES_FILE
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise DatasetError(say("not_found", source=str(path)))
        _check_size("boxes_too_large", path.stat().st_size, MAX_BOXES_BYTES, name=path.name)
        return path.read_bytes(), path.name
    if dataset.kind == "folder":
        path = Path(str(dataset.root)) / BOXES_FILE
        if path.is_file():
            return _boxes_bytes(dataset, path)
        return None
    archive = dataset._open()
    try:
        info = archive.getinfo(dataset.root + BOXES_FILE)
    except KeyError:
        return None
    try:
        return _read_member(archive, info, MAX_BOXES_BYTES), BOXES_FILE
    except ImageReadError as error:
        raise DatasetError(say("boxes_unreadable", name=BOXES_FILE, reason=error)) from None


def parse_boxes(data: bytes, name: str, keys: set[str]) -> dict[str, tuple[LabelledBox, ...]]:
    """``file,x0,y0,x1,y1[,label]`` rows (a header row is allowed) -> boxes per image key.

    A file is named by its path from the dataset's root, or by its bare name when that is unique.
    """
    text = data.decode("utf-8-sig", errors="replace")
    by_name: dict[str, list[str]] = {}
    for key in keys:
        by_name.setdefault(PurePosixPath(key).name, []).append(key)
    found: dict[str, list[LabelledBox]] = {}
    unknown: list[str] = []
    for line, row in _rows(text):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line == 1 and row[0].strip().lower() in ("file", "filename", "path"):
            continue
        if len(row) < 5:
            raise DatasetError(say("boxes_bad_row", name=name, line=line, text=",".join(row)[:80]))
        file = row[0].strip().replace("\\", "/").lstrip("./")
        try:
            numbers = [float(cell) for cell in row[1:5]]
            box = check_box(numbers)
        except ValueError as error:
            if not all(_is_number(cell) for cell in row[1:5]):
                raise DatasetError(
                    say("boxes_bad_row", name=name, line=line, text=",".join(row)[:80])
                ) from None
            raise DatasetError(say("boxes_bad_box", name=name, line=line, reason=error)) from None
        label = row[5].strip() if len(row) > 5 else ""
        key = file if file in keys else _unique(by_name.get(PurePosixPath(file).name, []))
        if key is None:
            unknown.append(file)
            continue
        found.setdefault(key, []).append(LabelledBox(box, label))
    if unknown:
        raise DatasetError(say("boxes_unknown_files", count=len(unknown), example=unknown[0]))
    return {key: tuple(boxes) for key, boxes in found.items()}


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _unique(keys: list[str]) -> str | None:
    return keys[0] if len(keys) == 1 else None
