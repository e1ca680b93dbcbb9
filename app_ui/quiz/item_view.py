"""One quiz item on the page: its pictures and question, and after the answer the photo and truth.

Pictures are stored JPEG bytes, sent as they are; nothing is drawn or computed here. Text that
came from people (a teacher's object names) is escaped before it goes into Markdown. The bundled
photos' titles and object names are stored in English (the CSV's data) and shown in the run's
language; a teacher's own are shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from gradcam_core.quiz import IMAGENET_TOP1, METHODS, TRUST_RATINGS, Item, Picture, PlannedItem

from ..i18n import _
from . import messages as m

if TYPE_CHECKING:
    from gradcam_core.quiz.photos import QuizPhoto

PictureSource = Callable[[str], Picture | None]
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$"})


def plain(text: str) -> str:
    """Text to put inside Markdown, shown as it is (no emphasis, links or HTML)."""
    return text.translate(_MARKDOWN)


UPLOAD_PREFIX = "upload_"  # a teacher's photo's id starts with it: its words are the teacher's


def shown_title(photo: QuizPhoto) -> str:
    """A quiz photo's title in the run's language (a teacher's upload keeps its file name)."""
    return photo.title if photo.origin == "upload" else _(photo.title)


def shown_words(item: Item, text: str) -> str:
    """An item's category or photo title in the run's language (bundled photos' words are in the
    catalogue; a teacher's own are shown as typed)."""
    return text if not text or item.photo.startswith(UPLOAD_PREFIX) else _(text)


def model_title(name: str) -> str:
    """'EfficientNet-Lite2' for a model's name (the app's own title when it knows one)."""
    import gradcam_core as gc

    try:
        return gc.get_spec(name).title
    except gc.ModelUnavailableError:
        return name


MAX_HEIGHT = 300  # px: on a 390 x 844 phone, the question and both answers stay on screen
PHONE_COLUMN = 340  # px: the page's column on a 390-px-wide phone is about 358 px


def show_picture(pictures: PictureSource, digest: str | None, alt: str, **kwargs) -> None:
    """A stored picture, about ``MAX_HEIGHT`` pixels high at most, never wider than the column."""
    found = pictures(digest) if digest else None
    if found is None:
        st.warning(_(m.OUTCOMES["unknown_item"]))
        return
    # A fixed width is not narrowed to a phone's screen: use one only where it is narrower than
    # any phone's column; otherwise "content" (natural size, never wider than the column)
    limit = round(MAX_HEIGHT * found.width / found.height)
    width = limit if found.height > MAX_HEIGHT and limit <= PHONE_COLUMN else "content"
    st.image(found.data, alt=alt, width=width, **kwargs)


def choices(item: Item, place: PlannedItem) -> list[int]:
    """The two categories' indices in the order this person sees them."""
    return [1, 0] if place.swapped else [0, 1]


def ask_discrimination(
    item: Item, place: PlannedItem, pictures: PictureSource, key: str
) -> int | None:
    """The picture and two buttons; the chosen category's index when one is pressed."""
    method = METHODS[item.method].title
    show_picture(pictures, item.picture, _(m.DISCRIMINATION_ALT).format(method=method))
    st.markdown(_(m.DISCRIMINATION_QUESTION))
    chosen = None
    for column, index in zip(st.columns(2), choices(item, place), strict=True):
        label = plain(shown_words(item, item.labels[index]))
        if column.button(label, key=f"{key}_{index}", width="stretch"):
            chosen = index
    return chosen


def trust_order(item: Item, place: PlannedItem) -> list[str | None]:
    """The two pictures as model 1 and model 2."""
    pair = [item.picture, item.picture_2]
    return pair if place.stronger_first else pair[::-1]


def ask_trust(item: Item, place: PlannedItem, pictures: PictureSource, key: str) -> int | None:
    """Both models' pictures, the category, five ratings; the rating when it is sent."""
    method = METHODS[item.method].title
    category = f"**{plain(shown_words(item, item.labels[0]))}**"
    st.markdown(_(m.TRUST_CATEGORY).format(category=category))
    for position, (column, digest) in enumerate(
        zip(st.columns(2), trust_order(item, place), strict=True), start=1
    ):
        with column:
            st.markdown(f"**{_(m.TRUST_MODEL).format(position=position)}**")
            alt = _(m.TRUST_ALT).format(position=position, method=method)
            show_picture(pictures, digest, alt)
    rating = st.radio(
        _(m.TRUST_QUESTION),
        TRUST_RATINGS,
        index=None,
        format_func={value: _(label) for value, label in m.TRUST_RATINGS.items()}.get,
        key=f"{key}_rating",
    )
    if st.button(_(m.SEND_RATING), key=f"{key}_send", type="primary"):
        if rating is None:
            st.warning(_(m.CHOOSE_A_RATING))
            return None
        return int(rating)
    return None


def ask(item: Item, place: PlannedItem, pictures: PictureSource, key: str) -> int | None:
    """The item's question; the answer when the person gives one in this run."""
    if item.study == "trust":
        return ask_trust(item, place, pictures, key)
    return ask_discrimination(item, place, pictures, key)


def method_note(item: Item, map_view: str) -> str:
    note = _(m.METHOD_NOTES[item.method])
    if map_view == "heatmap" and item.method == "gradcam":
        note = _(m.HEATMAP_NOTE)
    if map_view == "heatmap" and item.method == "eigencam":
        note = _(m.TWO_SENTENCES).format(
            first=_(m.EIGEN_HEATMAP_NOTE), second=_(m.METHOD_NOTES["eigencam"])
        )
    return _(m.METHOD_NOTE).format(method=METHODS[item.method].title, note=note)


def reveal(
    item: Item,
    place: PlannedItem,
    answer: int,
    trust_models: tuple[str, str],
    pictures: PictureSource,
    map_view: str,
) -> None:
    """After the answer: right or wrong (or which model was which), the method, the photo."""
    if item.study == "trust":
        stronger, weaker = trust_models
        first, second = (stronger, weaker) if place.stronger_first else (weaker, stronger)
        st.info(
            _(m.TRUST_REVEAL).format(
                model_1=model_title(first),
                accuracy_1=IMAGENET_TOP1.get(first, "?"),
                model_2=model_title(second),
                accuracy_2=IMAGENET_TOP1.get(second, "?"),
                rating=_(m.TRUST_RATINGS[answer]).lower(),
            )
        )
    else:
        truth = plain(shown_words(item, item.labels[item.truth or 0]))
        if answer == item.truth:
            st.success(_(m.RIGHT).format(truth=truth))
        else:
            chosen = plain(shown_words(item, item.labels[answer]))
            st.error(_(m.WRONG).format(truth=truth, answer=chosen))
        st.caption(method_note(item, map_view))
    title = shown_words(item, item.photo_title)
    show_picture(
        pictures,
        item.photo_picture,
        _(m.PHOTO_CAPTION).format(title=title),
        caption=_(m.PHOTO_CAPTION).format(title=plain(title)),
    )
