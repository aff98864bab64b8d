"""Home: what an autoencoder is, the active model's layers, and its reconstructions of test images."""
import streamlit as st

import ae
from pages._common import ROOT, active_model, show_rows, t, use_router

use_router()   # before anything is drawn: see pages/_common.py

st.title(t("home.heading"))
st.markdown(t("home.intro"))

model, meta, split = active_model()
x = split.images[:: max(1, len(split) // 12)][:12]   # a fixed spread of test images, every class
recon = ae.infer.reconstruct(model, x)
err = ae.metrics.mse(recon, x)

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader(t("home.diagram"))
    st.plotly_chart(ae.figures.architecture(model, t("home.encoder"), t("home.decoder")),
                    config={"displayModeBar": False})
    st.caption(t("home.diagram_caption"))
    if model.skips:
        st.caption(t("home.skip_caption"))
with right:
    st.subheader(t("home.strip"))
    show_rows([x[:6], recon[:6], x[6:], recon[6:]], scale=3)
    st.caption(t("home.strip_caption"))
    st.caption(" · ".join(f"{e:.4f}" for e in err.tolist()))
    st.metric(t("metric.mse"), f"{err.mean():.4f}", help=t("home.mean_mse", n=len(x), mse=float(err.mean())))

st.subheader(t("home.pages"))
cards = [("pages/train.py", "train.title", "home.card.train", ":material/model_training:"),
         ("pages/latent.py", "latent.title", "home.card.latent", ":material/scatter_plot:"),
         ("pages/denoise.py", "denoise.title", "home.card.denoise", ":material/auto_fix_high:")]
cards = [c for c in cards if (ROOT / c[0]).exists()]
for col, (path, title, text, icon) in zip(st.columns(max(len(cards), 1)), cards):
    with col.container(border=True):
        st.page_link(path, label=t(title), icon=icon)
        st.caption(t(text))

st.subheader(t("home.uses"))
uses = ["anomaly", "visual", "restore", "meaning", "search", "generate"]
for col, use in zip(st.columns(3) * 2, uses):
    col.markdown(t(f"home.use.{use}"))
