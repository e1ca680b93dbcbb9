"""What a person reads on a page run through AppTest, and the English words left in it.

``visible_texts`` walks every element of a session (main area and sidebar) and takes the strings
a person sees: markdown and captions, headings, alerts, widget labels, help, placeholders and
options, image captions and alt texts, metric labels, values and deltas, table columns, the
words of a formula (``\\text{...}``) and of an Altair chart (titles, legend entries, tooltips).
``english_words`` keeps the words of a text that are English and not a name, a formula symbol
or a unit (``ALLOWED``): class names from the model's labels, layer and file names (anything
with a digit, an underscore or a dot) and the allow-list below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"

# Names, measures, formula symbols and units that stay as they are in every language.
ALLOWED = frozenset(
    word.lower()
    for word in """
    Grad-CAM Grad-CAM++ XGrad-CAM HiResCAM LayerCAM Score-CAM Eigen-CAM CAM Guided Backprop
    Counterfactual Contrast EfficientNet-Lite EfficientNet Lite VGG ResNet Inception ConvNeXt
    MobileNet Xception DenseNet NASNet Keras TensorFlow PyTorch Teachable Machine ImageNet
    WordNet Streamlit logit logits softmax sigmoid ReLU tf raw unit caffe torch Sobel Spearman
    SSIM AUC IoU top-k Top px MB kB GB ms s min max PNG JPEG JSON HEIC npz npy np load
    inferno jet viridis cividis magma turbo plasma Aᵏ yᶜ α x y h w K Z p z S I up cmap hat
    Selvaraju Adebayo Chattopadhay Zhang Zhou al et Average Drop Increase in Confidence
    Chelsea Grace Hopper Falcon relu normalized weights English Language Explorer
    BGR RGB std mean Dense GAP Rescaling Normalization Lambda labels txt zip keras h5 tf_keras
    vs A B c k i j r cf HTTPS localhost
    CSV WebP BMP TIFF GIF
    IJCV PASCAL VOC AlexNet Wilson stem
    """.split()  # noqa: SIM905 (a word list reads best as words)
)

_TEXT_FIELDS = frozenset(
    {"body", "label", "help", "caption", "alt", "placeholder", "options", "text", "delta",
     "default_value", "title", "value_label"}
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9_.+\-/'’]+")
_LATEX_TEXT = re.compile(r"\\text\{([^{}]*)\}")
_CODE = re.compile(r"`[^`]*`")  # code spans: what a person types or a file holds


def page_paths() -> list[str]:
    """The pages of app.py's page table (``PageEntry(..., "pages/x.py", ...)``), in its order."""
    return re.findall(r'"(pages/[a-z_]+\.py)"', APP.read_text(encoding="utf-8"))


def _proto_strings(message, field: str | None = None) -> Iterator[str]:
    """Every string of a protobuf message held in a field a person reads (recursively)."""
    for descriptor, value in message.ListFields():
        name = descriptor.name
        if descriptor.type == descriptor.TYPE_MESSAGE:
            items = [value] if hasattr(value, "ListFields") else list(value)
            for item in items:
                yield from _proto_strings(item, name)
        elif descriptor.type == descriptor.TYPE_STRING and name in _TEXT_FIELDS:
            yield from [value] if isinstance(value, str) else list(value)
        elif descriptor.type == descriptor.TYPE_STRING and name == "spec":
            yield from _chart_strings(value)


def _chart_strings(spec: str) -> Iterator[str]:
    """Titles, legend entries and tooltip titles of a Vega-Lite spec, and the data's strings."""
    try:
        tree = json.loads(spec)
    except ValueError:
        return
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "domain") and isinstance(value, str | list):
                    yield from [value] if isinstance(value, str) else [
                        v for v in value if isinstance(v, str)
                    ]
                elif key == "values" and isinstance(value, list):  # inline data rows
                    for row in value:
                        if isinstance(row, dict):
                            yield from (v for v in row.values() if isinstance(v, str))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _latex_words(body: str) -> list[str]:
    return _LATEX_TEXT.findall(body)


def visible_texts(session: AppTest) -> list[str]:
    """Every string a person reads on the page and in the sidebar of this run."""
    texts: list[str] = []
    for root in (session.main, session.sidebar):
        stack = [root]
        while stack:
            node = stack.pop()
            children = getattr(node, "children", None)
            if isinstance(children, dict):
                stack.extend(children.values())
            proto = getattr(node, "proto", None)
            if proto is None:
                continue
            if getattr(node, "type", "") == "latex" or type(node).__name__ == "Latex":
                texts += _latex_words(getattr(proto, "body", ""))
                continue
            texts += [s for s in _proto_strings(proto) if s.strip()]
            value = getattr(node, "value", None)
            columns = getattr(value, "columns", None)
            if columns is not None:  # a table: its column headers
                texts += [str(c) for c in columns]
    return texts


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English words of ``text`` that are neither names nor symbols nor units."""
    extra = {word.lower() for word in allowed}
    found = []
    for token in _WORD.findall(_CODE.sub(" ", text)):
        token = token.strip(".'’-/+")
        if len(token) < 2 or re.search(r"[0-9_.]", token):
            continue  # numbers, layer and file names
        if not re.fullmatch(r"[A-Za-z'’\-+/]+", token):
            continue
        parts = [token, *re.split(r"[-/]", token)]
        if any(part.lower() in ALLOWED or part.lower() in extra for part in parts):
            continue
        found.append(token)
    return found


def names_of(session: AppTest) -> set[str]:
    """Words of the current model's class names, sample photo names and the own model's file:
    data, not interface, and kept as they are."""
    from gradcam_core.labels import imagenet_labels
    from gradcam_core.models import MODELS
    from gradcam_core.models.architecture import LAYER_CLASSES

    words = {spec.title.lower() for spec in MODELS.values()} | {k.lower() for k in LAYER_CLASSES}
    for name in imagenet_labels().names:  # ImageNet's class names stay English (README says why)
        words |= {w.lower() for w in _WORD.findall(name)}
    for box in list(session.sidebar.selectbox) + list(session.selectbox):
        if box.key == "target":
            for option in box.options:
                words |= {w.lower() for w in _WORD.findall(option)}
    return words
