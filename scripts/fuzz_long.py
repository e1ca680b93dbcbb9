"""The long fuzzing run: tests/test_fuzz.py's strategies with many more examples, then atheris.

    python scripts/fuzz_long.py [--examples 5000] [--atheris-seconds 600] [--json figures.json]

1. Hypothesis: every strategy of tests/test_fuzz.py (structured PNG/JPEG/GIF/BMP/TIFF/WebP
   mutations, mutated and spliced seeds, signatures plus noise) with --examples examples each,
   and every truncation at every byte of each seed under 20 kB; each case goes through
   test_fuzz.check_loader (ImageLoadError with one line or an RGB image; time bound; peak-RSS
   bound from the header's claim).
2. atheris (pip install atheris; coverage-guided libFuzzer over Pillow's Python parsers and
   gradcam_core.images), seeded with the same corpus, for --atheris-seconds, in a child process,
   with the same check per input. Skipped with a note if atheris is not installed.

Prints the cases, time and peak memory of each part; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "fuzz"  # atheris writes inputs that failed (or ran slow) here
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def run_hypothesis(examples: int) -> dict[str, object]:
    import warnings

    import test_fuzz
    from hypothesis import given, settings

    warnings.simplefilter("ignore")  # Pillow's warnings about damaged files
    stats = test_fuzz.STATS
    failures: list[str] = []
    for name, strategy in test_fuzz.STRATEGIES.items():
        before, started = stats.cases, time.perf_counter()

        @settings(test_fuzz.fuzz_settings(examples), database=None)
        @given(data=strategy)
        def fuzz(data: bytes) -> None:
            test_fuzz.check_loader(data)

        try:
            fuzz()
        except Exception as error:  # report, go on with the other strategies
            failures.append(f"{name}: {type(error).__name__}: {error}")
        seconds = time.perf_counter() - started
        print(f"  {name:10s} {stats.cases - before:7d} cases in {seconds:6.1f} s", flush=True)
    before, started = stats.cases, time.perf_counter()
    for name, data in test_fuzz.corpus().items():
        if len(data) < 20_000:
            for cut in range(len(data)):
                try:
                    test_fuzz.check_loader(data[:cut])
                except AssertionError as error:
                    failures.append(f"truncation {name}[:{cut}]: {error}")
    print(
        f"  {'every cut':10s} {stats.cases - before:7d} cases in "
        f"{time.perf_counter() - started:6.1f} s",
        flush=True,
    )
    summary = stats.summary()
    summary["failures"] = failures
    summary["messages"] = dict(sorted(stats.messages.items(), key=lambda kv: -kv[1])[:12])
    return summary


def atheris_worker(seconds: int, corpus_dir: Path, stats_file: Path, artifacts: Path) -> None:
    """Runs inside the child process: libFuzzer never returns, it exits the process."""
    import warnings

    import atheris

    warnings.simplefilter("ignore")
    with atheris.instrument_imports(include=["PIL", "gradcam_core.images"]):
        import gradcam_core.images  # noqa: F401
    import test_fuzz

    test_fuzz.hard_timeout = lambda seconds: contextlib.nullcontext()  # libFuzzer's -timeout
    stats = test_fuzz.STATS

    def one_input(data: bytes) -> None:
        test_fuzz.check_loader(data)
        if stats.cases % 500 == 0:
            stats_file.write_text(json.dumps(stats.summary()))

    atheris.Setup(
        [
            sys.argv[0],
            str(corpus_dir),
            f"-max_total_time={seconds}",
            "-timeout=60",
            "-rss_limit_mb=6144",
            "-max_len=65536",
            "-print_final_stats=1",
            f"-artifact_prefix={artifacts}/",
        ],
        one_input,
    )
    atheris.Fuzz()


def run_atheris(seconds: int) -> dict[str, object]:
    try:
        import atheris  # noqa: F401
    except ImportError:
        return {"skipped": "atheris is not installed (pip install atheris)"}
    import test_fuzz

    with tempfile.TemporaryDirectory() as folder:
        corpus_dir = Path(folder) / "corpus"
        corpus_dir.mkdir()
        for name, data in test_fuzz.corpus().items():
            (corpus_dir / name.replace("/", "_")).write_bytes(data)
        stats_file = Path(folder) / "stats.json"
        ARTIFACTS.mkdir(exist_ok=True)
        command = [sys.executable, __file__, "--atheris-worker", str(seconds)]
        command += [str(corpus_dir), str(stats_file), str(ARTIFACTS)]
        started = time.perf_counter()
        child = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
        elapsed = time.perf_counter() - started
        log = child.stderr
        record: dict[str, object] = {"exit_code": child.returncode, "seconds": round(elapsed, 1)}
        if stats_file.exists():
            record["checked"] = json.loads(stats_file.read_text())
        for key in ("number_of_executed_units", "peak_rss_mb", "new_units_added"):
            found = re.search(rf"stat::{key}:\s*(\d+)", log)
            if found:
                record[key] = int(found.group(1))
        coverage = re.findall(r"cov: (\d+) ft: (\d+)", log)
        if coverage:
            record["final_coverage_edges"], record["final_features"] = map(int, coverage[-1])
        error = re.search(r"ERROR: libFuzzer: ([^\n]+)", log)
        if error:
            record["libfuzzer_error"] = error.group(1).strip()
            written = re.search(r"Test unit written to (\S+)", log)
            record["artifact"] = written.group(1) if written else None
            # libFuzzer's clock ends the run with exit() even inside a slow unit: that unit was
            # not wrong, only slow (check_loader bounds time itself). Anything else failed.
            ran_out = "exited" in record["libfuzzer_error"] and elapsed >= seconds
            record["failed"] = not ran_out
            record["log_tail"] = log[-2000:]
        else:
            record["failed"] = child.returncode != 0
    return record


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--atheris-worker":
        atheris_worker(int(sys.argv[2]), *map(Path, sys.argv[3:6]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="per hypothesis strategy")
    parser.add_argument("--atheris-seconds", type=int, default=600)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    print(f"hypothesis, {args.examples} examples per strategy:", flush=True)
    figures: dict[str, object] = {"hypothesis": run_hypothesis(args.examples)}
    print(json.dumps(figures["hypothesis"], indent=2), flush=True)
    if args.atheris_seconds > 0:
        print(f"atheris, {args.atheris_seconds} s:", flush=True)
        figures["atheris"] = run_atheris(args.atheris_seconds)
        print(json.dumps(figures["atheris"], indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    failed = bool(figures["hypothesis"]["failures"]) or figures.get("atheris", {}).get("failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
