"""The Class quiz in Chromium: a teacher and three students (one on a 390 x 844 phone) on one
server; and two servers on one PostgreSQL serving one class."""

from __future__ import annotations

import csv
import io
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import browser_support
import postgres_support
import pytest
import streamlit_server
from playwright.sync_api import Page, expect, sync_playwright
from quiz_support import synthetic_content

from app_ui.quiz import connection, dashboard
from app_ui.quiz import messages as m
from gradcam_core.quiz import METHODS, QuizStore

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.minutes]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 1600}}
BUILD_TIMEOUT_MS = 600_000
# Two busy cores run the server, four browsers and other jobs: a rerun can take seconds.
expect.set_options(timeout=60_000)
TITLES = {q.title: q.id for q in METHODS.values()}


@contextmanager
def quiz_server(database_url: str, name: str) -> Iterator[str]:
    """`streamlit run app.py` with the quiz on this database; yields its URL."""
    browser_support.require_browser()
    port = streamlit_server.free_port()
    browser_support.ARTIFACTS.mkdir(exist_ok=True)
    log = open(browser_support.ARTIFACTS / f"streamlit_quiz_{name}.log", "w")  # noqa: SIM115
    env = streamlit_server.user_environment(**{connection.URL_ENV: database_url})
    process = streamlit_server.start(port, log, env)
    url = f"http://127.0.0.1:{port}"
    try:
        if not streamlit_server.wait_healthy(url, browser_support.STARTUP_TIMEOUT_S):
            pytest.fail(f"streamlit ({name}) did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def settle(page: Page) -> None:
    browser_support.wait_for_script(page)
    time.sleep(0.3)
    browser_support.wait_for_script(page)


def main_text(page: Page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def join(page: Page, link: str, nickname: str) -> None:
    page.goto(link)
    settle(page)
    expect(page.get_by_role("textbox", name=m.JOIN_CODE)).to_have_value(link.rsplit("=", 1)[1])
    if nickname:
        page.get_by_role("textbox", name=m.JOIN_NICKNAME).fill(nickname)
    page.get_by_role("button", name=m.JOIN_BUTTON).click()
    page.get_by_text(re.compile(r"You are student \d+")).wait_for()
    settle(page)


def answer(page: Page, choice: int, screen_height: int | None = None) -> tuple[str, bool | None]:
    """Answer the item on screen; (method, right) from the feedback (right is None for trust).

    With ``screen_height``, a class-discrimination item's picture, question and both answers
    must all be on the first screen (no scrolling on a phone)."""
    next_button = page.get_by_role("button", name=m.NEXT)
    expect(next_button).to_have_count(0)  # an item, not the last one's feedback
    question = page.get_by_text(m.DISCRIMINATION_QUESTION).or_(page.get_by_text(m.TRUST_QUESTION))
    question.first.wait_for()
    settle(page)
    if page.get_by_role("button", name=m.SEND_RATING).count():
        page.get_by_text(m.TRUST_RATINGS[2 - 2 * choice]).click()
        settle(page)
        page.get_by_role("button", name=m.SEND_RATING).click()
        expect(next_button).to_be_visible()
        settle(page)
        text = main_text(page)
        assert "Model 1 was" in text, text
        return "trust", None
    options = page.locator("[data-testid='stMain'] [data-testid='stButton'] button")
    expect(options).to_have_count(2)
    if screen_height is not None:
        for index in range(2):
            box = options.nth(index).bounding_box()
            assert box is not None and box["y"] + box["height"] <= screen_height, box
    options.nth(choice).click()
    expect(next_button).to_be_visible()
    settle(page)
    text = main_text(page)
    method = re.search(r"Method: ([A-Za-z -]+)\.", text).group(1)
    right = "Right: this picture was made for" in text
    assert right or "Not this time" in text, text
    photo = page.get_by_role("img", name=re.compile("^The photo"))
    expect(photo).to_be_visible()
    if screen_height is not None:  # on the phone, as wide as the screen at most
        box = photo.bounding_box()
        assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"], box
    return TITLES[method], right


def next_item(page: Page) -> None:
    next_button = page.get_by_role("button", name=m.NEXT)
    next_button.click()
    expect(next_button).to_have_count(0)
    settle(page)


def dashboard_metrics(page: Page) -> dict[str, str]:
    metrics = {}
    for metric in page.locator("[data-testid='stMetric']").all():
        label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
        metrics[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return metrics


def test_a_teacher_and_three_students_one_on_a_phone(tmp_path):
    database = f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    with quiz_server(database, "class") as url, sync_playwright() as playwright:
        browser = browser_support.launch(playwright)
        teacher = browser.new_context(accept_downloads=True, **DESKTOP).new_page()
        teacher.goto(f"{url}/quiz")
        settle(teacher)
        teacher.get_by_role("radio", name=m.ROLES["teacher"]).click()
        settle(teacher)
        photos = teacher.locator("[data-testid='stMultiSelect']").nth(2)
        keep = ("Cat and coffee (two objects)", "Cat beside motorcycle")
        chips = photos.get_by_role("button", name=re.compile("^Remove "))
        expect(chips).to_have_count(11)
        while chips.count() > len(keep):
            names = [c.get_attribute("aria-label").removeprefix("Remove ") for c in chips.all()]
            gone = next(name for name in names if name not in keep)
            photos.get_by_role("button", name=f"Remove {gone}", exact=True).click()
            expect(photos.get_by_role("button", name=f"Remove {gone}", exact=True)).to_have_count(0)
            settle(teacher)
        teacher.get_by_role("button", name=m.CREATE_BUTTON).click()
        teacher.get_by_text("shown only now").wait_for(timeout=BUILD_TIMEOUT_MS)
        settle(teacher)
        text = main_text(teacher)
        key = re.search(r"shown only now: ([A-Z0-9-]{19})", text).group(1)
        link = re.search(r"Students open (\S+) or", text).group(1)
        code = link.rsplit("=", 1)[1]
        assert re.fullmatch(r"[ACDEFHJKMNPRTWXY3479]{6}", code)
        expect(
            teacher.get_by_role("img", name=re.compile("^QR code of the join link"))
        ).to_be_visible()
        assert key not in teacher.url and "key" not in teacher.url

        expected = defaultdict(lambda: [0, 0])  # method -> [right, answered]
        students = []
        for k, (options, nickname) in enumerate(((PHONE, "Ana"), (DESKTOP, ""), (DESKTOP, "Bo"))):
            page = browser.new_context(**options).new_page()
            join(page, link, nickname)
            students.append(page)
            height = options["viewport"]["height"] if options is PHONE else None
            for round_ in range(4):
                method, right = answer(page, (k + round_) % 2, height)
                if right is not None:
                    expected[method][0] += right
                    expected[method][1] += 1
                if k == 0 and round_ == 0:
                    page.screenshot(path=browser_support.ARTIFACTS / "quiz_phone_feedback.png")
                next_item(page)
        students[0].screenshot(path=browser_support.ARTIFACTS / "quiz_phone_item.png")

        teacher.get_by_role("button", name=m.REVEAL).click()
        settle(teacher)
        expect(teacher.get_by_text(m.ACCURACY_TITLE)).to_be_visible(timeout=30_000)
        time.sleep(dashboard.REFRESH_S + 0.5)  # one refresh of the live part
        settle(teacher)
        metrics = dashboard_metrics(teacher)
        assert metrics[m.METRIC_STUDENTS] == "3" and metrics[m.METRIC_ANSWERS] == "12"
        table = teacher.locator("[data-testid='stTable']").first
        table_text = table.inner_text()
        for method, (right, answered) in expected.items():
            share = f"{100 * right / answered:.0f} %"
            assert re.search(rf"{METHODS[method].title}\s+{answered}\s+{share}", table_text), (
                method,
                share,
                table_text,
            )
        teacher.screenshot(path=browser_support.ARTIFACTS / "quiz_dashboard.png", full_page=True)

        with teacher.expect_download() as download_info:
            teacher.get_by_role("button", name=m.CSV).click()
        downloaded = Path(download_info.value.path()).read_text()
        rows = list(csv.DictReader(io.StringIO(downloaded)))
        assert len(rows) == 12
        assert {r["room"] for r in rows} == {code}
        assert {r["student"] for r in rows} == {"1", "2", "3"}
        scored = [r for r in rows if r["study"] == "discrimination"]
        assert sum(r["correct"] == "1" for r in scored) == sum(v[0] for v in expected.values())
        assert all(float(r["seconds"]) >= 0 for r in rows)
        assert "Ana" not in downloaded and "Bo" not in downloaded  # anonymous
        browser.close()


def test_two_servers_on_one_postgresql_serve_one_class(tmp_path):
    """Replicas: students on either server see the room's items; a student who lands on the
    other server (no sticky session) carries on where they were; each dashboard counts all."""
    postgres_support.require_postgres()
    with postgres_support.fresh_database(postgres_support.shared_server()) as database:
        store = QuizStore(database)
        created = store.create_room(synthetic_content(photos=3), expires_days=1)
        code, key = created.room.code, created.key
        with (
            quiz_server(database, "replica_a") as first,
            quiz_server(database, "replica_b") as second,
            sync_playwright() as playwright,
        ):
            browser = browser_support.launch(playwright)
            on_a = browser.new_context(**PHONE).new_page()
            join(on_a, f"{first}/quiz?room={code}", "on A")
            on_b = browser.new_context(**DESKTOP).new_page()
            join(on_b, f"{second}/quiz?room={code}", "on B")
            for page in (on_a, on_b):
                for _ in range(2):
                    answer(page, choice=0)
                    next_item(page)
            # the phone's next request goes to the other server: same student, same place
            resume = on_a.url.replace(first, second)
            moved = browser.new_context(**PHONE).new_page()
            moved.goto(resume)
            settle(moved)
            text = main_text(moved)
            assert "You are student 1" in text and "Item 3 of 30" in text, text
            answer(moved, choice=1)
            assert store.counts(created.room.id) == (2, 5)
            for server in (first, second):
                dashboard = browser.new_context(**DESKTOP).new_page()
                dashboard.goto(f"{server}/quiz")
                settle(dashboard)
                dashboard.get_by_role("radio", name=m.ROLES["teacher"]).click()
                settle(dashboard)
                dashboard.get_by_role("radio", name=m.TEACHER_ACTIONS["open"]).click()
                settle(dashboard)
                dashboard.get_by_role("textbox", name=m.OPEN_CODE).fill(code)
                dashboard.get_by_role("textbox", name=m.OPEN_KEY).fill(key)
                dashboard.get_by_role("button", name=m.OPEN_BUTTON).click()
                dashboard.locator("[data-testid='stMetric']").first.wait_for()
                settle(dashboard)
                metrics = dashboard_metrics(dashboard)
                assert metrics[m.METRIC_STUDENTS] == "2", server
                assert metrics[m.METRIC_ANSWERS] == "5", server
            browser.close()
        store.close()
