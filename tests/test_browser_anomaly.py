"""The Anomaly page in Chromium, on the app's own server with the shipped one-class model fmnist_c0: the
threshold slider moved with the keyboard changes the confusion matrix to the library's figures at the
new threshold, and an uploaded image gets the library's score and verdict. Screenshots in both
languages (test-results/screens/anomaly_*.png)."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

import ae
from ae import anomaly as A
from tests.conftest import ROOT, screenshot, wait_for_app

SHIPPED = ROOT / "checkpoints" / "anomaly" / "fmnist_c0"
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not SHIPPED.is_dir(), reason="needs the shipped fmnist_c0")]


@pytest.fixture(scope="module")
def library():
    train, test = ae.data.load("fashion-mnist", "train"), ae.data.load("fashion-mnist", "test")
    det, _ = A.load_detector(SHIPPED, train)
    data = A.one_class(train, test, [0])
    return det, data.anomalous, det.scores(data.test_x, ["mse"])["mse"], test


def cells(page: Page) -> list[int]:
    """The confusion matrix's four counts as shown, row by row."""
    table = page.get_by_test_id("stTable").first
    return [int(c) for c in table.locator("tbody td").all_inner_texts()]


def to_top(locator) -> None:
    """Scroll so that the element is at the top of the window (for the screenshots)."""
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")


def test_threshold_and_own_image(page: Page, app_url, library):
    det, y, s, test = library
    page.goto(f"{app_url}/anomaly?lang=en")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stTable")).to_have_count(1, timeout=120_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_for_app(page)
    slider = main.get_by_role("slider").first
    start = float(slider.input_value())
    at_start = cells(page)
    assert at_start == A.at_threshold(y, s, start).confusion.ravel().tolist()
    screenshot(page, "anomaly_en_start")

    # the threshold to its lowest: every test image flagged, 1,000 false alarms
    lo = A.threshold_range(s)[0]
    expected = A.at_threshold(y, s, lo).confusion.ravel().tolist()
    assert expected != at_start   # the table must change (read before the key: a quick rerun is no failure)
    slider.focus()
    page.keyboard.press("Home")
    page.wait_for_function("([want]) => { const t = document.querySelector('[data-testid=\"stTable\"]');"
                           " return t && [...t.querySelectorAll('tbody td')].map(c => +c.innerText).join() === want; }",
                           arg=[",".join(map(str, expected))], timeout=30_000)
    assert float(slider.input_value()) == pytest.approx(lo)
    expect(main.get_by_text(re.compile(r"9000 anomalies caught, 1000 false alarms"))).to_be_visible()

    # a sandal (class 5) of the test split, uploaded as a PNG file: its score and verdict are the library's
    picture = (test.images[int(np.flatnonzero(test.labels.numpy() == 5)[0]), 0].numpy() * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(picture).resize((112, 112), Image.NEAREST).save(buf, "PNG")
    slider.focus()
    page.keyboard.press("End")                                  # the highest threshold: nothing above it
    wait_for_app(page)
    to_top(main.get_by_text("Scores and threshold", exact=True))
    screenshot(page, "anomaly_en_2")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "sandal.png", "mimeType": "image/png", "buffer": buf.getvalue()}])
    spec = ae.data.spec("fashion-mnist")
    x, _ = ae.prepare.from_bytes(buf.getvalue(), box=spec.prep_box, centre=spec.prep_centre)
    score = float(det.scores(x[None], ["mse"])["mse"][0])
    hi = float(slider.input_value())
    verdict = "Anomalous" if score >= hi else "Normal"
    expect(main.get_by_text(re.compile(rf"^{verdict}: score {score:.4g} "))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    main.get_by_text(re.compile("^Normal: score|^Anomalous: score")).scroll_into_view_if_needed()
    screenshot(page, "anomaly_en_upload")

    for n, heading in enumerate(["The mistakes, in pictures", "Against classical detectors and the papers"]):
        to_top(main.get_by_text(heading, exact=True))
        screenshot(page, f"anomaly_en_{n + 3}")

    # the Korean page, each section
    page.goto(f"{app_url}/anomaly?lang=ko")
    expect(main.get_by_text("혼동 행렬: 행은 실제, 열은 판정입니다.")).to_be_visible(timeout=120_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "anomaly_ko_1")
    for n, heading in enumerate(["점수와 임계값", "틀린 판정을 그림으로", "오토인코더가 주는 다른 점수"]):
        to_top(main.get_by_text(heading, exact=True))
        screenshot(page, f"anomaly_ko_{n + 2}")
