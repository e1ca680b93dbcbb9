"""Every sentence the audit engine says to a person, as whole sentences with named placeholders.

Kept in one place, away from the numeric code, so a translation (gettext catalogues) can replace
each template as a whole: ``MESSAGES["too_many_images"].format(count=..., limit=...)``.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # the dataset as a whole (the audit cannot start)
    "not_found": "The dataset {source} does not exist: give a folder or a .zip file.",
    "not_zip": "{source} is not a zip archive: give a folder or a .zip file.",
    "bad_zip": "{source} is not a complete zip archive (damaged or cut short).",
    "zip_too_large": "{source} is {size}; the limit here is {limit}.",
    "too_many_members": "{source} holds {count:,} entries; the limit here is {limit:,}.",
    "too_many_images": "{source} holds more than {limit:,} images, the limit here.",
    "too_many_bytes": ("{source} would inflate to {size} of files; the limit here is {limit}."),
    "zip_bomb": (
        "{source}: {name} would inflate {ratio:.0f}-fold to {size} (a zip bomb; the limit is "
        "{limit}-fold)."
    ),
    "unsafe_name": "{source}: the entry name '{name}' is not a plain path inside the archive.",
    "no_images": (
        "{source} holds no images (JPEG, PNG, WebP, BMP, TIFF, GIF or HEIC files), in the "
        "folder or in one subfolder per class."
    ),
    "too_many_pixels": (
        "{source} holds more than {limit:,.0f} megapixels of images, the limit here."
    ),
    # boxes
    "boxes_too_large": "The boxes file {name} is {size}; the limit is {limit}.",
    "boxes_bad_row": (
        "The boxes file {name}, line {line}: expected file,x0,y0,x1,y1[,label] with numbers "
        "for the coordinates, got '{text}'."
    ),
    "boxes_bad_box": "The boxes file {name}, line {line}: {reason}",
    "boxes_unknown_files": (
        "The boxes file names {count} files that are not in the dataset, e.g. '{example}'."
    ),
    # one image (its row's error; the audit goes on)
    "member_encrypted": "The file is encrypted in the archive.",
    "member_too_large": "The file is {size}, over the {limit} limit for one image.",
    "member_damaged": "The file is damaged in the archive ({reason}).",
    "member_lying": "The file holds more than the archive's header declares.",
    "file_unreadable": "The file could not be read ({reason}).",
    "map_failed": "Could not explain this image: {reason}",
    # label matching
    "unmatched_folders": (
        "Folders that match no class of {model} (n = {count}): {names}; their images "
        "(n = {images}) are audited without a true label."
    ),
    "ambiguous_folder": "The folder '{folder}' matches several classes of {model}: {classes}.",
    "skipped_files": "Files skipped because they are not images (n = {count}), e.g. '{example}'.",
    # options and output
    "unknown_method": "Unknown method '{method}'; choose one of: {choices}.",
    "method_unsupported": "{method} cannot audit this layer: {reason}",
    "pixel_method": (
        "{method} draws a picture at the photo's pixels, not a map of the layer; choose a map "
        "method: {choices}."
    ),
    "workers_local": (
        "--workers sets the number of Ray actors: use it with --engine ray (the local engine "
        "uses every core through TensorFlow)."
    ),
    "bad_workers": "--workers must be at least 1, got {workers}.",
    "bad_top": "--top must be at least 1, got {top}.",
    "other_run": (
        "{out} holds an audit made with other settings ({differences}); choose another "
        "--out folder or delete it."
    ),
    "ray_missing": (
        "The Ray engine needs Ray: pip install 'gradcam-explorer[ray]' (or pip install "
        "'ray[data]'), or run with --engine local."
    ),
    "ray_model_bytes": (
        "The Ray engine needs the model as a name or a file path, so every actor can load it."
    ),
    # CLI output
    "progress": "{done}/{total} images · {rate:.1f} images/s · {left}",
    "time_measuring": "measuring the pace…",
    "time_seconds": "about {seconds:.0f} s left",
    "time_minutes": "about {minutes:.0f} min left",
    "time_done": "done in {seconds:.1f} s",
    "resumed": "{done} of {total} images were already audited in {out}; auditing the other {left}.",
    "finished": (
        "Audited {total} images ({errors} could not be read) in {seconds:.1f} s: accuracy "
        "{accuracy} on {labelled} labelled images. Results in {out}."
    ),
    "finished_unlabelled": (
        "Audited {total} images ({errors} could not be read) in {seconds:.1f} s, without "
        "labels. Results in {out}."
    ),
}


def say(key: str, **values: object) -> str:
    """The sentence ``key`` with its placeholders filled in."""
    return MESSAGES[key].format(**values)
