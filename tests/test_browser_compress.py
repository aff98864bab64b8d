"""The Compression page in Chromium, on a server of its own measuring 100 test images of the shipped MNIST
sweep: moving the z slider changes the pictures, in both languages. Screenshots
(test-results/screens/compress_*.png)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

import ae.compress as C
from tests.conftest import ROOT, screenshot, start_server, stop_server, wait_for_app

SWEEP = ROOT / "checkpoints" / "sweep"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not C.find_sweep(SWEEP, "mnist").get("dense"), reason="needs the MNIST dense sweep")]
PICTURE = ".st-key-compress-at-z img"   # the reconstructions at the chosen z


@pytest.fixture(scope="module")
def compress_url(tmp_path_factory):
    cache = tmp_path_factory.mktemp("compress_cache")
    srv, url = start_server({"AE_COMPRESS_IMAGES": "100", "AE_CACHE_DIR": str(cache), "OMP_WAIT_POLICY": "PASSIVE"})
    yield url
    stop_server(srv)


def wait_for_new_picture(page: Page, old: str) -> None:
    page.wait_for_function(f"([s]) => {{ const i = document.querySelector('{PICTURE}'); return i && i.src !== s; }}",
                           arg=[old], timeout=60_000)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_z_slider_changes_the_pictures(page: Page, compress_url, lang):
    page.goto(f"{compress_url}/compress?lang={lang}&dataset=mnist&family=dense&z=8")
    page.locator(PICTURE).wait_for(timeout=180_000)
    page.locator(".js-plotly-plot").nth(3).wait_for(timeout=180_000)   # the bytes chart: the page is drawn
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    label = {"en": "reconstructed from z = {z} numbers", "ko": "숫자 z = {z}개로 복원"}[lang]
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(label.format(z=8))).to_be_visible()
    screenshot(page, f"compress_{lang}_1_start")

    slider = main.get_by_role("slider").first     # the only slider on the page: z
    for z in (4, 3):
        before = page.locator(PICTURE).get_attribute("src")
        slider.focus()
        page.keyboard.press("ArrowLeft")            # one z to the left: 8 -> 4 -> 3
        wait_for_new_picture(page, before)
        expect(main.get_by_text(label.format(z=z))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.locator(".st-key-compress-at-z").scroll_into_view_if_needed()
    screenshot(page, f"compress_{lang}_2_z3")
