"""Localization: does the map fall on the object? Pointing game, mass inside, the 15 % box.

The section is a fragment: changing the object or a box coordinate reruns only it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core import drawing, samples
from gradcam_core.drawing.boxes import draw_localization

from .. import language
from ..controls import Selection
from ..i18n import N_, _, render

NOTE = N_(
    "Boxes are in the photo's pixels: x to the right and y down from the top-left corner; x1 "
    "and y1 are exclusive. The map is upsampled to the whole photo."
)
NO_BOX = N_(
    "No box ships with this photo: enter the object's box (it starts as the whole photo, where "
    "every map trivially hits)."
)
OWN_MODEL_BOXES = N_(
    "The sample's boxes name ImageNet objects; your model has its own classes, so pick the box "
    "that holds what your class should look at, or enter one."
)
OBJECT_HELP = N_(
    "Each object's shipped box; the default is the one whose ImageNet classes contain the "
    "target class."
)


@st.cache_data(max_entries=64, show_spinner=False)
def localize(
    key: tuple[str, ...], box: gm.Box, size: tuple[int, int], _cam: np.ndarray
) -> gm.Localization:
    """Pointing game, mass in the box, the 15 % box and its IoU (full-photo map, cached)."""
    return gm.localize(_cam, box, size)


def _object_box(selection: Selection) -> tuple[int, tuple[int, int, int, int], str]:
    """The chosen shipped object (selector shown when there are several), else the whole photo."""
    width, height = selection.photo.image.size
    objects = samples.get_sample(selection.sample_id).objects if selection.sample_id else ()
    index = 0
    if objects and selection.own_model:
        st.caption(_(OWN_MODEL_BOXES))
    if len(objects) > 1:
        imagenet_target = None if selection.own_model else selection.target
        index = st.selectbox(
            _("Object"),
            range(len(objects)),
            index=0 if imagenet_target is None else samples.pick_object(objects, imagenet_target),
            format_func=[_(obj.label) for obj in objects].__getitem__,
            key=f"trust_object_{selection.sample_id}_{selection.target}",
            help=_(OBJECT_HELP),
        )
    if objects:
        return index, objects[index].box, _(objects[index].label)
    st.info(_(NO_BOX))
    return index, (0, 0, width, height), _("your box")


def box_inputs(selection: Selection) -> tuple[gm.Box | None, str]:
    """Object selector (shipped boxes) and four number inputs: the box entered and its name."""
    width, height = selection.photo.image.size
    index, default, name = _object_box(selection)
    columns = st.columns(4)
    values = [
        column.number_input(
            label,
            min_value=0,
            max_value=limit,
            value=int(value),
            step=1,
            key=f"trust_box_{selection.digest[:16]}_{index}_{label}",
        )
        for column, label, limit, value in zip(
            columns, ("x0", "y0", "x1", "y1"), (width, height, width, height), default, strict=True
        )
    ]
    try:
        return gm.check_box(values, width, height), name
    except ValueError as error:
        st.error(
            _("{reason} x1 and y1 are exclusive: the box covers x0..x1-1 and y0..y1-1.").format(
                reason=render(error)
            )
        )
        return None, name


def _picture(selection: Selection, cam: np.ndarray, scores: gm.Localization) -> Image.Image:
    photo = drawing.preview(selection.photo.image, 1024)
    scale = photo.size[0] / selection.photo.image.size[0]
    shown = gc.overlay(photo, cam, selection.cmap, selection.opacity)
    return draw_localization(Image.fromarray(shown), scores, scale)


def _numbers(scores: gm.Localization, size: tuple[int, int]) -> None:
    st.metric(
        _("Pointing game"),
        _("hit") if scores.hit else _("miss"),
        help=_("Is the map's maximum inside the box? (Zhang et al. 2016)"),
    )
    share = "—" if np.isnan(scores.mass_share) else f"{scores.mass_share:.1%}"
    st.metric(_("Map's mass inside the box"), share)
    st.caption(
        _("The box is {share:.1%} of the photo: what a flat map would score.").format(
            share=gm.flat_share(scores.box, size)
        )
    )
    st.metric(
        _("IoU of the 15 % box with the box"),
        f"{scores.iou:.2f}",
        help=_(
            "The Grad-CAM paper's weakly-supervised box: keep the pixels ≥ 15 % of the maximum "
            "and box the largest connected region. The paper counts IoU ≥ 0.5 as a correct "
            "localization."
        ),
    )
    if scores.predicted_box is None:
        st.caption(_("The map is empty: no peak and no 15 % box."))
    else:
        st.caption(
            _("15 % box {box}; peak at (x, y) = {peak}.").format(
                box=scores.predicted_box, peak=scores.peak
            )
        )


@language.fragment(key="trust_localization")
def section(selection: Selection, cam: np.ndarray) -> None:
    """Box inputs, then the picture with the boxes and peak beside the scores."""
    st.caption(_(NOTE))
    box, name = box_inputs(selection)
    if box is None:
        return
    size = selection.photo.image.size
    scores = localize(tuple(selection.map_key), box, size, cam)
    picture, numbers = st.columns([3, 2])
    picture.image(
        _picture(selection, cam, scores),
        caption=_("Green: {name}. Cyan: the map's 15 % box. White ring: the map's peak.").format(
            name=name
        ),
        width="stretch",
    )
    with numbers:
        _numbers(scores, size)
