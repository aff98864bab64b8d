"""The one fix for Streamlit's old multipage mode, used by app.py (as a launcher and on every run)
and by the tests' AppTest fixture. Imports nothing slow: it runs before torch is loaded.

An app with a `pages/` folder beside its script starts in Streamlit's old multipage mode, a class-wide
flag set when the first browser session is created: every file in pages/ becomes a page (the raw
list "app, common, denoise, ..." in the sidebar) and its first run gives every widget another id. Under
load a first visitor could get that raw list and a page that stayed "Running…". `python app.py` starts
the server with the flag already off, so no session ever sees that mode; for a plain
`streamlit run app.py`, app.py switches it off on the first run and starts that run again.
"""
from __future__ import annotations


def use_new_mode() -> bool:
    """Switch Streamlit to the router (st.navigation) for good; True if it was in the old mode."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:   # a later Streamlit without that mode
        return False
    was_old = bool(PagesManager.uses_pages_directory)
    PagesManager.uses_pages_directory = False
    return was_old


def serve(script: str, argv: list[str]) -> int:
    """`streamlit run script argv...` in this process, the old mode switched off before any session."""
    import sys

    from streamlit.web import cli

    use_new_mode()
    sys.argv = ["streamlit", "run", script, *argv]
    return cli.main()
