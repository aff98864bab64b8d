"""Two app servers behind one Ray cluster, in Chromium: a training started through one server is found by
its token through the other, watched there, stopped and saved there, into the folder both share."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.cluster import ray_available
from tests.conftest import screenshot, wait_for_app
from tests.test_browser_train import number, open_train_page

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not ray_available(),
                                 reason="ray is not installed: pip install -r requirements-dev.txt (make test does)")]


def test_a_run_started_on_one_server_is_stopped_and_saved_through_the_other(browser, ray_servers):
    url_a, url_b, shared = ray_servers
    assert url_a != url_b
    ctx_a, ctx_b = browser.new_context(), browser.new_context()
    page_a, page_b = ctx_a.new_page(), ctx_b.new_page()
    try:
        main_a = open_train_page(page_a, url_a)
        number(page_a, "학습 이미지 수", 5000)
        number(page_a, "에폭 수", 200)                 # far longer than this test
        main_a.get_by_role("button", name=re.compile("학습 시작")).click()
        running = re.compile(r"200 에폭 중 \d+ 에폭")
        expect(main_a.get_by_text(running)).to_be_visible(timeout=120_000)   # a Ray worker trains it
        token = re.search(r"[?&]run=([\w-]+)", page_a.url).group(1)

        page_b.goto(f"{url_b}/train?run={token}")     # the other server: it finds the run on the cluster
        main_b = page_b.get_by_test_id("stMain")
        expect(main_b.get_by_text(running)).to_be_visible(timeout=60_000)
        expect(page_b.get_by_role("spinbutton", name="에폭 수")).to_have_value("200")   # the run's own settings
        wait_for_app(page_b)
        screenshot(page_b, "train-ray-server-b-watching")
        main_b.get_by_role("button", name=re.compile("멈춤")).click()
        stopped = re.compile("개에서 멈췄습니다")
        expect(main_b.get_by_text(stopped)).to_be_visible(timeout=60_000)
        expect(main_a.get_by_text(stopped)).to_be_visible(timeout=60_000)   # the first server sees it too

        main_b.get_by_role("textbox", name="체크포인트 이름").fill("saved_through_b")
        main_b.get_by_role("button", name=re.compile("저장")).click()
        expect(main_b.get_by_text(re.compile("saved_through_b"))).to_be_visible(timeout=60_000)
        assert (shared / "saved_through_b" / "config.json").is_file()
        for page in (page_a, page_b):
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    finally:
        ctx_a.close()
        ctx_b.close()
