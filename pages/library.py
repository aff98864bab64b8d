"""My models and data: take any model away as one zip and bring one back (ae.archive), and turn your own
images into a dataset every page can use (ae.userdata): upload, look, name, keep; delete.

Uploads are checked by the library before anything is written; each refusal says why in the chosen
language (byo.error.<code>). A model brought back becomes the active model.
"""
import time
from pathlib import Path

import numpy as np
import streamlit as st
import torch

import ae
from ae.archive import UploadError
from pages._common import (CHECKPOINTS, USER_CHECKPOINTS, Settings, catalog, class_names, dataset_title,
                           download_model_button, is_user_model, load_split, model_facts, model_label,
                           refresh_catalog, show_rows, t, upload_error)

ss = st.session_state
S = Settings("library", {"pick": None, "like": "digits"})
LIKE = {"digits": ae.userdata.DIGIT_LIKE, "objects": ae.userdata.FILLING}   # how a zip's images are prepared
MODEL_MB = ae.archive.MAX_ARCHIVE_BYTES // (1 << 20)
DATA_MB = ae.userdata.MAX_UPLOAD_BYTES // (1 << 20)


# ---------------------------------------------------------------- models out and in

def download_section() -> None:
    st.subheader(t("library.download"))
    records = catalog().records
    if not records:
        st.info(t("sidebar.no_models"))
        return
    paths = list(records)
    if S["pick"] is None and ss.get("model") in paths:
        S.set("pick", ss["model"])
    path = st.selectbox(t("library.pick"), paths, format_func=model_label, **S.widget("pick", options=paths))
    st.caption(model_facts(records[path]))
    download_model_button(path, records[path], key="library.download_button")
    st.caption(t("library.download_caption"))


def upload_model_section() -> None:
    st.subheader(t("library.upload_model"))
    up = st.file_uploader(t("library.model_file", mb=MODEL_MB), type=["zip"], key="library.model_file",
                          max_upload_size=MODEL_MB, help=t("library.model_file_help"))
    if up is not None and ss.get("library.model_done", (None,))[0] != up.file_id:
        shipped = [p.name for p in CHECKPOINTS.iterdir() if p.is_dir()] if CHECKPOINTS.is_dir() else []
        try:
            with st.spinner(t("library.checking")):
                path = ae.archive.import_zip(up.getvalue(), USER_CHECKPOINTS, taken=shipped)
        except UploadError as e:
            ss["library.model_done"] = (up.file_id, None, upload_error(e))
        else:
            ss["library.model_done"] = (up.file_id, str(path), None)
            ss["model.pending"] = str(path)   # the sidebar makes it the active model
            refresh_catalog()
            st.rerun()                         # the sidebar is drawn before the page: draw it again
    done = ss.get("library.model_done")
    if up is None or done is None or done[0] != up.file_id:
        return
    _, path, refusal = done
    if refusal:
        st.error(f"{t('library.refused')} {refusal}", icon=":material/block:")
    elif path in catalog().records:
        st.success(t("library.model_added", name=Path(path).name), icon=":material/check_circle:")
    else:
        why = dict(catalog().broken).get(Path(path).name, "")
        st.warning(t("library.model_unusable", name=Path(path).name, why=why), icon=":material/warning:")


def my_models_note() -> None:
    mine = [p for p in catalog().records if is_user_model(p)]
    if mine:
        st.caption(t("library.mine", names=", ".join(Path(p).name for p in mine)))


# ---------------------------------------------------------------- your own images

def progress_reporter(bar):
    """on_progress for ae.userdata.read_upload: the bar moves at most every 0.2 s (every call is a message)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        if done == total or time.perf_counter() - last[0] > 0.2:
            bar.progress(done / total, text=t("library.reading", done=f"{done:,}", total=f"{total:,}"))
            last[0] = time.perf_counter()
    return report


def read_dataset(up, like: str):
    """The upload read and prepared (ae.userdata.read_upload), once per file and preparation."""
    memo = ss.get("library.read")
    if memo is not None and memo[:2] == (up.file_id, like):
        return memo[2]
    bar = st.progress(0.0, text=t("library.reading", done=0, total="?"))
    try:
        got = ae.userdata.read_upload(up.getvalue(), up.name, **LIKE[like], on_progress=progress_reporter(bar))
    except UploadError as e:
        got = e
    bar.empty()
    ss["library.read"] = (up.file_id, like, got)
    return got


def preview(images: torch.Tensor, labels, names: list[str]) -> None:
    """One row of images per class (the first 12 classes), captioned with the class names."""
    groups = ae.userdata.examples(labels, len(images))
    show_rows([images[torch.as_tensor(idx)] for _, idx in groups], [names[c] for c, _ in groups], scale=2)


def upload_data_section() -> None:
    st.subheader(t("library.upload_data"))
    st.markdown(t("library.formats", n=f"{ae.userdata.MAX_IMAGES:,}", mb=DATA_MB))
    up = st.file_uploader(t("library.data_file", mb=DATA_MB), type=["zip", "npz"], max_upload_size=DATA_MB,
                          key=f"library.data_file.{ss.get('library.stored', 0)}")   # a new key empties it
    likes = list(LIKE)
    st.radio(t("library.like"), likes, horizontal=True, format_func={k: t(f"library.like.{k}") for k in likes}.get,
             help=t("library.like_help"), **S.widget("like", options=likes))
    if up is None:
        return
    got = read_dataset(up, S["like"])
    if isinstance(got, UploadError):
        st.error(f"{t('library.refused')} {upload_error(got)}", icon=":material/block:")
        return
    names = ([t("byo.class.unlabelled")] if got.labels is None else list(got.class_names))
    counts = np.bincount(got.labels, minlength=len(names)) if got.labels is not None else [len(got)]
    st.markdown(t(f"library.read.{got.layout}", n=f"{len(got):,}", k=len(names)))
    st.caption(" · ".join(f"{c}: {n:,}" for c, n in zip(names, counts)))
    for note, n in got.notes.items():
        st.caption("· " + t(f"image.note.{note}") + f" ({n:,})")
    if got.skipped:
        st.caption(t("library.skipped", files=", ".join(got.skipped[:5])))
    preview(torch.from_numpy(got.images).float().div(255).unsqueeze(1), got.labels, names)
    with st.form("library.save_form", border=False):
        name = st.text_input(t("library.name"), value=ae.userdata.default_name(up.name), max_chars=64,
                             help=t("library.name_help"), key=f"library.name.{up.file_id}")
        saved = st.form_submit_button(t("library.save"), type="primary", icon=":material/save:")
    if saved:
        try:
            stored = ae.userdata.save_upload(got, name.strip())
        except UploadError as e:
            st.error(upload_error(e))
        else:
            ss["library.saved"] = stored.name
            ss["library.stored"] = ss.get("library.stored", 0) + 1   # the uploader empties: listed below
            ss.pop("library.read", None)
            st.rerun()


def datasets_section() -> None:
    st.subheader(t("library.datasets"))
    saved = ss.pop("library.saved", None)
    if saved:
        st.success(t("library.saved", name=saved), icon=":material/check_circle:")
    found = ae.userdata.list_datasets()
    if not found:
        st.info(t("library.no_datasets"))
        return
    for d in found:
        with st.container(border=True):
            if not d.ok:
                st.markdown(f"**{d.name}**: {t('library.broken')} `{d.error}`")
            else:
                one_dataset(d)
            delete_button(d)


def one_dataset(d) -> None:
    train_n, test_n = d.sizes
    head, go = st.columns([4, 1], vertical_alignment="center")
    head.markdown(f"**{dataset_title(d.key)}** · " + t("library.sizes", train=f"{train_n:,}", test=f"{test_n:,}",
                                                       k=len(d.class_names)))
    if go.button(t("library.train_on"), key=f"library.train.{d.name}", icon=":material/model_training:"):
        ss["train.form.dataset"] = d.key
        ss["train.form.init"] = False     # a warm start would keep the active model's dataset
        st.switch_page("pages/train.py")
    names = class_names(d.key)
    per_class = (d.meta["counts"].get("per_class") or {}).get("train") or []
    st.caption(" · ".join(f"{c}: {n:,}" for c, n in zip(names, per_class)))
    st.caption(t("library.source", file=d.meta["source"].get("filename") or "?",
                 at=str(d.meta.get("created_at", "?"))[:16].replace("T", " ")))
    split = load_split(d.key, "test")
    preview(split.images, split.labels if d.labelled else None, names)
    used = [r.name for r in catalog().of_dataset(d.key).values()]
    if used:
        st.caption(t("library.models_of", names=", ".join(used)))


def delete_button(d) -> None:
    with st.popover(t("library.delete"), icon=":material/delete:"):
        st.markdown(t("library.delete_really", name=d.name))
        if st.button(t("library.delete_yes", name=d.name), key=f"library.delete.{d.name}", type="primary"):
            ae.userdata.delete_dataset(d.name)
            refresh_catalog()
            st.rerun()


# ---------------------------------------------------------------- the page

st.title(t("library.heading"))
st.markdown(t("library.intro"))
models, data = st.tabs([t("library.tab.models"), t("library.tab.data")])
with models:
    download_section()
    upload_model_section()
    my_models_note()
with data:
    upload_data_section()
    datasets_section()
