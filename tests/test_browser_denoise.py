"""The Denoising page in Chromium: move the noise slider, switch noise kind, upload, draw; see it change.

A server of its own, with a small denoiser in its user-checkpoint folder, so the page shows both models.
"""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import Page, expect

import ae
from tests.conftest import ROOT, screenshot, start_server, stop_server, wait_for_app

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "checkpoints" / "fmnist_dense_z3").is_dir(),
                                 reason="needs the shipped fmnist_dense_z3")]

PICTURE = '[data-testid="stMain"] [data-testid="stImage"] img'
MARKER = "() => { const p = document.querySelector('.js-plotly-plot'); return p && p.layout.shapes.length ? p.layout.shapes[0].x0 : null; }"


@pytest.fixture(scope="module")
def denoise_url(tmp_path_factory):
    user = tmp_path_factory.mktemp("denoise_user")
    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=3, hidden=(32,)))
    config = ae.TrainConfig(epochs=1, noise=("gaussian",), noise_level=0.3)
    ae.train.train(model, ae.data.synthetic(64).images, config)
    ae.checkpoint.save(user / "tiny_denoise", model, train=config.to_dict(), dataset={"name": "fashion-mnist"})
    srv, url = start_server({"AE_USER_CHECKPOINTS": str(user), "OMP_WAIT_POLICY": "PASSIVE"})
    yield url
    stop_server(srv)


def picture_src(page: Page) -> str:
    return page.locator(PICTURE).last.get_attribute("src")


def wait_for_new_picture(page: Page, old: str) -> None:
    page.wait_for_function(f"([s]) => {{ const i = [...document.querySelectorAll('{PICTURE}')].pop();"
                           " return i && i.src !== s; }", arg=[old], timeout=60_000)


def canvas_button(page: Page, name: str):
    """A button of the drawing canvas's toolbar, whether the component renders in the page or in an iframe."""
    button = page.get_by_role("button", name=name, exact=True)
    return button if button.count() else page.frame_locator("iframe").last.get_by_role("button", name=name, exact=True)


def test_slider_kind_upload_and_drawing(page: Page, denoise_url):
    page.goto(denoise_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="잡음 제거").click()
    main = page.get_by_test_id("stMain")
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    expect(main.get_by_text(re.compile("서버 처리 시간"))).to_be_visible(timeout=60_000)
    screenshot(page, "denoise_1_start")

    # the level slider: new pictures, the curve's marker follows
    before, marker = picture_src(page), page.evaluate(MARKER)
    main.get_by_role("slider").nth(1).focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_for_new_picture(page, before)
    page.wait_for_function(f"() => ({MARKER})() > {marker} + 0.15", timeout=30_000)
    screenshot(page, "denoise_2_slider")

    # another noise kind: block sliders appear, the pictures change
    before = picture_src(page)
    main.get_by_text("사각형 지우기", exact=True).click()   # noise.block, one name on every page
    expect(main.get_by_text("블록 개수")).to_be_visible(timeout=30_000)
    wait_for_new_picture(page, before)
    screenshot(page, "denoise_3_blocks")

    # an uploaded photo of a dark digit on white paper: the prepared input is shown
    main.get_by_text("이미지 올리기", exact=True).click()
    ink = np.full((240, 180, 3), 235, np.uint8)
    ink[30:210, 80:105] = (30, 30, 60)
    buf = io.BytesIO()
    Image.fromarray(ink).save(buf, "JPEG")
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "digit.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}])
    expect(main.get_by_text("준비된 28x28 입력")).to_be_visible(timeout=60_000)
    expect(main.get_by_text(re.compile("색을 뒤집었습니다"))).to_be_visible()
    expect(main.get_by_role("slider").first).to_be_visible()   # the block sliders kept their place
    screenshot(page, "denoise_4_upload")

    # a file that is not an image: a message, no traceback
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image"}])
    expect(main.get_by_text(re.compile("쓸 수 없습니다"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    # a drawing made with the mouse
    main.get_by_text("직접 그리기", exact=True).click()
    wait_for_app(page)
    for _ in range(3):   # a stroke made while the canvas is still mounting is lost: its Undo stays disabled
        canvas = main.locator("canvas").last
        canvas.wait_for(timeout=30_000)
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 140, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + 140, box["y"] + 240, steps=12)
        page.mouse.up()
        try:
            expect(canvas_button(page, "Undo")).to_be_enabled(timeout=5_000)
            break
        except AssertionError:
            wait_for_app(page)
    expect(canvas_button(page, "Undo")).to_be_enabled()
    try:
        expect(main.get_by_text("준비된 28x28 입력")).to_be_visible(timeout=20_000)
    except AssertionError:   # on a busy machine the canvas can drop its live update: send it by hand
        canvas_button(page, "Update the app with this drawing").click()
        expect(main.get_by_text("준비된 28x28 입력")).to_be_visible(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "denoise_5_drawing")
    expect(page.get_by_test_id("stException")).to_have_count(0)
