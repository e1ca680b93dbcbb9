"""Every sentence the audit engine says to a person, as whole sentences with named placeholders.

Kept in one place, away from the numeric code, each marked for the ``gradcam_core`` catalogue
(``N_``): ``say("too_many_images", source=..., limit=...)`` is a ``Text``, rendered in the
language of whoever shows it (the CLI's ``--lang``, the visitor's on the Dataset page).
"""

from __future__ import annotations

from ..i18n import N_, Text

MESSAGES: dict[str, str] = {
    # the dataset as a whole (the audit cannot start)
    "not_found": N_("The dataset {source} does not exist: give a folder or a .zip file."),
    "not_zip": N_("{source} is not a zip archive: give a folder or a .zip file."),
    "bad_zip": N_("{source} is not a complete zip archive (damaged or cut short)."),
    "zip_too_large": N_("{source} is {size}; the limit here is {limit}."),
    "too_many_members": N_("{source} holds {count:,} entries; the limit here is {limit:,}."),
    "too_many_images": N_("{source} holds more than {limit:,} images, the limit here."),
    "too_many_bytes": N_("{source} would inflate to {size} of files; the limit here is {limit}."),
    "zip_bomb": N_(
        "{source}: {name} would inflate {ratio:.0f}-fold to {size} (a zip bomb; the limit is "
        "{limit}-fold)."
    ),
    "unsafe_name": N_("{source}: the entry name '{name}' is not a plain path inside the archive."),
    "no_images": N_(
        "{source} holds no images (JPEG, PNG, WebP, BMP, TIFF, GIF or HEIC files), in the "
        "folder or in one subfolder per class."
    ),
    "too_many_pixels": N_(
        "{source} holds more than {limit:,.0f} megapixels of images, the limit here."
    ),
    # boxes
    "boxes_too_large": N_("The boxes file {name} is {size}; the limit is {limit}."),
    "boxes_bad_row": N_(
        "The boxes file {name}, line {line}: expected file,x0,y0,x1,y1[,label] with numbers "
        "for the coordinates, got '{text}'."
    ),
    "boxes_bad_box": N_("The boxes file {name}, line {line}: {reason}"),
    "boxes_unreadable": N_("{name}: {reason}"),
    "boxes_unknown_files": N_(
        "The boxes file names {count} files that are not in the dataset, e.g. '{example}'."
    ),
    # one image (its row's error; the audit goes on)
    "member_encrypted": N_("The file is encrypted in the archive."),
    "member_too_large": N_("The file is {size}, over the {limit} limit for one image."),
    "member_damaged": N_("The file is damaged in the archive ({reason})."),
    "member_lying": N_("The file holds more than the archive's header declares."),
    "file_unreadable": N_("The file could not be read ({reason})."),
    "not_in_archive": N_("not in the archive"),
    "map_failed": N_("Could not explain this image: {reason}"),
    # label matching
    "unmatched_folders": N_(
        "Folders that match no class of {model} (n = {count}): {names}; their images "
        "(n = {images}) are audited without a true label."
    ),
    "ambiguous_folder": N_("The folder '{folder}' matches several classes of {model}: {classes}."),
    "skipped_files": N_(
        "Files skipped because they are not images (n = {count}), e.g. '{example}'."
    ),
    # options and output
    "unknown_engine": N_("Unknown engine '{engine}'; choose one of: {choices}."),
    "unknown_method": N_("Unknown method '{method}'; choose one of: {choices}."),
    "method_unsupported": N_("{method} cannot audit this layer: {reason}"),
    "pixel_method": N_(
        "{method} draws a picture at the photo's pixels, not a map of the layer; choose a map "
        "method: {choices}."
    ),
    "workers_local": N_(
        "--workers sets the number of Ray actors: use it with --engine ray (the local engine "
        "uses every core through TensorFlow)."
    ),
    "bad_workers": N_("--workers must be at least 1, got {workers}."),
    "bad_top": N_("--top must be at least 1, got {top}."),
    "other_run": N_(
        "{out} holds an audit made with other settings ({differences}); choose another "
        "--out folder or delete it."
    ),
    "run_difference": N_("{setting}: {before} then, {now} now"),
    "needs_preprocess": N_("{message} Pass one with --preprocess."),
    "ray_missing": N_(
        "The Ray engine needs Ray: pip install 'gradcam-explorer[ray]' (or pip install "
        "'ray[data]'), or run with --engine local."
    ),
    "ray_model_bytes": N_(
        "The Ray engine needs the model as a name or a file path, so every actor can load it."
    ),
    # the lesson's files
    "lesson_missing": N_("The lesson file {name} is missing from the package."),
    "lesson_model": N_("Choose one of {choices}, got {which!r}."),
    # CLI output
    "progress": N_("{done}/{total} images · {rate:.1f} images/s · {left}"),
    "time_measuring": N_("measuring the pace…"),
    "time_seconds": N_("about {seconds:.0f} s left"),
    "time_minutes": N_("about {minutes:.0f} min left"),
    "time_done": N_("done in {seconds:.1f} s"),
    "resumed": N_(
        "{done} of {total} images were already audited in {out}; auditing the other {left}."
    ),
    "finished": N_(
        "Audited {total} images ({errors} could not be read) in {seconds:.1f} s: accuracy "
        "{accuracy} on {labelled} labelled images. Results in {out}."
    ),
    "finished_unlabelled": N_(
        "Audited {total} images ({errors} could not be read) in {seconds:.1f} s, without "
        "labels. Results in {out}."
    ),
}


def say(key: str, **values: object) -> Text:
    """The sentence ``key`` with its placeholders, rendered (``str()``) in the language of that
    moment; a value may itself be a ``Text`` or an exception with one."""
    return Text(MESSAGES[key], **values)
