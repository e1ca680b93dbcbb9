"""The command line's progress bar: images done, the pace, and the time left on this machine, in
the language of the run (``--lang``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from .messages import say

BAR_WIDTH = 28


def time_left_text(seconds: float | None) -> str:
    """'about 12 s left', 'about 3 min left', or that the pace is still being measured."""
    if seconds is None:
        return str(say("time_measuring"))
    if seconds < 90:
        return str(say("time_seconds", seconds=seconds))
    return str(say("time_minutes", minutes=seconds / 60))


class TextProgress:
    """Draws ``[#####.....] 40/200 images · 3.1 images/s · about 52 s left`` on a stream.

    The pace counts only the images done after the first report, so the first batch's one-off
    cost (loading, compiling the passes) does not inflate the estimate. On a terminal the line is
    redrawn in place; in a log, a line is written at most every ``every`` seconds and at the end.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 10.0,
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.every = every
        self.start = clock()
        self.first: tuple[int, float] | None = None
        self.last_line = -float("inf")

    def text(self, done: int, total: int) -> str:
        now = self.clock()
        if self.first is None and done > 0:
            self.first = (done, now)
        rate, left = 0.0, None
        if self.first is not None and done > self.first[0]:
            rate = (done - self.first[0]) / max(now - self.first[1], 1e-9)
            left = (total - done) / rate
        elif done > 0:
            rate = done / max(now - self.start, 1e-9)
        if done >= total:
            left_text = str(say("time_done", seconds=now - self.start))
        else:
            left_text = time_left_text(left)
        filled = round(BAR_WIDTH * done / max(total, 1))
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return f"[{bar}] " + str(say("progress", done=done, total=total, rate=rate, left=left_text))

    def __call__(self, done: int, total: int) -> None:
        line = self.text(done, total)
        if self.stream.isatty():
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif done >= total or self.clock() - self.last_line >= self.every:
            self.stream.write(line + "\n")
            self.last_line = self.clock()
        self.stream.flush()
