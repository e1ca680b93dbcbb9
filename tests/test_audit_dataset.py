"""Reading a dataset: layouts, hostile zips (checked from their headers), boxes, label matching."""

from __future__ import annotations

import io
import struct
import zipfile

import audit_support as tiny
import pytest

import gradcam_core as gc
from gradcam_core.dataset_audit.dataset import (
    DatasetError,
    DatasetLimits,
    ImageReadError,
    open_dataset,
    parse_boxes,
)
from gradcam_core.dataset_audit.matching import match_folders, normalized

KEYS = [
    "blue/corner.png",
    "green/centre.png",
    "green/mislabelled.png",
    "red/broken.png",
    "red/corner.png",
]


def test_a_folder_with_class_subfolders(tmp_path):
    dataset = open_dataset(tiny.write_folder(tmp_path))
    assert [e.key for e in dataset.entries] == KEYS
    assert dataset.folders == ("blue", "green", "red")
    assert dataset.labelled and dataset.kind == "folder"
    assert dataset.skipped == ("notes.txt",)  # boxes.csv at the root is read, not skipped
    assert dataset.boxes_for("red/corner.png")[0].box == (4, 4, 8, 8)
    assert dataset.boxes_for("red/corner.png")[0].label == "red"
    assert dataset.read("green/centre.png") == tiny.FILES["green/centre.png"]


def test_a_flat_folder_has_no_labels(tmp_path):
    files = {"a.png": tiny.FILES["red/corner.png"], "b.jpeg.txt": b"x"}
    dataset = open_dataset(tiny.write_folder(tmp_path, files))
    assert [(e.key, e.folder) for e in dataset.entries] == [("a.png", None)]
    assert not dataset.labelled


def test_a_zip_made_from_a_folder_is_looked_through(tmp_path):
    dataset = open_dataset(tiny.zip_bytes(top="my photos/"), name="photos.zip")
    assert [e.key for e in dataset.entries] == KEYS
    assert dataset.root == "my photos/"
    assert dataset.boxes_for("red/corner.png")[0].box == (4, 4, 8, 8)
    assert dataset.read("red/corner.png") == tiny.FILES["red/corner.png"]
    path = tmp_path / "photos.zip"
    path.write_bytes(tiny.zip_bytes())
    from_path = open_dataset(path)
    assert [e.key for e in from_path.entries] == KEYS and from_path.root == ""


def test_entry_ids_come_from_the_path_not_the_name():
    dataset = open_dataset(tiny.zip_bytes())
    ids = {e.id for e in dataset.entries}
    assert len(ids) == len(KEYS) and all(len(i) == 16 and i.isalnum() for i in ids)


def test_a_dataset_pickles_without_its_open_archive():
    import pickle

    dataset = open_dataset(tiny.zip_bytes())
    dataset.read("red/corner.png")  # opens the archive
    copy = pickle.loads(pickle.dumps(dataset))
    assert copy.read("green/centre.png") == tiny.FILES["green/centre.png"]


def test_empty_or_missing_datasets_say_so(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        open_dataset(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="holds no images"):
        open_dataset(tmp_path / "empty")
    text = tmp_path / "list.zip"
    text.write_text("not a zip")
    with pytest.raises(DatasetError, match="is not a zip archive"):
        open_dataset(text)
    with pytest.raises(DatasetError, match="not a complete zip"):
        open_dataset(tiny.zip_bytes()[:-30])


# ---------------------------------------------------------------- hostile zips


def test_a_zip_bomb_is_refused_from_its_header():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("red/bomb.bmp", b"\0" * (8 * 1024 * 1024))  # deflates ~1000-fold
    with pytest.raises(DatasetError, match="zip bomb"):
        open_dataset(buffer.getvalue(), name="bomb.zip")


@pytest.mark.parametrize(
    "name", ["../evil.png", "/etc/evil.png", "red/../../evil.png", "C:evil.png"]
)
def test_an_entry_outside_the_archive_is_refused(name):
    data = tiny.zip_bytes({"red/corner.png": tiny.FILES["red/corner.png"], name: b"x"})
    with pytest.raises(DatasetError, match="not a plain path"):
        open_dataset(data)


def test_caps_on_entries_images_bytes_and_size():
    data = tiny.zip_bytes()
    with pytest.raises(DatasetError, match="entries"):
        open_dataset(data, limits=DatasetLimits(max_entries=3))
    with pytest.raises(DatasetError, match="more than 4 images"):
        open_dataset(data, limits=DatasetLimits(max_images=4))
    with pytest.raises(DatasetError, match="inflate"):
        open_dataset(data, limits=DatasetLimits(max_total_bytes=200))
    with pytest.raises(DatasetError, match="limit here"):
        open_dataset(data, limits=DatasetLimits(max_archive_bytes=100))


def test_a_folder_over_the_image_cap_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="more than 2 images"):
        open_dataset(tiny.write_folder(tmp_path), limits=DatasetLimits(max_images=2))


def test_one_image_over_its_cap_is_that_images_error():
    dataset = open_dataset(tiny.zip_bytes(), limits=DatasetLimits(max_image_bytes=50))
    with pytest.raises(ImageReadError, match="over the 50 bytes limit"):
        dataset.read("red/corner.png")


def lying_zip() -> bytes:
    """A zip whose entry declares 10 bytes but holds 4,000 (stored, headers edited)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("red/big.png", b"\x89PNG" + b"A" * 3996)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # uncompressed size in the central directory
    struct.pack_into("<I", data, 22, 10)  # and in the local header
    return bytes(data)


def test_an_entry_holding_more_than_its_header_says_is_its_rows_error():
    dataset = open_dataset(lying_zip())
    with pytest.raises(ImageReadError):
        dataset.read("red/big.png")


def test_an_encrypted_entry_is_its_rows_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("red/secret.png", tiny.FILES["red/corner.png"])
    data = bytearray(buffer.getvalue())
    struct.pack_into("<H", data, data.rfind(b"PK\x01\x02") + 8, 0x1)  # the encrypted flag
    dataset = open_dataset(bytes(data))
    with pytest.raises(ImageReadError, match="encrypted"):
        dataset.read("red/secret.png")


def test_a_header_claiming_a_huge_image_does_not_count_and_is_not_decoded():
    """The loader's own checks run before Pillow opens a header: a 20000 x 20000 PNG or a GIF
    whose first frame claims 60000 x 60000 are refused, so they add nothing to the total."""
    import zlib

    from image_files import png_chunk

    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    huge_png = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + png_chunk(b"IEND", b"")
    )
    huge_gif = (
        b"GIF89a"
        + struct.pack("<HHBBB", 8, 8, 0, 0, 0)
        + b","
        + struct.pack("<HHHHB", 0, 0, 60000, 60000, 0)
        + b"\x02\x02\x44\x01\x00;"
    )
    files = {
        "red/corner.png": tiny.FILES["red/corner.png"],
        "red/huge.png": huge_png,
        "red/huge.gif": huge_gif,
    }
    dataset = open_dataset(tiny.zip_bytes(files))
    assert dataset.check_total_pixels(1000) == 64


def test_total_pixels_are_counted_from_headers():
    dataset = open_dataset(tiny.zip_bytes())
    assert dataset.check_total_pixels(1000) == 4 * 64  # four 8 x 8 PNGs; the broken one counts 0
    with pytest.raises(DatasetError, match="more than 0 megapixels"):
        dataset.check_total_pixels(200)


# ---------------------------------------------------------------- boxes


def test_boxes_by_path_or_by_a_unique_name():
    keys = {"red/a.png", "green/b.png", "green/a.png"}
    boxes = parse_boxes(b"red/a.png,1,2,3,4,cat\nb.png,0,0,5,5\n", "boxes.csv", keys)
    assert boxes["red/a.png"][0].box == (1, 2, 3, 4) and boxes["red/a.png"][0].label == "cat"
    assert boxes["green/b.png"][0].label == ""
    with pytest.raises(DatasetError, match=r"not in the dataset, e\.g\. 'a\.png'"):
        parse_boxes(b"a.png,0,0,5,5\n", "boxes.csv", keys)  # a.png is in two folders


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"red/a.png,1,2,3\n", "line 1: expected file,x0,y0,x1,y1"),
        (b"file,x0,y0,x1,y1\nred/a.png,1,two,3,4\n", "line 2: expected"),
        (b"red/a.png,5,5,1,1\n", "line 1: The box"),
        (b"red/a.png,nan,0,1,1\n", "line 1: Box coordinates must be finite"),
    ],
)
def test_a_bad_box_row_names_its_line(text, message):
    with pytest.raises(DatasetError, match=message):
        parse_boxes(text, "boxes.csv", {"red/a.png"})


def test_a_boxes_file_given_apart(tmp_path):
    folder = tiny.write_folder(tmp_path / "data", {"red/corner.png": tiny.FILES["red/corner.png"]})
    boxes = tmp_path / "mine.csv"
    boxes.write_text("red/corner.png,0,0,2,2,red\n")
    dataset = open_dataset(folder, boxes=boxes)
    assert dataset.boxes_for("red/corner.png")[0].box == (0, 0, 2, 2)


# ---------------------------------------------------------------- label matching


def test_folder_names_match_class_names():
    labels = gc.ClassLabels(("Cat", "Coffee cup", "Something else"))
    match = match_folders(["cat", "coffee_cup", "Something-Else", "2", "dogs", "9"], labels)
    assert match.classes == {"cat": 0, "coffee_cup": 1, "Something-Else": 2, "2": 2}
    assert match.unmatched == ("dogs", "9")
    assert normalized("  Coffee__Cup ") == "coffee cup"


def test_imagenet_folders_match_by_synonym_and_say_when_ambiguous():
    match = match_folders(
        ["tabby", "tabby cat", "espresso", "crane", "unicorn"], gc.imagenet_labels()
    )
    assert match.classes == {"tabby": 281, "tabby cat": 281, "espresso": 967}
    assert set(match.ambiguous["crane"]) == {134, 517}
    assert match.unmatched == ("unicorn",)
