"""Entry point: `streamlit run app.py`. Routes to pages/ and draws what every page shares:
the language switch and the active model in the sidebar."""
import os

# Before torch is imported: idle torch threads sleep instead of spinning, which on a busy 2-core server
# makes small interactive steps 10-200x faster (measured on the Denoising page's slider).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

# Streamlit runs an app that has a pages/ folder as an old-style multipage app until it first meets
# st.navigation, and only then switches for good (a class-wide flag). That first run after the server
# starts gives every widget another id, so the browser's first change in that session (a model, the
# language) was dropped. Switch before any widget is drawn, and start the run again; before the slow
# imports too, so that a second session starting meanwhile does not begin in the old mode.
try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:   # a later Streamlit without that mode
    PagesManager = None
if getattr(PagesManager, "uses_pages_directory", False):
    PagesManager.uses_pages_directory = False
    st.rerun()

from pages._common import PIXELATED, keep_training_run, sidebar, t  # noqa: E402

st.set_page_config(page_title="Autoencoder Lab", page_icon="🧩", layout="wide")
st.html(PIXELATED)

# (file, title key, icon) per group; url paths come from the file names, so they stay the same
# whichever language is chosen.
GROUPS = {
    "nav.learn": [("pages/home.py", "home.title", ":material/school:"),
                  ("pages/train.py", "train.title", ":material/model_training:")],
    "nav.explore": [("pages/latent.py", "latent.title", ":material/scatter_plot:"),
                    ("pages/denoise.py", "denoise.title", ":material/auto_fix_high:")],
}
HERE = Path(__file__).resolve().parent

keep_training_run()   # before any page reads the session's training run
sidebar()
PAGES = {t(group): [st.Page(path, title=t(title), icon=icon, default=(path == "pages/home.py"))
                    for path, title, icon in pages if (HERE / path).exists()]
         for group, pages in GROUPS.items()}
st.navigation({group: pages for group, pages in PAGES.items() if pages}).run()
