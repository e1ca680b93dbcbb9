"""The full soak: 300 reruns of the app (AppTest) with varied photos, classes and layers.

    MALLOC_ARENA_MAX=2 python scripts/soak.py [--reruns 300] [--seed 0]

With glibc's default arenas (up to 8 per core, and each rerun runs in a new thread), RSS also
grows in 12-14 MB steps as new threads get new arenas: the allocator's, not the app's.

Prints resident memory every 10 reruns and the summary; exits 1 if memory grew by 50 MB or more
after the warm-up, or if any pass was traced again. tests/test_soak.py is the short CI version.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_soak  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=test_soak.FULL_RERUNS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    def progress(step: int, rss: float) -> None:
        print(f"  rerun {step:4d}: RSS {rss:7.1f} MB", flush=True)

    figures = test_soak.soak(args.reruns, seed=args.seed, progress=progress)
    bound = test_soak.growth_bound_mb(args.reruns)
    print("soak:", figures.summary())
    print(
        f"RSS growth after warm-up beside the caches: {figures.growth_mb:+.1f} MB "
        f"(bound {bound:.0f} MB; the caches grew {figures.cache_growth_mb:+.1f} MB)"
    )
    if args.json:
        record = {
            "reruns": figures.reruns,
            "warmup": figures.warmup,
            "rss_after_warmup_mb": round(figures.rss_after_warmup_mb, 1),
            "rss_end_mb": round(figures.rss_end_mb, 1),
            "growth_mb": round(figures.growth_mb, 1),
            "cache_growth_mb": round(figures.cache_growth_mb, 1),
            "rss_peak_mb": round(figures.rss_peak_mb, 1),
            "traces_after_warmup": figures.traces_after_warmup,
            "seconds": round(figures.seconds, 1),
            "curve": figures.curve,
            "cached_mb": [round(mb, 1) for mb in figures.cached],
        }
        args.json.write_text(json.dumps(record, indent=2))
    ok = figures.growth_mb < bound and figures.traces_after_warmup == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
