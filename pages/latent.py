"""Latent space explorer: maps of the active model's codes z (the raw code, PCA, t-SNE) to click into.

Select points to see them beside their reconstructions; click one to compare its nearest neighbours
in latent space and in pixel space; drop new images (an upload, a test image under rising noise) on
the map without refitting it; measure whether the code beats PCA of the pixels; export.

The selectable map's figure must not change while the user selects: Streamlit identifies the chart by
its figure, and a new figure resets the selection and the zoom. So what a click changes is drawn
beside the map, never on it.
"""
import json
import time

import numpy as np
import pandas as pd
import streamlit as st
import torch

import ae
from ae.embed import EMBEDDERS
from pages._common import (Settings, active_model, class_names, data_version, labels, lesson, load_checkpoint,
                           load_split, set_address, show_rows, shown_errors, t, uploaded_image)

ss = st.session_state
POINTS = [300, 500, 1000, 2000, 5000, 10_000]
SELECTION_SHOWN = 32
S = Settings("latent", {"split": "test", "method": None, "dims": 2, "n": 2000, "perplexity": 30, "iterations": 300,
                        "thumbs": False, "k": 8, "noise": "gaussian", "traj_on": False, "traj_index": 0},
             shared=["split", "method", "dims", "n", "perplexity", "iterations", "thumbs", "k"])
LESSON_HIDES = {"tsne_sklearn"}   # map methods a lesson link does not offer (one t-SNE is enough)
UPLOAD_COLOUR, PATH_COLOUR = "#E67E22", "#C0392B"   # apart from the selection's black


@st.cache_resource(show_spinner=False)
def map_service() -> ae.embed.MapService:
    """Maps fitted in this server process and the fits under way, shared by sessions (ae.embed)."""
    return ae.embed.MapService()


def _left(held: list) -> None:
    for asker in held:
        map_service().release(asker)


@st.cache_resource(scope="session", on_release=_left, show_spinner=False)
def asker() -> list:
    """This session's name at the map service (released when the session ends)."""
    import secrets
    return [secrets.token_hex(8)]


def key_parts_of(weights: str, dataset: str, split: str, n: int) -> dict:
    """What the map's codes depend on, naming their disk cache: a user dataset's version too (its name
    may be given to other images)."""
    version = data_version(dataset)
    return {"weights": weights, "dataset": dataset, "split": split, "n": n, "seed": 0,
            **({"data": version} if version else {})}


@st.cache_data(max_entries=16, show_spinner=False)
def points_of(path: str, weights: str, dataset: str, version: str, split: str, n: int):
    """(indices into the split, codes z, reconstruction errors) of the map's points, cached on disk too."""
    model, _ = load_checkpoint(path)
    data = load_split(dataset, split)
    idx = ae.embed.sample_indices(len(data), n)
    parts = key_parts_of(weights, dataset, split, len(idx))
    codes, errors = ae.embed.cached_codes(model, data.images[idx], parts)
    return idx, codes, errors


def pixels_of(dataset: str, split: str, n: int) -> np.ndarray:
    return _pixels_of(dataset, data_version(dataset), split, n)


@st.cache_resource(max_entries=8, show_spinner=False)
def _pixels_of(dataset: str, version: str, split: str, n: int) -> np.ndarray:
    data = load_split(dataset, split)
    idx = ae.embed.sample_indices(len(data), n)
    return ae.neighbours.flat(data.images if len(idx) == len(data) else data.images[idx])


@st.cache_data(max_entries=16, show_spinner=False)
def quality_of(map_key: str, _codes, _pixels, _labels, _coords) -> dict:
    return ae.neighbours.quality(_codes, _pixels, _labels, _coords)


def placed(key: tuple, m: ae.embed.LatentMap, z_new: np.ndarray) -> np.ndarray:
    """m.place(z_new), remembered per map and input (openTSNE's transform takes a moment)."""
    memo = ss.setdefault("latent.placed", {})
    if key not in memo:
        if len(memo) > 16:
            memo.clear()
        memo[key] = m.place(z_new)
    return memo[key]


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.0f}"


def level_text(level: float) -> str:
    return f"{level:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- settings

def controls(latent_dim: int, dataset: str) -> tuple[str, ae.data.Split, str, int, int, dict]:
    """The map's settings: split, method (offered by the registry for this code size), dims, points."""
    c1, c2, c3, c4 = st.columns([1.1, 2, 1, 2.6], vertical_alignment="bottom")
    splits = ["test", "train"]
    split = c1.segmented_control(t("latent.split"), splits, required=True, format_func=labels("latent.split", splits),
                                 **S.widget("split", options=splits)) or "test"
    dims = c3.segmented_control(t("latent.dims"), [2, 3], required=True, format_func=lambda d: f"{d}D",
                                **S.widget("dims", options=[2, 3])) or 2
    methods = [m for m in ae.embed.available(latent_dim, dims) if not (lesson() and m in LESSON_HIDES)]
    # the first offered is the default: the code itself where it can be drawn as it is
    method = c2.selectbox(t("latent.method"), methods, help=t("latent.method_help"),
                          format_func=labels("latent.method", methods), **S.widget("method", options=methods))
    with shown_errors():
        data = load_split(dataset, split)
    limit = EMBEDDERS[method].max_points or len(data)
    choices = [n for n in POINTS if n < min(limit, len(data))] + [min(limit, len(data))]
    if S["n"] not in choices:   # another dataset or method: the nearest number offered
        S.set("n", min(choices, key=lambda n: abs(n - S["n"])))
    n_points = c4.select_slider(t("latent.points"), choices, help=t("latent.points_help", limit=limit),
                                format_func=lambda n: t("latent.all", n=f"{n:,}") if n == len(data) else f"{n:,}",
                                **S.widget("n", options=choices))
    settings = {}
    knobs = EMBEDDERS[method].knobs
    if knobs:
        with st.expander(t(f"latent.settings.{method}"), expanded=False):
            for col, (name, knob) in zip(st.columns(len(knobs)), knobs.items()):
                if knob.choices:
                    settings[name] = col.select_slider(t(f"latent.{name}"), list(knob.choices),
                                                       help=t(f"latent.{name}_help"),
                                                       **S.widget(name, options=list(knob.choices)))
                else:
                    settings[name] = col.slider(t(f"latent.{name}"), int(knob.low), int(knob.high),
                                                step=int(knob.step), help=t(f"latent.{name}_help"),
                                                **S.widget(name, bounds=(int(knob.low), int(knob.high))))
            st.caption(t(f"latent.engine.{method}"))
    return split, data, method, dims, int(n_points), ae.embed.settings_for(method, settings)


# ---------------------------------------------------------------- the map

def fit_map(codes, labels_, names, method, dims, settings, key_parts, slot) -> ae.embed.LatentMap:
    """The map from memory or the disk cache, or fitted in the background: for slow methods with the
    PCA map of the same codes shown at once, a progress bar, and the forming map redrawn every 2 s."""
    got = map_service().request(asker()[0], codes, method, dims, settings, key_parts)
    if isinstance(got, ae.embed.LatentMap):
        return got
    fit, embedder = got, EMBEDDERS[method]
    if not embedder.slow:
        with shown_errors():
            return fit.wait()

    def progress() -> tuple[float, str]:   # where the fit is now: a rerun mid-fit must not show 0 %
        fraction = min(max(fit.fraction, 0.0), 1.0)
        return fraction, t("latent.progress", pct=int(100 * fraction)) + f" · {time.perf_counter() - fit.started:.1f} s"

    with slot.container():
        st.info(t("latent.computing", n=f"{len(codes):,}", method=t(f"latent.method.{method}")))
        preview = st.empty()
        if EMBEDDERS["pca"].available(codes.shape[1], dims):
            quick = ae.embed.fit(codes, "pca", dims)
            preview.plotly_chart(ae.figures.latent_map(quick.coords, labels_, names, height=520,
                                                       axes=EMBEDDERS["pca"].axes(dims)),
                                 key="latent.preview.0", config={"displayModeBar": False})
            st.caption(t("latent.preview_caption"))
        if not embedder.progress:    # no progress to show: say so instead of a still bar
            st.caption(t(f"latent.no_progress.{method}"))
        bar = st.progress(*progress()) if embedder.progress else st.empty()
    last_draw, draws = 0.0, 0               # a rerun mid-fit shows the forming map at once
    while not fit.done:
        fit.wait(0.25)
        if not embedder.progress:
            bar.empty()          # any page element lets a click stop this run (the fit goes on)
            continue
        bar.progress(*progress())
        if fit.coords is not None and dims == 2 and time.perf_counter() - last_draw > 2.0:
            draws += 1
            preview.plotly_chart(ae.figures.latent_map(fit.coords, labels_, names, height=520,
                                                       axes=embedder.axes(2)),
                                 key=f"latent.preview.{draws}", config={"displayModeBar": False})
            last_draw = time.perf_counter()
    with shown_errors():
        m = fit.wait()
    slot.empty()
    return m


def draw_map(lmap, labels_, names, hover, axes, dims, overlays, thumbs_images) -> tuple[list[int], bool]:
    """The map (2-D, or a 3-D cloud with a linked 2-D view to select in); returns the selected rows, and
    whether the chart should be drawn afresh (a click after a box selection: see stale_box)."""
    mosaic = ae.figures.thumbnail_mosaic(lmap.coords, thumbs_images, labels_) if thumbs_images is not None else None
    selected: list[int] = []

    def chosen(event) -> list[int]:
        return [int(p["customdata"]) for p in event.selection.points if isinstance(p.get("customdata"), int)]

    if dims == 2:
        fig = ae.figures.latent_map(lmap.coords, labels_, names, hover=hover, axes=axes, thumbnails=mosaic,
                                    overlays=overlays)
        event = st.plotly_chart(fig, key=f"latent.map.{ss.get('latent.clears', 0)}", on_select="rerun",
                                selection_mode=("points", "box", "lasso"),
                                config={"scrollZoom": True, "displaylogo": False})
        st.caption(t("latent.select_hint"))
        return chosen(event), stale_box(event)
    # Plotly has no box or lasso in 3-D: a linked 2-D view of the same map selects, the cloud shows it
    left, right = st.columns([3, 2])
    linked = ae.figures.latent_map(lmap.coords[:, :2], labels_, names, hover=hover, axes=axes[:2], height=520)
    linked.update_layout(showlegend=False)
    with right:
        event = st.plotly_chart(linked, key=f"latent.linked.{ss.get('latent.clears', 0)}", on_select="rerun",
                                selection_mode=("points", "box", "lasso"), config={"displaylogo": False})
        selected = chosen(event)
        stale = stale_box(event)
        st.caption(t("latent.linked_hint"))
    with left:
        cloud = ae.figures.latent_map(lmap.coords, labels_, names, hover=hover, axes=axes, overlays=overlays,
                                      highlight=np.array(selected, int) if selected else None, height=560,
                                      highlight_name=t("latent.selected_name"))
        st.plotly_chart(cloud, key="latent.cloud", config={"displaylogo": False})
    return selected, stale


def stale_box(event) -> bool:
    """A click after a box or lasso selection: Plotly keeps the old box drawn on the map, so the chart is
    to be drawn afresh (under a new key), the clicked point staying in focus."""
    shapes = bool(event.selection.get("box") or event.selection.get("lasso"))
    stale = bool(ss.get("latent.had_box")) and not shapes and len(event.selection.points) == 1
    ss["latent.had_box"] = shapes
    return stale


# ---------------------------------------------------------------- new points

def new_points(active, lmap, map_key, codes, labels_, names, dataset) -> list[dict]:
    """An upload and a test image under rising noise, placed on the map without refitting it."""
    overlays = []
    st.caption(t(f"latent.placement.{lmap.placement}"))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('latent.upload_heading')}**")
        spec = ae.data.spec(dataset)
        got = uploaded_image("latent.upload", spec.prep_box, spec.prep_centre, "latent.upload_help")
        if got is not None:
            x_up = got[0][None]
            z_up, err_up = ae.infer.codes_and_errors(active.model, x_up)
            where = placed((map_key, "upload", ss["latent.upload"].file_id), lmap, z_up)
            show_rows([torch.cat([x_up, ae.infer.reconstruct(active.model, x_up)])],
                      [t("latent.prepared"), t("word.reconstruction")], scale=4)
            near, _ = ae.neighbours.nearest(codes, z_up[0], S["k"])
            st.caption(t("latent.upload_near", err=float(err_up[0]), classes=", ".join(names[c] for c in labels_[near][:5])))
            overlays.append({"name": t("latent.upload_point"), "coords": where, "color": UPLOAD_COLOUR,
                             "symbol3d": "cross",
                             "text": [t("latent.upload_point") + f" · {t('latent.hover_error')} {float(err_up[0]):.4f}"]})
    with right:
        st.markdown(f"**{t('latent.traj_heading')}**")
        kinds = list(ae.NOISES)
        a, b = st.columns(2)
        kind = a.selectbox(t("latent.noise"), kinds, format_func=labels("noise", kinds), **S.widget("noise"))
        if S["traj_index"] >= len(active.split):
            S.set("traj_index", len(active.split) - 1)
        index = int(b.number_input(t("latent.traj_index"), 0, len(active.split) - 1, help=t("latent.traj_index_help"),
                                   **S.widget("traj_index")))
        if st.toggle(t("latent.traj_on"), **S.widget("traj_on")):
            levels, noisy, z_path, err_path = ae.embed.noise_path(active.model, active.split.images[index], kind)
            path = placed((map_key, "trajectory", index, kind), lmap, z_path)
            shown = [level_text(lv) for lv in levels]
            show_rows([noisy], shown, scale=2)
            label = names[int(active.split.labels[index])]
            st.caption(t("latent.traj_caption", index=index, label=label, kind=t(f"noise.{kind}")))
            # labels at the two ends only: in between they overlapped; every level is in the hover text
            ends = [s if i in (0, len(shown) - 1) else "" for i, s in enumerate(shown)]
            overlays.append({"name": t("latent.traj_point", index=index), "coords": path, "mode": "lines+markers",
                             "color": PATH_COLOUR, "symbol": "circle", "size": 10, "labels": ends,
                             "text": [f"{t('latent.level')} {s} · {t('latent.hover_error')} {e:.4f}"
                                      for s, e in zip(shown, err_path)]})
    return overlays


# ---------------------------------------------------------------- what a selection shows

def neighbour_row(images: torch.Tensor, hits: np.ndarray) -> np.ndarray:
    """Neighbour images as RGB with a frame: green for the query's class, red for another."""
    rgb = np.repeat(ae.viz.to_uint8(images)[..., None], 3, axis=-1)
    framed = np.empty((len(rgb), 32, 32, 3), np.uint8)
    for j, hit in enumerate(hits):
        framed[j] = (40, 170, 90) if hit else (215, 60, 60)
        framed[j, 2:30, 2:30] = rgb[j]
    return framed


def set_focus_from_input():
    value = ss.get("latent.index")
    if value is not None:
        ss["latent.focus"] = (S["split"], int(value))
        ss["latent.selection"] = []


def selection_tab(active, data, split, idx, codes, errors, labels_, names) -> None:
    chosen = [i for i in ss.get("latent.selection", []) if i < len(data)]
    focus = ss.get("latent.focus")
    if focus and focus[0] != split:
        focus = None
    a, b = st.columns([1, 3], vertical_alignment="bottom")
    a.number_input(t("latent.index"), 0, len(data) - 1, value=None, key="latent.index", on_change=set_focus_from_input,
                   help=t("latent.index_help"), placeholder=t("latent.index_placeholder"))
    k = b.slider(t("latent.k"), 3, 16, **S.widget("k", bounds=(3, 16)))
    row_of = {int(i): r for r, i in enumerate(idx.tolist())}
    if chosen:
        st.subheader(t("latent.selection_heading", n=len(chosen)))
        counts = pd.Series([names[int(data.labels[i])] for i in chosen]).value_counts()
        st.caption(t("latent.selection_classes", classes=", ".join(f"{c} {v}" for c, v in counts.items())))
        shown = torch.as_tensor(chosen[:SELECTION_SHOWN])
        originals = data.images[shown]
        recon = ae.infer.reconstruct(active.model, originals)
        rows = []
        for s in range(0, len(shown), 16):
            rows += [originals[s:s + 16], recon[s:s + 16]]
        show_rows(rows, scale=2)
        sel_err = [errors[row_of[i]] for i in chosen if i in row_of]
        st.caption(t("latent.selection_error", err=float(np.mean(sel_err)) if sel_err else float("nan"),
                     shown=min(len(chosen), SELECTION_SHOWN)))
    elif focus:
        one_point(active, data, split, int(focus[1]), idx, codes, errors, labels_, names, k, row_of)
    else:
        st.info(t("latent.nothing_selected"))


def one_point(active, data, split, i, idx, codes, errors, labels_, names, k, row_of) -> None:
    x = data.images[i:i + 1]
    if i in row_of:
        z, err = codes[row_of[i]], float(errors[row_of[i]])
    else:
        z_, e_ = ae.infer.codes_and_errors(active.model, x)
        z, err = z_[0], float(e_[0])
    recon = ae.infer.reconstruct(active.model, x)
    label = int(data.labels[i])
    st.subheader(t("latent.point_heading", index=i, label=names[label]))
    pics, facts = st.columns([2, 3], gap="large")
    with pics:
        rgb = lambda im: np.repeat(ae.viz.to_uint8(im)[..., None], 3, axis=-1)   # noqa: E731
        show_rows([np.concatenate([rgb(x), rgb(recon), ae.viz.heatmap(recon - x, vmax=0.5)])], scale=5)
        st.caption(t("latent.point_pictures"))
        st.caption(t("latent.point_error", err=err))
    found = ae.neighbours.search_both(codes, pixels_of(active.dataset, split, len(idx)), labels_, z,
                                      ae.neighbours.flat(x)[0], label, k, exclude=row_of.get(i))
    p_z, p_x = found.precision_code, found.precision_pixels
    with facts:
        m1, m2 = st.columns(2)
        m1.metric(t("latent.precision_latent", k=k), f"{p_z:.2f}",
                  f"{p_z - p_x:+.2f}" if abs(p_z - p_x) > 1e-9 else None, help=t("latent.precision_help"))
        m2.metric(t("latent.precision_pixels", k=k), f"{p_x:.2f}")
        st.markdown(t("latent.neighbours_text"))
    to_split = torch.as_tensor(idx)
    show_rows([neighbour_row(data.images[to_split[torch.as_tensor(found.by_code)]], labels_[found.by_code] == label),
               neighbour_row(data.images[to_split[torch.as_tensor(found.by_pixels)]], labels_[found.by_pixels] == label)],
              [t("latent.row.latent", p=p_z), t("latent.row.pixels", p=p_x)], scale=3)
    st.caption(t("latent.frames"))


def quality_tab(active, lmap, map_key, split, idx, codes, labels_, names) -> None:
    latent_dim = active.record.config.latent_dim
    st.markdown(t("latent.quality_intro", d=latent_dim))
    done = ss.setdefault("latent.quality", {})
    if st.button(t("latent.quality_run"), key="latent.quality_go", icon=":material/analytics:"):
        with st.spinner(t("latent.quality_running")):
            done[map_key] = quality_of(map_key, codes, pixels_of(active.dataset, split, len(idx)), labels_, lmap.coords)
    q = done.get(map_key)
    if not q:
        return
    d_map = lmap.coords.shape[1]
    rows = [("latent.q.knn", latent_dim, q["knn"]["codes"], q["knn"]["pca"]),
            ("latent.q.map_knn", d_map, q["map_knn"]["map"], q["map_knn"]["pca"]),
            ("latent.q.trust", d_map, q["trust"]["map"], q["trust"]["pca"])]
    table = pd.DataFrame([{t("latent.q.figure"): t(key, d=d), t("latent.q.ours"): ours, t("latent.q.pca"): pca}
                          for key, d, ours, pca in rows])
    table[t("latent.q.diff")] = table[t("latent.q.ours")] - table[t("latent.q.pca")]
    number = st.column_config.NumberColumn(format="%.3f")
    st.dataframe(table, hide_index=True, width="stretch", column_config={c: number for c in table.columns[1:]})
    gain = q["knn"]["codes"] - q["knn"]["pca"]
    st.markdown(t("latent.q.verdict_better" if gain > 0.005 else "latent.q.verdict_worse" if gain < -0.005
                  else "latent.q.verdict_same", gain=abs(gain) * 100, d=latent_dim))
    per_class = pd.DataFrame({t("latent.q.class"): [names[c] for c in q["precision"]["codes"]],
                              t("latent.q.p_codes", k=q["k"]): list(q["precision"]["codes"].values()),
                              t("latent.q.p_pixels", k=q["k"]): list(q["precision"]["pixels"].values())})
    st.markdown(f"**{t('latent.q.by_class', k=q['k'])}**")
    st.dataframe(per_class, hide_index=True, width="stretch", column_config={c: number for c in per_class.columns[1:]})
    st.caption(t("latent.q.caption", n=f"{q['points']:,}", k=ae.neighbours.KNN_K, tk=ae.neighbours.TRUST_K,
                 s=fmt_s(q["seconds"])))


def export_tab(active, lmap, fig_html, split, method, dims, idx, errors, labels_, names) -> None:
    def csv_bytes() -> bytes:
        frame = pd.DataFrame({"index": idx, "label": labels_, "class": [names[c] for c in labels_],
                              "recon_error": errors, **{a: lmap.coords[:, j] for j, a in enumerate("xyz"[:dims])}})
        return frame.to_csv(index=False).encode()

    stem = f"{active.record.name}_{split}_{method}_{dims}d_{len(idx)}"
    a, b = st.columns(2)
    a.download_button(t("latent.csv"), csv_bytes, file_name=f"{stem}.csv", mime="text/csv",
                      on_click="ignore", icon=":material/table:", key="latent.csv")
    b.download_button(t("latent.html"), fig_html, file_name=f"{stem}.html", mime="text/html",
                      on_click="ignore", icon=":material/download:", key="latent.html")
    st.caption(t("latent.export_caption"))
    st.caption(json.dumps({"method": method, "dims": dims, "settings": lmap.settings, "points": len(idx)},
                          ensure_ascii=False))


# ---------------------------------------------------------------- the selected point in the address

def point_from_address(split: str, size: int) -> None:
    """A shared link's selected point (?point=<index in the split>), taken once per session."""
    if ss.get("latent.point_read"):
        return
    ss["latent.point_read"] = True
    text = st.query_params.get("point", "")
    if text.isdigit() and int(text) < size:
        ss["latent.focus"] = (split, int(text))
        ss["latent.selection"] = []


def point_to_address(split: str) -> None:
    """The point shown in detail (its index in the split) rides in the address; none when several are."""
    focus = ss.get("latent.focus")
    shown = focus is not None and focus[0] == split and not ss.get("latent.selection")
    set_address("point", str(focus[1]) if shown else None)


# ---------------------------------------------------------------- the page

def page() -> None:
    st.title(t("latent.heading"))
    st.markdown(t("latent.intro"))
    active = active_model()
    dataset, weights = active.dataset, active.record.weights_sha256
    split, data, method, dims, n_points, settings = controls(active.record.config.latent_dim, dataset)
    with shown_errors():
        idx, codes, errors = points_of(active.path, weights, dataset, data_version(dataset), split, n_points)
    labels_, names = data.labels.numpy()[idx], class_names(dataset)
    key_parts = key_parts_of(weights, dataset, split, len(idx))
    point_from_address(split, len(data))
    map_key = ae.embed.map_key(key_parts, method, dims, settings)
    map_area = st.container()
    with map_area:
        # drawn on every run, empty or not, so that the elements after it keep their places
        lmap = fit_map(codes, labels_, names, method, dims, settings, key_parts, st.empty())

    tabs = st.tabs([t("latent.tab.selection"), t("latent.tab.new"), t("latent.tab.quality")]
                   + ([] if lesson() else [t("latent.tab.export")]))   # a lesson link: no export
    with tabs[1]:
        overlays = new_points(active, lmap, map_key, codes, labels_, names, dataset)
    err_word = t("latent.hover_error")
    hover = [f"#{i} · {names[c]} · {err_word} {e:.4f}" for i, c, e in zip(idx.tolist(), labels_.tolist(), errors.tolist())]
    axes = EMBEDDERS[method].axes(dims)
    with map_area:
        top = st.columns([3, 1], vertical_alignment="bottom")
        thumbs = top[1].toggle(t("latent.thumbs"), disabled=dims != 2, help=t("latent.thumbs_help"),
                               **S.widget("thumbs"))
        source = t("latent.cached") if lmap.cached else t("latent.fitted", s=fmt_s(lmap.seconds))
        top[0].caption(t("latent.map_caption", n=f"{len(idx):,}", split=t(f"latent.split.{split}"),
                         method=t(f"latent.method.{method}"), dims=dims, source=source))
        images = (data.images[idx] if len(idx) < len(data) else data.images) if thumbs and dims == 2 else None
        selected, stale = draw_map(lmap, labels_, names, hover, axes, dims, overlays, images)
    # a new selection decides what is shown: one point -> its details, several -> their grid
    if (map_key, tuple(selected)) != ss.get("latent.last_selection"):
        ss["latent.last_selection"] = (map_key, tuple(selected))
        if len(selected) == 1:
            ss["latent.focus"] = (split, int(idx[selected[0]]))
        ss["latent.selection"] = [int(idx[r]) for r in selected] if len(selected) > 1 else []
    if stale:
        ss["latent.clears"] = ss.get("latent.clears", 0) + 1
        st.rerun()
    with tabs[0]:
        selection_tab(active, data, split, idx, codes, errors, labels_, names)
    point_to_address(split)
    with tabs[2]:
        quality_tab(active, lmap, map_key, split, idx, codes, labels_, names)
    if lesson():
        return
    with tabs[3]:
        html = lambda: ae.figures.latent_map(lmap.coords, labels_, names, hover=hover, axes=axes,  # noqa: E731
                                             overlays=overlays).to_html(include_plotlyjs=True, full_html=True).encode()
        export_tab(active, lmap, html, split, method, dims, idx, errors, labels_, names)


page()
