"""Slow results computed behind a progress bar, then kept for every session.

Score-CAM, the deletion and insertion curves and the randomization cascade take seconds to
minutes. Each runs behind a ``ProgressBar`` that counts its units of work (masked photos,
predicted images, randomized groups) and says about how long the rest will take, from the pace
measured on this machine (``Pace``). Streamlit cannot replay a cached function that updates an
element created outside it, so the bar lives outside any cache and the results go in a ``Kept``
store instead of ``st.cache_data``.

Sharing and memory: a ``Kept`` store is one per process, shared by every session, because a
classroom opens the same sample photo and the same settings: the first student's Score-CAM or
cascade is every other student's, and a second session asking for a result that is being
computed waits for it instead of computing it again on the same two cores. Each store holds at
most ``size`` results (the least recently used are dropped); the results are small (maps at the
layer's resolution, curves of a few dozen points), so the bound on the count bounds the memory.
Values are shared: treat them as read-only.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

import streamlit as st

from .i18n import _

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
R = TypeVar("R")
Clock = Callable[[], float]

_STORES: list[Kept] = []


class Pace:
    """Seconds left in a run of ``total`` units, from how fast this machine did the first ones.

    The first report gives the first estimate: the rest will take as long per unit as the units
    done so far. Later reports use only the units done since that first report, so a one-off
    cost of the first batch (compiling a pass, copying a model) stops inflating the estimate.
    """

    def __init__(self, total: int, clock: Clock = time.perf_counter) -> None:
        self.total = total
        self._clock = clock
        self._start = clock()
        self._first: tuple[int, float] | None = None  # (units done, time) at the first report

    def seconds_left(self, done: int) -> float | None:
        """The estimate after ``done`` units (None before any unit is done)."""
        now = self._clock()
        if done <= 0:
            return None
        if self._first is None:
            self._first = (done, now)
        first_done, first_time = self._first
        if done > first_done:
            per_unit = (now - first_time) / (done - first_done)
        else:
            per_unit = (now - self._start) / done
        return max(0.0, per_unit * (self.total - done))


def time_left(seconds: float | None) -> str:
    """'about 12 s left' (or minutes), or what is being measured before the first report."""
    if seconds is None:
        return _("measuring the pace on this machine…")
    if seconds < 1:
        return _("less than a second left")
    if seconds < 90:
        return _("about {seconds:.0f} s left").format(seconds=seconds)
    return _("about {minutes:.0f} min left").format(minutes=seconds / 60)


def spinning(message: str, show_time: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Show ``message`` in the run's language while the decorated (cached) function takes over
    half a second: a cache hit returns before the spinner appears.

    For ``st.cache_data`` and ``st.cache_resource`` functions with ``show_spinner=False``: their
    own ``show_spinner`` text is fixed when the module loads, in one language for every session.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            with st.spinner(_(message), show_time=show_time):
                return function(*args, **kwargs)

        return call

    return decorate


class ProgressBar:
    """A progress bar over counted units that shows the time left, estimated on this machine.

    Create it just before the work starts: the clock starts with it. ``clear`` removes it.
    """

    def __init__(self, total: int, clock: Clock = time.perf_counter) -> None:
        self.total = max(total, 1)
        self._pace = Pace(self.total, clock)
        self._slot = st.empty()

    def show(self, done: int, text: str) -> None:
        """Draw ``done`` of ``total`` units with ``text`` and the estimated time left."""
        fraction = min(max(done / self.total, 0.0), 1.0)
        left = time_left(self._pace.seconds_left(done))
        self._slot.progress(fraction, text=f"{text} · {left}")

    def note(self, text: str) -> None:
        """Show ``text`` on an empty bar (e.g. while waiting for another session)."""
        self._slot.progress(0.0, text=text)

    def clear(self) -> None:
        self._slot.empty()


class Kept(Generic[K, V]):
    """Results too slow to recompute, shared by all sessions: the ``size`` most recently used.

    Safe across threads. A key is computed by one session at a time: another session asking for
    it meanwhile waits for that result rather than computing it again.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._running: set[K] = set()
        self._changed = threading.Condition()
        _STORES.append(self)

    def get(self, key: K) -> V | None:
        """The kept result, or None."""
        with self._changed:
            return self._touch(key)

    def get_or_compute(
        self, key: K, compute: Callable[[], V], waiting: Callable[[], None] | None = None
    ) -> tuple[V, bool]:
        """The kept result, else ``compute()`` kept; True when this call computed it.

        While another session computes the same key, ``waiting`` is called once and this call
        waits for its result. If that session fails or is stopped, this one computes it.
        """
        announced = False
        with self._changed:
            while key in self._running:
                if waiting is not None and not announced:
                    waiting()
                    announced = True
                self._changed.wait()
            found = self._touch(key)
            if found is not None:
                return found, False
            self._running.add(key)
        try:
            value = compute()
        except BaseException:
            self._finish(key)
            raise
        self._finish(key, value)
        return value, True

    def clear(self) -> None:
        """Forget every kept result."""
        with self._changed:
            self._items.clear()

    def __len__(self) -> int:
        with self._changed:
            return len(self._items)

    def _touch(self, key: K) -> V | None:
        if key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def _finish(self, key: K, value: V | None = None) -> None:
        with self._changed:
            self._running.discard(key)
            if value is not None:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            self._changed.notify_all()


def forget_kept_results() -> None:
    """Empty every Kept store of the process (as ``st.cache_data.clear`` does for its caches)."""
    for store in _STORES:
        store.clear()
