"""Entry point: `python app.py` (what `make run` does) or `streamlit run app.py`. Routes to pages/ and
draws what every page shares: the language switch and the active model in the sidebar."""
import os
import sys

# Before torch is imported: idle torch threads sleep instead of spinning, which on a busy 2-core server
# makes small interactive steps 10-200x faster (measured on the Denoising page's slider).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from pages._router import serve, use_new_mode  # noqa: E402

if __name__ == "__main__":
    from streamlit import runtime

    if not runtime.exists():   # `python app.py [streamlit options]`: start the server, router mode on
        if os.environ.get("AE_RAY_ADDRESS", "").strip():
            # join the Ray cluster while the server starts, not in the first learner's page (seconds)
            import threading

            from ae.executor import default_executor

            def _join() -> None:
                try:
                    default_executor()
                except Exception as e:   # the pages try again and show why
                    print(f"Ray: {e}", file=sys.stderr)
            threading.Thread(target=_join, name="ae-ray-connect", daemon=True).start()
        sys.exit(serve(__file__, sys.argv[1:]))

import streamlit as st  # noqa: E402

if use_new_mode():   # a plain `streamlit run app.py` whose first run found the old mode: see pages/_router.py
    st.rerun()

from pathlib import Path  # noqa: E402

from pages._common import PIXELATED, keep_training_run, lesson, refresh_catalog, sidebar, t  # noqa: E402

st.set_page_config(page_title="Autoencoder Lab", page_icon="🧩", layout="wide")
st.html(PIXELATED)

# (file, title key, icon) per group; url paths come from the file names, so they stay the same
# whichever language is chosen.
GROUPS = {
    "nav.learn": [("pages/home.py", "home.title", ":material/school:"),
                  ("pages/train.py", "train.title", ":material/model_training:")],
    "nav.explore": [("pages/latent.py", "latent.title", ":material/scatter_plot:"),
                    ("pages/denoise.py", "denoise.title", ":material/auto_fix_high:"),
                    ("pages/generate.py", "generate.title", ":material/blur_on:"),
                    ("pages/anomaly.py", "anomaly.title", ":material/crisis_alert:"),
                    ("pages/compress.py", "compress.title", ":material/compress:")],
    "nav.own": [("pages/library.py", "library.title", ":material/folder_shared:")],
}
LESSON_HIDES = {"pages/library.py"}   # a teacher's link (?lesson=1) leaves uploads to the teacher
HERE = Path(__file__).resolve().parent

keep_training_run()            # before any page reads the session's training run
sidebar(refresh_catalog())     # the checkpoints are listed once per run; pages read this listing
PAGES = {t(group): [st.Page(path, title=t(title), icon=icon, default=(path == "pages/home.py"))
                    for path, title, icon in pages
                    if (HERE / path).exists() and not (lesson() and path in LESSON_HIDES)]
         for group, pages in GROUPS.items()}
st.navigation({group: pages for group, pages in PAGES.items() if pages}).run()
