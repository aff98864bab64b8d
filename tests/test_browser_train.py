"""The Train page in Chromium: switch language, train a tiny model, watch the chart, save, see it selected."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

import ae
from tests.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def number(page: Page, label: str, value: int) -> None:
    """Type a number and make sure it stuck: a value typed while the previous widget's rerun is still
    on its way back can be overwritten when that rerun repaints the form, so check after the app
    settles and type again if it did not stick."""
    box = page.get_by_role("spinbutton", name=label)
    for _ in range(3):
        box.fill(str(value))
        box.press("Enter")          # Streamlit commits a number input on Enter or blur
        page.wait_for_timeout(500)  # let the rerun start before waiting for it to end
        wait_for_app(page)
        if box.input_value() == str(value):
            break
    expect(box).to_have_value(str(value))


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
    expect(page.get_by_role("spinbutton", name="Training images")).to_have_value("256")
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
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox")).to_have_value(re.compile("browser_run"))
    assert (user_checkpoints / "browser_run" / "config.json").is_file()
    expect(page.get_by_test_id("stException")).to_have_count(0)

    page.get_by_test_id("stSidebar").get_by_text("한국어").click()
    expect(main.get_by_role("heading", name="오토인코더를 직접 학습시키며 지켜보기")).to_be_visible(timeout=30_000)
    expect(main.get_by_text(re.compile("완료: 2 에폭"))).to_be_visible()
    wait_for_app(page)
    screenshot(page, "train-ko-saved")


def open_train_page(page: Page, app_url: str):
    page.goto(app_url + "/train")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("button", name=re.compile("학습 시작"))).to_be_enabled(timeout=30_000)
    wait_for_app(page)
    return main


def test_second_session_waits_its_turn_and_a_closed_tab_frees_the_slot(browser, app_url):
    """AE_MAX_TRAININGS is 1 here: a second session queues with its place shown; closing the first
    tab stops that run once nobody has reloaded it within AE_RUN_GRACE_S (12 s for the test server),
    and the second one starts."""
    if ae.env.max_trainings() != 1:
        pytest.skip("needs AE_MAX_TRAININGS=1 (the default)")
    first_ctx, second_ctx = browser.new_context(), browser.new_context()
    first, second = first_ctx.new_page(), second_ctx.new_page()
    main1, main2 = open_train_page(first, app_url), open_train_page(second, app_url)
    number(second, "에폭 수", 200)           # long enough to be stopped by hand, not finished first
    main1.get_by_role("button", name=re.compile("교재 설정$")).click()   # the whole dataset: a long run
    expect(main1.get_by_role("spinbutton", name="학습 이미지 수")).to_be_disabled(timeout=30_000)
    main1.get_by_role("button", name=re.compile("학습 시작")).click()
    expect(main1.get_by_text(re.compile("에폭 중"))).to_be_visible(timeout=60_000)

    main2.get_by_role("button", name=re.compile("학습 시작")).click()
    expect(main2.get_by_text(re.compile("대기 순서 1번"))).to_be_visible(timeout=30_000)
    screenshot(second, "train-ko-queued")

    first_ctx.close()                      # the tab goes away: its training must not hold the slot
    expect(main2.get_by_text(re.compile(r"200 에폭 중 \d+ 에폭"))).to_be_visible(timeout=60_000)
    main2.get_by_role("button", name=re.compile("멈춤")).click()
    expect(main2.get_by_text(re.compile("멈췄습니다"))).to_be_visible(timeout=60_000)
    expect(second.get_by_test_id("stException")).to_have_count(0)
    second_ctx.close()


def test_reloading_the_page_keeps_the_run(page: Page, app_url):
    """A reload is a new session; the run's token in the address brings the run back, still training."""
    missing = []                            # pictures the browser asked for and did not get
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 and "/media/" in r.url else None)
    main = open_train_page(page, app_url)
    number(page, "학습 이미지 수", 5000)
    number(page, "에폭 수", 200)             # far longer than this test
    main.get_by_role("button", name=re.compile("학습 시작")).click()
    running = main.get_by_text(re.compile(r"200 에폭 중 \d+ 에폭"))
    expect(running).to_be_visible(timeout=60_000)
    assert re.search(r"[?&]run=[\w-]{16}", page.url), page.url

    page.reload()
    wait_for_app(page)
    expect(running).to_be_visible(timeout=60_000)                 # the same run, still training
    expect(main.get_by_role("button", name=re.compile("멈춤"))).to_be_enabled()
    page.wait_for_timeout(15_000)           # past the old session's grace (12 s): it must not be stopped
    expect(running).to_be_visible()
    # the panel is redrawn every second while it trains: its pictures are inline, never media files
    # that the next redraw has already replaced (the 404s a reload used to show as broken images)
    expect(main.locator('img[src^="data:image/png"]').first).to_be_visible(timeout=30_000)
    assert not missing, missing
    screenshot(page, "train-ko-after-reload")
    main.get_by_role("button", name=re.compile("멈춤")).click()
    expect(main.get_by_text(re.compile("개에서 멈췄습니다"))).to_be_visible(timeout=60_000)
    expect(main.get_by_role("button", name=re.compile("저장"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
