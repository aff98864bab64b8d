"""The Train page in Chromium: switch language, train a tiny model, watch the chart, save, see it selected."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def number(page: Page, label: str, value: int) -> None:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(str(value))
    box.press("Enter")          # Streamlit commits a number input on Enter or blur
    wait_for_app(page)


def test_train_page_tiny_run_saved_and_selected(page: Page, app_url, user_checkpoints):
    page.set_viewport_size({"width": 1400, "height": 2300})   # Streamlit scrolls inside: a tall window shows it all
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="학습").click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="오토인코더를 직접 학습시키며 지켜보기")).to_be_visible(timeout=30_000)
    expect(main.get_by_role("button", name=re.compile("학습 시작"))).to_be_enabled()
    wait_for_app(page)
    screenshot(page, "train-ko")

    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(main.get_by_role("heading", name="Train an autoencoder and watch it learn")).to_be_visible(timeout=30_000)
    expect(main.get_by_role("spinbutton", name="Epochs")).to_be_visible()
    wait_for_app(page)

    number(page, "Training images", 256)
    number(page, "Epochs", 2)
    main.get_by_role("button", name=re.compile("Start training")).click()
    expect(main.get_by_role("button", name=re.compile("Stop"))).to_be_enabled(timeout=30_000)
    expect(main.get_by_text(re.compile(r"^Done: 2 epoch"))).to_be_visible(timeout=90_000)
    expect(main.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)   # loss curves and latent map
    expect(main.locator(".js-plotly-plot").first.locator(".scatterlayer .trace")).to_have_count(2)  # train, test
    expect(main.get_by_role("img").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_for_app(page)
    screenshot(page, "train-en-done")

    name = main.get_by_role("textbox", name="Checkpoint name")
    name.fill("browser_run")
    main.get_by_role("button", name=re.compile("Save")).click()
    expect(main.get_by_text(re.compile("Saved as"))).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox")).to_have_value(re.compile("^browser_run"))
    assert (user_checkpoints / "browser_run" / "config.json").is_file()
    expect(page.get_by_test_id("stException")).to_have_count(0)

    page.get_by_test_id("stSidebar").get_by_text("한국어").click()
    expect(main.get_by_role("heading", name="오토인코더를 직접 학습시키며 지켜보기")).to_be_visible(timeout=30_000)
    expect(main.get_by_text(re.compile("완료: 2 에폭"))).to_be_visible()
    wait_for_app(page)
    screenshot(page, "train-ko-saved")
