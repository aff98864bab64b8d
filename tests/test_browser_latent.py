"""The Latent space explorer in Chromium: the map is drawn (PCA first, then t-SNE), a box selection
opens the grid of selected images, a click on a point shows its neighbours in latent and pixel space.

A server of its own with an empty map cache, so the page really computes its first map.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, screenshot, start_server, stop_server, wait_for_app

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "checkpoints" / "fmnist_dense_z3").is_dir(),
                                 reason="needs the shipped fmnist_dense_z3")]

MAP = '[data-testid="stMain"] .js-plotly-plot'
# page coordinates of a point of one trace that lies outside the middle of the plot (where the box
# selection's outline stays drawn and would take the click), from Plotly's own axes
POINT_XY = """([trace]) => {
  const gd = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')].pop();
  const L = gd._fullLayout, t = gd._fullData[trace];
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  for (let i = 0; i < t.x.length; i++) {
    const fx = L.xaxis.l2p(t.x[i]) / box.width, fy = L.yaxis.l2p(t.y[i]) / box.height;
    const middle = fx > 0.3 && fx < 0.7 && fy > 0.3 && fy < 0.7;
    if (!middle && fx > 0.05 && fx < 0.95 && fy > 0.05 && fy < 0.95)
      return [box.left + L.xaxis.l2p(t.x[i]), box.top + L.yaxis.l2p(t.y[i])];
  }
  return null;
}"""


DRAGMODE = "() => [...document.querySelectorAll('[data-testid=\"stMain\"] .js-plotly-plot')].pop()._fullLayout.dragmode"


def box_select(page: Page, plot) -> None:
    """Pick the select tool (and wait until Plotly has it), then drag over the middle of the map."""
    plot.scroll_into_view_if_needed()
    plot.hover()
    plot.locator('.modebar-btn[data-val="select"]').click()
    page.wait_for_function(DRAGMODE + " === 'select'", timeout=10_000)
    box = plot.locator(".nsewdrag").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.35)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.65, steps=12)
    page.mouse.up()


@pytest.fixture(scope="module")
def latent_url(tmp_path_factory):
    cache = tmp_path_factory.mktemp("latent_cache")
    srv, url = start_server({"AE_CACHE_DIR": str(cache), "OMP_WAIT_POLICY": "PASSIVE"})
    yield url
    stop_server(srv)


def choose_tsne(page: Page, main) -> None:
    """The lesson's model has z = 3, which the page draws as it is: pick the t-SNE map instead."""
    expect(main.get_by_text(re.compile(r"테스트 이미지 2,000장 · z 그대로"))).to_be_visible(timeout=120_000)
    wait_for_app(page)
    main.get_by_test_id("stSelectbox").first.click()   # the map method: the page's first selectbox
    page.get_by_role("option", name="z의 t-SNE (빠름, openTSNE)").click()


def test_map_selection_and_neighbours(page: Page, latent_url):
    page.goto(latent_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="잠재 공간").click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="잠재 공간 탐색기")).to_be_visible(timeout=60_000)
    choose_tsne(page, main)
    # the final map, with its caption (points, method, how long it took)
    expect(main.get_by_text(re.compile(r"테스트 이미지 2,000장 · z의 t-SNE"))).to_be_visible(timeout=120_000)
    page.locator(MAP).last.wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].pop()._fullData.length") >= 10
    screenshot(page, "latent_1_map")

    # box selection: the modebar's select tool, then a drag across the middle of the map
    plot = page.locator(MAP).last
    heading = main.get_by_role("heading", name=re.compile(r"선택한 이미지 \d+장"))
    for attempt in range(3):   # on a busy machine a drag can land before the chart listens: try again
        box_select(page, plot)
        try:
            expect(heading).to_be_visible(timeout=30_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    assert int(re.search(r"(\d+)장", heading.inner_text()).group(1)) > 1
    expect(main.get_by_text(re.compile("^클래스: "))).to_be_visible()
    wait_for_app(page)
    expect(main.get_by_test_id("stImage").last.locator("img")).to_be_visible()
    heading.scroll_into_view_if_needed()
    screenshot(page, "latent_2_box_selection")

    # a click on one point (back in pan mode): its pictures, and its neighbours in latent and pixel space
    point = main.get_by_role("heading", name=re.compile(r"이미지 #\d+: "))
    for attempt in range(3):
        plot.scroll_into_view_if_needed()
        plot.hover()
        plot.locator('.modebar-btn[data-val="pan"]').click()
        page.wait_for_function(DRAGMODE + " === 'pan'", timeout=10_000)
        x, y = page.evaluate(POINT_XY, [6])   # a shirt: its pixel and latent neighbours differ
        # WebGL points are picked from hover data: hover until Plotly shows the point's label, then click
        page.mouse.move(x, y)
        plot.locator(".hoverlayer .hovertext").first.wait_for(timeout=20_000)
        page.mouse.click(x, y)
        try:
            expect(point).to_be_visible(timeout=30_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(main.get_by_text("잠재 공간 precision@8")).to_be_visible()
    expect(main.get_by_text("픽셀 공간 precision@8")).to_be_visible()
    expect(main.get_by_text(re.compile("잠재 공간에서 가까운 이미지"))).to_be_visible()
    wait_for_app(page)
    expect(main.get_by_test_id("stImage").last.locator("img")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    point.scroll_into_view_if_needed()
    screenshot(page, "latent_3_point")


def progress_pct(main) -> int:
    bar = main.get_by_text(re.compile(r"^t-SNE \d+%"))
    expect(bar).to_be_visible(timeout=60_000)
    return int(re.search(r"(\d+)%", bar.inner_text()).group(1))


def test_a_click_while_tsne_runs_does_not_start_it_again(page: Page, latent_url):
    """Any widget stops the page's script; the t-SNE runs on a thread of its own and goes on."""
    page.goto(latent_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="잠재 공간").click()
    main = page.get_by_test_id("stMain")
    choose_tsne(page, main)
    expect(main.get_by_text(re.compile(r"테스트 이미지 2,000장 · z의 t-SNE"))).to_be_visible(timeout=120_000)
    wait_for_app(page)
    main.get_by_text("t-SNE 설정").click()
    iterations = main.get_by_role("slider", name="반복 횟수")
    iterations.focus()
    iterations.press("End")                       # 1000 iterations: a new map, some seconds long
    expect(iterations).to_have_attribute("aria-valuetext", "1000", timeout=10_000)
    before = progress_pct(main)
    while before < 30:                            # past the neighbour search, into the iterations
        page.wait_for_timeout(200)
        before = progress_pct(main)

    page.get_by_test_id("stSidebar").get_by_text("English").click()   # a rerun while the fit runs
    expect(main.get_by_role("heading", name="Latent space explorer")).to_be_visible(timeout=30_000)
    # The rerun shows the same fit's bar, further on; or, where the fit ended meanwhile (a slow rerun on a
    # busy machine), its map at once: a fit started again would show a bar, and take seconds.
    bar = main.get_by_text(re.compile(r"^t-SNE \d+%"))
    finished = main.get_by_text(re.compile(r"2,000 test images · t-SNE of z"))
    expect(bar.or_(finished)).to_be_visible(timeout=60_000)
    shown = bar.all_inner_texts()             # no waiting: the bar may have just made way for the map
    if shown:
        after = int(re.search(r"(\d+)%", shown[0]).group(1))
        assert after >= before, f"the map started again: {before}% before the click, {after}% after it"
    expect(finished).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "latent_4_after_click_mid_fit")
