"""Compression lab: what the bottleneck keeps as it narrows. The shipped sweep (dense and conv models at
z = 1..64) against z beside PCA with k = z; the same 8 images at every z; PSNR against bytes per image
beside PCA, JPEG, WebP, PNG and gzip; and a small sweep of the learner's own that joins the curves.

Everything is measured on a fixed subset of the test split (ae.env.compress_images, 500 by default),
once per dataset and sweep (cached by the sweep's weights and the dataset's version, and kept on disk).
Each section is a fragment: what the learner does in one reruns only that one.
"""
import pandas as pd
import streamlit as st

import ae
import ae.compress as C
from ae.pool import QueueFull
from pages._common import (CHECKPOINTS, Settings, catalog, class_names, data_version, dataset_title, drawn_image,
                           duration, explain, labels, lesson, load_split, show_rows, t, uploaded_image)

ss = st.session_state
SWEEP = CHECKPOINTS / "sweep"
TEST_IMAGES = ae.env.compress_images()   # the training images for PCA's basis and the 8-bit ranges: 4x, <= 5,000
KINDS = ("dense", "conv")
SOURCES = ["classes", "random", "upload", "draw"]
SHOWN = ("dense", "conv", "pca", "jpeg", "jpeg-image", "webp", "png", "gzip")   # the chart's families
CODECS = ("jpeg", "jpeg-image", "jpeg-scan", "webp", "webp-vp8")
BUDGET = 32                                                                       # the goal budget
Y_MAX = 40   # dB: the chart's top (JPEG and WebP reach 60 at top quality; hover shows the rest)
YOUR_Z = [1, 2, 4, 8, 16, 32, 64]
S = Settings("compress", {"dataset": None, "what": "psnr", "class_family": None, "source": "classes", "seed": 0,
                          "family": None, "z": 8, "bits": [32, 8], "amortise": False, "quant_family": None,
                          "your_z": [2, 8, 32]}, shared=["dataset", "family", "z"])


# ---------------------------------------------------------------- cached work, once per dataset and sweep

@st.cache_data(ttl=60, show_spinner=False)
def sweep_index(root: str) -> C.SweepIndex:
    """The sweep folder, listed at most once a minute (the checkpoint folders are listed once per run, by
    app.py; this family is not in that list)."""
    return C.sweep_index(root)


@st.cache_resource(max_entries=4, show_spinner=False)
def sweep_models(dataset: str, key: str) -> dict:
    return C.load_sweep(SWEEP, dataset)


def subsets(dataset: str, version: str):
    """The fixed test subset every method is measured on, and the training images for PCA and ranges."""
    return _subsets(dataset, version, TEST_IMAGES)


@st.cache_resource(max_entries=4, show_spinner=False)
def _subsets(dataset: str, version: str, n: int):
    return (load_split(dataset, "test").subset(n, seed=1),
            load_split(dataset, "train").subset(min(5000, 4 * n), seed=0))


@st.cache_resource(max_entries=4, show_spinner=False)
def pca_of(dataset: str, version: str, n: int):
    """One PCA (64 components) for the curves, the bytes and the pictures."""
    return C.fit_pca(subsets(dataset, version)[1].images, max(C.LATENT_DIMS))


# the measurements are kept on disk too (ae.compress.kept): a restarted server reads them
@st.cache_data(max_entries=4, show_spinner=False)
def curves_of(dataset: str, version: str, key: str, n: int) -> list:
    test, train = subsets(dataset, version)
    return C.kept(ae.embed.Cache(), {"part": "curves", "dataset": dataset, "data": version, "sweep": key, "n": n},
                  lambda: C.sweep_curves(sweep_models(dataset, key), test.images, test.labels, pca_ks=C.LATENT_DIMS,
                                         knn_points=n, pca=pca_of(dataset, version, n)))


@st.cache_data(max_entries=4, show_spinner=False)
def points_of(dataset: str, version: str, key: str, n: int) -> list:
    test, train = subsets(dataset, version)
    return C.kept(ae.embed.Cache(), {"part": "bytes", "dataset": dataset, "data": version, "sweep": key, "n": n},
                  lambda: C.rate_distortion(sweep_models(dataset, key), train.images, test.images,
                                            pca_ks=C.LATENT_DIMS, cache=ae.embed.Cache(),
                                            pca=pca_of(dataset, version, n)))


def family_label(name: str) -> str:
    return t(f"compress.family.{name}")


def method_label(name: str) -> str:
    """An autoencoder family's name, or a method's (PCA, JPEG counted some way, ...)."""
    return t(f"compress.fam.{name}") if name in C.FAMILIES else family_label(name)


# ---------------------------------------------------------------- sections

def choose_dataset() -> str | None:
    """The datasets with a shipped sweep; the sidebar model's dataset first when it has one."""
    found = [d for d in ae.data.DATASETS if sweep_index(str(SWEEP)).of(d)]
    if not found:
        return None
    record = catalog().records.get(ss.get("model", ""))
    if S["dataset"] is None and record is not None and record.dataset.name in found:
        S.set("dataset", record.dataset.name)
    return st.segmented_control(t("compress.dataset"), found, required=True, format_func=dataset_title,
                                **S.widget("dataset", options=found)) or found[0]


def notes(dataset: str, families: dict) -> None:
    missing = [t("compress.missing_item", family=family_label(k), zs=", ".join(str(z) for z in C.LATENT_DIMS
                                                                              if z not in families.get(k, {})))
               for k in KINDS if set(C.LATENT_DIMS) - set(families.get(k, {}))]
    if missing:
        st.caption(t("compress.missing", which="; ".join(missing)))


@st.fragment
def sweep_section(dataset: str, curves: list) -> None:
    st.subheader(t("compress.sweep"))
    st.markdown(t("compress.sweep_intro"))
    points = curves + ss.get("compress.yours", {}).get(dataset, [])
    names = {k: family_label(k) for k in ("dense", "conv", "yours", "pca")}
    whats = ["psnr", "mse"]
    what = st.segmented_control(t("compress.what"), whats, required=True, format_func=labels("compress.what", whats),
                                **S.widget("what", options=whats)) or "psnr"
    st.plotly_chart(ae.figures.sweep_curves(C.curves_by_family(points, what), what, names, t("compress.axis_z"),
                                            t(f"metric.{what}")), key="compress.curves")
    st.markdown(" ".join(paying(curves, k) for k in KINDS if any(p.family == k for p in curves)))
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('compress.knn')}**")
        st.plotly_chart(ae.figures.sweep_curves(C.curves_by_family([p for p in points if p.knn is not None], "knn"),
                                                "knn", names, t("compress.axis_z"), t("compress.knn_axis")),
                        key="compress.knn")
        st.caption(t("compress.knn_caption"))
    with right:
        st.markdown(f"**{t('compress.per_class')}**")
        fams = [f for f in (*KINDS, "pca") if any(p.family == f for p in curves)]
        fam = st.segmented_control(t("compress.per_class_family"), fams, required=True,
                                   format_func=family_label, **S.widget("class_family", options=fams)) or fams[0]
        zs, classes, table = C.per_class(curves, fam)
        names_of = class_names(dataset)
        st.plotly_chart(ae.figures.per_class_psnr(zs, [names_of[c] for c in classes], table, t("compress.axis_z"),
                                                  "PSNR (dB)"), key="compress.per_class_chart")
        st.caption(t("compress.per_class_caption"))


def paying(curves: list, family: str) -> str:
    """Where the family earns its keep over PCA, and where PCA catches up."""
    g = C.gain_over_pca(curves, family)
    if g["best_z"] is None:
        return ""
    best = t("compress.paying", family=family_label(family), z=g["best_z"], db=f"{g['gains'][g['best_z']]:+.1f}")
    caught = (t("compress.caught", z=g["caught_z"]) if g["caught_z"] is not None
              else t("compress.not_caught", z=max(g["gains"])))
    return f"{best} {caught}"


def eight_images(dataset: str, test):
    """8 test images: the first of 8 classes, or 8 at random; an upload or a drawing takes the first place."""
    spec = ae.data.spec(dataset)
    source = st.segmented_control(t("compress.source"), SOURCES, required=True,
                                  format_func=labels("compress.source", SOURCES),
                                  **S.widget("source", options=SOURCES)) or SOURCES[0]
    if source == "random" and st.button(t("compress.other_images"), key="compress.reshuffle",
                                        icon=":material/casino:"):
        S.set("seed", S["seed"] + 1)
    x = test.images[C.pick_images(test.labels, 8, S["seed"] if source == "random" else None)].clone()
    got = None
    if source == "upload":
        got = uploaded_image("compress.upload", spec.prep_box, spec.prep_centre, "compress.upload_help")
    elif source == "draw":
        st.caption(t("compress.draw_hint"))
        got = drawn_image(spec.prep_box, spec.prep_centre, "compress.canvas", size=196)
    if got is not None:
        x[0] = got[0]
        st.caption(t("compress.yours_first"))
    return x


@st.fragment
def first_section(dataset: str, families: dict, test, pca) -> None:
    st.subheader(t("compress.first"))
    st.markdown(t("compress.first_intro"))
    left, right = st.columns(2, gap="large")
    with left:
        x = eight_images(dataset, test)
    with right:
        fams = [*families, "pca"]
        fam = st.segmented_control(t("compress.family"), fams, required=True, format_func=family_label,
                                   **S.widget("family", options=fams)) or fams[0]
    models = {k: C.truncate(pca, k) for k in C.LATENT_DIMS} if fam == "pca" else families[fam]
    zs = sorted(models)
    z = st.select_slider(t("compress.z"), zs, **S.widget("z", options=zs))
    first = C.what_goes_first(models, x)
    recon, heat, psnr = first.at(z)
    with st.container(key="compress-at-z"):
        show_rows([x, recon, heat], [t("compress.row.original"), t("compress.row.recon", z=z),
                                     t("compress.row.error")], scale=3)
    st.caption(t("compress.at_z_caption", z=z, psnr=f"{psnr.mean():.2f}", each=", ".join(f"{v:.1f}" for v in psnr)))
    st.markdown(f"**{t('compress.every_z')}**")
    show_rows(first.rows(), [t("compress.row.originals")] + [t("compress.row.z", z=d) for d in first.latent_dims],
              scale=2)
    st.caption(t("compress.every_z_caption"))


@st.fragment
def bytes_section(dataset: str, points: list, total: int) -> None:
    st.subheader(t("compress.bytes"))
    st.markdown(t("compress.bytes_intro"))
    c1, c2 = st.columns([1, 1.4])
    bits = c1.pills(t("compress.bits_shown"), list(C.BITS), selection_mode="multi",
                    format_func=lambda b: t("compress.bits", b=b), **S.widget("bits")) or list(C.BITS)
    amortise = c2.toggle(t("compress.amortise"), help=t("compress.amortise_help", total=total),
                         **S.widget("amortise"))
    ae_fams = sorted({p.family for p in points if C.family(p.family).method == "ae"})
    shown = [p for p in points if p.family in (*SHOWN, *ae_fams) and p.extra.get("bits") in (None, *bits)]
    names = {**{k: family_label(k) for k in ae_fams}, **{k: t(f"compress.fam.{k}") for k in SHOWN if k not in KINDS},
             **{f"{b} bits": t("compress.bits", b=b) for b in C.BITS}}
    st.plotly_chart(ae.figures.rate_distortion(
        shown, names, amortised=amortise, x_title=t("compress.x_bytes_total" if amortise else "compress.x_bytes"),
        exact_text=t("compress.exact"), amortise_over=total, y_max=Y_MAX), key="compress.rd")
    verdict(points, ae_fams)
    over = {k: C.overtake_budget(points, [k], ae_fams) for k in ("jpeg", "jpeg-image", "webp")}
    say = {k: t("compress.bytes_n", b=f"{v:.0f}") if v is not None else t("compress.never") for k, v in over.items()}
    st.markdown(t("compress.overtake", file=say["jpeg"], image=say["jpeg-image"], webp=say["webp"]))
    aside = C.set_aside(points, total)
    st.caption(t("compress.aside", items="; ".join(
        t("compress.aside_item", family=family_label(k), lo=f"{d['min'] / 1e3:.0f}", hi=f"{d['max'] / 1e3:.0f}",
          plo=f"{d['min_per_image']:.1f}", phi=f"{d['max_per_image']:.1f}", n=d["images"])
        for k, d in aside.items())))
    st.markdown(f"**{t('compress.quant')}**")
    fam = st.segmented_control(t("compress.quant_family"), ae_fams, required=True, format_func=family_label,
                               **S.widget("quant_family", options=ae_fams)) or ae_fams[0]
    rows = C.quantisation_table(points, fam)
    st.dataframe(pd.DataFrame([{t("compress.col.z"): r["z"], t("compress.col.bytes", b=8): f"{r[8]['bytes']:.0f}",
                                **{t("compress.col.psnr", b=b): f"{r[b]['psnr']:.2f}" for b in C.BITS},
                                **{t("compress.col.loss", b=b): f"{round(r[b]['loss_db'], 3) + 0.0:.3f}"   # no -0.000
                                   for b in (16, 8)}}
                               for r in rows]), hide_index=True, width="stretch")
    st.caption(t("compress.quant_caption"))


def verdict(points: list, ae_fams: list) -> None:
    st.markdown(f"**{t('compress.verdict', budget=BUDGET)}**")
    row = C.margins(points, ae_fams, {"pca": ["pca"], "codecs": list(CODECS)}, [BUDGET])[0]
    best = row["best"]
    if best is None:
        return

    def helped(p):
        return t("compress.best_help", family=method_label(p["family"]), setting=p["setting"],
                 bytes=f"{p['bytes']:.1f}")
    c = st.columns(3)
    c[0].metric(t("compress.best_ae"), f"{best['psnr']:.2f} dB", help=helped(best))
    for col, group, key in ((c[1], "pca", "compress.over_pca"), (c[2], "codecs", "compress.over_codec")):
        theirs = row["over"][group]
        if theirs["best"] is None:
            cheapest = min((p for p in points if p.family in CODECS), key=lambda p: p.bytes).to_dict()
            col.metric(t(key), t("compress.no_codec"), help=t(
                "compress.no_codec_help", bytes=f"{cheapest['bytes']:.0f}", family=method_label(cheapest["family"]),
                setting=cheapest["setting"], psnr=f"{cheapest['psnr']:.2f}",
                db=f"{best['psnr'] - cheapest['psnr']:+.2f}"))
        else:
            col.metric(t(key), f"{theirs['margin_db']:+.2f} dB", help=helped(theirs["best"]))


def your_section(dataset: str, train_split) -> None:
    """Drawn as a fragment that looks again every second while the learner's sweep trains."""
    st.subheader(t("compress.yours"))
    st.markdown(t("compress.yours_intro", epochs=C.SWEEP_TRAIN.epochs, images=C.SWEEP_TRAIN.limit))
    job = ss.get("compress.job")
    busy = sweep_busy()
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    zs = c1.pills(t("compress.yours_z"), YOUR_Z, selection_mode="multi", disabled=busy, **S.widget("your_z"))
    if c2.button(t("compress.start"), key="compress.start", disabled=busy, type="primary",
                 icon=":material/play_arrow:"):
        if not zs:
            st.warning(t("compress.pick_z"))
        else:
            try:
                job = C.SweepJob(train_split.images, zs, config=C.SWEEP_TRAIN).start()
            except (QueueFull, ValueError) as e:
                st.error(explain(e))
            else:
                ss["compress.job"], ss["compress.job_data"] = job, dataset
                ss.setdefault("compress.yours", {})[dataset] = []
                st.rerun()   # the whole page: this section now looks again every second
    if c3.button(t("compress.stop"), key="compress.stop", disabled=not busy, icon=":material/stop:") and job:
        job.stop()
    if job is not None:
        progress(job)


def sweep_busy() -> bool:
    job = ss.get("compress.job")
    return job is not None and job.snapshot()["status"] in ("queued", "running")


def progress(job) -> None:
    s = job.snapshot()
    dataset = ss["compress.job_data"]   # the sweep's own dataset, whichever the page shows now
    test = subsets(dataset, data_version(dataset))[0]
    mine = ss.setdefault("compress.yours", {}).setdefault(dataset, [])
    for z, model in sorted(s["models"].items()):   # each finished model measured once, as it comes
        if z not in {p.latent_dim for p in mine}:
            mine.append(C.curve_point(model, "yours", test.images, test.labels, knn_points=TEST_IMAGES))
    p = s["progress"]
    if s["status"] == "queued":
        st.progress(0.0, text=t("compress.status.queued", pos=job.position() or 1))
    elif s["status"] == "running":
        st.progress(p.fraction if p else 0.0, text=t("compress.status.running", z=p.latent_dim if p else "…",
                                                     i=(p.index + 1) if p else 1, n=p.count if p else "…",
                                                     pct=int(100 * (p.fraction if p else 0))))
    elif s["status"] == "done":
        st.success(t("compress.status.done", zs=zs_text(s["models"]), time=duration(s["elapsed_s"])))
    elif s["status"] == "stopped":
        st.info(t("compress.status.stopped", zs=zs_text(s["models"])))
    else:
        st.error(t("compress.status.failed", error=s["error"]))
    if s["status"] not in ("queued", "running") and ss.get("compress.job_seen") is not job:
        ss["compress.job_seen"] = job
        st.rerun()   # the whole page: the sweep's curves above get the new models too
    if not mine:
        st.caption(t("compress.yours_none"))
        return
    curves = [q for q in curves_now(dataset) if q.family in ("dense", "pca")] + mine
    st.plotly_chart(ae.figures.sweep_curves(C.curves_by_family(curves, "psnr"), "psnr",
                                            {k: family_label(k) for k in ("dense", "conv", "yours", "pca")},
                                            t("compress.axis_z"), t("metric.psnr")), key="compress.your_curves")
    st.caption(t("compress.yours_caption"))


def zs_text(models: dict) -> str:
    return ", ".join(str(z) for z in sorted(models)) or "–"


def curves_now(dataset: str) -> list:
    return curves_of(dataset, data_version(dataset), sweep_index(str(SWEEP)).fingerprint(dataset), TEST_IMAGES)


# ---------------------------------------------------------------- the page

st.title(t("compress.heading"))
st.markdown(t("compress.intro"))
with st.expander(t("compress.zip")):
    st.markdown(t("compress.zip_text"))
dataset = choose_dataset()
if dataset is None:
    st.info(t("compress.no_sweep"))
    st.stop()
version, key = data_version(dataset), sweep_index(str(SWEEP)).fingerprint(dataset)
families = sweep_models(dataset, key)
test, train = subsets(dataset, version)
total = len(load_split(dataset, "test"))
notes(dataset, families)
st.caption(t("compress.measured", n=len(test), total=total, train=len(train))
           + ("" if dataset != "mnist" else " " + t("compress.mnist_note")))
with st.spinner(t("compress.computing_curves", n=len(test))):
    curves = curves_of(dataset, version, key, TEST_IMAGES)
sweep_section(dataset, curves)
first_section(dataset, families, test, pca_of(dataset, version, TEST_IMAGES))
with st.spinner(t("compress.computing_bytes", n=len(test))):
    points = points_of(dataset, version, key, TEST_IMAGES)
bytes_section(dataset, points, total)
if not lesson():   # a teacher's link leaves training to the teacher
    st.fragment(run_every=1.0 if sweep_busy() else None)(your_section)(dataset, load_split(dataset, "train"))
