"""Streamlit glue shared by the pages: the strings lookup, the sidebar, cached loaders, pictures.

The library (`ae`) does the work; this module only connects it to widgets and caches.
"""
from __future__ import annotations

import io
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from PIL import Image

import ae
from ae.checkpoint import CheckpointError, CheckpointInfo
from ae.data import DataUnavailable
from pages._text import LANGUAGES, STRINGS



def use_router() -> None:
    """Make sure app.py routes this run; every page calls this first.

    With a `pages/` folder beside app.py, a fresh server starts in Streamlit's old multipage mode
    until app.py has called st.navigation once: a first visitor who opens /train directly (or several
    visitors at once) would get the page file alone, with no sidebar and no language switch. Such a
    run registers every file in pages/ as a page, _common.py included: then switch the server to the
    router and run again, now through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    legacy = PagesManager.uses_pages_directory or (ctx is not None and any(
        str(p.get("script_path", "")).endswith("_common.py") for p in ctx.pages_manager.get_pages().values()))
    if legacy:
        PagesManager.uses_pages_directory = False
        st.rerun()


ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = Path(os.environ.get("AE_CHECKPOINTS", ROOT / "checkpoints"))          # shipped
USER_CHECKPOINTS = Path(os.environ.get("AE_USER_CHECKPOINTS", CHECKPOINTS / "user"))  # trained here


# Pictures from show_rows are enlarged by the browser: square pixels, as the network sees them.
PIXELATED = "<style>[data-testid='stImage'] img {image-rendering: pixelated;}</style>"


def lang() -> str:
    return st.session_state.get("lang", "ko")


def t(key: str, **fmt) -> str:
    """The text for `key` in the chosen language (English, then the key itself, if missing)."""
    text = STRINGS[lang()].get(key) or STRINGS["en"].get(key) or key
    return text.format(**fmt) if fmt else text


@contextmanager
def shown_errors(what: str = "error.generic"):
    """Show errors from `ae` as a readable message and stop this run, instead of a traceback."""
    try:
        yield
    except DataUnavailable as e:
        st.error(f"{t('error.data')}\n\n```\n{e}\n```")
        st.stop()
    except CheckpointError as e:
        st.error(f"{t('error.model')} {e}")
        st.stop()
    except (ValueError, RuntimeError, OSError) as e:
        st.error(f"{t(what)} {e}")
        st.stop()


# ---------------------------------------------------------------- checkpoints and data

def checkpoints() -> list[CheckpointInfo]:
    """Shipped and user-trained checkpoints, read from disk on every run (cheap: JSON only)."""
    return ae.checkpoint.list_checkpoints(CHECKPOINTS, USER_CHECKPOINTS)


@st.cache_resource(max_entries=16, show_spinner=False)
def _load_checkpoint(path: str, stamp: float):
    return ae.checkpoint.load(path)


def load_checkpoint(path: str | Path):
    """(model, meta) of a checkpoint, loaded once for every session. Read-only: never train it."""
    path = Path(path)
    stamp = (path / "config.json").stat().st_mtime if (path / "config.json").exists() else 0.0
    return _load_checkpoint(str(path), stamp)


@st.cache_resource(show_spinner=False)
def load_split(name: str, split: str = "test") -> ae.data.Split:
    return ae.data.load(name, split)


def active_info() -> CheckpointInfo | None:
    infos = {str(i.path): i for i in checkpoints() if i.ok}
    return infos.get(st.session_state.get("model", ""))


def active_model():
    """(model, meta, test split) of the sidebar's model; stops the page with a message if none."""
    info = active_info()
    if info is None:
        st.info(t("sidebar.no_models"))
        st.stop()
    with shown_errors("error.model"):
        model, meta = load_checkpoint(info.path)
        split = load_split(meta["dataset"]["name"], "test")
    return model, meta, split


def model_label(info: CheckpointInfo) -> str:
    # Language-neutral on purpose: a selectbox keeps the text it showed, so a translated label would
    # go stale after a language switch.
    return f"👤 {info.name}" if info.path.parent == USER_CHECKPOINTS else info.name


def model_facts(meta: dict) -> str:
    """Markdown lines about a checkpoint for the sidebar."""
    cfg, ds, train = meta["model"], meta.get("dataset", {}), meta.get("train", {})
    lines = [f"**{t('sidebar.kind')}**: {t('kind.' + cfg['kind'])}",
             f"**{t('sidebar.latent')}**: {cfg['latent_dim']}",
             f"**{t('sidebar.dataset')}**: {ds.get('name', '?')} ({ds.get('train_size', '?')} / {ds.get('test_size', '?')})",
             f"**{t('sidebar.source')}**: {ds.get('source', '?')}"]
    if train.get("noise"):
        lines.append(t("sidebar.denoiser", noise=", ".join(train["noise"])))
    test = meta.get("metrics", {}).get("test")
    if test:
        lines.append(f"**{t('sidebar.test')}**: MSE {test['mse']:.4f} · PSNR {test['psnr']:.1f} dB"
                     + (f" · SSIM {test['ssim']:.3f}" if "ssim" in test else ""))
    return "  \n".join(lines)


def sidebar() -> None:
    """Language switch and model picker, drawn by app.py on every page."""
    ss = st.session_state
    if "lang" not in ss and st.query_params.get("lang") in LANGUAGES:
        ss["lang"] = st.query_params["lang"]   # a reload keeps the language (a new session)
    st.sidebar.radio(t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get,
                     key="lang", horizontal=True)
    if lang() != "ko":
        st.query_params["lang"] = lang()
    elif "lang" in st.query_params:
        del st.query_params["lang"]
    infos = checkpoints()
    good = [i for i in infos if i.ok]
    pending = st.session_state.pop("model.pending", None)   # set by the Train page after a save
    if pending:
        st.session_state["model"] = pending
    paths = [str(i.path) for i in good]
    if not good:
        st.sidebar.info(t("sidebar.no_models"))
    else:
        if st.session_state.get("model") not in paths:
            default = next((p for p in paths if Path(p).name == "fmnist_dense_z3"), paths[0])
            st.session_state["model"] = default
        by_path = {str(i.path): i for i in good}
        st.sidebar.selectbox(t("sidebar.model"), paths, key="model", help=t("sidebar.model_help"),
                             format_func=lambda p: model_label(by_path[p]))
        st.sidebar.caption(model_facts(by_path[st.session_state["model"]].meta))
    broken = [i for i in infos if not i.ok]
    if broken:
        with st.sidebar.expander(t("sidebar.broken", n=len(broken))):
            for i in broken:
                st.caption(f"**{i.name}**: {i.error}")


# ---------------------------------------------------------------- training runs across reloads

def _session_ended(held: list) -> None:
    for token, owner in held:
        ae.jobs.default_shelf().release(token, owner)   # waits a while for a reload to claim it


@st.cache_resource(scope="session", on_release=_session_ended, show_spinner=False)
def session_runs() -> list:
    """(token, owner) of the training runs this browser session holds. When the session ends (tab
    closed, page reloaded) each waits on the shelf for a new session to bring its token back."""
    return []


def _owner() -> str:
    """This browser session's name on the shelf."""
    return st.session_state.setdefault("train.owner", secrets.token_hex(8))


def keep_training_run() -> None:
    """A reload starts a new session: the Train page's run would be lost with the old one. Its
    token rides in the address (?run=...) on every page, and a session that arrives with it takes
    the run back."""
    ss = st.session_state
    owner = _owner()
    token = st.query_params.get("run")
    if token and token != ss.get("train.token"):
        job = ae.jobs.default_shelf().claim(token, owner)
        if job is not None:
            ss["train.job"], ss["train.token"] = job, token
            ss["train.claimed"] = True    # the Train page shows the run's settings
            session_runs().append((token, owner))
        elif not ss.get("train.token"):
            ss["train.run_gone"] = True   # the Train page says so
    if ss.get("train.token"):
        st.query_params["run"] = ss["train.token"]
    elif "run" in st.query_params:
        del st.query_params["run"]


def hold_training_run(job) -> None:
    """Put a newly started run on the shelf, in place of this session's previous one; the next run's
    keep_training_run() writes its token into the address."""
    ss = st.session_state
    shelf = ae.jobs.default_shelf()
    if ss.get("train.token"):
        shelf.discard(ss["train.token"])   # replaced; the page keeps its curves for comparison
    owner = _owner()
    token = shelf.add(job, owner)
    session_runs().append((token, owner))
    ss["train.job"], ss["train.token"] = job, token


# ---------------------------------------------------------------- pictures

def show_rows(rows, captions: list[str] | None = None, scale: int = 3) -> None:
    """One composed picture of image rows (one st.image call is faster than many).

    The picture is sent at its true size, a pixel per pixel, and the browser enlarges it `scale`
    times without smoothing (PIXELATED, drawn once by app.py): 1/scale² of the pixels to encode and
    send, which cut the PNG step of a 16-image Denoising grid from about 8 to under 1 ms.
    """
    picture = ae.viz.grid(rows, scale=1, pad=1)
    if captions:
        st.caption(" · ".join(f"{i + 1}: {c}" for i, c in enumerate(captions)))
    # PNG bytes made here with fast compression pass through st.image untouched; from an array,
    # Streamlit encodes at level 6, slower and barely smaller.
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, "PNG", compress_level=1)
    st.image(buf.getvalue(), width=picture.shape[1] * scale)
