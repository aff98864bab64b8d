"""A tiny app around the browser decoder (pages/_decoder.py) for its browser test and bench.generate:
the slider panel, the plane and the decoded grid for one checkpoint.

    streamlit run tests/apps/decoder_app.py      (from the project root; AE_DECODER_CHECKPOINT picks
                                                  the model, checkpoints/mnist_vae_z2 by default)
Query parameters: view=all|sliders|plane|grid, n=grid size, lang=en|ko.
`static` beside this file links to the project's static/ folder: Streamlit serves the folder beside
the script it runs.
"""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

import ae  # noqa: E402
from pages._decoder import Grid, Plane, Sliders, decoder, decoder_onnx  # noqa: E402

CHECKPOINT = Path(os.environ.get("AE_DECODER_CHECKPOINT", ROOT / "checkpoints" / "mnist_vae_z2"))
SLIDER_START = [0.5, -1.0]   # the first two sliders' starting values (the rest start at 0)

st.set_page_config(page_title="decoder test app", layout="wide")
st.session_state["lang"] = st.query_params.get("lang", "en")


@st.cache_resource
def load(path: str):
    """The model, and codes of ae.data.synthetic's 300 pictures as the plane's points (the real test
    split would add seconds to every test server's start)."""
    model, _ = ae.checkpoint.load(path)
    split = ae.data.synthetic(300)
    codes = ae.infer.encode(model, split.images).numpy()
    return model, codes, np.asarray(split.labels), list(split.class_names)


model, codes, labels, class_names = load(str(CHECKPOINT))
d = model.config.latent_dim
onnx = decoder_onnx(model)
axes = np.eye(d)
plane = Plane(origin=np.zeros(d), u=axes[0], v=axes[1 % d], x_range=(-3, 3), y_range=(-3, 3),
              points=codes[:, :2], classes=labels, class_names=class_names, marker=(0.5, 0.5))
view = st.query_params.get("view", "all")


def report(name: str, got) -> None:
    """What the view returned, as one caption line the tests read."""
    st.caption(f"{name}: " + json.dumps({"engine": got.engine, "at": got.at, "size": got.size, "reason": got.reason,
                                         **got.extra}))


n_sliders = min(d, 8)

if view in ("all", "sliders"):
    start = (SLIDER_START + [0.0] * n_sliders)[:n_sliders]
    got = decoder(model, Sliders(values=start, ranges=[(-3, 3)] * n_sliders), key="sliders", onnx=onnx)
    report("sliders", got)
if view in ("all", "plane"):
    got = decoder(model, plane, key="plane", onnx=onnx)
    report("plane", got)
if view in ("all", "grid"):
    # the page's own size (a rerun) and, inside the component, every size from 5 to 30 (no rerun)
    n = st.slider("n", 5, 30, int(st.query_params.get("n", 10)), key="n")
    sizes = {k: (np.linspace(-2.5, 2.5, k),) * 2 for k in range(5, 31)}
    got = decoder(model, Grid(plane, *sizes[n], sizes=sizes), key="grid", onnx=onnx)
    report("grid", got)
