"""A plain Streamlit slider whose picture is decoded on the server: bench.generate's baseline for the
browser decoder (tests/apps/decoder_app.py). Each move reruns this script, which decodes z with
ae.infer.decode and sends one PNG, as a page without the browser decoder would.

    streamlit run tests/apps/roundtrip_app.py    (AE_DECODER_CHECKPOINT: checkpoints/mnist_vae_z2 by default)
"""
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # as app.py does, before torch is imported

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

import ae  # noqa: E402

CHECKPOINT = Path(os.environ.get("AE_DECODER_CHECKPOINT", ROOT / "checkpoints" / "mnist_vae_z2"))

st.set_page_config(page_title="round trip test app", layout="wide")


@st.cache_resource
def load(path: str):
    return ae.checkpoint.load(path)[0]


model = load(str(CHECKPOINT))
z1 = st.slider("z1", -3.0, 3.0, 0.0, 0.1, key="z1")
z = torch.zeros(1, model.config.latent_dim)
z[0, 0] = z1
z[0, 1 % model.config.latent_dim] = -1.0 if model.config.latent_dim > 1 else z1
picture = ae.viz.to_uint8(ae.infer.decode(model, z))[0]
buf = io.BytesIO()
Image.fromarray(picture).save(buf, "PNG", compress_level=1)   # as pages._common.show_rows does
st.image(buf.getvalue(), width=168)
