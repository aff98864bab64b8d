"""The browser decoder (pages/_decoder.py + _decoder.js) in Chromium, on tests/apps/decoder_app.py with
the shipped mnist_vae_z2: the pictures onnxruntime-web draws match the library's own decode of the
same z, the picture follows the pointer over the plane, a click reports the point, the model is not
sent again on every rerun, and without WebAssembly the server decodes instead and says so.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from playwright.sync_api import Page, expect

import ae
from tests.conftest import ROOT, screenshot, wait_for_app

CHECKPOINT = ROOT / "checkpoints" / "mnist_vae_z2"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHECKPOINT.is_dir(), reason="needs the shipped mnist_vae_z2")]

# the decoder view `view` inside its shadow root (the component isolates its styles)
ROOT_JS = ("view => [...document.querySelectorAll('[data-testid=\"stBidiComponentIsolated\"]')]"
           ".map(h => h.shadowRoot && h.shadowRoot.querySelector('.ae-decoder.view-' + view)).find(Boolean)")
CANVAS_JS = f"view => ({ROOT_JS})(view).querySelector(view === 'grid' ? 'canvas.grid' : 'canvas.picture')"
# the canvas's real pixels (grey = red channel), the code it shows and its paint count
PIXELS_JS = f"""view => {{
  const c = ({CANVAS_JS})(view);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const grey = new Array(d.length / 4);
  for (let i = 0; i < grey.length; i++) grey[i] = d[4 * i];
  return {{w: c.width, h: c.height, grey, z: c.dataset.z ? JSON.parse(c.dataset.z) : null,
           frames: Number(c.dataset.frames || 0)}};
}}"""
STATUS_JS = f"view => {{ const r = ({ROOT_JS})(view); return r ? r.dataset.status : null; }}"
SLIDER_START = [0.5, -1.0]   # tests/apps/decoder_app.py's
MAD_LIMIT = 1 / 255


@pytest.fixture(scope="module")
def model():
    return ae.checkpoint.load(CHECKPOINT)[0]


def library(model, z) -> np.ndarray:
    """The library's pictures (N, 28, 28) in [0, 1] for codes z, as floats."""
    return ae.infer.decode(model, torch.tensor(np.asarray(z, dtype=np.float32))).numpy().reshape(-1, 28, 28)


def as_tiles(shot: dict) -> np.ndarray:
    """A canvas's pixels cut into 28x28 tiles, row by row, in [0, 1]."""
    g = np.asarray(shot["grey"], dtype=np.float64).reshape(shot["h"], shot["w"]) / 255
    rows, cols = shot["h"] // 28, shot["w"] // 28
    return g.reshape(rows, 28, cols, 28).transpose(0, 2, 1, 3).reshape(-1, 28, 28)


def caption(page: Page, name: str) -> dict:
    text = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=re.compile(f"^{name}: ")).inner_text()
    return json.loads(text.split(": ", 1)[1])


def wait_status(page: Page, views, status: str, timeout: float = 60_000) -> None:
    for view in views:
        page.wait_for_function(f"v => ({STATUS_JS})(v) === '{status}'", arg=view, timeout=timeout)


def test_browser_pictures_match_the_library_and_follow_the_pointer(page: Page, decoder_app_url, model):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(decoder_app_url + "/?view=all&n=10")
    wait_status(page, ["sliders", "plane", "grid"], "ready")
    for view in ("sliders", "plane"):
        page.wait_for_function(f"v => ({CANVAS_JS})(v).dataset.frames > 0", arg=view, timeout=20_000)
    page.wait_for_function(f"() => ({CANVAS_JS})('grid').dataset.shown === '10x10'", timeout=20_000)

    # the slider panel at its starting values
    shot = page.evaluate(PIXELS_JS, "sliders")
    np.testing.assert_allclose(shot["z"], SLIDER_START, atol=1e-6)
    assert np.abs(as_tiles(shot) - library(model, [SLIDER_START])).mean() < MAD_LIMIT
    # the 10 x 10 grid over [-2.5, 2.5]^2: columns left to right in z1, rows top to bottom in z2
    xs = np.linspace(-2.5, 2.5, 10)
    codes = [[a, b] for b in xs[::-1] for a in xs]
    tiles = as_tiles(page.evaluate(PIXELS_JS, "grid"))
    expected = library(model, codes)
    assert tiles.shape == (100, 28, 28)
    assert np.abs(tiles - expected).mean() < MAD_LIMIT
    assert np.abs(tiles - expected).max() <= 2 / 255   # no single pixel off by more than rounding
    # the grid's own size slider: a 5 x 5 grid decoded here, then reported to the page
    frames = page.evaluate(PIXELS_JS, "grid")["frames"]
    page.locator(".ae-decoder.view-grid input[type=range]").first.focus()
    page.keyboard.press("Home")
    page.wait_for_function(f"n => ({CANVAS_JS})('grid').dataset.shown === '5x5' && ({CANVAS_JS})('grid').dataset.frames > n",
                           arg=frames, timeout=20_000)
    xs5 = np.linspace(-2.5, 2.5, 5)
    tiles = as_tiles(page.evaluate(PIXELS_JS, "grid"))
    assert tiles.shape == (25, 28, 28)
    assert np.abs(tiles - library(model, [[a, b] for b in xs5[::-1] for a in xs5])).mean() < MAD_LIMIT
    expect(page.get_by_text(re.compile(r'^grid: .*"size": 5'))).to_be_visible(timeout=20_000)

    # the pointer over the plane: the picture changes with each move, and it is the library's picture
    # of the code the component says it decoded
    plane = page.evaluate_handle(f"() => ({ROOT_JS})('plane').querySelector('canvas.overlay')").as_element()
    box = plane.bounding_box()
    seen = []
    for fx, fy in [(0.25, 0.3), (0.75, 0.7), (0.2, 0.8)]:
        before = page.evaluate(PIXELS_JS, "plane")
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        # the picture of the code under the pointer: (a, b) = (-3 + 6 fx, 3 - 6 fy) on this plane
        page.wait_for_function(f"""([n, a, b]) => {{
            const c = ({CANVAS_JS})('plane'), z = JSON.parse(c.dataset.z || '[99, 99]');
            return c.dataset.frames > n && Math.abs(z[0] - a) < 0.05 && Math.abs(z[1] - b) < 0.05; }}""",
                               arg=[before["frames"], -3 + 6 * fx, 3 - 6 * fy], timeout=10_000)
        after = page.evaluate(PIXELS_JS, "plane")
        assert after["grey"] != before["grey"], "the picture did not change when the pointer moved"
        assert np.abs(as_tiles(after) - library(model, [after["z"]])).mean() < MAD_LIMIT
        seen.append(after["grey"])
    assert len({tuple(g) for g in seen}) == 3

    # a click reports the point to Python, and the model bytes are not sent again on that rerun
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.25 * box["height"])
    expect(page.get_by_text(re.compile(r'^plane: .*"at": \[1\.'))).to_be_visible(timeout=20_000)
    a, b = caption(page, "plane")["at"]
    assert a == pytest.approx(1.5, abs=0.05) and b == pytest.approx(1.5, abs=0.05)
    assert caption(page, "plane")["engine"] == "browser"
    assert caption(page, "sliders")["sent_model"] is False   # the browser holds it already
    # everything came from the app itself: the runtime from its static folder, nothing from a CDN
    assert any(u.endswith("/app/static/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm") for u in requested)
    assert all(u.startswith((decoder_app_url, "blob:", "data:")) for u in requested), \
        [u for u in requested if not u.startswith(decoder_app_url)]
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "decoder_browser")


def test_without_webassembly_the_server_decodes(browser, decoder_app_url, model):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script("delete globalThis.WebAssembly;")
    page = context.new_page()
    try:
        page.goto(decoder_app_url + "/?view=all&n=5")
        wait_status(page, ["sliders", "plane", "grid"], "unavailable")
        expect(page.get_by_text(re.compile(r'^sliders: .*"engine": "server"'))).to_be_visible(timeout=20_000)
        assert "WebAssembly" in caption(page, "sliders")["reason"]
        note = page.evaluate(f"() => ({ROOT_JS})('sliders').querySelector('.note').textContent")
        assert "WebAssembly" in note and "server" in note
        page.wait_for_function(f"() => ({CANVAS_JS})('grid').dataset.shown === '5x5'", timeout=20_000)
        wait_for_app(page)

        shot = page.evaluate(PIXELS_JS, "sliders")
        assert np.abs(as_tiles(shot) - library(model, [SLIDER_START])).mean() < MAD_LIMIT
        xs = np.linspace(-2.5, 2.5, 5)
        grid = as_tiles(page.evaluate(PIXELS_JS, "grid"))
        assert np.abs(grid - library(model, [[a, b] for b in xs[::-1] for a in xs])).mean() < MAD_LIMIT

        # no picture follows the pointer now; a click asks the server for the picture there
        before = page.evaluate(PIXELS_JS, "plane")
        plane = page.evaluate_handle(f"() => ({ROOT_JS})('plane').querySelector('canvas.overlay')").as_element()
        box = plane.bounding_box()
        page.mouse.click(box["x"] + 0.2 * box["width"], box["y"] + 0.8 * box["height"])
        # every rerun repaints the server's pictures, so a new paint alone does not say the click's rerun
        # came: wait for the point it reports, then for that rerun to end
        expect(page.get_by_text(re.compile(r'^plane: .*"at": \[-'))).to_be_visible(timeout=20_000)
        page.wait_for_function(f"n => ({CANVAS_JS})('plane').dataset.frames > n", arg=before["frames"], timeout=20_000)
        wait_for_app(page)
        a, b = caption(page, "plane")["at"]
        after = page.evaluate(PIXELS_JS, "plane")
        assert after["grey"] != before["grey"]
        assert np.abs(as_tiles(after) - library(model, [[a, b]])).mean() < MAD_LIMIT
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, "decoder_server_fallback")
    finally:
        context.close()
