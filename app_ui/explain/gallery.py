"""The sample gallery under the Grad-CAM page: thumbnails of the bundled photos to explain."""

from __future__ import annotations

import streamlit as st

from gradcam_core import samples

from .. import cache
from ..controls import Selection
from ..i18n import _
from ..photo_picker import sample_title

GALLERY_KEY = "sample_gallery"  # the expander's open state, in session state


def _use_sample(sample_id: str) -> None:
    st.session_state["sample"] = sample_id


def sample_gallery(selection: Selection) -> None:
    """Thumbnails of the bundled photos; a click explains that photo.

    Built only once the expander is opened (a rerun): a collapsed gallery would still send every
    visitor seven thumbnails and buttons, which a browser fetches though it does not show them.
    """
    gallery = st.expander(_("Sample photos"), key=GALLERY_KEY, on_change="rerun")
    if not gallery.open:
        return
    with gallery:
        if selection.sample_id is None:
            st.caption(_("Your own photo is shown; remove it from the uploader to use these."))
        ids = samples.sample_ids()
        columns = st.columns(len(ids))
        for column, sample_id in zip(columns, ids, strict=True):
            title = sample_title(sample_id)
            column.image(
                cache.thumbnail(sample_id),
                caption=title,
                alt=_("Sample photo: {title}").format(title=title),
            )
            column.button(
                _("Explain"),
                key=f"use_sample_{sample_id}",
                on_click=_use_sample,
                args=(sample_id,),
                disabled=sample_id == selection.sample_id or selection.sample_id is None,
            )
