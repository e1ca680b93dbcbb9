"""A class arriving at once (issue 20): server CPU per visit, time to the first overlay, memory.

    python benchmarks/bench_classroom.py [--students 1 10 30]
    python benchmarks/bench_classroom.py --before /tmp/gradcam-before  # ratios against a checkout
    python benchmarks/bench_classroom.py --page quiz --done "element:TEXT"  # another page and end
    python benchmarks/bench_classroom.py --py-spy DIR  # profiles of the server as well

For each N, on a fresh `streamlit run app.py` (on a free localhost port):
  1. the teacher opens the link in Chromium: the cold start, from launching the server to the
     first overlay drawn (this visit also records the static files a browser fetches);
  2. one light visit alone: the reference (its overlay's bytes, what a visit sends);
  3. N students open the same link at the same moment, as light clients; each stays connected
     until all are done. Per N: the server's CPU seconds per visit (from /proc/<pid>/stat,
     every thread, static files and media included; and the main thread's part, the event loop
     that serves files and websockets, while scripts run in threads of their own), p50/p95/max
     seconds from a student's first request to their overlay's bytes received, the server's
     resident memory with the N sessions connected (growth over the arrival, and the peak's),
     what one visit received (websocket messages and bytes, elements, media and static files),
     and whether every student got the reference's bytes;
  4. N fetches of the static files alone: their share of the server's CPU.

Students are light clients (tests/streamlit_client.py), not browsers: a warm visit in a Chromium
tab costs three times the server's CPU on the browser side, so on two cores thirty tabs measure
the browsers more than the app, and pinning tabs to one core would leave the server one core
instead of the two the goal is about. A light client fetches what the browser fetched, speaks
Streamlit's websocket protocol (BackMsg rerun_script, ForwardMsg deltas) and draws nothing; its
own CPU is printed (40-60 ms a visit). ``--pin`` pins the server to core 0 and this process
(clients and teacher) to core 1, for when even that must be kept apart.

The page and its end are parameters: ``--page`` (a page's URL path: "" for the main page,
"quiz" for /quiz), ``--query`` (the link's query string), ``--done``: ``image:TEXT`` (an image
whose alt text or caption contains TEXT, its bytes received; the default is the main page's
overlay), ``element:TEXT`` (an element containing TEXT), ``finished`` (the script has run).

Counts and bytes do not depend on the machine's load; times do, and CPU seconds somewhat (the
server's garbage collections walk its whole heap and slow down when other jobs share the cores),
so the load average is printed with each N. With ``--before DIR`` (a checkout of another commit,
e.g. `git worktree add --detach /tmp/gradcam-before main`) both checkouts are measured for each
N, alternating which goes first, and the ratios this / before are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import streamlit_server  # noqa: E402
from browser_support import CHROMIUM, CHROMIUM_ARGS, wait_for_script  # noqa: E402
from proc_status import status_kb  # noqa: E402
from streamlit_client import Done, Http, PageFiles, Received, Visit  # noqa: E402

OVERLAY = "image:4. Overlay"  # the main page's overlay: its alt text starts with its title
TIMEOUT_S = 900.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User + system CPU seconds of a process so far, all its threads (or only ``thread``)."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_quiet(pid: int, quiet_s: float = 0.5, limit_s: float = 60.0) -> None:
    """Wait until the server used under 20 ms of CPU in ``quiet_s`` (its work for a visit done)."""
    deadline = time.monotonic() + limit_s
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = cpu_seconds(pid)
        if now - before < 0.02:
            return
        before = now


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the value below which ``share`` of the values lie)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Arrival:
    """One checkout's figures for N students arriving at once."""

    checkout: str
    students: int
    load_before: float
    load_after: float
    healthy_s: float  # launch to the health check answering
    cold_start_s: float  # launch to the teacher's first overlay drawn in Chromium
    cold_cpu_s: float  # the server's CPU seconds by then
    lone_s: float  # one light visit alone, first request to done
    cpu_per_visit_s: float
    loop_cpu_per_visit_s: float  # the server's main thread: its event loop (HTTP, websockets)
    static_cpu_per_visit_s: float
    p50_s: float
    p95_s: float
    max_s: float
    rss_before_mb: float
    rss_growth_mb: float  # with the N sessions connected, over the arrival
    peak_growth_mb: float  # the peak resident memory during the arrival, over before
    client_cpu_per_visit_s: float
    identical: int | None  # students whose done bytes are the lone visit's (None: no bytes)
    teacher_identical: bool  # the lone light visit got the bytes Chromium drew
    problems: list[str]
    visit: dict  # what the lone visit received (counts)


class Server:
    """`streamlit run app.py` in a checkout, on a free port; its CPU and memory from /proc."""

    def __init__(self, root: Path, cpus: set[int] | None) -> None:
        port = streamlit_server.free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.started = time.perf_counter()
        self.process = streamlit_server.start(port, root=root, cpus=cpus)
        if not streamlit_server.wait_healthy(self.url, TIMEOUT_S):
            self.process.kill()
            raise SystemExit(f"streamlit did not start in {root}")
        self.healthy_s = time.perf_counter() - self.started

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def loop_cpu(self) -> float:
        """The main thread's CPU: the event loop serving files and websockets (scripts and file
        reads run in other threads)."""
        return cpu_seconds(self.pid, self.pid)

    def rss_mb(self) -> float:
        return status_kb("VmRSS", self.pid) / 1024

    def peak_mb(self) -> float:
        return status_kb("VmHWM", self.pid) / 1024

    def reset_peak(self) -> None:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def link(url: str, page: str, query: str) -> str:
    return f"{url}/{page.strip('/')}" + (f"?{query}" if query else "")


def teacher_visit(playwright, url: str, page_path: str, query: str, done: Done) -> tuple:
    """Chromium opens the link: (when it was done, the static files fetched, the done bytes).

    Static files are the same-origin GETs outside /media/; those asked for before the websocket
    opened are the page's bundle, the rest the element bundles loaded as the page draws.
    """
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    initial: list[str] = []
    lazy: list[str] = []
    missing: set[str] = set()
    socket_open = threading.Event()
    origin = urlsplit(url).netloc

    def same_origin_path(address: str) -> str | None:
        parts = urlsplit(address)
        if parts.netloc != origin or parts.path.startswith("/media/"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def requested(request) -> None:
        path = same_origin_path(request.url)
        if request.method != "GET" or path is None:
            return
        where = lazy if socket_open.is_set() else initial
        if path not in initial and path not in lazy:
            where.append(path)

    def answered(response) -> None:
        path = same_origin_path(response.url)
        if path is not None and response.status != 200:
            missing.add(path)

    page.on("request", requested)
    page.on("response", answered)
    page.on("websocket", lambda ws: socket_open.set())
    page.goto(link(url, page_path, query), wait_until="commit")
    source = ""
    if done.kind == "image":
        source = page.wait_for_function(
            """(text) => {
                const img = [...document.querySelectorAll("img")]
                    .find((i) => (i.alt || "").includes(text));
                return img && img.complete && img.naturalWidth > 0 && img.src;
            }""",
            arg=done.text,
            timeout=TIMEOUT_S * 1000,
        ).json_value()
    elif done.kind == "element":
        page.get_by_text(done.text).first.wait_for(timeout=TIMEOUT_S * 1000)
    else:  # the page has drawn something and the script is not running
        page.locator("[data-testid='stMain'] [data-testid='stElementContainer']").first.wait_for(
            timeout=TIMEOUT_S * 1000
        )
        wait_for_script(page, int(TIMEOUT_S * 1000))
    done_at = time.perf_counter()
    for _ in range(2):  # a page may run its script again at once (see app_ui.pages_folder)
        wait_for_script(page, int(TIMEOUT_S * 1000))
        page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")
    browser.close()
    digest = None
    if source:
        status, body, _ = Http(url).get(urlsplit(source).path)
        digest = hashlib.sha256(body).hexdigest() if status == 200 else None
    return done_at, PageFiles(tuple(initial), tuple(lazy), frozenset(missing)), digest


def arrive(url: str, page: str, query: str, files: PageFiles, done: Done, n: int) -> list[Visit]:
    """N light visits started at the same moment; returns them done and still connected."""
    visits = [Visit(url, page, query, files, done, TIMEOUT_S) for _ in range(n)]
    go = threading.Barrier(n + 1)
    failures: dict[int, str] = {}

    def student(i: int) -> None:
        go.wait()
        try:
            visits[i].run()
        except Exception as error:  # the student's page broke: counted, the others go on
            failures[i] = repr(error)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    go.wait()
    for thread in threads:
        thread.join()
    for i, error in failures.items():
        visits[i].received.problems.append(error)
    return visits


def static_only(url: str, files: PageFiles, n: int) -> None:
    """N visitors fetching the page's static files and nothing else."""
    clients = [Http(url) for _ in range(n)]
    futures = [c.pool.submit(c.get, p) for c in clients for p in (*files.initial, *files.lazy)]
    for future in futures:
        future.result()
    for client in clients:
        client.close()


def py_spy(pid: int, output: Path) -> subprocess.Popen:
    """Sample the server's running threads (py-spy, not pausing it) into a collapsed-stack file."""
    beside = Path(sys.executable).with_name("py-spy")  # installed in the venv, maybe not on PATH
    process = subprocess.Popen(
        [
            str(beside) if beside.exists() else "py-spy",
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached before the work starts
    return process


def stop_py_spy(process: subprocess.Popen | None) -> None:
    if process is not None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)


def measure(playwright, name: str, root: Path, n: int, args: argparse.Namespace) -> Arrival:
    """Fresh server in ``root``: the teacher, a lone visit, N students at once, static alone."""
    done = Done.parse(args.done)
    load_before = os.getloadavg()[0]
    server = Server(root, {0} if args.pin else None)
    profile = None
    try:
        if args.py_spy:
            profile = py_spy(server.pid, args.py_spy / f"cold-{name}-{n}.txt")
        done_at, files, teacher_digest = teacher_visit(
            playwright, server.url, args.page, args.query, done
        )
        cold_start_s = done_at - server.started
        wait_quiet(server.pid)
        stop_py_spy(profile)
        cold_cpu = server.cpu()
        lone = Visit(server.url, args.page, args.query, files, done, TIMEOUT_S)
        reference = lone.run()
        lone.close()
        wait_quiet(server.pid)

        rss_before = server.rss_mb()
        server.reset_peak()
        cpu_before, loop_before, own_before = server.cpu(), server.loop_cpu(), own_cpu_seconds()
        if args.py_spy:
            profile = py_spy(server.pid, args.py_spy / f"students-{name}-{n}.txt")
        visits = arrive(server.url, args.page, args.query, files, done, n)
        client_cpu = own_cpu_seconds() - own_before
        wait_quiet(server.pid)
        stop_py_spy(profile)
        cpu_after, loop_after = server.cpu(), server.loop_cpu()
        rss_connected, peak = server.rss_mb(), server.peak_mb()
        for visit in visits:
            visit.close()
        wait_quiet(server.pid)

        static_before = server.cpu()
        static_only(server.url, files, n)
        wait_quiet(server.pid)
        static_cpu = server.cpu() - static_before
    finally:
        stop_py_spy(profile)
        server.stop()
    received = [v.received for v in visits]
    seconds = [r.seconds for r in received if r.seconds is not None] or [math.nan]
    problems = sorted({p for r in received for p in r.problems} | set(reference.problems))
    return Arrival(
        checkout=name,
        students=n,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        healthy_s=server.healthy_s,
        cold_start_s=cold_start_s,
        cold_cpu_s=cold_cpu,
        lone_s=reference.seconds or math.nan,
        cpu_per_visit_s=(cpu_after - cpu_before) / n,
        loop_cpu_per_visit_s=(loop_after - loop_before) / n,
        static_cpu_per_visit_s=static_cpu / n,
        p50_s=percentile(seconds, 0.5),
        p95_s=percentile(seconds, 0.95),
        max_s=max(seconds),
        rss_before_mb=rss_before,
        rss_growth_mb=rss_connected - rss_before,
        peak_growth_mb=peak - rss_before,
        client_cpu_per_visit_s=client_cpu / n,
        identical=sum(r.digest == reference.digest for r in received)
        if reference.digest is not None
        else None,
        teacher_identical=teacher_digest is None or teacher_digest == reference.digest,
        problems=problems,
        visit=counts(reference),
    )


def counts(received: Received) -> dict:
    """What one visit received, without the timing."""
    figures = asdict(received)
    for key in ("seconds", "digest", "problems"):
        figures.pop(key)
    return figures


def report(arrival: Arrival) -> None:
    a = arrival
    v = a.visit
    print(
        f"{a.checkout:6s} N={a.students:2d}  server CPU/visit {a.cpu_per_visit_s:5.2f} s "
        f"(event loop {a.loop_cpu_per_visit_s:4.2f}; static files alone "
        f"{a.static_cpu_per_visit_s:4.2f})  to done p50 {a.p50_s:5.1f}  "
        f"p95 {a.p95_s:5.1f}  max {a.max_s:5.1f} s  RSS +{a.rss_growth_mb:4.0f} MB "
        f"(peak +{a.peak_growth_mb:.0f}, from {a.rss_before_mb:.0f})  "
        f"identical {'n/a' if a.identical is None else a.identical}/{a.students}  "
        f"client CPU/visit {a.client_cpu_per_visit_s:.3f} s  "
        f"load {a.load_before:.1f}->{a.load_after:.1f}"
    )
    print(
        f"{'':6s}       cold start {a.cold_start_s:5.1f} s (healthy {a.healthy_s:.1f} s, server "
        f"CPU {a.cold_cpu_s:.1f} s); lone visit {a.lone_s:.2f} s; a visit received "
        f"{v['ws_messages']} messages ({v['ws_bytes'] / 1024:.0f} kB, {v['elements']} elements, "
        f"{v['script_runs']} script runs), {v['media_files']} media files "
        f"({v['media_bytes'] / 1024:.0f} kB), {v['static_files']} static files "
        f"({v['static_bytes'] / 1024:.0f} kB)"
    )
    if not a.teacher_identical:
        print(f"{'':13s}the lone light visit's bytes differ from those Chromium drew")
    for problem in a.problems[:10]:
        print(f"{'':13s}problem: {problem}")


def ratios(arrivals: list[Arrival]) -> None:
    """this / before for each N, on the figures that matter."""
    print("ratios this / before")
    for n in sorted({a.students for a in arrivals}):
        pair = {a.checkout: a for a in arrivals if a.students == n}
        before, this = pair["before"], pair["this"]
        parts = [
            f"{label} {getattr(this, key) / getattr(before, key):.2f}"
            for label, key in (
                ("CPU/visit", "cpu_per_visit_s"),
                ("p50", "p50_s"),
                ("max", "max_s"),
                ("cold start", "cold_start_s"),
            )
        ]
        growth = f"RSS growth {this.rss_growth_mb:.0f} vs {before.rss_growth_mb:.0f} MB"
        print(f"N={n:2d}  " + ", ".join(parts) + f", {growth}")


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--page", default="", help='URL path of the page ("" the main page)')
    parser.add_argument("--query", default="", help="the link's query string, without '?'")
    parser.add_argument("--done", default=OVERLAY, help="image:TEXT, element:TEXT or finished")
    parser.add_argument("--before", type=Path, help="another checkout, measured alongside")
    parser.add_argument("--pin", action="store_true", help="server on core 0, clients on core 1")
    parser.add_argument("--py-spy", type=Path, help="write py-spy profiles of the server here")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    Done.parse(args.done)  # a bad condition fails before any server starts
    if args.pin:
        os.sched_setaffinity(0, {1})
    if args.py_spy:
        args.py_spy.mkdir(parents=True, exist_ok=True)
    checkouts = (
        {"this": ROOT} if args.before is None else {"before": args.before.resolve(), "this": ROOT}
    )
    print(
        f"{link('http://host', args.page, args.query)}, done at {args.done}; "
        f"{os.cpu_count()} cores{', server pinned to core 0' if args.pin else ''}"
    )
    arrivals: list[Arrival] = []
    with sync_playwright() as playwright:
        for i, n in enumerate(args.students):
            order = list(checkouts.items())
            for name, root in order if i % 2 == 0 else order[::-1]:
                arrival = measure(playwright, name, root, n, args)
                report(arrival)
                arrivals.append(arrival)
    if args.before is not None:
        ratios(arrivals)
    if args.json:
        args.json.write_text(json.dumps([asdict(a) for a in arrivals], indent=2))
    failed = [a for a in arrivals if a.problems or a.identical not in (None, a.students)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
