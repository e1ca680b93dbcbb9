"""The Chinese interface in a real browser: the Grad-CAM page (screenshot in artifacts/), the
phone layout in Chinese, and a language switch that keeps the photo, model and class."""

from __future__ import annotations

import re

import pytest
from browser_support import ARTIFACTS, SCRIPT_TIMEOUT_MS, launch, wait_for_script

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OVERLAY_ZH = "4. 叠加"
FIRST_STAGE_ZH = "1. 加权求和"


def _open(playwright, url: str, width: int, height: int, scale: float = 1):
    browser = launch(playwright)
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page.goto(url)
    return browser, page


def test_the_grad_cam_page_in_chinese(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page = _open(playwright, f"{server}/?lang=zh", 1600, 1000)
        page.get_by_text(OVERLAY_ZH, exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        assert main.get_by_text("Grad-CAM：网络在看哪里？").is_visible()
        assert main.get_by_text("正在解释", exact=False).first.is_visible()
        for image in main.locator("[data-testid='stImage'] img").all()[:5]:
            assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
        assert "lang=zh" in page.url
        page.screenshot(path=str(ARTIFACTS / "browser_zh.png"), full_page=False)
        browser.close()


def test_on_a_phone_the_chinese_page_keeps_the_picker_and_the_overlay_first(server):
    """At 390 x 844 the first screen holds the photo picker and the overlay, as in English."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page = _open(playwright, f"{server}/?lang=zh", 390, 844, scale=2)
        page.get_by_text(OVERLAY_ZH, exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        upload = main.locator("[data-testid='stFileUploader']").bounding_box()
        overlay = main.locator(".st-key-overlay_panel [data-testid='stImage'] img").first
        overlay.evaluate("img => img.decode()")
        shown = overlay.bounding_box()
        first_stage = main.get_by_text(FIRST_STAGE_ZH, exact=True).bounding_box()
        assert upload["y"] + upload["height"] <= 844
        assert shown["y"] + shown["height"] / 2 <= 844
        assert shown["y"] < first_stage["y"]
        page.screenshot(path=str(ARTIFACTS / "phone_zh.png"))
        browser.close()


def test_switching_to_chinese_in_the_browser_keeps_the_view(server):
    from playwright.sync_api import sync_playwright

    query = "?lang=en&sample=coffee&model=efficientnet_lite1&layer=block5c_add"
    with sync_playwright() as playwright:
        browser, page = _open(playwright, f"{server}/{query}", 1600, 1000)
        page.get_by_text("4. Overlay", exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        headline = page.locator("[data-testid='stMain'] p", has_text="Explaining").first
        english = headline.inner_text()
        page.locator("[data-testid='stSidebar']").get_by_text("简体中文", exact=True).click()
        page.get_by_text(OVERLAY_ZH, exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        # Another setting afterwards: the pickers' (relabelled) values must survive a rerun too.
        page.locator("[data-testid='stSidebar']").get_by_text("softmax", exact=True).click()
        wait_for_script(page)
        chinese = page.locator("[data-testid='stMain'] p", has_text="正在解释").first.inner_text()
        for kept in ("EfficientNet-Lite1", "block5c_add"):
            assert kept in english and kept in chinese
        class_name = re.search(r"Explaining (.+?) \(class (\d+)", english)
        assert class_name and f"类别 {class_name.group(2)}" in chinese
        assert "lang=zh" in page.url and "model=" in page.url
        browser.close()
