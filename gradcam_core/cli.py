"""Command line: `python -m gradcam_core explain IMAGE [--method NAME] --out DIR`, `... methods`
and `... models`.

``--method`` takes any id of the method registry (``CAM_METHODS``), read when the command line
is parsed, so a method registered by the caller is offered too.

``--lang en|zh`` chooses the language of what it prints (errors included); by default the
environment's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English.

``--model`` takes a bundled or zoo model's name, or a model file (.keras, .h5, or a Teachable
Machine .zip) that is checked before Keras sees it (gradcam_core/models/safety.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from . import engine, export, samples, tf_logging
from .cams import CAM_METHODS, REFERENCE_METHOD, build_method, method_settings
from .dataset_audit import cli as audit_cli
from .drawing import DEFAULT_COLORMAP, check_colormap, overlay, pixel_image
from .errors import GradCamError, PreprocessingRequiredError
from .i18n import LANGUAGES, Text, _, language_from_environment, set_language
from .images import LoadedImage, load_image
from .layers import find_layer
from .models import (
    DEFAULT_MODEL,
    MODELS,
    available_models,
    bundled_classifier,
    get_spec,
    load_classifier,
    load_model,
)
from .models.classifier import Classifier
from .models.own import looks_like_path
from .models.preprocessing import PRESET_NAMES, required_message

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gradcam_core", description="Grad-CAM for a photo, from the command line."
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="let TensorFlow print its start-up and log lines on stderr (hidden by default)",
    )
    lang_help = (
        "language of the messages: en or zh (default: from LANGUAGE, LC_ALL, LC_MESSAGES or "
        "LANG, else en)"
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=lang_help)
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser("explain", help="explain one image and write the maps to DIR")
    explain.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=lang_help)
    explain.add_argument(
        "image",
        type=Path,
        help="a JPEG, PNG, WebP, BMP, TIFF, GIF or HEIC file, or a bundled sample photo's name: "
        + ", ".join(samples.sample_ids()),
    )
    explain.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="PATH|NAME",
        help=f"a model file (.keras, .h5, Teachable Machine .zip) or one of: {', '.join(MODELS)}",
    )
    explain.add_argument(
        "--labels", type=Path, help="class names: labels.txt ('0 Cat' or one per line) or JSON"
    )
    explain.add_argument(
        "--preprocess",
        choices=PRESET_NAMES,
        help="how the model's pixels were scaled (needed when the file does not say)",
    )
    explain.add_argument(
        "--method",
        default=REFERENCE_METHOD,
        choices=list(CAM_METHODS),
        help="the CAM method (default: %(default)s; `methods` lists them)",
    )
    explain.add_argument("--layer", help="feature-map layer (default: the last before pooling)")
    explain.add_argument("--target", help="class index or (partial) label (default: top-1)")
    explain.add_argument("--top", type=int, default=5, help="how many predictions to report")
    explain.add_argument("--score", choices=engine.SCORES, default="logit")
    explain.add_argument("--colormap", default=DEFAULT_COLORMAP)
    explain.add_argument("--opacity", type=float, default=0.5)
    explain.add_argument("--out", type=Path, required=True, help="output folder")
    commands.add_parser("methods", help="list the CAM methods: id, name, what they use, cost")
    commands.add_parser("models", help="list the models, their source and size")
    audit_cli.add_parser(commands)
    return parser


def _list_models() -> int:
    installed = {spec.name for spec in available_models()}
    for spec in MODELS.values():
        status = "" if spec.name in installed else "  " + _("(package not installed)")
        print(
            f"{spec.name:20s} {spec.title:20s} {spec.source:8s} {spec.size_mb:6.0f} MB  "
            f"{spec.input_size}x{spec.input_size}{status}"
        )
    return 0


def _list_methods() -> int:
    for method_id, kind in CAM_METHODS.items():
        uses = _("gradients") if kind.uses_gradients else _("no gradients")
        level = _(", pixel level") if kind.pixel_level else ""
        cost = "  " + _("slow: {cost}").format(cost=_(kind.cost)) if kind.cost else ""
        print(f"{method_id:16s} {kind.name:24s} {uses}{level}{cost}")
    return 0


def _progress(method_name: str) -> Callable[[float], None] | None:
    """A one-line progress report on stderr for a slow method, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(fraction: float) -> None:
        end = "\n" if fraction >= 1 else ""
        print(f"\r{method_name}: {fraction:.0%}", end=end, file=sys.stderr, flush=True)

    return report


def _check_options(args: argparse.Namespace) -> None:
    check_colormap(args.colormap)
    if not 0.0 <= args.opacity <= 1.0:
        raise ValueError(
            Text("--opacity must be between 0 and 1, got {opacity}.", opacity=args.opacity)
        )
    if args.top < 1:
        raise ValueError(Text("--top must be at least 1, got {top}.", top=args.top))


def _read_image(given: Path) -> LoadedImage:
    """The photo at a path, or the bundled sample of that name when there is no such file."""
    if not given.exists() and str(given) in samples.sample_ids():
        return samples.load_sample(str(given))
    return load_image(given)


def _explain(args: argparse.Namespace) -> int:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    _check_options(args)
    loaded = _read_image(args.image)
    timings["load_image_s"] = time.perf_counter() - start

    start = time.perf_counter()
    classifier = _load_classifier(args)
    model = classifier.model
    timings["load_model_s"] = time.perf_counter() - start

    start = time.perf_counter()
    x = classifier.preprocess(loaded.image)
    layer = find_layer(model, args.layer)[0] if args.layer else classifier.default_layer
    forward_pass = engine.forward(model, x, [layer])
    top = classifier.top_k(forward_pass.logits, args.top)
    target = classifier.labels.find(args.target) if args.target else top[0].index
    kind = CAM_METHODS[args.method]
    reason = kind.unsupported_reason(model, layer)
    if reason is not None:
        raise ValueError(
            Text(
                "{method} does not apply at {layer}: {reason}",
                method=kind.name,
                layer=layer,
                reason=reason,
            )
        )
    method = build_method(args.method, _progress(kind.name))
    result = method.from_forward(model, x, forward_pass, layer, [target], args.score)[0]
    pixel = method.from_gradcam(model, x, result) if kind.pixel_level else None
    timings["grad_cam_s"] = time.perf_counter() - start

    start = time.perf_counter()
    blended = overlay(loaded.image, result.normalized, args.colormap, args.opacity)
    args.out.mkdir(parents=True, exist_ok=True)
    for stage in ("raw", "relu", "normalized"):
        np.save(args.out / f"{stage}.npy", getattr(result, stage))
    Image.fromarray(blended).save(args.out / "overlay.png")
    if pixel is not None:  # the image-sized result of a pixel-level method, and its picture
        np.save(args.out / "pixel.npy", pixel.guided_gradcam)
        Image.fromarray(pixel_image(pixel.guided_gradcam, loaded.image.size)).save(
            args.out / "pixel.png"
        )
    timings["overlay_and_save_s"] = time.perf_counter() - start

    summary = export.summary(
        result,
        top,
        {
            "model": classifier.name,
            "method": args.method,
            "layer": layer,
            "target": target,
            "score": args.score,
            "colormap": args.colormap,
            "opacity": args.opacity,
        },
        target_name=classifier.labels.name(target),
    )
    file = (
        {"name": classifier.file_name, "sha256": classifier.sha256} if classifier.sha256 else None
    )
    summary.update(
        model=classifier.name,
        model_title=classifier.title,
        model_origin=classifier.origin,
        model_file=file,
        method_id=args.method,
        method_settings=method_settings(method),
        preprocessing=classifier.preset,
        image={"size": list(loaded.image.size), "sha256": loaded.digest},
        timings={k: round(v, 4) for k, v in timings.items()},
    )
    (args.out / "result.json").write_text(json.dumps(summary, indent=2))
    for rank, p in enumerate(top, 1):
        print(f"{rank}. {p.name} ({p.index}): {p.probability:.1%}")
    note = "  " + _("(no positive evidence: the map is empty)") if result.is_empty else ""
    line = _("{method} for '{label}' at {layer} -> {out}").format(
        method=kind.name, label=classifier.labels.name(target), layer=layer, out=args.out
    )
    print(line + note)
    return 0


def _load_classifier(args: argparse.Namespace) -> Classifier:
    """The named model, or the model file (checked first), with --labels and --preprocess."""
    if looks_like_path(args.model):
        classifier = load_classifier(args.model, labels=args.labels, preprocess=args.preprocess)
    else:
        get_spec(args.model)  # an unknown name: one line listing the names
        classifier = bundled_classifier(args.model, model=load_model(args.model))
        if args.preprocess:
            classifier = classifier.with_preprocessing(args.preprocess)
        if args.labels:
            classifier = classifier.with_labels(args.labels)
    if classifier.preprocessing is None:
        raise PreprocessingRequiredError(
            Text(
                "{message} Pass one with --preprocess.",
                message=required_message(classifier.title),
            )
        )
    return classifier


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; bad input exits with status 2 and one line on stderr, never a traceback."""
    args = _parser().parse_args(argv)
    set_language(args.lang or language_from_environment())
    with warnings.catch_warnings():
        if not (args.verbose or tf_logging.verbose()):
            warnings.simplefilter("ignore")  # Keras' warnings about a model file are not errors
        try:
            if args.command == "audit":
                return audit_cli.run(args)
            commands = {"models": _list_models, "methods": _list_methods}
            return commands[args.command]() if args.command in commands else _explain(args)
        except (GradCamError, ValueError, OSError) as error:
            message = " ".join(str(error).split())
            print(_("error: {message}").format(message=message), file=sys.stderr)
            return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
