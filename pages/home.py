"""Home: what an autoencoder is, the active model's layers, and its reconstructions of test images."""
import streamlit as st

import ae
from pages._common import ROOT, active_model, lesson, show_rows, t


def pictures(active) -> None:
    x = active.split.images[:: max(1, len(active.split) // 12)][:12]   # a fixed spread of test images, every class
    recon = ae.infer.reconstruct(active.model, x)
    err = ae.metrics.mse(recon, x)
    st.subheader(t("home.strip"))
    show_rows([x[:6], recon[:6], x[6:], recon[6:]], scale=3)
    st.caption(t("home.strip_caption"))
    st.caption(t("home.mse_list", values=" · ".join(f"{i + 1}: {e:.4f}" for i, e in enumerate(err.tolist()))))
    st.metric(t("metric.mse"), f"{err.mean():.4f}", help=t("home.mean_mse", n=len(x), mse=float(err.mean())))


def diagram(active) -> None:
    st.subheader(t("home.diagram"))
    st.markdown(ae.figures.architecture(active.model, t("home.encoder"), t("home.decoder")), unsafe_allow_html=True)
    st.caption(t("home.diagram_caption"))
    if active.model.skips:   # the U-Net and the refined conv model: detail passes around z
        st.warning(t("home.skip_caption"), icon=":material/alt_route:")


def cards() -> None:
    st.subheader(t("home.pages"))
    found = [c for c in [("pages/train.py", "train.title", "home.card.train", ":material/model_training:"),
                         ("pages/latent.py", "latent.title", "home.card.latent", ":material/scatter_plot:"),
                         ("pages/denoise.py", "denoise.title", "home.card.denoise", ":material/auto_fix_high:"),
                         ("pages/generate.py", "generate.title", "home.card.generate", ":material/blur_on:"),
                         ("pages/anomaly.py", "anomaly.title", "home.card.anomaly", ":material/crisis_alert:"),
                         ("pages/compress.py", "compress.title", "home.card.compress", ":material/compress:"),
                         ("pages/library.py", "library.title", "home.card.library", ":material/folder_shared:")]
             if (ROOT / c[0]).exists() and not (lesson() and c[0] == "pages/library.py")]   # hidden in a lesson
    per_row = min(4, max(1, -(-len(found) // 2)))   # two even rows: 4 + 3 cards (3 + 3 in a lesson)
    columns = [col for _ in range(0, len(found), per_row) for col in st.columns(per_row)]
    for col, (path, title, text, icon) in zip(columns, found):
        with col.container(border=True, height="stretch"):
            st.page_link(path, label=t(title), icon=icon)
            st.caption(t(text))
    st.subheader(t("home.uses"))
    for col, use in zip(st.columns(3) * 2, ["anomaly", "visual", "restore", "meaning", "search", "generate"]):
        col.markdown(t(f"home.use.{use}"))


st.title(t("home.heading"))
st.markdown(t("home.intro"))
active = active_model()
left, right = st.columns([1, 1], gap="large")
with left:
    diagram(active)
with right:
    pictures(active)
cards()
