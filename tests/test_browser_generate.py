"""The Generation page in Chromium, on the app's own server with the shipped mnist_vae_z2: the picture
follows the pointer over the plane, the browser's pictures (sliders, plane, the decoded grid) match the
library's own decode of the same codes, and interpolation between two picked test images shows the
library's pictures. Screenshots in both languages (test-results/screens/generate_*.png).
"""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

import ae
from ae import generate as G
from tests.conftest import ROOT, screenshot, wait_for_app
from tests.test_browser_decoder import CANVAS_JS, MAD_LIMIT, PIXELS_JS, ROOT_JS, STATUS_JS, as_tiles, library

CHECKPOINT = ROOT / "checkpoints" / "mnist_vae_z2"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHECKPOINT.is_dir(), reason="needs the shipped mnist_vae_z2")]
VIEWS = ("sliders", "plane", "grid")


@pytest.fixture(scope="module")
def model():
    return ae.checkpoint.load(CHECKPOINT)[0]


def open_generation(page: Page, url: str, lang: str) -> None:
    page.goto(f"{url}/generate?model=mnist_vae_z2&lang={lang}")
    for view in VIEWS:   # the model is exported and sent once; every view then decodes in the browser
        page.wait_for_function(f"v => ({STATUS_JS})(v) === 'ready'", arg=view, timeout=120_000)
    page.wait_for_function(f"() => ({CANVAS_JS})('grid').dataset.shown === '15x15'", timeout=30_000)
    page.get_by_text(re.compile("20 x 20")).first.wait_for(timeout=120_000)   # the last section is drawn
    wait_for_app(page)


def test_the_picture_follows_the_pointer_and_matches_the_library(page: Page, app_url, model):
    open_generation(page, app_url, "en")
    # the sliders start at the prior's mean, the grid is 15 x 15 at the normal's quantiles over z itself
    shot = page.evaluate(PIXELS_JS, "sliders")
    np.testing.assert_allclose(shot["z"], [0, 0], atol=1e-6)
    assert np.abs(as_tiles(shot) - library(model, [[0.0, 0.0]])).mean() < MAD_LIMIT
    u, v = G.grid_axes(G.latent_plane(G.code_stats(np.eye(2), prior=True)), 15)
    tiles = as_tiles(page.evaluate(PIXELS_JS, "grid"))
    assert tiles.shape == (225, 28, 28)
    assert np.abs(tiles - library(model, [[a, b] for b in v[::-1] for a in u])).mean() < MAD_LIMIT

    # the pointer over the plane (z1, z2 from -3 to 3): a new picture at each place, the library's
    overlay = page.evaluate_handle(f"() => ({ROOT_JS})('plane').querySelector('canvas.overlay')").as_element()
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    seen = []
    for fx, fy in [(0.2, 0.25), (0.8, 0.75), (0.3, 0.85)]:
        before = page.evaluate(PIXELS_JS, "plane")
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=4)
        page.wait_for_function(f"""([n, a, b]) => {{
            const c = ({CANVAS_JS})('plane'), z = JSON.parse(c.dataset.z || '[99, 99]');
            return c.dataset.frames > n && Math.abs(z[0] - a) < 0.05 && Math.abs(z[1] - b) < 0.05; }}""",
                               arg=[before["frames"], -3 + 6 * fx, 3 - 6 * fy], timeout=15_000)
        after = page.evaluate(PIXELS_JS, "plane")
        assert after["grey"] != before["grey"], "the picture did not change when the pointer moved"
        assert np.abs(as_tiles(after) - library(model, [after["z"]])).mean() < MAD_LIMIT
        seen.append(tuple(after["grey"]))
    assert len(set(seen)) == 3
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "generate_en_plane")

    # "start from this image": the sliders jump to test image 0's code, and show its reconstruction
    z0 = ae.infer.encode(model, ae.data.load("mnist", "test").images[:1]).numpy()[0]
    frames = page.evaluate(PIXELS_JS, "sliders")["frames"]
    page.get_by_test_id("stMain").get_by_text("Test image", exact=True).first.click()   # "Start from"
    page.wait_for_function(f"""([n, a, b]) => {{
        const c = ({CANVAS_JS})('sliders'), z = JSON.parse(c.dataset.z || '[99, 99]');
        return c.dataset.frames > n && Math.abs(z[0] - a) < 1e-3 && Math.abs(z[1] - b) < 1e-3; }}""",
                           arg=[frames, float(z0[0]), float(z0[1])], timeout=30_000)
    shot = page.evaluate(PIXELS_JS, "sliders")
    assert np.abs(as_tiles(shot) - library(model, [shot["z"]])).mean() < MAD_LIMIT


def picture_after(page: Page, caption: re.Pattern):
    """The picture drawn right after the caption that matches `caption` (show_rows captions its rows above)."""
    return (page.get_by_test_id("stCaptionContainer").filter(has_text=caption).first
            .locator("xpath=following::*[@data-testid='stImage'][1]//img"))


def png_of(page: Page, img) -> np.ndarray:
    body = page.request.get(img.evaluate("i => i.src")).body()
    return np.asarray(Image.open(io.BytesIO(body)).convert("L"), np.float64) / 255


def test_interpolation_between_two_picked_images(page: Page, app_url, model):
    open_generation(page, app_url, "ko")
    rows = re.compile("1줄: 잠재 공간을 지나는 경로")
    img = picture_after(page, rows)
    img.wait_for(timeout=30_000)
    numbers = page.get_by_test_id("stMain").get_by_role("spinbutton", name="테스트 이미지 번호")
    expect(numbers).to_have_count(2)                                   # image A and image B
    a, b = int(numbers.nth(0).input_value()), int(numbers.nth(1).input_value())
    test = ae.data.load("mnist", "test")
    assert test.labels[a] != test.labels[b]                            # two classes to start with
    before = img.evaluate("i => i.src")
    numbers.nth(1).fill("650")
    numbers.nth(1).press("Enter")
    page.wait_for_function("([s]) => [...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
                           ".every(i => i.src !== s)", arg=[before], timeout=60_000)
    wait_for_app(page)
    shown = png_of(page, picture_after(page, rows))
    expected = G.interpolate(model, test.images[a], test.images[650], 10, "spherical")
    library_picture = ae.viz.grid([expected.latent, expected.pixels], scale=1, pad=1)[..., 0] / 255
    assert shown.shape == library_picture.shape
    assert np.abs(shown - library_picture).mean() < MAD_LIMIT
    expect(page.get_by_test_id("stException")).to_have_count(0)
    picture_after(page, rows).scroll_into_view_if_needed()
    screenshot(page, "generate_ko_interpolation")
    page.get_by_text(re.compile("격자 20 x 20")).first.scroll_into_view_if_needed()
    screenshot(page, "generate_ko_holes")
