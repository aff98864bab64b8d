"""pages/_decoder.py without a browser: the views' codes, and what the component is sent and returns
in AppTest, with the browser's reports set by hand (ready, a click, WebAssembly unavailable, a model
it no longer holds). The JavaScript side is tested in Chromium by test_browser_decoder.py."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

import ae
from pages._decoder import Grid, Plane, Sliders
from pages._text import STRINGS


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))   # exported files stay out of the project's .cache


def test_sliders_map_values_to_codes():
    axes = Sliders(values=[0.5, -1.0], ranges=[(-3, 3), (-2, 2)])
    np.testing.assert_allclose(axes.z(2), [0.5, -1.0])
    spec = axes.resolved(2)
    assert spec["labels"] == ["z1", "z2"] and spec["step"] == [0.03, 0.02]
    # two principal directions of a 4-d code around its mean
    pcs = Sliders(values=[1.0, 2.0], ranges=[(-3, 3)] * 2, origin=[1, 1, 1, 1],
                  directions=[[1, 0, 0, 0], [0, 0.6, 0.8, 0]], labels=["PC1", "PC2"])
    np.testing.assert_allclose(pcs.z(4), [2.0, 2.2, 2.6, 1.0])
    np.testing.assert_allclose(pcs.z(4, [0, 0]), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="directions must be 2 x 3"):
        pcs.resolved(3)
    with pytest.raises(ValueError, match="smaller number to a larger"):
        Sliders(values=[0], ranges=[(1, -1)]).resolved(1)
    with pytest.raises(ValueError, match="not finite"):
        Sliders(values=[float("nan")], ranges=[(-1, 1)]).resolved(1)


def test_plane_and_grid_codes():
    plane = Plane(origin=[1, 0, 0], u=[1, 0, 0], v=[0, 0, 2], x_range=(-1, 1), y_range=(0, 2),
                  points=[[0, 0], [1, 1]], classes=[3, 4])
    np.testing.assert_allclose(plane.z(0.5, 1.0), [1.5, 0, 2.0])
    spec = plane.resolved(3)
    assert spec["points"] == [[0, 0], [1, 1]] and spec["classes"] == [3, 4]
    grid = Grid(plane, xs=[-1, 1], ys=[0, 2])
    # drawing order: the top row (largest y) first, each row left to right
    np.testing.assert_allclose(grid.codes(), [plane.z(-1, 2), plane.z(1, 2), plane.z(-1, 0), plane.z(1, 0)])
    sized = Grid(plane, xs=[-1, 1], ys=[0, 2], sizes={2: ([-1, 1], [0, 2]), 3: ([-1, 0, 1], [0, 1, 2])})
    assert sized.resolved()["sizes"] == [[2, [-1, 1], [0, 2]], [3, [-1, 0, 1], [0, 1, 2]]]
    np.testing.assert_allclose(sized.codes(3)[0], plane.z(-1, 2))
    assert len(sized.codes(3)) == 9 and len(sized.codes()) == len(sized.codes(7)) == 4   # unknown size: the start
    with pytest.raises(ValueError, match="not one of the sizes"):
        Grid(plane, xs=[0], ys=[0], sizes={2: ([-1, 1], [0, 2])}).resolved()
    with pytest.raises(ValueError, match="2 points but 1 classes"):
        Plane([0], [1], [1], (-1, 1), (-1, 1), points=[[0, 0], [1, 1]], classes=[0]).resolved(1)
    with pytest.raises(ValueError, match="u has 2 numbers, expected 3"):
        Plane([0, 0, 0], [1, 0], [0, 1, 0], (-1, 1), (-1, 1)).resolved(3)


def _script():
    import streamlit as st
    import torch

    import ae
    from pages._decoder import Grid, Plane, Sliders, decoder, decoder_onnx

    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=2, hidden=(8,)))
    onnx = decoder_onnx(model)
    plane = Plane([0, 0], [1, 0], [0, 1], (-3, 3), (-3, 3), points=[[0, 0], [1, 1]], classes=[0, 1],
                  class_names=["a", "b"], marker=(0.5, 0.5))
    got = {"s": decoder(model, Sliders([0.5, -1.0], [(-3, 3)] * 2), key="s", onnx=onnx),
           "p": decoder(model, plane, key="p", onnx=onnx),
           "g": decoder(model, Grid(plane, [-1, 0, 1], [-1, 0, 1],
                                    sizes={3: ([-1, 0, 1], [-1, 0, 1]), 2: ([-2, 2], [-2, 2])}),
                        key="g")}   # exports (cached) itself
    st.session_state["got"] = {k: {"engine": v.engine, "reason": v.reason, "at": v.at, "size": v.size, **v.extra,
                                   "z": None if v.z is None else [float(x) for x in v.z]}
                               for k, v in got.items()}


def _sent(at: AppTest) -> list[dict]:
    """The data each decoder view was sent, in drawing order (sliders, plane, grid)."""
    return [json.loads(e.proto.json or e.proto.mixed.json) for e in at.get("bidi_component")]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return ae.build_model(ae.ModelConfig(kind="dense", latent_dim=2, hidden=(8,)))


def test_first_run_sends_the_model_to_every_view(model):
    at = AppTest.from_function(_script, default_timeout=60)
    at.run()
    assert not at.exception
    sliders, plane, grid = _sent(at)
    assert [d["view"] for d in (sliders, plane, grid)] == ["sliders", "plane", "grid"]
    onnx = base64.b64decode(sliders["model"]["b64"])
    assert ae.export.check(model, onnx, "decoder") <= ae.export.CHECK_TOLERANCE
    assert plane["model"] == grid["model"] == sliders["model"]
    assert sliders["assets"] == "/app/static/vendor/onnxruntime-web/" and "server" not in sliders
    assert sliders["sliders"]["values"] == [0.5, -1.0] and plane["marker"] == [0.5, 0.5]
    assert grid["grid"] == {"xs": [-1, 0, 1], "ys": [-1, 0, 1], "sizes": [[2, [-2, 2], [-2, 2]], [3, [-1, 0, 1], [-1, 0, 1]]]}
    assert plane["plane"]["class_names"] == ["a", "b"]
    assert grid["text"]["grid_size"] == STRINGS["ko"]["decoder.grid_size"]   # the app's default language
    got = at.session_state["got"]
    assert all(g["engine"] == "starting" and g["sent_model"] and g["z"] is None for g in got.values())


def test_reports_from_the_browser(model):
    at = AppTest.from_function(_script, default_timeout=60)
    at.run()
    digest = _sent(at)[0]["model"]["hash"]
    # the sliders' browser holds the model and the learner let go of them at (1, 2); the plane's
    # browser cannot run WebAssembly and the learner clicked (1, 1); the grid's lost the model
    at.session_state["s"] = {"engine": {"status": "ready", "model": digest}, "pointed": {"values": [1.0, 2.0]}}
    at.session_state["p"] = {"engine": {"status": "unavailable", "reason": "WebAssembly is not available"},
                             "pointed": {"at": [1.0, 1.0]}}
    at.session_state["g"] = {"engine": {"status": "missing", "model": None}, "pointed": {"cell": [0, 2]}}
    at.run()
    assert not at.exception
    sliders, plane, grid = _sent(at)
    got = at.session_state["got"]
    assert got["s"]["engine"] == "browser" and not got["s"]["sent_model"] and sliders["model"]["b64"] is None
    assert got["s"]["at"] == (1.0, 2.0) and got["s"]["z"] == [1.0, 2.0]
    # the server decodes the clicked point for the plane, rounded as the browser rounds
    assert got["p"]["engine"] == "server" and "WebAssembly" in got["p"]["reason"] and plane["model"]["b64"] is None
    pixels = np.frombuffer(base64.b64decode(plane["server"]), np.uint8).reshape(1, 28, 28)
    expected = ae.viz.to_uint8(ae.infer.decode(model, torch.tensor([[1.0, 1.0]])))
    np.testing.assert_array_equal(pixels, expected)
    assert got["p"]["at"] == (1.0, 1.0)
    # the grid's browser asked for the model again; its click was the top row's right cell
    assert grid["model"]["b64"] is not None and got["g"]["sent_model"]
    assert got["g"]["at"] == (0, 2) and got["g"]["z"] == [1.0, 1.0] and got["g"]["size"] is None


def test_grid_size_chosen_in_the_browser(model):
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["g"] = {"engine": {"status": "unavailable", "reason": "no"}, "size": 2,
                             "pointed": {"cell": [1, 0], "size": 2}}
    at.run()
    assert not at.exception
    grid = _sent(at)[2]
    got = at.session_state["got"]["g"]
    assert got["size"] == 2 and got["at"] == (1, 0) and got["z"] == [-2.0, -2.0]   # bottom left of the 2 x 2
    # the server decodes the 2 x 2 grid the learner chose, top row first
    pixels = np.frombuffer(base64.b64decode(grid["server"]), np.uint8).reshape(-1, 28, 28)
    codes = torch.tensor([[-2.0, 2.0], [2.0, 2.0], [-2.0, -2.0], [2.0, -2.0]])
    np.testing.assert_array_equal(pixels, ae.viz.to_uint8(ae.infer.decode(model, codes)))
    assert grid["server_size"] == 2


def test_reports_that_make_no_sense_are_ignored():
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["s"] = {"engine": "ready", "pointed": {"values": ["a", None]}}
    at.session_state["p"] = {"engine": None, "pointed": {"at": [float("inf"), 0]}}
    at.session_state["g"] = {"engine": [], "pointed": {"cell": [99, -1]}}
    at.run()
    assert not at.exception
    got = at.session_state["got"]
    assert all(g["engine"] == "starting" and g["z"] is None and g["at"] is None for g in got.values())
