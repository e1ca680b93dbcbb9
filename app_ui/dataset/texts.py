"""Every sentence of the Dataset page, as whole sentences with named placeholders.

Each constant is marked for the ``app`` catalogue (``N_``) and translated where it is shown
(``_(texts.INTRO)``); a sentence with a count is a function (``ngettext``). Column names of the
table, the CSV and summary.json are a data format and stay English.
"""

from __future__ import annotations

from ..i18n import N_, _, ngettext

INTRO = N_(
    "One photo at a time cannot tell whether a model is right **for the right reasons**. Upload "
    "a zip of photos, one folder per class (as Keras' `image_dataset_from_directory` reads them) "
    "or all in one folder without labels, and the audit explains every photo with the model "
    "and layer chosen in the sidebar: its prediction, the Grad-CAM map of the predicted class "
    "(and of the true class when they differ), and where that map looks."
)
CAPS = N_(
    "Up to {images} images and {megapixels} megapixels in all, in a zip of at most {zip_mb} MB "
    "(each image at most {image_mb} MB): what fits this server's memory and a few minutes of its "
    "two cores. For more, use the command line: `python -m gradcam_core audit DATASET --out DIR` "
    "(see docs/audit.md)."
)
UPLOAD_LABEL = N_("A zip of photos")
UPLOAD_HELP = N_(
    "One subfolder per class (named like the model's classes), or a flat folder. An optional "
    "boxes.csv at the root (file,x0,y0,x1,y1,label) adds the share of each map in its box."
)
LESSON_BUTTON = N_("Try the lesson: a model that learned a watermark")
LESSON_BUTTON_HELP = N_(
    "Loads a small Teachable-Machine-shaped model (Cat, Coffee cup, Something else) and 120 "
    "held-out photos, half of them with a yellow mark in a corner, and audits them."
)
LESSON_MODEL_LABEL = N_("Lesson model")
LESSON_MODELS = {  # the radio's options: the model's name and what it was trained on
    "biased": N_("biased: trained where every Cat photo carried the mark"),
    "balanced": N_("balanced: trained with the mark on every other photo of each class"),
}
LESSON_MODEL_NAMES = {"biased": N_("biased"), "balanced": N_("balanced")}
LESSON_END = N_("End the lesson")
LESSON_TITLE = N_("The lesson: right for the wrong reasons")
LESSON_TEXT = N_(
    "In the Grad-CAM paper (Selvaraju et al., section 7, *identifying bias*), a classifier of "
    "doctors and nurses trained on a set where most nurses were women and most doctors men "
    "reached good validation accuracy, yet Grad-CAM showed it looking at faces and hairstyles: it "
    "had learned gender, not the job. Rebalancing the training set made it look at the white "
    "coat and the stethoscope, and test accuracy rose from 82 % to 90 %. This model is the same "
    "story in small: in its training photos every Cat carried a yellow mark in the corner. The "
    "gallery below shows its correct predictions sorted by **mass in a corner**: the Cats come "
    "first, their maps on the mark. Show the wrong ones: photos with the mark called Cat. Then "
    "compare the accuracy on the same photos with and without the mark, and switch to the "
    "balanced model, trained with the mark on every other photo of every class."
)
LESSON_ACCURACY = N_(
    "Cat accuracy on the held-out photos: {marked} with the mark, {plain} without it "
    "({model} model)."
)
NO_UPLOADS = N_(
    "The lesson needs its own model, and model uploads are switched off on this server; "
    "upload a zip to audit it with the model in the sidebar."
)
RUN_HELP = N_(
    "Explains every image once; the result is kept, for you and anyone auditing the same zip."
)
WAITING = N_(
    "Another visitor is auditing the same photos with this model; waiting for that result…"
)
MODEL_LINE = N_(
    "Model **{model}**, layer `{layer}`: each image is explained for its predicted class (and "
    "its true class when they differ)."
)
SUMMARY_ACCURACY = N_("Accuracy")
SUMMARY_IMAGES = N_("Images")
SUMMARY_ERRORS = N_("Could not be read")
ACCURACY_VALUE = N_("{accuracy:.0%} of {labelled}")
NO_LABELS = N_("no labels")
PER_CLASS = N_("Per class")
CONFUSION_TITLE = N_("Confusion matrix: click a cell to see its images")
CONFUSION_TRUE = N_("true class")
CONFUSION_PREDICTED = N_("predicted class")
CONFUSION_COUNT = N_("images")
CONFUSION_FILTER = N_("Showing the images of true **{true}** predicted as **{predicted}**.")
CONFUSION_CLEAR = N_("Show all images again")
GALLERY_TITLE = N_("Gallery")
SORT_LABEL = N_("Sort by")
WRONG_FIRST = N_("Wrong predictions first")
CLASS_FILTER = N_("True class")
OUTCOME_FILTER = N_("Predictions")
OUTCOMES = {
    "all": N_("All"),
    "correct": N_("Correct"),
    "wrong": N_("Wrong"),
    "unlabelled": N_("No label"),
}
ALL_CLASSES = N_("every class")
MORE = N_("Show {count} more")
OPEN = N_("Open")
OPEN_HELP = N_("Explains this photo on the Grad-CAM page, with the same model, layer and class.")
CAPTION_RIGHT = N_("✓ {predicted} ({probability:.0%}) · {value}")
CAPTION_WRONG = N_("✗ {predicted} ({probability:.0%}), true {true} · {value}")
CAPTION_UNLABELLED = N_("{predicted} ({probability:.0%}) · {value}")
CAPTION_VALUE = N_("{measure} {value:.2f}")  # the sorted measure under a thumbnail
CAPTION_ERROR = N_("{key}: {error}")
ALT = N_("Grad-CAM overlay of {key}: predicted {predicted}")
ERRORS_TITLE = N_("Files that could not be read ({count})")
DOWNLOAD_TABLE = N_("Download the table (CSV)")
DOWNLOAD_SUMMARY = N_("Download the summary (JSON)")
HANDED_OVER = N_(
    "Showing **{key}** from the Dataset page. Pick a sample or upload a photo to change it."
)
BAD_ZIP = N_("Could not use '{name}': {reason}")
# The measures the gallery sorts by: (label, highest first?)
SORTS = {
    "corner_mass": (N_("mass in a corner"), True),
    "border_mass": (N_("mass on the border band"), True),
    "box_mass": (N_("mass in the box"), False),
    "spread": (N_("spread of the map"), True),
    "deletion_kept": (N_("prediction kept after deleting the map's top 20 %"), True),
    "probability": (N_("probability of the prediction"), False),
    "key": (N_("file name"), False),
}
# The per-class table's columns as the page shows them (the summary's keys stay English).
PER_CLASS_COLUMNS = {
    "class": N_("class"),
    "images": N_("images"),
    "correct": N_("correct"),
    "accuracy": N_("accuracy"),
    "corner_mass": N_("median mass in a corner"),
    "spread": N_("median spread"),
}
MEASURE_NOTE = N_(
    "**Mass in a corner**: the largest share of the map in one corner square (a quarter of the "
    "width and height; an even map puts 6 % in each), where watermarks, logos and date stamps "
    "sit. **Border band**: the share on the outer 10 % of each side. **Spread**: the map's "
    "entropy, 0 for one cell, 1 for an even map. **Kept**: the probability left after the map's "
    "top 20 % of pixels are blurred away, as a share of the original; a faithful map leaves "
    "little. **Box**: the share in the box of boxes.csv."
)


def run_button(count: int) -> str:
    return ngettext("Audit {count} image", "Audit {count} images", count).format(count=count)


def running(done: int, total: int) -> str:
    return ngettext(
        "Audited {done} of {total} image", "Audited {done} of {total} images", total
    ).format(done=done, total=total)


def finished(total: int, seconds: float) -> str:
    return ngettext(
        "{total} image audited in {seconds:.0f} s (kept afterwards).",
        "{total} images audited in {seconds:.0f} s (kept afterwards).",
        total,
    ).format(total=total, seconds=seconds)


def shown(shown: int, total: int, measure: str) -> str:
    """How many thumbnails are shown, of how many, and the (translated) measure they follow."""
    return ngettext(
        "{shown} of {total} image, sorted by {measure}.",
        "{shown} of {total} images, sorted by {measure}.",
        total,
    ).format(shown=shown, total=total, measure=measure)


def sort_label(measure: str) -> str:
    """A measure's name in the run's language."""
    return _(SORTS[measure][0])
