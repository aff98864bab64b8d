"""A view has an address (issue 21), in AppTest: the Denoising and Latent pages take their settings and the
selected point from the address and write them back (only what differs from the defaults); a hand-made
address never breaks a page; a teacher's link (?lesson=1) hides the advanced controls."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages._text import STRINGS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / "checkpoints" / "fmnist_dense_z3").is_dir(),
                                reason="needs the shipped fmnist_dense_z3")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AE_USER_DATA", str(tmp_path / "data"))


def opened(page: str, **address) -> AppTest:
    """A new session that opens a link: `address` in the query string, on `page`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in address.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_denoising_pages_view_comes_from_its_address_and_goes_back_into_it():
    at = opened("pages/denoise.py", lang="en", kind="mask", **{"level.mask": "0.7", "source": "index",
                                                               "index": "4"})
    assert at.segmented_control(key="denoise.kind.en").value == "mask"
    assert at.slider(key="denoise.level.mask.en").value == pytest.approx(0.7)
    assert at.number_input(key="denoise.index.en").value == 4 and not at.error
    assert at.query_params["kind"] == "mask" and at.query_params["level.mask"] == "0.7"
    at.slider(key="denoise.level.mask.en").set_value(0.45).run()
    assert at.query_params["level.mask"] == "0.45"                 # a change is written back at once
    at.segmented_control(key="denoise.kind.en").set_value("gaussian").run()
    assert "kind" not in at.query_params                           # the default needs no entry
    plain = opened("pages/denoise.py", lang="en")
    assert set(plain.query_params) == {"lang", "model"}            # short: nothing but what differs


def test_the_latent_pages_map_and_point_come_from_its_address():
    at = opened("pages/latent.py", lang="en", model="mnist_conv_z16", method="pca", dims="3", n="500", point="7",
                k="5")
    assert at.sidebar.selectbox(key="model").value.endswith("mnist_conv_z16")
    assert at.selectbox(key="latent.method.en").value == "pca"
    assert at.segmented_control(key="latent.dims.en").value == 3
    assert at.select_slider(key="latent.n.en").value == 500 and at.slider(key="latent.k.en").value == 5
    assert at.session_state["latent.focus"] == ("test", 7)
    heading = " ".join(s.value for s in at.subheader)
    assert "#7" in heading or " 7" in heading, heading              # the point's details are shown
    assert at.query_params["point"] == "7" and at.query_params["method"] == "pca"
    at.segmented_control(key="latent.split.en").set_value("train").run()
    assert "point" not in at.query_params                           # that point belongs to the test split


@pytest.mark.parametrize("page", ["pages/denoise.py", "pages/latent.py", "pages/train.py", "pages/home.py"])
def test_a_hand_made_address_never_breaks_a_page(page):
    at = opened(page, lang="xx", model="../../etc", kind="speckle", source="nowhere", n="-5", index="99999999",
                dims="7", method="evil", split="validation", perplexity="1e9", iterations="12", thumbs="maybe",
                point="-1", lesson="perhaps", **{"level.gaussian": "nan", "block.size": "1000", "level.mask": "9"})
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["lang"] == "ko" and at.session_state["model"].endswith("fmnist_dense_z3")
    if page == "pages/denoise.py":
        assert at.segmented_control(key="denoise.kind.ko").value == "gaussian"
        assert 0.0 <= at.slider(key="denoise.level.gaussian.ko").value <= 1.0
        assert "kind" not in at.query_params and "source" not in at.query_params   # nonsense is not kept
    if page == "pages/latent.py":
        assert at.selectbox(key="latent.method.ko").value == "raw" and at.session_state.get("latent.focus") is None
        assert at.segmented_control(key="latent.dims.ko").value == 2 and "method" not in at.query_params


def test_a_lesson_link_hides_the_advanced_controls():
    at = opened("pages/train.py", lang="en", lesson="1")
    keys = {w.key for w in at.main.get("selectbox")} | {w.key for w in at.main.get("number_input")}
    assert "train.form.epochs.en" in keys and "train.form.dataset.en" not in keys and "train.form.lr.en" not in keys
    assert {b.key for b in at.button} >= {"train.preset", "train.preset_denoise", "train.start", "train.stop"}
    assert not at.toggle and at.query_params["lesson"] == "1"
    assert not at.sidebar.get("download_button")                       # no model downloads in a lesson
    latent = at.switch_page("pages/latent.py").run()
    sklearn = STRINGS["en"]["latent.method.tsne_sklearn"]
    assert sklearn not in latent.selectbox(key="latent.method.en").options
    assert STRINGS["en"]["latent.method.tsne"] in latent.selectbox(key="latent.method.en").options
    assert STRINGS["en"]["latent.tab.export"] not in [tab.label for tab in latent.tabs]
    denoise = at.switch_page("pages/denoise.py").run()
    assert STRINGS["en"]["denoise.per_image"] not in [e.label for e in denoise.expander]
    assert not denoise.exception and not denoise.error
    with pytest.raises(ValueError):                                    # no uploads page in a lesson
        at.switch_page("pages/library.py")
    full = opened("pages/latent.py", lang="en")
    assert sklearn in full.selectbox(key="latent.method.en").options
    assert STRINGS["en"]["latent.tab.export"] in [tab.label for tab in full.tabs]
