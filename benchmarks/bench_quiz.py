"""Class quiz storage: how long a student waits for an answer to be stored, SQLite and PostgreSQL.

    python benchmarks/bench_quiz.py [--students 40] [--answers 30] [--backends sqlite postgresql]
    python benchmarks/bench_quiz.py --build   # making a room's pictures, and reusing them

For each database: a room of 110 items (made-up pictures, no TensorFlow), ``--students`` students
who join, then every student sends ``--answers`` answers from their own thread, all threads
started together (a class pressing at once); each ``QuizStore.submit`` is timed from the call to
its return (the checks of room, student and item, and the write). The same answers are first
sent by one student alone (the baseline, in the same process), so the table gives p50/p95 under
load and their ratio to the lone student's. PostgreSQL also runs the class from two processes
(two server replicas), each with half the students. A student's page visit (room by code,
resume token, answered items, plan) is timed too: what a visit costs the database.

SQLite is a file in a temporary folder (WAL); PostgreSQL is a throwaway cluster started like the
tests' (tests/postgres_support.py; needs Debian's postgresql). Every answer must come back
"stored", and the database must hold exactly students x answers rows, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import postgres_support  # noqa: E402
from quiz_support import chosen_answer, synthetic_content  # noqa: E402

from gradcam_core.quiz import QuizStore, Submission  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def work(store: QuizStore, room, students: int, answers: int, tag: str) -> list[list[Submission]]:
    """Each new student's first ``answers`` answers."""
    items = {i.number: i for i in store.items(room.id)}
    batches = []
    for _ in range(students):
        student = store.join(room.id, None)
        plan = store.plan(room, student)[:answers]
        batches.append(
            [
                Submission(
                    room.id,
                    student.id,
                    p.number,
                    chosen_answer(student.number, items[p.number]),
                    2.0,
                    f"{tag}-{student.id}-{p.number}",
                )
                for p in plan
            ]
        )
    return batches


def timed_submits(store: QuizStore, batches: list[list[Submission]]) -> list[float]:
    """Send each batch from its own thread, all started together; seconds per submit."""
    start = threading.Barrier(len(batches))

    def run(batch: list[Submission]) -> list[float]:
        start.wait()
        times = []
        for submission in batch:
            began = time.perf_counter()
            outcome = store.submit(submission).outcome
            times.append(time.perf_counter() - began)
            if outcome != "stored":
                raise RuntimeError(f"an answer came back {outcome!r}")
        return times

    with ThreadPoolExecutor(len(batches)) as pool:
        return [t for times in pool.map(run, batches) for t in times]


def visit_times(store: QuizStore, room, repeats: int = 200) -> list[float]:
    """What a student's page reads on each visit: room, student (resume), answered, plan."""
    student = store.join(room.id, "visitor")
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        found = store.room(room.code)
        me = store.resume(found.id, student.resume_token)
        store.answered_items(me.id)
        store.plan(found, me)
        times.append(time.perf_counter() - began)
    return times


def worker_main() -> None:
    """A second process: {url, room_code, students, answers, tag} on stdin; times on stdout."""
    job = json.load(sys.stdin)
    store = QuizStore(job["url"], create=False)
    room = store.room(job["room_code"])
    batches = work(store, room, job["students"], job["answers"], job["tag"])
    print(json.dumps(timed_submits(store, batches)))
    store.close()


@contextmanager
def database(backend: str):
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'quiz.sqlite3'}"
        return
    with postgres_support.throwaway_cluster() as url:
        yield url


def measure(backend: str, students: int, answers: int) -> dict[str, object]:
    with database(backend) as url:
        store = QuizStore(url)
        room = store.create_room(synthetic_content(photos=10), expires_days=1).room
        alone = timed_submits(store, work(store, room, 1, answers, "alone"))
        began = time.perf_counter()
        loaded = timed_submits(store, work(store, room, students, answers, "class"))
        wall = time.perf_counter() - began
        result = {
            "backend": backend,
            "alone_p50": statistics.median(alone),
            "alone_p95": percentile(alone, 95),
            "p50": statistics.median(loaded),
            "p95": percentile(loaded, 95),
            "max": max(loaded),
            "per_s": len(loaded) / wall,
            "visit_p50": statistics.median(visit_times(store, room)),
        }
        if backend == "postgresql":
            result["two_processes"] = two_processes(url, room.code, students, answers)
        stored = store.counts(room.id)[1]
        expected = answers * (1 + 2 * students if backend == "postgresql" else 1 + students)
        if stored != expected:
            raise RuntimeError(f"{backend}: {stored} answers stored, expected {expected}")
        store.close()
        return result


def two_processes(url: str, code: str, students: int, answers: int) -> dict[str, float]:
    """The same class split over two processes (two replicas on one database)."""
    processes = []
    for k in range(2):
        job = {
            "url": url,
            "room_code": code,
            "students": students // 2,
            "answers": answers,
            "tag": f"p{k}",
        }
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:2])},
        )
        process.stdin.write(json.dumps(job))
        process.stdin.close()
        processes.append(process)
    times = []
    for process in processes:
        if process.wait(timeout=600) != 0:
            raise RuntimeError("a worker process failed")
        times += json.loads(process.stdout.read())
    return {"p50": statistics.median(times), "p95": percentile(times, 95), "max": max(times)}


def build_times() -> None:
    """A default room's pictures: made from scratch (models already loaded), then from the
    analyses a first room left in the database (no model needed)."""
    import gradcam_core as gc
    from gradcam_core import quiz

    design = quiz.RoomDesign()
    began = time.perf_counter()
    loaded = {name: gc.load_classifier(name) for name in design.models}
    load_s = time.perf_counter() - began
    photos = quiz.quiz_photos()
    with tempfile.TemporaryDirectory() as folder:
        store = QuizStore(f"sqlite:///{Path(folder) / 'quiz.sqlite3'}")
        began = time.perf_counter()
        content = quiz.build_room(design, photos, loaded.__getitem__)
        cold = time.perf_counter() - began
        store.create_room(content, expires_days=1)

        def no_model(name: str):
            raise RuntimeError(f"{name} was needed although every analysis was stored")

        began = time.perf_counter()
        again = quiz.build_room(design, photos, no_model, store.cached_analysis)
        warm = time.perf_counter() - began
        store.close()
    size = sum(len(p.data) for p in content.pictures.values())
    print(
        f"A default room ({len(photos)} photos, {len(content.items)} items, "
        f"{len(content.pictures)} pictures, {size / 1e6:.1f} MB): models loaded in {load_s:.1f} s "
        f"(not counted), pictures made in {cold:.1f} s; the next room from the stored analyses "
        f"in {warm:.2f} s ({len(again.items)} items, no model): 1/{cold / warm:.0f} of the time."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--build", action="store_true", help="time making a room's pictures")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main()
        return
    if args.build:
        print("$ python benchmarks/bench_quiz.py --build")
        build_times()
        return
    command = "python benchmarks/bench_quiz.py " + " ".join(sys.argv[1:])
    print(f"$ {command.strip()}")
    print(f"{args.students} students x {args.answers} answers, all threads started together\n")
    header = (
        "database",
        "alone p50 / p95",
        "class p50 / p95 / max",
        "p95 vs alone",
        "answers/s",
        "visit p50",
    )
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|")
    ms = 1000.0
    for backend in args.backends:
        r = measure(backend, args.students, args.answers)
        print(
            f"| {backend} | {r['alone_p50'] * ms:.1f} / {r['alone_p95'] * ms:.1f} ms "
            f"| {r['p50'] * ms:.1f} / {r['p95'] * ms:.1f} / {r['max'] * ms:.0f} ms "
            f"| {r['p95'] / r['alone_p95']:.1f}x | {r['per_s']:.0f} "
            f"| {r['visit_p50'] * ms:.1f} ms |",
            flush=True,
        )
        if "two_processes" in r:
            t = r["two_processes"]
            print(
                f"| {backend}, two processes | | {t['p50'] * ms:.1f} / {t['p95'] * ms:.1f} / "
                f"{t['max'] * ms:.0f} ms | | | |",
                flush=True,
            )


if __name__ == "__main__":
    main()
