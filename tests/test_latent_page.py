"""The Latent space page in AppTest, with the shipped fmnist_dense_z3 and small maps: both languages,
every method in 2-D and 3-D, one point's neighbours, the quality panel, new points (an upload and a
noise path), export buttons, and a second visit served from the disk cache.

AppTest cannot make a Plotly selection: the browser test does that (test_browser_latent.py).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / "checkpoints" / "fmnist_dense_z3").is_dir(),
                                reason="needs the shipped fmnist_dense_z3")


def hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Maps go to an empty cache folder of this test, and no map fitted by another test is reused."""
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    st.cache_data.clear()
    st.cache_resource.clear()
    return tmp_path / "cache"


def page(lang: str = "en", n: int = 300, **state) -> AppTest:
    return open_page("pages/latent.py", lang, **{"latent.n": n},
                     **{key.replace("__", "."): value for key, value in state.items()})


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def maps(at: AppTest) -> list:
    return at.get("plotly_chart")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_first_map_in_both_languages(lang, own_cache):
    at = page(lang, latent__method="tsne")
    assert at.title[0].value == ("잠재 공간 탐색기" if lang == "ko" else "Latent space explorer")
    assert hangul(captions(at)) == (lang == "ko")
    text = captions(at)
    assert "300" in text and "t-SNE" in text
    assert ("초 걸려 계산" if lang == "ko" else "computed in") in text      # fitted now, not cached
    assert len(maps(at)) == 1 and not at.error
    assert list(own_cache.glob("*.npz"))                                   # codes and map written to disk


def test_a_code_of_two_or_three_numbers_opens_as_it_is():
    """z = 3 is drawn as it is (the page's own text says so), not through t-SNE (issue 17)."""
    at = page("en")
    assert at.selectbox(key="latent.method.en").value == "raw" and "raw code z" in captions(at)
    at.selectbox(key="latent.method.en").set_value("tsne").run()
    assert "t-SNE" in captions(at) and not at.exception


def test_second_visit_comes_from_the_cache(own_cache):
    page("en", latent__method="tsne")
    st.cache_data.clear()
    st.cache_resource.clear()                                              # a fresh server process, same disk
    at = page("en", latent__method="tsne")
    assert "from the cache" in captions(at)


@pytest.mark.parametrize("method,dims", [("pca", 2), ("raw", 2), ("raw", 3), ("tsne", 3)])
def test_methods_and_dimensions(method, dims):
    at = page("en", latent__method=method, latent__dims=dims)
    assert at.selectbox(key="latent.method.en").value == method
    assert f"{dims}-D" in captions(at)
    assert len(maps(at)) == (1 if dims == 2 else 2)                        # 3-D: the cloud and its linked 2-D view
    assert not at.error


def test_whole_split_for_pca_but_not_for_tsne():
    at = page("en", n=10_000, latent__method="pca")
    assert at.select_slider(key="latent.n.en").value == 10_000 and "10,000" in captions(at)
    at.selectbox(key="latent.method.en").set_value("tsne").run()
    assert not at.exception
    # 10,000 is also t-SNE's limit for the test split; the options stop there
    assert at.select_slider(key="latent.n.en").options[-1].endswith("10,000")


def test_one_point_shows_its_neighbours_in_both_spaces():
    at = page("en")
    assert any("Click a point" in i.value for i in at.info)
    at.number_input(key="latent.index").set_value(7).run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("Image #7: ")
    metrics = {m.label: float(m.value) for m in at.metric}
    assert set(metrics) == {"precision@8, latent space", "precision@8, pixel space"}
    assert all(0 <= v <= 1 for v in metrics.values())
    assert "nearest in latent space" in captions(at) and "nearest in pixel space" in captions(at)
    at.slider(key="latent.k.en").set_value(5).run()
    assert {m.label for m in at.metric} == {"precision@5, latent space", "precision@5, pixel space"}
    # an image that is not among the map's points is still shown (its code is computed)
    at.number_input(key="latent.index").set_value(9999).run()
    assert not at.exception and at.subheader[0].value.startswith("Image #9999: ")


def test_quality_panel_compares_with_pca_of_pixels():
    at = page("en")
    at.button(key="latent.quality_go").click().run()
    assert not at.exception, at.exception
    summary, per_class = at.dataframe[0].value, at.dataframe[1].value
    assert summary.shape == (3, 4) and len(per_class) == 10
    values = summary[["autoencoder", "PCA of pixels"]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    np.testing.assert_allclose(summary["difference"], values[:, 0] - values[:, 1])
    assert any("percentage points" in m.value or "equally" in m.value for m in at.markdown)


def test_new_points_upload_and_noise_path():
    at = page("en", latent__method="tsne")
    ink = np.zeros((64, 64), np.uint8)
    ink[8:56, 20:44] = 230                                         # a bright block: a trouser-like shape
    buf = io.BytesIO()
    Image.fromarray(ink).save(buf, "PNG")
    at.file_uploader(key="latent.upload").set_value(("mine.png", buf.getvalue(), "image/png")).run()
    assert not at.exception and not at.error, at.error
    assert "Its nearest codes on the map belong to" in captions(at)
    assert "openTSNE's transform" in captions(at)                  # says how new points are placed
    at.toggle(key="latent.traj_on.en").set_value(True).run()
    assert not at.exception, at.exception
    assert "Test image #0" in captions(at)
    at.selectbox(key="latent.noise.en").set_value("salt_and_pepper").run()
    assert not at.exception
    at.file_uploader(key="latent.upload").set_value(("bad.png", b"not an image", "image/png")).run()
    assert not at.exception and at.error                           # a message, not a traceback


def test_export_buttons():
    at = page("en")
    labels = [b.label for b in at.main.get("download_button")]   # the sidebar has its own (the model)
    assert labels == ["Coordinates and labels (CSV)", "Interactive map (HTML)"]


def test_any_checkpoint_a_tiny_conv_model(tmp_path, monkeypatch):
    """A 5-dimensional code has no raw picture: the page offers t-SNE and PCA, and the rest works."""
    import torch

    import ae
    import pages._common

    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="conv", latent_dim=5, hidden=(4, 8)))
    ae.checkpoint.save(tmp_path / "shipped" / "tiny_conv_z5", model, dataset={"name": "fashion-mnist"})
    monkeypatch.setattr(pages._common, "CHECKPOINTS", tmp_path / "shipped")
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", tmp_path / "user")
    at = page("en", latent__method="pca")
    assert at.sidebar.selectbox(key="model").value.endswith("tiny_conv_z5")
    assert at.selectbox(key="latent.method.en").options == ["t-SNE of z (fast, openTSNE)", "PCA of z",
                                                         "t-SNE of z (scikit-learn, slow)"]
    at.number_input(key="latent.index").set_value(3).run()
    assert not at.exception and at.subheader[0].value.startswith("Image #3: ")
