"""``python -m gradcam_core audit DATASET --model ... --out DIR``: the audit from the command line.

``add_parser`` adds the subcommand to the CLI's parser and ``run`` carries it out; bad input
exits with status 2 and one line on stderr, as every command does (gradcam_core/cli.py).
``--lang zh`` (before or after ``audit``) prints the progress, the notes, the outcome and the
errors in Chinese (``messages``); the files it writes keep their English column names and keys.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import LANGUAGES
from ..models import DEFAULT_MODEL
from ..models.preprocessing import PRESET_NAMES
from .messages import say
from .progress import TextProgress

DESCRIPTION = (
    "Audit every image of a folder or .zip (one subfolder per class, or flat): top-k, true "
    "class, Grad-CAM of the predicted and true class, and where it looks (box, border, spread, "
    "deletion). Writes a table, the maps, thumbnails and summary.json to DIR; a second run "
    "skips what is done."
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``audit`` subcommand and its options."""
    from ..cams import CAM_METHODS
    from .run import ENGINES

    parser = commands.add_parser("audit", help="audit a whole dataset", description=DESCRIPTION)
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help="language of the progress, the notes and the errors: en or zh (default: the "
        "environment's, else en)",
    )
    parser.add_argument("dataset", type=Path, help="a folder or .zip of images")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="PATH|NAME",
        help="a model file (.keras, .h5, Teachable Machine .zip) or a bundled or zoo model's name",
    )
    parser.add_argument("--labels", type=Path, help="class names: labels.txt or JSON")
    parser.add_argument("--preprocess", choices=PRESET_NAMES, help="how its pixels were scaled")
    parser.add_argument("--layer", help="feature-map layer (default: the last before pooling)")
    parser.add_argument(
        "--method",
        default="gradcam",
        choices=[name for name, method in CAM_METHODS.items() if not method.pixel_level],
        help="the map (default: gradcam)",
    )
    parser.add_argument(
        "--boxes", type=Path, help="a CSV file,x0,y0,x1,y1[,label] (default: boxes.csv at its root)"
    )
    parser.add_argument("--top", type=int, default=5, help="how many predictions per image")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--engine", choices=ENGINES, default="local")
    parser.add_argument("--workers", type=int, help="Ray actors (default: one per CPU)")
    parser.add_argument("--batch-size", type=int, default=8, help="images per batch")


def run(args: argparse.Namespace) -> int:
    """Run the audit; print the notes, a progress bar and the outcome."""
    from .run import audit

    if args.workers is not None and args.engine != "ray":
        raise ValueError(say("workers_local"))
    result = audit(
        args.dataset,
        args.model,
        labels=args.labels,
        preprocess=args.preprocess,
        layer=args.layer,
        method=args.method,
        top=args.top,
        boxes=args.boxes,
        out=args.out,
        engine=args.engine,
        workers=args.workers,
        batch_size=max(1, args.batch_size),
        progress=TextProgress(),
        notify=lambda note: print(note, file=sys.stderr),
    )
    summary = result.summary
    values = {
        "total": summary["images"],
        "errors": summary["errors"],
        "seconds": result.seconds,
        "out": args.out,
    }
    if summary["accuracy"] is None:
        print(say("finished_unlabelled", **values))
    else:
        accuracy = f"{summary['accuracy']:.1%}"
        print(say("finished", accuracy=accuracy, labelled=summary["labelled"], **values))
    return 0
