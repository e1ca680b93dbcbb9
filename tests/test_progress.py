"""app_ui.progress: the time-left estimate (fake clock), the wording, and the Kept store."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from app_ui.progress import Kept, Pace, time_left


class FakeClock:
    """A clock that reads the times it is given, one per call."""

    def __init__(self, *times: float) -> None:
        self._times: Iterator[float] = iter(times)

    def __call__(self) -> float:
        return next(self._times)


def test_the_first_batch_sets_the_pace():
    # started at t = 10 s; 32 of 128 units done at 12 s: 2 s per 32 units, 96 units to go
    pace = Pace(128, FakeClock(10.0, 12.0))
    assert pace.seconds_left(32) == pytest.approx(6.0)


def test_later_estimates_leave_the_first_batch_out():
    # the first batch took 10 s (compiling); the next two took 1 s each
    pace = Pace(160, FakeClock(0.0, 10.0, 11.0, 12.0))
    assert pace.seconds_left(32) == pytest.approx(10.0 / 32 * 128)
    assert pace.seconds_left(64) == pytest.approx(1.0 / 32 * 96)
    assert pace.seconds_left(96) == pytest.approx(1.0 / 32 * 64)


def test_no_estimate_before_any_unit_and_none_left_at_the_end():
    pace = Pace(10, FakeClock(0.0, 3.0, 5.0))
    assert pace.seconds_left(0) is None
    assert pace.seconds_left(10) == 0.0


def test_a_report_without_new_units_keeps_the_overall_pace():
    # two reports of the same count (a bar redrawn): the pace comes from the start, no division by 0
    pace = Pace(40, FakeClock(0.0, 4.0, 6.0))
    assert pace.seconds_left(8) == pytest.approx(16.0)
    assert pace.seconds_left(8) == pytest.approx(6.0 / 8 * 32)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "measuring the pace on this machine…"),
        (0.4, "less than a second left"),
        (6.4, "about 6 s left"),
        (89.0, "about 89 s left"),
        (150.0, "about 2 min left"),
    ],
)
def test_time_left_in_words(seconds, words):
    assert time_left(seconds) == words


def test_kept_keeps_the_most_recently_used():
    kept: Kept[str, int] = Kept(2)
    assert kept.get_or_compute("a", lambda: 1) == (1, True)
    assert kept.get_or_compute("b", lambda: 2) == (2, True)
    assert kept.get("a") == 1  # a is now the most recent
    kept.get_or_compute("c", lambda: 3)
    assert len(kept) == 2
    assert kept.get("b") is None and kept.get("a") == 1 and kept.get("c") == 3
    assert kept.get_or_compute("a", lambda: 99) == (1, False)


def test_a_failed_computation_is_not_kept_and_the_next_caller_computes():
    kept: Kept[str, int] = Kept(4)

    def fail() -> int:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        kept.get_or_compute("a", fail)
    assert kept.get("a") is None
    assert kept.get_or_compute("a", lambda: 5) == (5, True)


def test_a_second_session_waits_for_the_first_instead_of_computing_again():
    kept: Kept[str, int] = Kept(4)
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []
    waited: list[str] = []

    def slow() -> int:
        computed.append("first")
        started.set()
        assert release.wait(10)
        return 7

    def second_compute() -> int:
        computed.append("second")
        return 8

    results: dict[str, tuple[int, bool]] = {}
    first = threading.Thread(target=lambda: results.update(a=kept.get_or_compute("k", slow)))
    first.start()
    assert started.wait(10)

    def waiting() -> None:
        waited.append("second")
        release.set()  # let the first finish only once the second is known to wait

    second = threading.Thread(
        target=lambda: results.update(b=kept.get_or_compute("k", second_compute, waiting))
    )
    second.start()
    first.join(10)
    second.join(10)
    assert computed == ["first"] and waited == ["second"]
    assert results == {"a": (7, True), "b": (7, False)}


def _bar_script() -> None:
    from app_ui.progress import ProgressBar

    clock = iter([0.0, 2.0]).__next__
    ProgressBar(128, clock).show(32, "Score-CAM: 32 / 128 masked photos")


def test_the_bar_shows_the_units_and_the_time_left():
    app = AppTest.from_function(_bar_script).run()
    assert not app.exception
    bar = app.get("progress")[0].proto
    assert bar.value == 25
    assert bar.text == "Score-CAM: 32 / 128 masked photos · about 6 s left"
