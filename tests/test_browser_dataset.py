"""The Dataset page in Chromium: upload a zip, audit it, sort, click a confusion cell, and open a
thumbnail on the Grad-CAM page; the lesson in one click, on a phone too."""

from __future__ import annotations

import io
import zipfile

import pytest
from browser_support import ARTIFACTS, SCRIPT_TIMEOUT_MS, launch, wait_for_script

from gradcam_core import samples

pytestmark = [pytest.mark.slow, pytest.mark.browser]
OPEN_BUTTONS = "[class*='st-key-dataset_open_'] button:visible"
GALLERY_CAPTIONS = ".st-key-dataset_gallery [data-testid='stImageCaption']"
FIRST_CAPTION_HAS = (
    '(text) => document.querySelector("' + GALLERY_CAPTIONS + '")?.innerText.includes(text)'
)

CAPTIONS_ARE = '(count) => document.querySelectorAll("' + GALLERY_CAPTIONS + '").length === count'


@pytest.fixture
def example_zip(tmp_path):
    """Sample photos in folders named by their ImageNet classes, as a zipped folder."""
    files = {
        "tabby/cat.jpg": "cat",
        "espresso/coffee.jpg": "coffee",
        "espresso/cat_and_coffee.jpg": "cat_and_coffee",
        "rockets/rocket.jpg": "rocket",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, sample in files.items():
            archive.writestr(f"examples/{name}", samples.get_sample(sample).path.read_bytes())
    path = tmp_path / "examples.zip"
    path.write_bytes(buffer.getvalue())
    return path


def gallery_captions(page) -> list[str]:
    return [c.strip() for c in page.locator(GALLERY_CAPTIONS).all_inner_texts()]


def open_dataset_page(browser, server, width=1400, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/dataset")
    page.get_by_role("button", name="Try the lesson").wait_for(timeout=SCRIPT_TIMEOUT_MS)
    wait_for_script(page)
    return page


def test_upload_audit_sort_filter_and_open_on_the_grad_cam_page(server, example_zip):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = open_dataset_page(browser, server)
        page.locator(".st-key-dataset_zip input[type='file']").set_input_files(example_zip)
        run = page.get_by_role("button", name="Audit 4 images")
        run.wait_for(timeout=SCRIPT_TIMEOUT_MS)
        run.click()
        page.get_by_text("Gallery", exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        assert "of 3" in main.inner_text()  # accuracy on the 3 photos whose folder is a class
        assert page.locator("[data-testid='stException']").count() == 0

        # sort by file name: cat.jpg's folder, espresso, comes first
        combobox = page.locator(".st-key-dataset_sort").get_by_role("combobox")
        combobox.click()
        combobox.fill("file name")
        page.get_by_role("option", name="file name", exact=True).click()
        wait_for_script(page)
        page.wait_for_function(FIRST_CAPTION_HAS, arg="espresso/cat_and_coffee.jpg")
        # the rerun may still be sending the gallery's later thumbnails: wait for four, or time out
        page.wait_for_function(CAPTIONS_ARE, arg=4, timeout=SCRIPT_TIMEOUT_MS)
        assert len(gallery_captions(page)) == 4

        # the confusion matrix: a click on a cell shows only its images
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        box = chart.bounding_box()
        assert box is not None
        page.screenshot(path=str(ARTIFACTS / "dataset_desktop.png"), full_page=False)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        # the bottom-right cell: true espresso, predicted espresso (classes in index order)
        page.mouse.click(box["x"] + box["width"] * 0.93, box["y"] + box["height"] * 0.88)
        page.get_by_text("Showing the images of true").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        assert 1 <= len(gallery_captions(page)) < 4

        # open the first thumbnail on the Grad-CAM page, with its predicted class
        first_caption = gallery_captions(page)[0]
        predicted = first_caption.split("(")[0].strip("✓✗ ").strip()
        page.locator(OPEN_BUTTONS).first.click()
        page.get_by_text("from the Dataset page").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        assert "Grad-CAM: what is the network looking at?" in text
        assert f"Explaining {predicted}" in text
        assert page.locator("[data-testid='stException']").count() == 0
        browser.close()


def test_the_lesson_on_a_phone(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = open_dataset_page(browser, server, 390, 844)
        page.get_by_role("button", name="Try the lesson").click()
        page.get_by_text("Gallery", exact=True).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        assert "100%" in page.get_by_text("Cat accuracy on the held-out photos").inner_text()
        page.locator(GALLERY_CAPTIONS).nth(9).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        captions = gallery_captions(page)
        assert sum(c.startswith("✓ Cat") for c in captions[:10]) >= 7
        # two thumbnails side by side on a phone
        images = page.locator(".st-key-dataset_gallery [data-testid='stImage']")
        first, second = images.nth(0).bounding_box(), images.nth(1).bounding_box()
        assert first and second and abs(first["y"] - second["y"]) < 5
        page.screenshot(path=str(ARTIFACTS / "dataset_phone.png"))
        browser.close()
