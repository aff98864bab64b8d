"""Bring your own (issue 21) in Chromium, on a server of its own with empty user folders: a model
downloaded, uploaded again and used; a shared link (and its "Copy link" button) opens the same view; a
lesson link hides the advanced controls.
"""
from __future__ import annotations

import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from pages._text import STRINGS
from tests.conftest import ROOT, screenshot, start_server, stop_server, wait_for_app

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "checkpoints" / "mnist_vae_z2").is_dir(),
                                 reason="needs the shipped checkpoints")]
EN = STRINGS["en"]


@pytest.fixture(scope="module")
def byo_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("byo")
    srv, url = start_server({"AE_USER_CHECKPOINTS": str(root / "models"), "AE_USER_DATA": str(root / "data"),
                             "AE_CACHE_DIR": str(root / "cache"), "OMP_WAIT_POLICY": "PASSIVE"})
    yield url
    stop_server(srv)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_a_model_goes_out_comes_back_in_and_is_used(page: Page, byo_url):
    page.goto(f"{byo_url}/library?lang=en&model=mnist_vae_z2")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=EN["library.heading"])).to_be_visible(timeout=60_000)
    expect(main.locator("input[role=combobox]").first).to_have_value("mnist_vae_z2", timeout=30_000)
    with page.expect_download(timeout=90_000) as got:
        main.get_by_role("button", name=EN["sidebar.download"]).click()
    download = got.value
    assert download.suggested_filename == "mnist_vae_z2.zip"
    data = open(download.path(), "rb").read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
    assert {"config.json", "model_card.en.md", "model_card.ko.md", "encoder.onnx", "decoder.onnx"} <= names

    # the same zip, brought back: a user model (the shipped name is taken), the active model at once
    uploader = main.get_by_test_id("stFileUploader").filter(has_text=EN["library.model_file"].format(mb=100))
    uploader.locator("input[type=file]").set_input_files(
        files=[{"name": "mnist_vae_z2.zip", "mimeType": "application/zip", "buffer": data}])
    added = EN["library.model_added"].format(name="mnist_vae_z2-2")
    expect(main.get_by_text(added)).to_be_visible(timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.locator("input[role=combobox]").first).to_have_value("👤 mnist_vae_z2-2")
    assert query(page)["model"] == "user/mnist_vae_z2-2"
    screenshot(page, "byo_1_model_back")

    # a page draws with it: Home's reconstructions of the uploaded model
    sidebar.get_by_test_id("stSidebarNavLink").first.click()
    expect(main.get_by_role("heading", name=STRINGS["en"]["home.heading"])).to_be_visible(timeout=60_000)
    expect(main.locator('[data-testid="stImage"] img').first).to_be_visible(timeout=60_000)
    expect(sidebar.locator("input[role=combobox]").first).to_have_value("👤 mnist_vae_z2-2")
    expect(sidebar).to_contain_text(EN["kind.vae"])
    assert query(page)["model"] == "user/mnist_vae_z2-2"
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_shared_link_opens_the_same_view(page: Page, byo_url, browser):
    link = f"{byo_url}/denoise?lang=en&kind=mask&level.mask=0.7"
    page.goto(link)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=EN["denoise.heading"])).to_be_visible(timeout=60_000)
    expect(main.get_by_role("slider", name=EN["noise.mask.level"])).to_have_value("0.7", timeout=60_000)
    expect(main.get_by_role("radio", name=EN["noise.mask"])).to_be_checked()

    # the view changes; "Copy link" gives the address of the view as it is now
    main.get_by_role("radio", name=EN["noise.block"]).click()
    expect(main.get_by_text(EN["noise.block.count"])).to_be_visible(timeout=60_000)
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name=EN["share.copy"]).click()
    field = sidebar.get_by_role("textbox", name=EN["share.field"])
    expect(field).to_be_visible(timeout=10_000)
    copied = field.input_value()
    assert query(page)["kind"] == "block" and copied == page.url and "kind=block" in copied
    screenshot(page, "byo_2_shared_denoise")

    other = browser.new_context(viewport={"width": 1400, "height": 1000})   # someone else opens the link
    try:
        theirs = other.new_page()
        theirs.goto(copied)
        wait_for_app(theirs)
        their_main = theirs.get_by_test_id("stMain")
        expect(their_main.get_by_role("heading", name=EN["denoise.heading"])).to_be_visible(timeout=60_000)
        expect(their_main.get_by_role("radio", name=EN["noise.block"])).to_be_checked(timeout=60_000)
        expect(their_main.get_by_text(EN["noise.block.count"])).to_be_visible()

        # the Latent page: a map method and a selected point
        theirs.goto(f"{byo_url}/latent?lang=en&method=pca&point=3")
        wait_for_app(theirs)
        expect(their_main.locator("input[role=combobox]").first).to_have_value(EN["latent.method.pca"],
                                                                            timeout=90_000)
        heading = EN["latent.point_heading"].format(index=3, label="")
        expect(their_main.get_by_role("heading").filter(has_text=heading).first).to_be_visible(timeout=90_000)
        assert query(theirs).get("point") == "3" and query(theirs).get("method") == "pca"
        screenshot(theirs, "byo_3_shared_latent")

        # a lesson link: the Train page shows the presets, the epochs and Start only
        theirs.goto(f"{byo_url}/train?lang=en&lesson=1")
        wait_for_app(theirs)
        expect(their_main.get_by_role("button", name=EN["train.start"])).to_be_visible(timeout=60_000)
        expect(their_main.get_by_text(EN["train.epochs"], exact=True)).to_be_visible()
        expect(their_main.get_by_text(EN["train.dataset"], exact=True)).to_have_count(0)
        expect(theirs.get_by_test_id("stSidebarNavLink").filter(has_text=EN["library.title"])).to_have_count(0)
        screenshot(theirs, "byo_4_lesson_train")
    finally:
        other.close()
