"""Latent space explorer: maps of the active model's codes z (the raw code, PCA, t-SNE) to click into.

Select points to see them beside their reconstructions; click one to compare its nearest neighbours
in latent space and in pixel space; drop new images (an upload, a test image under rising noise) on
the map without refitting it; measure whether the code beats PCA of the pixels; export.

The selectable map's figure must not change while the user selects: Streamlit identifies the chart by
its figure, and a new figure resets the selection and the zoom. So what a click changes is drawn
beside the map, never on it.
"""
import json
import threading
import time
from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st
import torch

import ae
import ae.embed
import ae.figures
import ae.neighbours
import ae.prepare
from ae.embed import EMBEDDERS
from ae.noise import LEVEL_RANGE, NOISES
from pages._common import active_info, active_model, lang, load_checkpoint, load_split, show_rows, shown_errors, t, use_router
from pages._text import STRINGS

use_router()   # before anything is drawn: see pages/_common.py

ss = st.session_state
POINTS = [300, 500, 1000, 2000, 5000, 10_000]
METHODS = ["tsne", "pca", "raw", "tsne_sklearn"]
PREP = {"mnist": (20, "mass")}          # MNIST's recipe for uploads; other datasets fill 28x28
TRAJECTORY_STEPS = 7
SELECTION_SHOWN = 32
DEFAULTS = {"latent.split": "test", "latent.method": "tsne", "latent.dims": 2, "latent.n": 2000,
            "latent.perplexity": 30, "latent.iterations": 300, "latent.thumbs": False, "latent.k": 8,
            "latent.noise": "gaussian", "latent.traj_on": False, "latent.traj_index": 0}
SAVED = "latent.saved"      # a plain key: widget keys are dropped when the user visits another page


def keep_widget_state() -> None:
    saved = ss.setdefault(SAVED, {})
    for key, default in DEFAULTS.items():
        ss[key] = ss.get(key, saved.get(key, default))
    ss[SAVED] = {key: ss[key] for key in DEFAULTS}


def class_names(split: ae.data.Split) -> list[str]:
    """Class names in the chosen language (the Train page's strings), else the dataset's own."""
    table = STRINGS[lang()]
    return [table.get(f"train.class.{split.dataset}.{i}", c) for i, c in enumerate(split.class_names)]


@st.cache_resource(show_spinner=False)
def map_memo() -> "OrderedDict[str, ae.embed.LatentMap]":
    """Maps fitted in this server process (with openTSNE's neighbour index, so that placing new points
    needs no rebuild), shared by sessions: a map depends only on its key."""
    return OrderedDict()


@st.cache_resource(show_spinner=False)
def map_fits() -> tuple[threading.Lock, dict[str, ae.embed.MapFit]]:
    """Maps being computed, by key, shared by sessions: a rerun (any click while t-SNE runs stops the
    script) or a second session asking for the same map finds the running fit instead of a new one."""
    return threading.Lock(), {}


@st.cache_data(max_entries=16, show_spinner=False)
def points_of(path: str, weights: str, dataset: str, split: str, n: int):
    """(indices into the split, codes z, reconstruction errors) of the map's points, cached on disk too."""
    model, _ = load_checkpoint(path)
    data = load_split(dataset, split)
    idx = ae.embed.sample_indices(len(data), n)
    parts = {"weights": weights, "dataset": dataset, "split": split, "n": len(idx), "seed": 0}
    codes, errors = ae.embed.cached_codes(model, data.images[idx], parts)
    return idx, codes, errors


@st.cache_resource(max_entries=8, show_spinner=False)
def pixels_of(dataset: str, split: str, n: int) -> np.ndarray:
    data = load_split(dataset, split)
    idx = ae.embed.sample_indices(len(data), n)
    return ae.neighbours.flat(data.images if len(idx) == len(data) else data.images[idx])


@st.cache_data(max_entries=32, show_spinner=False)
def prepared_upload(data: bytes, box: int, centre: str):
    return ae.prepare.from_bytes(data, box=box, centre=centre)


@st.cache_data(max_entries=16, show_spinner=False)
def quality_of(map_key: str, _codes, _pixels, _labels, _coords) -> dict:
    return ae.neighbours.quality(_codes, _pixels, _labels, _coords)


def placed(key: tuple, m: ae.embed.LatentMap, z_new: np.ndarray) -> np.ndarray:
    """m.place(z_new), remembered per map and input (openTSNE's transform takes a moment)."""
    memo = ss.setdefault("latent.placed", OrderedDict())
    if key not in memo:
        memo[key] = m.place(z_new)
        while len(memo) > 16:
            memo.popitem(last=False)
    return memo[key]


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.0f}"


# ---------------------------------------------------------------- header and settings

keep_widget_state()
st.title(t("latent.heading"))
st.markdown(t("latent.intro"))

model, meta, test_split = active_model()
info = active_info()
dataset = meta["dataset"]["name"]
latent_dim = int(meta["model"]["latent_dim"])
weights = meta.get("weights_sha256") or meta["weights"]

c1, c2, c3, c4 = st.columns([1.1, 2, 1, 2.6], vertical_alignment="bottom")
split_name = c1.segmented_control(t("latent.split"), ["test", "train"], key="latent.split", required=True,
                                  format_func={s: t(f"latent.split.{s}") for s in ("test", "train")}.get) or "test"
if ss["latent.dims"] not in (2, 3):
    ss["latent.dims"] = 2
dims = c3.segmented_control(t("latent.dims"), [2, 3], key="latent.dims", required=True,
                            format_func=lambda d: f"{d}D") or 2
methods = [m for m in METHODS if EMBEDDERS[m].available(latent_dim, dims)]
if ss["latent.method"] not in methods:
    ss["latent.method"] = methods[0]
method = c2.selectbox(t("latent.method"), methods, key="latent.method", help=t("latent.method_help"),
                      format_func={m: t(f"latent.method.{m}") for m in methods}.get)
with shown_errors():
    data = load_split(dataset, split_name)
limit = EMBEDDERS[method].max_points or len(data)
choices = [n for n in POINTS if n < min(limit, len(data))] + [min(limit, len(data))]
if ss["latent.n"] not in choices:
    ss["latent.n"] = min(choices, key=lambda n: abs(n - ss["latent.n"]))
n_points = c4.select_slider(t("latent.points"), choices, key="latent.n", help=t("latent.points_help", limit=limit),
                            format_func=lambda n: t("latent.all", n=f"{n:,}") if n == len(data) else f"{n:,}")

settings = {}
if method.startswith("tsne"):
    with st.expander(t("latent.tsne_settings"), expanded=False):
        a, b = st.columns(2)
        perplexity = a.slider(t("latent.perplexity"), 5, 50, key="latent.perplexity", help=t("latent.perplexity_help"))
        iterations = b.select_slider(t("latent.iterations"), [250, 300, 400, 500, 750, 1000],
                                     key="latent.iterations", help=t("latent.iterations_help"))
        st.caption(t(f"latent.engine.{method}"))
    settings = {"perplexity": float(perplexity), "iterations": int(iterations)}

# ---------------------------------------------------------------- the codes and the map

with shown_errors():
    idx, codes, errors = points_of(str(info.path), weights, dataset, split_name, int(n_points))
labels = data.labels.numpy()[idx]
names = class_names(data)
key_parts = {"weights": weights, "dataset": dataset, "split": split_name, "n": len(idx), "seed": 0}
map_key = ae.embed.map_key(key_parts, method, dims, settings)
map_area = st.container()

def fit_map_with_progress(slot) -> ae.embed.LatentMap:
    """The map from the disk cache, or computed on a background thread: for t-SNE with the PCA map of
    the same codes shown at once, a progress bar, and the forming t-SNE map redrawn every 2 s."""
    lock, fits = map_fits()
    with lock:
        job = fits.get(map_key)
        if job is None:
            slow = method.startswith("tsne") and not ae.embed.is_cached(key_parts, method, dims, settings)
            job = fits[map_key] = ae.embed.MapFit(codes, method, dims, settings, key_parts)
        else:
            slow = method.startswith("tsne")

    def progress() -> tuple[float, str]:   # where the fit is now: a rerun mid-fit must not show 0 %
        fraction = min(max(job.fraction, 0.0), 1.0)
        return fraction, t("latent.progress", pct=int(100 * fraction)) + f" · {time.perf_counter() - job.started:.1f} s"

    if slow:
        with slot.container():
            st.info(t("latent.computing", n=f"{len(idx):,}", method=t(f"latent.method.{method}")))
            preview_slot = st.empty()
            if EMBEDDERS["pca"].available(latent_dim, dims):
                pca = ae.embed.fit(codes, "pca", dims)
                preview_slot.plotly_chart(ae.figures.latent_map(pca.coords, labels, names, height=520,
                                                                axes=tuple(f"PC {i + 1}" for i in range(dims))),
                                          key="latent.preview.0", config={"displayModeBar": False})
                st.caption(t("latent.preview_caption"))
            if method == "tsne_sklearn":     # scikit-learn reports no progress: say so instead of a still bar
                st.caption(t("latent.no_progress"))
                bar = st.empty()
            else:
                bar = st.progress(*progress())
        last_draw, draws = 0.0, 0               # a rerun mid-fit shows the forming map at once
        while not job.done:
            job.wait(0.25)
            if method == "tsne_sklearn":
                bar.empty()          # no progress to show, but any page element lets a click stop this run
                continue
            bar.progress(*progress())
            coords = job.coords
            if coords is not None and dims == 2 and time.perf_counter() - last_draw > 2.0:
                draws += 1
                preview_slot.plotly_chart(ae.figures.latent_map(coords, labels, names, height=520,
                                                                axes=("t-SNE 1", "t-SNE 2")),
                                          key=f"latent.preview.{draws}", config={"displayModeBar": False})
                last_draw = time.perf_counter()
    try:
        with shown_errors():
            m = job.wait()
    finally:
        with lock:
            if fits.get(map_key) is job:      # finished or failed: the next request starts afresh
                del fits[map_key]
    slot.empty()
    return m


with map_area:
    memo = map_memo()
    # drawn on every run, empty or not, so that the elements after it keep their places (else the
    # previous run's caption lingers as a stale copy until the new run ends)
    slot = st.empty()
    lmap = memo.get(map_key)
    if lmap is None:
        lmap = memo[map_key] = fit_map_with_progress(slot)
        while len(memo) > 12:
            memo.popitem(last=False)
    elif map_key in memo:
        memo.move_to_end(map_key)

# ---------------------------------------------------------------- new points (drawn on the map)

tab_sel, tab_new, tab_quality, tab_export = st.tabs([t("latent.tab.selection"), t("latent.tab.new"),
                                                     t("latent.tab.quality"), t("latent.tab.export")])
overlays = []
with tab_new:
    st.caption(t(f"latent.placement.{lmap.placement}"))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('latent.upload_heading')}**")
        up = st.file_uploader(t("latent.upload"), type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
                              key="latent.upload", help=t("latent.upload_help"))
        if up is not None:
            box, centre = PREP.get(dataset, (28, "box"))
            try:
                x_up, notes = prepared_upload(up.getvalue(), box, centre)
            except ae.prepare.ImageError as e:
                st.error(f"{t('latent.bad_image')} {e}")
            else:
                z_up, err_up = ae.infer.codes_and_errors(model, x_up[None])
                where = placed((map_key, "upload", up.file_id), lmap, z_up)
                recon_up = ae.infer.reconstruct(model, x_up[None])
                show_rows([torch.cat([x_up[None], recon_up])], [t("latent.prepared"), t("word.reconstruction")], scale=4)
                near, _ = ae.neighbours.nearest(codes, z_up[0], ss["latent.k"])
                st.caption(t("latent.upload_near", err=float(err_up[0]),
                             classes=", ".join(names[c] for c in labels[near][:5])))
                overlays.append({"name": t("latent.upload_point"), "coords": where, "color": "#111111",
                                 "text": [t("latent.upload_point") + f" · {t('latent.hover_error')} {float(err_up[0]):.4f}"]})
    with right:
        st.markdown(f"**{t('latent.traj_heading')}**")
        kinds = list(NOISES)
        a, b = st.columns(2)
        kind = a.selectbox(t("latent.noise"), kinds, key="latent.noise",
                           format_func={k: t(f"latent.noise.{k}") for k in kinds}.get)
        ss["latent.traj_index"] = min(int(ss["latent.traj_index"]), len(test_split) - 1)
        index = b.number_input(t("latent.traj_index"), 0, len(test_split) - 1, key="latent.traj_index",
                               help=t("latent.traj_index_help"))
        on = st.toggle(t("latent.traj_on"), key="latent.traj_on")
        if on:
            high = LEVEL_RANGE[kind][1]
            levels = np.linspace(0, high, TRAJECTORY_STEPS)
            clean = test_split.images[int(index):int(index) + 1]
            # one seed for every level: the same noise pattern, growing, so the path is smooth
            noisy = torch.cat([ae.noise.corrupt(clean, kind, float(lv), torch.Generator().manual_seed(0))
                               for lv in levels])
            z_traj, err_traj = ae.infer.codes_and_errors(model, noisy)
            path = placed((map_key, "trajectory", int(index), kind), lmap, z_traj)
            show_rows([noisy], [f"{lv:.2f}".rstrip("0").rstrip(".") for lv in levels], scale=2)
            label = names[int(test_split.labels[int(index)])]
            st.caption(t("latent.traj_caption", index=int(index), label=label, kind=t(f"latent.noise.{kind}")))
            overlays.append({"name": t("latent.traj_point", index=int(index)), "coords": path, "mode": "lines+markers",
                             "color": "#C0392B", "symbol": "circle", "size": 10,
                             "labels": [f"{lv:.2f}".rstrip("0").rstrip(".") for lv in levels],
                             "text": [f"{t('latent.level')} {lv:.2f} · {t('latent.hover_error')} {e:.4f}"
                                      for lv, e in zip(levels, err_traj)]})

# ---------------------------------------------------------------- the map itself

err_word = t("latent.hover_error")
hover = [f"#{i} · {names[c]} · {err_word} {e:.4f}" for i, c, e in zip(idx.tolist(), labels.tolist(), errors.tolist())]
if method == "raw":
    axes = tuple(f"z{'₁₂₃'[i]}" for i in range(dims))
elif method == "pca":
    axes = tuple(f"PC {i + 1}" for i in range(dims))
else:
    axes = tuple(f"t-SNE {i + 1}" for i in range(dims))

with map_area:
    top = st.columns([3, 1], vertical_alignment="bottom")
    thumbs = top[1].toggle(t("latent.thumbs"), key="latent.thumbs", disabled=dims != 2, help=t("latent.thumbs_help"))
    source = t("latent.cached") if lmap.cached else t("latent.fitted", s=fmt_s(lmap.seconds))
    top[0].caption(t("latent.map_caption", n=f"{len(idx):,}", split=t(f"latent.split.{split_name}"),
                     method=t(f"latent.method.{method}"), dims=dims, source=source))
    mosaic = None
    if thumbs and dims == 2:
        mosaic = ae.figures.thumbnail_mosaic(lmap.coords, data.images[idx] if len(idx) < len(data) else data.images,
                                             labels)
    fig = ae.figures.latent_map(lmap.coords, labels, names, hover=hover, axes=axes, thumbnails=mosaic,
                                overlays=overlays)
    selected: list[int] = []
    if dims == 2:
        event = st.plotly_chart(fig, key="latent.map", on_select="rerun", selection_mode=("points", "box", "lasso"),
                                config={"scrollZoom": True, "displaylogo": False})
        selected = [int(p["customdata"]) for p in event.selection.points if isinstance(p.get("customdata"), int)]
        st.caption(t("latent.select_hint"))
    else:
        # Plotly has no box or lasso in 3-D: a linked 2-D view of the same map selects, the cloud shows it
        left, right = st.columns([3, 2])
        linked = ae.figures.latent_map(lmap.coords[:, :2], labels, names, hover=hover, axes=axes[:2], height=520)
        linked.update_layout(showlegend=False)
        with right:
            event = st.plotly_chart(linked, key="latent.linked", on_select="rerun",
                                    selection_mode=("points", "box", "lasso"), config={"displaylogo": False})
            selected = [int(p["customdata"]) for p in event.selection.points if isinstance(p.get("customdata"), int)]
            st.caption(t("latent.linked_hint"))
        with left:
            cloud = ae.figures.latent_map(lmap.coords, labels, names, hover=hover, axes=axes, overlays=overlays,
                                          highlight=np.array(selected, int) if selected else None, height=560,
                                          highlight_name=t("latent.selected_name"))
            st.plotly_chart(cloud, key="latent.cloud", config={"displaylogo": False})

# a new selection decides what is shown: one point -> its details, several -> their grid
signature = (map_key, tuple(selected))
if signature != ss.get("latent.last_selection"):
    ss["latent.last_selection"] = signature
    if len(selected) == 1:
        ss["latent.focus"] = (split_name, int(idx[selected[0]]))
    ss["latent.selection"] = [int(idx[r]) for r in selected] if len(selected) > 1 else []

# ---------------------------------------------------------------- selection grid and one point's details


def set_focus_from_input():
    value = ss.get("latent.index")
    if value is not None:
        ss["latent.focus"] = (ss["latent.split"], int(value))
        ss["latent.selection"] = []


def neighbour_row(images: torch.Tensor, hits: np.ndarray) -> np.ndarray:
    """Neighbour images as RGB with a frame: green for the query's class, red for another."""
    rgb = np.repeat(ae.viz.to_uint8(images)[..., None], 3, axis=-1)
    framed = np.empty((len(rgb), 32, 32, 3), np.uint8)
    for j, hit in enumerate(hits):
        framed[j] = (40, 170, 90) if hit else (215, 60, 60)
        framed[j, 2:30, 2:30] = rgb[j]
    return framed


row_of = {int(i): r for r, i in enumerate(idx.tolist())}
with tab_sel:
    chosen = [i for i in ss.get("latent.selection", []) if i < len(data)]
    focus = ss.get("latent.focus")
    if focus and focus[0] != split_name:
        focus = None
    a, b = st.columns([1, 3], vertical_alignment="bottom")
    a.number_input(t("latent.index"), 0, len(data) - 1, value=None, key="latent.index", on_change=set_focus_from_input,
                   help=t("latent.index_help"), placeholder=t("latent.index_placeholder"))
    k = b.slider(t("latent.k"), 3, 16, key="latent.k")
    if chosen:
        st.subheader(t("latent.selection_heading", n=len(chosen)))
        counts = pd.Series([names[int(data.labels[i])] for i in chosen]).value_counts()
        st.caption(t("latent.selection_classes", classes=", ".join(f"{c} {v}" for c, v in counts.items())))
        shown = torch.as_tensor(chosen[:SELECTION_SHOWN])
        originals = data.images[shown]
        recon = ae.infer.reconstruct(model, originals)
        rows = []
        for s in range(0, len(shown), 16):
            rows += [originals[s:s + 16], recon[s:s + 16]]
        show_rows(rows, [t("word.original"), t("word.reconstruction")], scale=2)
        sel_err = [errors[row_of[i]] for i in chosen if i in row_of]
        st.caption(t("latent.selection_error", err=float(np.mean(sel_err)) if sel_err else float("nan"),
                     shown=min(len(chosen), SELECTION_SHOWN)))
    elif focus:
        i = int(focus[1])
        x = data.images[i:i + 1]
        if i in row_of:
            z, err = codes[row_of[i]], float(errors[row_of[i]])
        else:
            z_, e_ = ae.infer.codes_and_errors(model, x)
            z, err = z_[0], float(e_[0])
        recon = ae.infer.reconstruct(model, x)
        label = int(data.labels[i])
        st.subheader(t("latent.point_heading", index=i, label=names[label]))
        pics, facts = st.columns([2, 3], gap="large")
        with pics:
            rgb = lambda im: np.repeat(ae.viz.to_uint8(im)[..., None], 3, axis=-1)
            show_rows([np.concatenate([rgb(x), rgb(recon), ae.viz.heatmap(recon - x, vmax=0.5)])],
                      [t("word.original"), t("word.reconstruction"), t("latent.error_map")], scale=5)
            st.caption(t("latent.point_error", err=err))
        pixels = pixels_of(dataset, split_name, len(idx))
        own = row_of.get(i)
        near_z, _ = ae.neighbours.nearest(codes, z, k, exclude=own)
        near_x, _ = ae.neighbours.nearest(pixels, ae.neighbours.flat(x)[0], k, exclude=own)
        p_z = ae.neighbours.precision_at_k(labels, near_z, label)
        p_x = ae.neighbours.precision_at_k(labels, near_x, label)
        with facts:
            m1, m2 = st.columns(2)
            m1.metric(t("latent.precision_latent", k=k), f"{p_z:.2f}",
                      f"{p_z - p_x:+.2f}" if abs(p_z - p_x) > 1e-9 else None, help=t("latent.precision_help"))
            m2.metric(t("latent.precision_pixels", k=k), f"{p_x:.2f}")
            st.markdown(t("latent.neighbours_text"))
        to_split = torch.as_tensor(idx)
        show_rows([neighbour_row(data.images[to_split[torch.as_tensor(near_z)]], labels[near_z] == label),
                   neighbour_row(data.images[to_split[torch.as_tensor(near_x)]], labels[near_x] == label)],
                  [t("latent.row.latent", p=p_z), t("latent.row.pixels", p=p_x)], scale=3)
        st.caption(t("latent.frames"))
    else:
        st.info(t("latent.nothing_selected"))

# ---------------------------------------------------------------- quality

with tab_quality:
    st.markdown(t("latent.quality_intro", d=latent_dim))
    done = ss.setdefault("latent.quality", {})
    if st.button(t("latent.quality_run"), key="latent.quality_go", icon=":material/analytics:"):
        with st.spinner(t("latent.quality_running")):
            done[map_key] = quality_of(map_key, codes, pixels_of(dataset, split_name, len(idx)), labels, lmap.coords)
    q = done.get(map_key)
    if q:
        d_map = lmap.coords.shape[1]
        table = pd.DataFrame([
            {t("latent.q.figure"): t("latent.q.knn", d=latent_dim), t("latent.q.ours"): q["knn"]["codes"],
             t("latent.q.pca"): q["knn"]["pca"]},
            {t("latent.q.figure"): t("latent.q.map_knn", d=d_map), t("latent.q.ours"): q["map_knn"]["map"],
             t("latent.q.pca"): q["map_knn"]["pca"]},
            {t("latent.q.figure"): t("latent.q.trust", d=d_map), t("latent.q.ours"): q["trust"]["map"],
             t("latent.q.pca"): q["trust"]["pca"]},
        ])
        table[t("latent.q.diff")] = table[t("latent.q.ours")] - table[t("latent.q.pca")]
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns[1:]})
        gain = q["knn"]["codes"] - q["knn"]["pca"]
        st.markdown(t("latent.q.verdict_better" if gain > 0.005 else "latent.q.verdict_worse" if gain < -0.005
                      else "latent.q.verdict_same", gain=abs(gain) * 100, d=latent_dim))
        per_class = pd.DataFrame({t("latent.q.class"): [names[c] for c in q["precision"]["codes"]],
                                  t("latent.q.p_codes", k=q["k"]): list(q["precision"]["codes"].values()),
                                  t("latent.q.p_pixels", k=q["k"]): list(q["precision"]["pixels"].values())})
        st.markdown(f"**{t('latent.q.by_class', k=q['k'])}**")
        st.dataframe(per_class, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.3f") for c in per_class.columns[1:]})
        st.caption(t("latent.q.caption", n=f"{q['points']:,}", k=ae.neighbours.KNN_K, tk=ae.neighbours.TRUST_K,
                     s=fmt_s(q["seconds"])))

# ---------------------------------------------------------------- export

with tab_export:
    def csv_bytes() -> bytes:
        frame = pd.DataFrame({"index": idx, "label": labels, "class": [names[c] for c in labels],
                              "recon_error": errors, **{a: lmap.coords[:, j] for j, a in enumerate("xyz"[:dims])}})
        return frame.to_csv(index=False).encode()

    def html_bytes() -> bytes:
        return fig.to_html(include_plotlyjs=True, full_html=True).encode()

    stem = f"{info.name}_{split_name}_{method}_{dims}d_{len(idx)}"
    a, b = st.columns(2)
    a.download_button(t("latent.csv"), csv_bytes, file_name=f"{stem}.csv", mime="text/csv",
                      on_click="ignore", icon=":material/table:", key="latent.csv")
    b.download_button(t("latent.html"), html_bytes, file_name=f"{stem}.html", mime="text/html",
                      on_click="ignore", icon=":material/download:", key="latent.html")
    st.caption(t("latent.export_caption"))
    st.caption(json.dumps({"method": method, "dims": dims, "settings": lmap.settings, "points": len(idx)},
                          ensure_ascii=False))
