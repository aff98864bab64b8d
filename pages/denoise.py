"""Denoising lab: damage test, uploaded or drawn images, restore them with a plain and a denoising
autoencoder and with classical filters, and measure all of them on the same damage.

The noise controls and everything they change live in one fragment, so moving a slider reruns only
that part of the page.
"""
import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import ae
import ae.denoise
import ae.prepare
from ae.baselines import BASELINES
from ae.noise import LEVEL_RANGE, NOISES
from pages._common import active_info, active_model, checkpoints, load_checkpoint, load_split, show_rows, shown_errors, t, use_router

use_router()   # before anything is drawn: see pages/_common.py

ss = st.session_state
BLOCK_SIZE, BLOCK_COUNT = (2, 14), (0, 10)            # slider ranges
# The page's settings live in plain session_state keys; each widget has a key of its own ("denoise.w.*")
# and copies its value over when it changes. Widget keys are dropped when a widget is not drawn in a
# run (another noise kind's slider, the lab while an upload is awaited, a visit to another page);
# the plain keys stay, and give the widget its value when it is drawn again.
DEFAULTS = {"denoise.source": "batch", "denoise.n": 12, "denoise.index": 0, "denoise.kind": "gaussian",
            "denoise.level.gaussian": 0.3, "denoise.level.salt_and_pepper": 0.2, "denoise.level.mask": 0.5,
            "denoise.block.size": 8, "denoise.block.count": 3, "denoise.metric": "psnr"}
CURVE_IMAGES = 128                                     # fixed test images behind the PSNR curve
PREP = {"mnist": (20, "mass")}                         # MNIST's recipe; other datasets fill 28x28 (Fashion-MNIST's)
SOURCES = ["batch", "index", "upload", "draw"]
PICKERS = ("denoise.plain", "denoise.denoiser")


def _copy(key: str) -> None:
    ss[key] = ss[bound(key)["key"]]


def bound(key: str) -> dict:
    """A widget's key and callback that keep the plain setting `key` up to date."""
    widget = key.replace("denoise.", "denoise.w.", 1)
    if key in PICKERS:   # the page changes these too: then they get a new key, so the browser's old choice goes
        widget += f".{ss.get('denoise.picks', 0)}"
    return {"key": widget, "on_change": _copy, "args": (key,)}


def rgb(images) -> np.ndarray:
    """A batch (N, 1, 28, 28) or an RGB heatmap (N, 28, 28, 3) as RGB uint8, to mix in one grid row."""
    if isinstance(images, np.ndarray):
        return images
    return np.repeat(ae.viz.to_uint8(images)[..., None], 3, axis=-1)


def stamp(path: str | None) -> tuple[str, float] | None:
    """A cache key for a checkpoint that changes when it is saved again."""
    if path is None:
        return None
    cfg = Path(path) / "config.json"
    return path, cfg.stat().st_mtime if cfg.exists() else 0.0


def noise_names(kinds) -> str:
    return ", ".join(t(f"denoise.noise.{k}") for k in kinds)


def denoiser_label(path: str, meta: dict) -> str:
    """The folder name, and the noise kinds it learned when not all of them: a specialist says so."""
    kinds = ae.denoise.trained_noises(meta)
    return Path(path).name if set(NOISES) <= set(kinds) else f"{Path(path).name} · {noise_names(kinds)}"


@st.cache_data(max_entries=32, show_spinner=False)
def prepared_upload(data: bytes, box: int, centre: str):
    return ae.prepare.from_bytes(data, box=box, centre=centre)


def curve_points(kind: str, size: int) -> tuple[list[float], str, dict]:
    """x values of the PSNR curve, what they set, and the fixed noise options."""
    if kind == "block":
        return list(range(BLOCK_COUNT[0], BLOCK_COUNT[1] + 1)), "count", {"size": size}
    return ae.denoise.levels(kind), "level", {}


@st.cache_data(max_entries=64, show_spinner=False)
def baseline_curve(dataset: str, kind: str, size: int) -> dict:
    x = curve_images(dataset)
    xs, vary, options = curve_points(kind, size)
    return ae.denoise.psnr_curve(x, kind, xs, {}, BASELINES, vary=vary, **options)


@st.cache_data(max_entries=64, show_spinner=False)
def model_curve(checkpoint: tuple[str, float], dataset: str, kind: str, size: int) -> list[float]:
    model, _ = load_checkpoint(checkpoint[0])
    xs, vary, options = curve_points(kind, size)
    return ae.denoise.psnr_curve(curve_images(dataset), kind, xs, {"m": model}, {}, vary=vary, **options)["m"]


def curve_images(dataset: str):
    split = load_split(dataset, "test")
    return split.images[:: max(1, len(split) // CURVE_IMAGES)][:CURVE_IMAGES]


# ---------------------------------------------------------------- header, models

for _key, _default in DEFAULTS.items():
    ss.setdefault(_key, _default)
st.title(t("denoise.heading"))
st.markdown(t("denoise.intro"))
with st.expander(t("denoise.why")):
    st.markdown(t("denoise.why_text"))

_, active_meta, split = active_model()
dataset = active_meta["dataset"]["name"]
metas = {str(i.path): i.meta for i in checkpoints() if i.ok and (i.meta.get("dataset") or {}).get("name") == dataset}
active = str(active_info().path)
plain_default, denoiser_default = ae.denoise.default_pair(active, metas)
plain_paths = [p for p in metas if not ae.denoise.is_denoiser(metas[p])]
denoiser_paths = [p for p in metas if ae.denoise.is_denoiser(metas[p])]
if ss.get("denoise.for") != active:        # a new active model: its partner is chosen afresh
    ss["denoise.for"] = active
    ss["denoise.plain"], ss["denoise.denoiser"] = plain_default, denoiser_default
for key, paths, default in (("denoise.plain", plain_paths, plain_default),
                            ("denoise.denoiser", denoiser_paths, denoiser_default)):
    if ss.get(key) not in paths:
        ss[key] = default
    if ss.get(bound(key)["key"], ss[key]) != ss[key]:   # the picker still shows the old choice
        ss["denoise.picks"] = ss.get("denoise.picks", 0) + 1

left, right = st.columns(2)
if plain_paths:
    left.selectbox(t("denoise.plain"), plain_paths, index=plain_paths.index(ss["denoise.plain"]),
                   help=t("denoise.plain_help"), format_func=lambda p: Path(p).name, **bound("denoise.plain"))
else:
    left.info(t("denoise.no_plain", dataset=dataset))
if denoiser_paths:
    right.selectbox(t("denoise.denoiser"), denoiser_paths, index=denoiser_paths.index(ss["denoise.denoiser"]),
                    help=t("denoise.denoiser_help"), format_func={p: denoiser_label(p, metas[p]) for p in denoiser_paths}.get,
                    **bound("denoise.denoiser"))
else:
    right.info(t("denoise.no_denoiser", dataset=dataset))
plain_path = ss.get("denoise.plain") if plain_paths else None
denoiser_path = ss.get("denoise.denoiser") if denoiser_paths else None

# ---------------------------------------------------------------- the clean images

box, centre = PREP.get(dataset, (28, "box"))
# labels as dicts, not lambdas calling t(): format functions also run outside the script (AppTest)
source = st.segmented_control(t("denoise.source"), SOURCES, default=ss["denoise.source"], required=True,
                              format_func={s: t(f"denoise.source.{s}") for s in SOURCES}.get,
                              **bound("denoise.source")) or "batch"
if source in ("batch", "index"):
    st.caption(t("denoise.dataset", dataset=dataset))
if source == "batch":
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    n = c1.slider(t("denoise.n"), 8, 16, ss["denoise.n"], **bound("denoise.n"))
    if c2.button(t("denoise.other_images"), key="denoise.other"):
        ss["denoise.batch_seed"] = ss.get("denoise.batch_seed", 0) + 1
    rng = np.random.default_rng(ss.get("denoise.batch_seed", 0))
    clean = split.images[np.sort(rng.choice(len(split), n, replace=False))]
elif source == "index":
    ss["denoise.index"] = min(int(ss["denoise.index"]), len(split) - 1)   # another dataset may be smaller
    i = st.number_input(t("denoise.index"), 0, len(split) - 1, ss["denoise.index"], **bound("denoise.index"))
    clean = split.images[int(i):int(i) + 1]
    st.caption(t("denoise.index_label", label=split.class_names[int(split.labels[int(i)])]))
else:
    if source == "upload":
        up = st.file_uploader(t("denoise.upload"), type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
                              key="denoise.upload", help=t("denoise.upload_help"))
        if up is None:
            st.info(t("denoise.upload_hint"))
            st.stop()
        try:
            x, notes = prepared_upload(up.getvalue(), box, centre)
        except ae.prepare.ImageError as e:
            st.error(f"{t('denoise.bad_image')} {t('denoise.error.' + e.code)}")
            st.stop()
        except Exception as e:   # a decoder failing in a way nobody foresaw still must not break the page
            st.error(f"{t('denoise.bad_image')} {t('denoise.error.broken')} ({type(e).__name__})")
            st.stop()
    else:
        from streamlit_drawable_canvas import st_canvas

        c1, c2 = st.columns([1, 2])
        c1.caption(t("denoise.draw_hint"))
        with c1:
            st.space("small")   # room for the canvas toolbar, which floats above the drawing
            drawing = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000",
                                height=280, width=280, drawing_mode="freedraw", return_image_data=True,
                                key="denoise.canvas")
        try:
            if drawing.image_data is None:
                raise ae.prepare.ImageError("blank", "nothing drawn yet")
            x, notes = ae.prepare.from_array(drawing.image_data, box=box, centre=centre)
        except ae.prepare.ImageError:
            st.stop()
    with st.container(horizontal=True):
        show_rows([x[None]], scale=5)
        with st.container():
            st.markdown(f"**{t('denoise.prepared')}**")
            st.caption(t("denoise.prepare_caption_mnist" if centre == "mass" else "denoise.prepare_caption_fashion"))
            for note in notes:
                st.caption("· " + t(f"denoise.note.{note}"))
    clean = x[None]


# ---------------------------------------------------------------- noise, restore, measure (one fragment)

@st.fragment
def lab(clean, plain_path, denoiser_path, dataset):
    t0 = time.perf_counter()
    kinds = list(NOISES)
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    kind = c1.segmented_control(t("denoise.noise"), kinds, default=ss["denoise.kind"], required=True,
                                format_func={k: t(f"denoise.noise.{k}") for k in kinds}.get,
                                **bound("denoise.kind")) or "gaussian"
    if c2.button(t("denoise.fresh"), key="denoise.fresh", help=t("denoise.fresh_help")):
        ss["denoise.seed"] = ss.get("denoise.seed", 0) + 1
    size = ss["denoise.block.size"]
    if kind == "block":
        a, b = st.columns(2)
        size = a.slider(t("denoise.block.size"), *BLOCK_SIZE, ss["denoise.block.size"], **bound("denoise.block.size"))
        count = b.slider(t("denoise.block.count"), *BLOCK_COUNT, ss["denoise.block.count"],
                         **bound("denoise.block.count"))
        level, options, marker = 0.0, {"size": size, "count": count}, count
    else:
        low, high = LEVEL_RANGE[kind]
        level = st.columns(2)[0].slider(t(f"denoise.level.{kind}"), low, high, ss[f"denoise.level.{kind}"], 0.05,
                                        **bound(f"denoise.level.{kind}"))
        options, marker = {}, level

    with shown_errors("error.model"):
        models = {}
        if plain_path:
            models["plain"] = load_checkpoint(plain_path)[0]
        if denoiser_path:
            models["denoiser"] = load_checkpoint(denoiser_path)[0]
        damaged = ae.denoise.damage(clean, kind, level, ss.get("denoise.seed", 0), **options)
        result = ae.denoise.compare(clean, damaged, models, BASELINES)
    if denoiser_path:
        learned = ae.denoise.trained_noises(load_checkpoint(denoiser_path)[1])
        if kind not in learned:
            st.info(t("denoise.unseen", name=Path(denoiser_path).name, kind=noise_names([kind]),
                      kinds=noise_names(learned)))

    # original | damaged | plain | denoiser | error of the better-trained one, as one picture
    which = "denoiser" if "denoiser" in models else "plain"
    rows = [clean, damaged] + [result.restored[m] for m in models]
    rows.append(ae.viz.heatmap(result.restored[which] - clean, vmax=0.5))
    captions = [t("denoise.row.original"), t("denoise.row.damaged")] + [t(f"denoise.row.{m}") for m in models]
    captions.append(t("denoise.row.error", which=t(f"denoise.row.{which}")))
    st.subheader(t("denoise.images"))
    if len(clean) == 1:   # one image: its pictures side by side, larger
        show_rows([np.concatenate([rgb(r) for r in rows])], captions, scale=5)
    else:                 # a batch: one row per kind of picture, one column per image
        show_rows(rows, captions, scale=3 if len(clean) <= 12 else 2)

    names = {b: t(f"denoise.method.{b}") for b in BASELINES}
    if plain_path:
        names["plain"] = t("denoise.method.plain", name=Path(plain_path).name)
    if denoiser_path:
        names["denoiser"] = t("denoise.method.denoiser", name=Path(denoiser_path).name)

    left, right = st.columns([6, 5], gap="medium")   # the table needs its five columns visible
    with left:
        st.markdown(f"**{t('denoise.table', n=len(clean))}**")
        base = result.mean["none"]["psnr"]
        table = pd.DataFrame([{t("denoise.col.method"): names[r["name"]], t("metric.mse"): r["mse"],
                               t("metric.psnr"): r["psnr"], t("metric.ssim"): r["ssim"],
                               t("denoise.col.gain"): r["psnr"] - base} for r in result.rows()])
        st.dataframe(table, hide_index=True, column_config={
            t("denoise.col.method"): st.column_config.TextColumn(width="medium"),   # long names wrap off, figures stay
            t("metric.mse"): st.column_config.NumberColumn(format="%.4f"),
            t("metric.psnr"): st.column_config.NumberColumn(format="%.1f"),
            t("metric.ssim"): st.column_config.NumberColumn(format="%.3f"),
            t("denoise.col.gain"): st.column_config.NumberColumn(format="%+.1f")})
        st.caption(t("denoise.table_caption"))
        with st.expander(t("denoise.per_image")):
            metric = st.segmented_control(t("denoise.metric_pick"), list(ae.denoise.METRICS), default=ss["denoise.metric"],
                                          required=True, format_func={m: t(f"metric.{m}") for m in ae.denoise.METRICS}.get,
                                          **bound("denoise.metric")) or "psnr"
            per = pd.DataFrame({names[n]: result.per_image[n][metric].numpy() for n in result.names})
            per.index = pd.RangeIndex(1, len(per) + 1, name=t("denoise.image_n"))
            st.dataframe(per, column_config={c: st.column_config.NumberColumn(format="%.3f") for c in per.columns})
    with right:
        st.markdown(f"**{t('denoise.curve')}**")
        curve = dict(baseline_curve(dataset, kind, size))
        for m, path in (("plain", plain_path), ("denoiser", denoiser_path)):
            if path:
                curve[m] = model_curve(stamp(path), dataset, kind, size)
        x_title = t("denoise.axis.count", size=size) if kind == "block" else t(f"denoise.level.{kind}")
        fig = ae.figures.psnr_curve(curve, marker, labels=names, x_title=x_title, y_title=t("metric.psnr"),
                                    marker_text=t("denoise.marker"))
        st.plotly_chart(fig, config={"displayModeBar": False}, key="denoise.curve_chart")
        st.caption(t("denoise.curve_caption", n=CURVE_IMAGES))
    st.caption(t("denoise.timing", ms=(time.perf_counter() - t0) * 1000))


lab(clean, plain_path, denoiser_path, dataset)
