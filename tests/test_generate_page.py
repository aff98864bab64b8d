"""The Generation page in AppTest, on the shipped MNIST models (4,000 training images: quick to encode):
both languages, starting the sliders from an image, a larger code's principal sliders and a plane through
three images, the grid size chosen in the browser, interpolation, sampling, the holes, and a model that
cannot decode z alone. What the browser decoder is sent is read from its component's data."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import open_page

import ae
from ae import generate as G

ROOT = Path(__file__).resolve().parents[1]
CK = ROOT / "checkpoints"
NEEDED = ["mnist_vae_z2", "mnist_conv_z2", "mnist_conv_z16", "mnist_unet_denoise"]
pytestmark = pytest.mark.skipif(not all((CK / n).is_dir() for n in NEEDED), reason="needs the shipped MNIST models")
SECTIONS = ["sliders", "map", "grid", "interp", "sampling", "holes"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    # one cache folder for this module: codes and exports are made once, and stay out of the project's .cache
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "generate_page_cache"))


def page(model: str, lang: str = "en", **state):
    at = open_page("pages/generate.py", lang, model=str(CK / model), **state)
    assert not at.error, [e.value for e in at.error]
    return at


def sent(at) -> dict[str, dict]:
    """The data each browser decoder view was sent, by view (sliders, plane, grid)."""
    data = [json.loads(e.proto.json or e.proto.mixed.json) for e in at.get("bidi_component")]
    return {d["view"]: d for d in data if isinstance(d, dict) and "view" in d}   # not the sidebar's "copy link"


def texts(at) -> str:
    """Every text of the main area a learner reads (not the sidebar)."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning") for e in at.get(kind)]
    parts += [m.label for m in at.metric]
    for df in at.dataframe:
        parts += [str(c) for c in df.value.columns] + [str(v) for v in df.value.to_numpy().ravel()]
    sidebar = {c.value for c in at.sidebar.caption}
    return "\n".join(p for p in parts if p not in sidebar)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_section_in_both_languages(lang):
    at = page("mnist_vae_z2", lang)
    from pages._text import STRINGS
    assert [s.value for s in at.subheader] == [STRINGS[lang][f"generate.{k}"] for k in SECTIONS]
    views = sent(at)
    assert set(views) == {"sliders", "plane", "grid"}
    assert views["sliders"]["sliders"]["ranges"] == [[-3.0, 3.0]] * 2        # a VAE's prior
    assert views["plane"]["plane"]["x_range"] == [-3.0, 3.0]
    # the grid starts at 15 x 15 at the normal's quantiles, and offers every size from 5 to 30
    grid = views["grid"]["grid"]
    assert len(grid["xs"]) == 15 and [s[0] for s in grid["sizes"]] == list(range(5, 31))
    np.testing.assert_allclose(grid["xs"], G.grid_axes(G.latent_plane(G.code_stats(np.eye(2), prior=True)), 15)[0],
                               atol=1e-6)
    # the holes: both models' empty-cell shares, the same in the metrics and the table
    shares = [float(m.value.rstrip("%")) for m in at.metric]
    assert len(shares) == 2 and all(0 < s < 100 for s in shares)
    table = at.dataframe[0].value
    assert [float(str(v).rstrip("%")) for v in table.iloc[0, 1:3]] == shares
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", re.sub(r"`[^`]*`", "", texts(at))))
    if lang == "ko":   # only names in the Korean page
        assert words <= {"VAE", "KL", "PC", "CNN", "Keras", "slerp", "White"}, words
    else:
        assert not re.search("[\uac00-\ud7a3]", texts(at))


def test_starting_from_a_test_image_moves_the_sliders_to_its_code():
    at = page("mnist_conv_z2", **{"generate.start_source": "index", "generate.start_index": 7})
    model, _ = ae.checkpoint.load(CK / "mnist_conv_z2")
    z = ae.infer.encode(model, ae.data.load("mnist", "test").images[7:8]).numpy()[0]
    sliders = sent(at)["sliders"]["sliders"]
    np.testing.assert_allclose(sliders["values"], z, atol=1e-4)
    assert any(c.value.startswith("Test image 7 (") for c in at.caption)
    # back to the centre: the codes' median
    at.segmented_control(key="generate.start_source.en").set_value("centre").run()
    codes = ae.infer.encode(model, ae.data.load("mnist", "train").images).numpy()
    np.testing.assert_allclose(sent(at)["sliders"]["sliders"]["values"], np.median(codes, 0), atol=1e-3)


def test_a_larger_code_gets_principal_sliders_and_a_plane_through_three_images():
    at = page("mnist_conv_z16", **{"generate.start_source": "index", "generate.start_index": 3})
    model, _ = ae.checkpoint.load(CK / "mnist_conv_z16")
    test = ae.data.load("mnist", "test").images
    z = ae.infer.encode(model, test[3:4]).numpy()[0]
    sliders = sent(at)["sliders"]["sliders"]
    assert sliders["labels"] == [f"PC{i}" for i in range(1, 9)]
    # the sliders' code is the image's own, including the part no slider reaches
    back = np.asarray(sliders["origin"]) + np.asarray(sliders["values"]) @ np.asarray(sliders["directions"])
    np.testing.assert_allclose(back, z, atol=1e-3)
    assert at.selectbox(key="generate.pc_u.en").value == 1 and at.selectbox(key="generate.pc_v.en").value == 2

    at.segmented_control(key="generate.plane.en").set_value("images").run()
    picks = [int(at.number_input(key=f"generate.img{k}.en").value) for k in (1, 2, 3)]
    labels = ae.data.load("mnist", "test").labels
    assert len({int(labels[i]) for i in picks}) == 3                        # three classes to start with
    plane = sent(at)["plane"]["plane"]
    np.testing.assert_allclose(plane["origin"], ae.infer.encode(model, test[picks[:1]]).numpy()[0], atol=1e-4)
    assert any("A (0.00, 0.00)" in c.value for c in at.caption)
    at.number_input(key="generate.img2.en").set_value(picks[0]).run()       # two images the same: no plane
    assert at.warning and not at.exception
    assert sent(at)["plane"]["plane"]["u"] != plane["u"]                    # the principal plane instead


def test_the_grid_size_chosen_in_the_browser_is_kept_and_drawn_beside():
    at = page("mnist_conv_z2")
    digest = sent(at)["grid"]["model"]["hash"]
    at.session_state["generate.grid_view"] = {"engine": {"status": "ready", "model": digest}, "size": 24}
    at.run()
    assert not at.exception and at.session_state["generate.n"] == 24
    assert any(c.value.startswith("24 x 24 pictures spaced evenly") for c in at.caption)
    scatter = next(c for c in at.get("plotly_chart") if "generate.grid_scatter" in c.proto.id)
    assert json.loads(scatter.proto.spec)["layout"]["xaxis"]["range"] == [0, 24]
    at.run()
    assert len(sent(at)["grid"]["grid"]["xs"]) == 24                        # the next run starts there


def test_interpolation_and_sampling_follow_the_model(monkeypatch):
    import pages._common

    shown = []
    real = pages._common.show_rows
    monkeypatch.setattr(pages._common, "show_rows", lambda rows, *a, **k: shown.append(rows) or real(rows, *a, **k))
    at = page("mnist_vae_z2", **{"generate.a_index": 120, "generate.b_index": 650})
    assert at.segmented_control(key="generate.path.en").value == "spherical"   # a VAE's default
    assert any(c.value.startswith("row 1: from the prior N(0, I) · row 2: from a Gaussian") for c in at.caption)
    shown.clear()
    at.slider(key="generate.steps.en").set_value(13).run()
    rows = next(c.value for c in at.caption if c.value.startswith("row 1: through the latent space"))
    assert "Spherical" in rows
    latent, pixels = next(r for r in shown if len(r) == 2 and len(r[0]) == 13)
    model, _ = ae.checkpoint.load(CK / "mnist_vae_z2")
    test = ae.data.load("mnist", "test").images
    expected = G.interpolate(model, test[120], test[650], 13, "spherical")
    torch.testing.assert_close(latent, expected.latent, atol=1e-5, rtol=0)
    torch.testing.assert_close(pixels[0], test[120]) and torch.testing.assert_close(pixels[-1], test[650])

    plain = page("mnist_conv_z2")
    assert plain.segmented_control(key="generate.path.en").value == "linear"    # a plain AE's
    rows = next(c.value for c in plain.caption if c.value.startswith("row 1: from a Gaussian"))
    assert "row 2: evenly from the codes' box" in rows and "prior" not in rows
    shown.clear()
    plain.button(key="generate.resample").click().run()
    assert plain.session_state["generate.seed"] == 1 and not plain.exception
    samples = next(r for r in shown if len(r) == 2 and len(r[0]) == 16)      # drawn afresh with the new seed
    conv, _ = ae.checkpoint.load(CK / "mnist_conv_z2")
    stats = G.code_stats(ae.infer.encode(conv, ae.data.load("mnist", "train").images).numpy())
    again = G.sample(conv, stats, 16, "gaussian", torch.Generator().manual_seed(1))
    torch.testing.assert_close(samples[0], again.images, atol=1e-4, rtol=0)


def test_a_unet_is_explained_with_models_that_can_and_the_holes_are_still_shown():
    at = page("mnist_unet_denoise")
    assert "cannot draw a picture from a code alone" in at.info[0].value
    assert not sent(at)                                                     # no decoder for it
    assert [s.value for s in at.subheader] == ["AE vs VAE: the holes"]
    buttons = [b.label for b in at.button]
    assert buttons[:2] == ["mnist_conv_z2", "mnist_vae_z2"]                 # its dataset, z = 2 first
    at.button(key="generate.use.mnist_conv_z2").click().run()
    assert at.session_state["model"] == str(CK / "mnist_conv_z2") and not at.exception
    assert len(at.subheader) == len(SECTIONS)


def test_a_vae_with_a_2d_code_is_compared_in_the_holes_in_its_own_place(tmp_path, monkeypatch):
    """A model trained here with a 2-D code takes its place in the comparison (shipped ones otherwise)."""
    import pages._common

    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="vae", latent_dim=2, hidden=(8, 16)))
    ae.checkpoint.save(tmp_path / "user" / "my_vae", model, dataset={"name": "mnist", "source": "test"})
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", tmp_path / "user")
    at = open_page("pages/generate.py", "en", model=str(tmp_path / "user" / "my_vae"))
    assert not at.error
    names = [m.value for m in at.markdown if "·" in m.value and "`" in m.value]
    assert names == ["**VAE** · `my_vae`", "**Plain autoencoder** · `mnist_conv_z2`"]
