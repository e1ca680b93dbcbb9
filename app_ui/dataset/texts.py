"""Every sentence of the Dataset page, as whole sentences with named placeholders.

Kept apart from the layout so that a translation (gettext catalogues) can replace each one.
"""

from __future__ import annotations

INTRO = (
    "One photo at a time cannot tell whether a model is right **for the right reasons**. Upload "
    "a zip of photos, one folder per class (as Keras' `image_dataset_from_directory` reads them) "
    "or all in one folder without labels, and the audit explains every photo with the model "
    "and layer chosen in the sidebar: its prediction, the Grad-CAM map of the predicted class "
    "(and of the true class when they differ), and where that map looks."
)
CAPS = (
    "Up to {images} images and {megapixels} megapixels in all, in a zip of at most {zip_mb} MB "
    "(each image at most {image_mb} MB): what fits this server's memory and a few minutes of its "
    "two cores. For more, use the command line: `python -m gradcam_core audit DATASET --out DIR` "
    "(see docs/audit.md)."
)
UPLOAD_LABEL = "A zip of photos"
UPLOAD_HELP = (
    "One subfolder per class (named like the model's classes), or a flat folder. An optional "
    "boxes.csv at the root (file,x0,y0,x1,y1,label) adds the share of each map in its box."
)
LESSON_BUTTON = "Try the lesson: a model that learned a watermark"
LESSON_BUTTON_HELP = (
    "Loads a small Teachable-Machine-shaped model (Cat, Coffee cup, Something else) and 120 "
    "held-out photos, half of them with a yellow mark in a corner, and audits them."
)
LESSON_MODEL_LABEL = "Lesson model"
LESSON_MODELS = {
    "biased": "trained where every Cat photo carried the mark",
    "balanced": "trained with the mark on every other photo of each class",
}
LESSON_END = "End the lesson"
LESSON_TITLE = "The lesson: right for the wrong reasons"
LESSON_TEXT = (
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
LESSON_ACCURACY = (
    "Cat accuracy on the held-out photos: {marked} with the mark, {plain} without it "
    "({model} model)."
)
NO_UPLOADS = (
    "The lesson needs its own model, and model uploads are switched off on this server; "
    "upload a zip to audit it with the model in the sidebar."
)
RUN_BUTTON = "Audit {count} images"
RUN_HELP = (
    "Explains every image once; the result is kept, for you and anyone auditing the same zip."
)
RUNNING = "Audited {done} of {total} images"
WAITING = "Another visitor is auditing the same photos with this model; waiting for that result…"
MODEL_LINE = (
    "Model **{model}**, layer `{layer}`: each image is explained for its predicted class (and "
    "its true class when they differ)."
)
FINISHED = "{total} images audited in {seconds:.0f} s (kept afterwards)."
SUMMARY_ACCURACY = "Accuracy"
SUMMARY_IMAGES = "Images"
SUMMARY_ERRORS = "Could not be read"
ACCURACY_VALUE = "{accuracy:.0%} of {labelled}"
NO_LABELS = "no labels"
PER_CLASS = "Per class"
CONFUSION_TITLE = "Confusion matrix: click a cell to see its images"
CONFUSION_TRUE = "true class"
CONFUSION_PREDICTED = "predicted class"
CONFUSION_COUNT = "images"
CONFUSION_FILTER = "Showing the images of true **{true}** predicted as **{predicted}**."
CONFUSION_CLEAR = "Show all images again"
GALLERY_TITLE = "Gallery"
SORT_LABEL = "Sort by"
WRONG_FIRST = "Wrong predictions first"
CLASS_FILTER = "True class"
OUTCOME_FILTER = "Predictions"
OUTCOMES = {"all": "All", "correct": "Correct", "wrong": "Wrong", "unlabelled": "No label"}
ALL_CLASSES = "every class"
SHOWN = "{shown} of {total} images, sorted by {measure}."
MORE = "Show {count} more"
OPEN = "Open"
OPEN_HELP = "Explains this photo on the Grad-CAM page, with the same model, layer and class."
CAPTION_RIGHT = "✓ {predicted} ({probability:.0%}) · {value}"
CAPTION_WRONG = "✗ {predicted} ({probability:.0%}), true {true} · {value}"
CAPTION_UNLABELLED = "{predicted} ({probability:.0%}) · {value}"
CAPTION_ERROR = "{key}: {error}"
ALT = "Grad-CAM overlay of {key}: predicted {predicted}"
ERRORS_TITLE = "Files that could not be read ({count})"
DOWNLOAD_TABLE = "Download the table (CSV)"
DOWNLOAD_SUMMARY = "Download the summary (JSON)"
HANDED_OVER = (
    "Showing **{key}** from the Dataset page. Pick a sample or upload a photo to change it."
)
BAD_ZIP = "Could not use '{name}': {reason}"
# The measures the gallery sorts by: (label, highest first?)
SORTS = {
    "corner_mass": ("mass in a corner", True),
    "border_mass": ("mass on the border band", True),
    "box_mass": ("mass in the box", False),
    "spread": ("spread of the map", True),
    "deletion_kept": ("prediction kept after deleting the map's top 20 %", True),
    "probability": ("probability of the prediction", False),
    "key": ("file name", False),
}
MEASURE_NOTE = (
    "**Mass in a corner**: the largest share of the map in one corner square (a quarter of the "
    "width and height; an even map puts 6 % in each), where watermarks, logos and date stamps "
    "sit. **Border band**: the share on the outer 10 % of each side. **Spread**: the map's "
    "entropy, 0 for one cell, 1 for an even map. **Kept**: the probability left after the map's "
    "top 20 % of pixels are blurred away, as a share of the original; a faithful map leaves "
    "little. **Box**: the share in the box of boxes.csv."
)
