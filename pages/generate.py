"""Generation lab: decode the latent space. Sliders over z, a plane to point at, a decoded grid beside
the codes on the same axes, interpolation between two images, random samples, and a plain autoencoder
beside a VAE on the same data: the holes.

Pictures that follow a slider or the pointer are decoded in the browser (pages/_decoder.py). The
training codes (disk cache, ae.embed), their summary and the holes figures are computed once per
checkpoint. Each section is a fragment: what the learner does in one reruns only that one.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
import torch

import ae
from ae import generate as G
from ae.checkpoint import CheckpointError, CheckpointInfo
from pages._common import (Settings, active_model, catalog, class_names, data_version, dataset_title, drawn_image,
                           is_user_model, labels, load_checkpoint, load_split, png, show_rows, t, uploaded_image)
from pages._decoder import Grid, Plane, Sliders, decoder, decoder_onnx

ss = st.session_state
SOURCES = ["index", "upload", "draw"]
POINTS = 3000           # codes drawn on the map and the scatter; all of them count for the empty cells
HOLES_GRID = 20         # the holes comparison's grid, as bench.holes measures it
YARDSTICK = 500         # real test images measured like the decoded pictures
# test image numbers left at None start at the first images of different classes (first_of_classes)
S = Settings("generate", {"start_source": "centre", "start_index": 0, "plane": "pcs", "pc_u": 1, "pc_v": 2,
                          "img1": None, "img2": None, "img3": None, "n": 15, "a_source": "index", "a_index": None,
                          "b_source": "index", "b_index": None, "steps": 10, "path": "linear", "seed": 0})
CLASS_OF = {"start_index": 0, "a_index": 0, "b_index": 1, "img1": 0, "img2": 1, "img3": 2}   # which class's first


def fmt(x: float) -> str:
    return f"{x:.2f}"


# ---------------------------------------------------------------- cached work, once per checkpoint
# Keyed by the weights' hash and the dataset's version (a user dataset's name may be given to other images).

def training_codes(path: str, sha: str, dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes (N, d) of the model's whole training split (kept on disk) and their classes (N,)."""
    return _training_codes(path, sha, dataset, data_version(dataset))


@st.cache_resource(max_entries=8, show_spinner=False)
def _training_codes(path: str, sha: str, dataset: str, version: str) -> tuple[np.ndarray, np.ndarray]:
    model, _ = load_checkpoint(path)
    split = load_split(dataset, "train")
    parts = {"weights": sha, "dataset": dataset, "split": "train", "n": len(split),
             **({"data": version} if version else {})}
    return ae.embed.cached_encode(model, split.images, parts), split.labels.numpy()


def stats_of(path: str, sha: str, dataset: str) -> G.CodeStats:
    return _stats_of(path, sha, dataset, data_version(dataset))


@st.cache_resource(max_entries=8, show_spinner=False)
def _stats_of(path: str, sha: str, dataset: str, version: str) -> G.CodeStats:
    return G.code_stats(training_codes(path, sha, dataset)[0], prior=G.has_prior(load_checkpoint(path)[0]))


@st.cache_resource(max_entries=4, show_spinner=False)
def classifier(dataset: str):
    if ae.userdata.is_user_key(dataset):   # classifiers are shipped for the built-in datasets only
        raise CheckpointError(f"no classifier is shipped for {dataset}")
    return ae.classify.for_dataset(dataset)


@st.cache_data(max_entries=8, show_spinner=False)
def holes_of(path: str, sha: str, dataset: str, version: str, n: int = HOLES_GRID) -> dict:
    """A model's grid over its default plane and the holes figures of its pictures."""
    stats = stats_of(path, sha, dataset)
    plane = G.default_plane(stats)
    grid = G.decoded_grid(load_checkpoint(path)[0], plane, n)
    found = G.holes(grid.images, classifier(dataset)[0], load_split(dataset, "train").images)
    coords = plane.coords(training_codes(path, sha, dataset)[0])
    return {"picture": png(grid.picture()), "u": grid.u, "v": grid.v, "counts": grid.codes_per_cell(coords),
            "empty": grid.empty_share(coords), **found.summary(), "mean": stats.mean}


@st.cache_data(max_entries=4, show_spinner=False)
def first_of_classes(dataset: str, version: str) -> list[int]:
    """The first test image of each class: images of different classes to start with."""
    return np.unique(load_split(dataset, "test").labels.numpy(), return_index=True)[1].tolist()


def image_number(active, setting: str, label: str, where=st) -> int:
    """A test image number input for `setting`, filled with its class's first image while unset."""
    n = len(active.split)
    if S[setting] is None or S[setting] >= n:   # unset, or from a larger dataset
        firsts = first_of_classes(active.dataset, data_version(active.dataset))
        S.set(setting, int(firsts[CLASS_OF[setting] % len(firsts)]) if S[setting] is None else n - 1)
    return int(where.number_input(label, 0, n - 1, **S.widget(setting)))


@st.cache_data(max_entries=4, show_spinner=False)
def real_yardstick(dataset: str, version: str) -> dict:
    """The holes figures of real test images: what "looks real" scores on real images."""
    test = load_split(dataset, "test").subset(YARDSTICK, seed=1)
    return G.holes(test.images, classifier(dataset)[0], load_split(dataset, "train").images).summary()


# ---------------------------------------------------------------- an image to start from

def picked(active, name: str, sources: list[str]):
    """An image for `name`: a test image by number, an upload or a drawing, prepared like the dataset's
    images: ((1, 28, 28) or None, what it is)."""
    spec, split = ae.data.spec(active.dataset), active.split
    source = st.segmented_control(t(f"generate.pick.{name}"), sources, required=True,
                                  format_func=labels("generate.source", sources),
                                  **S.widget(f"{name}_source")) or sources[0]
    if source == "index":
        i = image_number(active, f"{name}_index", t("generate.index"))
        return split.images[i], t("generate.test_image", i=i, label=class_names(active.dataset)[int(split.labels[i])])
    if source == "upload":
        got = uploaded_image(f"generate.{name}.upload", spec.prep_box, spec.prep_centre, "generate.upload_help")
    elif source == "draw":
        st.caption(t("generate.draw_hint"))
        got = drawn_image(spec.prep_box, spec.prep_centre, f"generate.{name}.canvas", size=224)
    else:
        return None, ""
    return (None, "") if got is None else (got[0], t(f"generate.source.{source}"))


# ---------------------------------------------------------------- sections

@st.fragment
def sliders_section(active, stats, onnx) -> None:
    st.subheader(t("generate.sliders"))
    sl = G.sliders(stats)
    left, right = st.columns([1.3, 2], gap="large")
    with left:
        x, what = picked(active, "start", ["centre", *SOURCES])
        z0 = None
        if x is not None:
            z0 = ae.infer.encode(active.model, x[None]).numpy()[0]
            show_rows([x[None]], scale=3)
            st.caption(t("generate.start_caption", what=what))
    values = sl.default if z0 is None else sl.values(z0)
    origin = sl.centre if z0 is None else sl.to_z(np.zeros(len(sl.labels)), start=z0)
    with right:
        decoder(active.model, Sliders(values, list(zip(sl.lo, sl.hi)), origin, sl.directions, sl.labels),
                key="generate.sliders_view", onnx=onnx, size=196)
        which = "principal" if sl.principal else "prior" if stats.prior else "codes"
        st.caption(t(f"generate.sliders_caption.{which}", d=stats.latent_dim, k=len(sl.labels)))


def plane_choice(active, stats) -> G.Plane | None:
    """The latent space itself for z = 2; else two principal directions or three test images."""
    d = stats.latent_dim
    if d < 2:
        st.info(t("generate.no_plane"))
        return None
    if d == 2:
        return G.latent_plane(stats)
    ways = ["pcs", "images"]
    way = st.segmented_control(t("generate.plane"), ways, required=True, format_func=labels("generate.plane", ways),
                               **S.widget("plane")) or "pcs"
    if way == "images":
        split = active.split
        picks = [image_number(active, f"img{k + 1}", t("generate.image_n", n="ABC"[k]), col)
                 for k, col in enumerate(st.columns(3))]
        x = split.images[picks]
        show_rows([x], scale=2)
        try:
            plane = G.image_plane(ae.infer.encode(active.model, x).numpy())
            st.caption(t("generate.plane_images", points=", ".join(
                f"{'ABC'[k]} ({fmt(a)}, {fmt(b)})" for k, (a, b) in enumerate(plane.marks))))
            return plane
        except ValueError:
            st.warning(t("generate.collinear"))
    k = stats.pca.n_components
    c1, c2 = st.columns(2)
    i = c1.selectbox(t("generate.pc_u"), list(range(1, k + 1)), format_func=lambda p: f"PC{p}", **S.widget("pc_u"))
    j = c2.selectbox(t("generate.pc_v"), list(range(1, k + 1)), format_func=lambda p: f"PC{p}", **S.widget("pc_v"))
    if i == j:
        j = 1 if i != 1 else 2
        st.caption(t("generate.pc_same", j=j))
    return G.principal_plane(stats, (i - 1, j - 1))


def window_text(plane: G.Plane, stats) -> str:
    (u0, u1), (v0, v1) = plane.window
    mean = plane.coords(stats.mean[None])[0]
    if plane.marks.size:
        which = "images"
    elif stats.prior:
        which = "prior"
    else:
        which = "codes" if stats.latent_dim == 2 else "pcs"
    return t(f"generate.window.{which}", u=plane.labels[0], v=plane.labels[1], u0=fmt(u0), u1=fmt(u1), v0=fmt(v0),
             v1=fmt(v1), m1=fmt(mean[0]), m2=fmt(mean[1]))


@st.fragment
def plane_sections(active, stats, onnx) -> None:
    st.subheader(t("generate.map"))
    st.markdown(t("generate.map_intro"))
    plane = plane_choice(active, stats)
    if plane is None:
        return
    codes, classes = training_codes(active.path, active.record.weights_sha256, active.dataset)
    shown = ae.embed.sample_indices(len(codes), POINTS)
    points = plane.coords(codes[shown])
    names = class_names(active.dataset)
    view = Plane(plane.origin, plane.axes[0], plane.axes[1], tuple(plane.window[0]), tuple(plane.window[1]),
                 points=points, classes=classes[shown], class_names=names)
    decoder(active.model, view, key="generate.plane_view", onnx=onnx, plane_px=420, size=196)
    st.caption(t("generate.map_caption", n=f"{len(shown):,}", total=f"{len(codes):,}") + " " + window_text(plane, stats)
               + ("" if stats.latent_dim == 2 else " " + t("generate.projected")))

    st.subheader(t("generate.grid"))
    sizes = {n: G.grid_axes(plane, n) for n in range(G.GRID_SIZES[0], G.GRID_SIZES[1] + 1)}
    left, right = st.columns(2, gap="medium")
    with left:
        got = decoder(active.model, Grid(view, *sizes[S["n"]], sizes=sizes), key="generate.grid_view", onnx=onnx,
                      grid_px=460)
    n = got.size or S["n"]
    if n != S["n"]:
        S.set("n", n)     # the size the learner chose in the grid: kept for the next visit
    u, v = sizes[n]
    counts = G.cell_counts(u, v, plane.coords(codes))
    with right:
        st.plotly_chart(ae.figures.code_grid(points, classes[shown], names, u, v, counts, axes=plane.labels,
                                             empty_name=t("generate.empty_cells"), height=560),
                        key="generate.grid_scatter", config={"displayModeBar": False})
    spacing = G.grid_spacing(plane)
    st.caption(t(f"generate.grid_caption.{spacing}", n=n, u0=fmt(u[0]), u1=fmt(u[-1]), v0=fmt(v[0]), v1=fmt(v[-1]),
                 lo=int(G.GRID_QUANTILES[0] * 100), hi=int(G.GRID_QUANTILES[1] * 100))
               + " " + t("generate.grid_empty", empty=int((counts == 0).sum()), cells=n * n,
                         share=f"{(counts == 0).mean():.0%}", total=f"{len(codes):,}"))


@st.fragment
def interpolation_section(active) -> None:
    st.subheader(t("generate.interp"))
    st.markdown(t("generate.interp_intro"))
    ends = []
    for col, name in zip(st.columns(2, gap="large"), ("a", "b")):
        with col:
            x, what = picked(active, name, SOURCES)
            if x is not None:
                show_rows([x[None]], scale=2)
                st.caption(what)
            ends.append(x)
    c1, c2 = st.columns(2, gap="large")
    steps = c1.slider(t("generate.steps"), 8, 16, **S.widget("steps"))
    paths = list(G.PATHS)
    path = c2.segmented_control(t("generate.path"), paths, required=True, format_func=labels("generate.path", paths),
                                help=t("generate.path_help"), **S.widget("path")) or paths[0]
    if any(x is None for x in ends):
        st.info(t("generate.need_two"))
        return
    result = G.interpolate(active.model, ends[0], ends[1], int(steps), path)
    show_rows([result.latent, result.pixels], [t("generate.row.latent", path=t(f"generate.path.{path}")),
                                               t("generate.row.pixels")], scale=3)
    st.caption(t("generate.interp_caption"))


@st.fragment
def sampling_section(active, stats) -> None:
    st.subheader(t("generate.sampling"))
    st.markdown(t("generate.sampling_intro"))
    if st.button(t("generate.resample"), key="generate.resample", icon=":material/casino:"):
        S.set("seed", S["seed"] + 1)
    sources = G.sample_sources(active.model)
    rows = [G.sample(active.model, stats, 16, s, torch.Generator().manual_seed(S["seed"])).images for s in sources]
    show_rows(rows, [t(G.SAMPLERS[s].label) for s in sources], scale=2)
    st.caption(t("generate.sampling_caption.vae" if stats.prior else "generate.sampling_caption.ae"))


# ---------------------------------------------------------------- AE vs VAE: the holes

def holes_pair(dataset: str, active=None) -> dict[str, str] | None:
    """{"plain": path, "vae": path}: the shipped pair with a 2-D code for the dataset (or any pair), with
    the active model in its place when it has a 2-D code itself."""
    records = catalog().of_dataset(dataset)
    infos = [CheckpointInfo(r.name, Path(p), r, None) for p, r in records.items()]
    pair = G.holes_pair([i for i in infos if not is_user_model(i.path)], dataset) or G.holes_pair(infos, dataset)
    if pair is None:
        return None
    found = {"plain": str(pair[0].path), "vae": str(pair[1].path)}
    if active is not None and active.record.config.latent_dim == 2 and G.can_decode(active.model):
        found["vae" if G.has_prior(active.model) else "plain"] = active.path
    return found


@st.fragment
def holes_section(dataset: str, active=None) -> None:
    st.subheader(t("generate.holes"))
    st.markdown(t("generate.holes_intro"))
    pair = holes_pair(dataset, active)
    if pair is None:
        st.info(t("generate.no_pair", dataset=dataset_title(dataset)))
        return
    try:
        _, clf_meta = classifier(dataset)
    except CheckpointError:
        st.info(t("generate.no_classifier", dataset=dataset_title(dataset)))
        return
    records = catalog().records
    with st.spinner(t("generate.holes_running")):
        version = data_version(dataset)
        found = {role: holes_of(path, records[path].weights_sha256, dataset, version) for role, path in pair.items()}
        real = real_yardstick(dataset, version)
    codes = {role: training_codes(path, records[path].weights_sha256, dataset) for role, path in pair.items()}
    names = class_names(dataset)
    for col, role in zip(st.columns(2, gap="large"), ("vae", "plain")):
        f, (z, classes) = found[role], codes[role]
        shown = ae.embed.sample_indices(len(z), POINTS)
        with col:
            st.markdown(f"**{t(f'generate.role.{role}')}** · `{records[pair[role]].name}`")
            st.metric(t("generate.empty_metric"), f"{f['empty']:.1%}", help=t("generate.empty_help", n=HOLES_GRID))
            st.image(f["picture"], width="stretch", output_format="PNG")
            st.caption(t(f"generate.holes_window.{role}", u0=fmt(f["u"][0]), u1=fmt(f["u"][-1]), v0=fmt(f["v"][0]),
                         v1=fmt(f["v"][-1]), m1=fmt(f["mean"][0]), m2=fmt(f["mean"][1])))
            st.plotly_chart(ae.figures.code_grid(z[shown], classes[shown], names, f["u"], f["v"], f["counts"],
                                                 empty_name=t("generate.empty_cells"), height=540),
                            key=f"generate.holes_scatter.{role}", config={"displayModeBar": False})
    # (figure, its key, its format, +1 where higher is better); real images have no grid cells
    figures = [("empty", "empty", "{:.1%}", -1), ("recognised", "recognised_share", "{:.1%}", 1),
               ("distance", "mean_distance", "{:.2f}", -1)]
    st.dataframe(pd.DataFrame([{t("generate.col.figure"): t(f"generate.fig.{name}"),
                                **{t(f"generate.col.{r}"): form.format(found[r][key]) for r in ("vae", "plain")},
                                t("generate.col.real"): form.format(real[key]) if key in real else "—"}
                               for name, key, form, _ in figures]), hide_index=True, width="stretch")
    better = {name: "vae" if sign * (found["vae"][key] - found["plain"][key]) > 0 else "plain"
              for name, key, _, sign in figures}
    st.markdown(" ".join(t(f"generate.verdict.{name}", who=t(f"generate.who.{who}")) for name, who in better.items()))
    st.markdown(t("generate.holes_reading"))
    test = clf_meta["metrics"]["test"]
    st.caption(t("generate.holes_caption", n=HOLES_GRID, acc=f"{test['accuracy']:.1%}", tests=f"{test['images']:,}",
                 confident=f"{test['confident_share']:.1%}", real=YARDSTICK, threshold=G.CONFIDENT))


# ---------------------------------------------------------------- a model that cannot decode z alone

def cannot_decode(active) -> None:
    kind = active.record.config.kind
    st.info(t("generate.cannot", kind=t(f"kind.{kind}"), kinds=", ".join(t(f"kind.{k}") for k in G.decoding_kinds())),
            icon=":material/alt_route:")
    records = catalog().records
    able = sorted((p for p, r in records.items() if G.can_decode(r.config.kind)),
                  key=lambda p: (records[p].dataset.name != active.dataset, records[p].config.latent_dim != 2,
                                 records[p].name))[:3]
    if able:
        st.markdown(t("generate.switch"))
        for col, path in zip(st.columns(3), able):
            col.button(records[path].name, key=f"generate.use.{records[path].name}", icon=":material/swap_horiz:",
                       on_click=use_model, args=(path,))


def use_model(path: str) -> None:
    ss["model.pending"] = path   # the sidebar makes it the active model on the next run


# ---------------------------------------------------------------- the page

st.title(t("generate.heading"))
st.markdown(t("generate.intro"))
with st.expander(t("generate.why")):
    st.markdown(t("generate.why_text"))
active = active_model()
if not G.can_decode(active.model):
    cannot_decode(active)
    holes_section(active.dataset)
    st.stop()
with st.spinner(t("generate.encoding")):
    stats = stats_of(active.path, active.record.weights_sha256, active.dataset)
    onnx = decoder_onnx(active.model)
if ss.get("generate.for") != active.path:   # another model: its own default path
    ss["generate.for"] = active.path
    S.set("path", G.default_path(active.model))
if ss.setdefault("generate.for_data", active.dataset) != active.dataset:   # another dataset: its own images
    ss["generate.for_data"] = active.dataset
    for setting in ("a_index", "b_index", "img1", "img2", "img3"):
        S.set(setting, None)
sliders_section(active, stats, onnx)
plane_sections(active, stats, onnx)
interpolation_section(active)
sampling_section(active, stats)
holes_section(active.dataset, active)
