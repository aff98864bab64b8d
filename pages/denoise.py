"""Denoising lab: damage test, uploaded or drawn images, restore them with a plain and a denoising
autoencoder and with classical filters, and measure all of them on the same damage.

Every noise kind's controls come from its record in ae.noise.NOISES. The noise controls and everything
they change live in one fragment, so moving a slider reruns only that part of the page.
"""
import time

import numpy as np
import pandas as pd
import streamlit as st

import ae
from ae.baselines import BASELINES
from pages._common import (Settings, active_model, catalog, class_names, data_version, dataset_title, drawn_image,
                           labels, lesson, load_checkpoint, load_split, noise_names, show_rows, shown_errors, t,
                           uploaded_image)

ss = st.session_state
CURVE_IMAGES = 128                                     # fixed test images behind the PSNR curve
SOURCES = ["batch", "index", "upload", "draw"]


def settings() -> Settings:
    """The page's settings; every noise kind's level and options from its record, so a kind registered
    at run time gets its controls too. All but the two models ride in the address (a shared link)."""
    defaults = {"source": "batch", "n": 12, "index": 0, "kind": "gaussian", "metric": "psnr",
                "plain": None, "denoiser": None}
    for kind, record in ae.NOISES.items():
        defaults[f"level.{kind}"] = record.level.default
        defaults.update({f"{kind}.{name}": s.default for name, s in record.options.items()})
    return Settings("denoise", defaults, shared=[n for n in defaults if n not in ("plain", "denoiser")])


S = settings()


def rgb(images) -> np.ndarray:
    """A batch (N, 1, 28, 28) or an RGB heatmap (N, 28, 28, 3) as RGB uint8, to mix in one grid row."""
    return images if isinstance(images, np.ndarray) else np.repeat(ae.viz.to_uint8(images)[..., None], 3, axis=-1)


def denoiser_label(path: str) -> str:
    """The folder name, and the noise kinds it learned when not all of them: a specialist says so."""
    record = catalog().records[path]
    learned = record.noises
    return record.name if set(ae.NOISES) <= set(learned) else f"{record.name} · {noise_names(learned)}"


@st.cache_data(max_entries=64, show_spinner=False)
def baseline_curve(dataset: str, version: str, kind: str, options: tuple) -> dict:
    record = ae.NOISES[kind]
    return ae.denoise.psnr_curve(curve_images(dataset), kind, record.curve_points(), {}, BASELINES,
                                 vary=record.curve, **dict(options))


@st.cache_data(max_entries=64, show_spinner=False)
def model_curve(path: str, sha: str, dataset: str, version: str, kind: str, options: tuple) -> list[float]:
    record = ae.NOISES[kind]
    return ae.denoise.psnr_curve(curve_images(dataset), kind, record.curve_points(), {"m": load_checkpoint(path)[0]},
                                 {}, vary=record.curve, **dict(options))["m"]


def curve_images(dataset: str):
    split = load_split(dataset, "test")
    return split.images[:: max(1, len(split) // CURVE_IMAGES)][:CURVE_IMAGES]


# ---------------------------------------------------------------- models

def pickers(active) -> tuple[str | None, str | None]:
    """The plain and the denoising autoencoder of the active model's dataset; a new active model picks
    its partner afresh (the strongest denoiser, or the closest plain model)."""
    records = catalog().of_dataset(active.dataset)
    plain_paths = [p for p, r in records.items() if not r.is_denoiser]
    denoiser_paths = [p for p, r in records.items() if r.is_denoiser]
    plain_default, denoiser_default = ae.denoise.default_pair(active.path, records)
    if ss.get("denoise.for") != active.path:
        ss["denoise.for"] = active.path
        S.set("plain", plain_default)
        S.set("denoiser", denoiser_default)
    for name, paths, default in (("plain", plain_paths, plain_default), ("denoiser", denoiser_paths, denoiser_default)):
        if S[name] not in paths:
            S.set(name, default)
    left, right = st.columns(2)
    if plain_paths:
        left.selectbox(t("denoise.plain"), plain_paths, help=t("denoise.plain_help"),
                       format_func={p: records[p].name for p in plain_paths}.get, **S.widget("plain"))
    else:
        left.info(t("denoise.no_plain", dataset=dataset_title(active.dataset)))
    if denoiser_paths:
        right.selectbox(t("denoise.denoiser"), denoiser_paths, help=t("denoise.denoiser_help"),
                        format_func={p: denoiser_label(p) for p in denoiser_paths}.get, **S.widget("denoiser"))
    else:
        right.info(t("denoise.no_denoiser", dataset=dataset_title(active.dataset)))
    return (S["plain"] if plain_paths else None), (S["denoiser"] if denoiser_paths else None)


# ---------------------------------------------------------------- the clean images

def clean_images(active):
    """The images to damage: random test images, one by number, an upload or a drawing."""
    spec, split = ae.data.spec(active.dataset), active.split
    source = st.segmented_control(t("denoise.source"), SOURCES, required=True,
                                  format_func=labels("denoise.source", SOURCES),
                                  **S.widget("source", options=SOURCES)) or "batch"
    if source in ("batch", "index"):
        st.caption(t("denoise.dataset", dataset=dataset_title(active.dataset)))
    if source == "batch":
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        n = c1.slider(t("denoise.n"), 8, 16, **S.widget("n", bounds=(8, 16)))
        if c2.button(t("denoise.other_images"), key="denoise.other"):
            ss["denoise.batch_seed"] = ss.get("denoise.batch_seed", 0) + 1
        rng = np.random.default_rng(ss.get("denoise.batch_seed", 0))
        return split.images[np.sort(rng.choice(len(split), min(n, len(split)), replace=False))]   # a small user dataset
    if source == "index":
        i = int(st.number_input(t("denoise.index"), 0, len(split) - 1,   # another dataset may be smaller
                                **S.widget("index", bounds=(0, len(split) - 1))))
        st.caption(t("denoise.index_label", label=class_names(active.dataset)[int(split.labels[i])]))
        return split.images[i:i + 1]
    if source == "upload":
        got = uploaded_image("denoise.upload", spec.prep_box, spec.prep_centre, "denoise.upload_help")
        if got is None:
            if ss.get("denoise.upload") is None:
                st.info(t("denoise.upload_hint"))
            st.stop()
    else:
        got = drawing(spec)
    x, notes = got
    if source == "draw" and spec.prep_centre != "mass":   # a drawn digit comes back as a shirt
        st.info(t("denoise.drawn_digit", dataset=dataset_title(active.dataset)), icon=":material/lightbulb:")
    with st.container(horizontal=True):
        show_rows([x[None]], scale=5)
        with st.container():
            st.markdown(f"**{t('denoise.prepared')}**")
            st.caption(t("denoise.prepare_caption_mnist" if spec.prep_centre == "mass" else "denoise.prepare_caption_fashion"))
            for note in notes:
                st.caption("· " + t(f"image.note.{note}"))
    return x[None]


def drawing(spec):
    c1, _ = st.columns([1, 2])
    c1.caption(t("denoise.draw_hint"))
    with c1:
        got = drawn_image(spec.prep_box, spec.prep_centre, "denoise.canvas")
    if got is None:
        st.stop()
    return got


# ---------------------------------------------------------------- noise, restore, measure (one fragment)

def noise_controls() -> tuple[str, float, dict, float]:
    """The kind and its sliders, built from its record: (kind, level, options, where the curve's marker goes)."""
    kinds = list(ae.NOISES)
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    kind = c1.segmented_control(t("denoise.noise"), kinds, required=True, format_func=labels("noise", kinds),
                                **S.widget("kind", options=kinds)) or kinds[0]
    if c2.button(t("denoise.fresh"), key="denoise.fresh", help=t("denoise.fresh_help")):
        ss["denoise.seed"] = ss.get("denoise.seed", 0) + 1
    record = ae.NOISES[kind]
    values = {}
    for col, name in zip(st.columns(max(2, len(record.controls))), record.controls):
        s = record.level if name == "level" else record.options[name]
        setting = f"level.{kind}" if name == "level" else f"{kind}.{name}"
        whole = float(s.step).is_integer() and name != "level"
        kw = dict(step=int(s.step)) if whole else dict(step=float(s.step))
        low, high = (int(s.low), int(s.high)) if whole else (float(s.low), float(s.high))
        values[name] = col.slider(t(f"noise.{kind}.{name}"), low, high, **kw,
                                  **S.widget(setting, bounds=(low, high)))
    # options without a slider keep their setting, when it is in range (an address could say anything)
    options = {**{n: S[f"{kind}.{n}"] if s.low <= S[f"{kind}.{n}"] <= s.high else s.default
                  for n, s in record.options.items()},
               **{k: v for k, v in values.items() if k != "level"}}
    level = values.get("level", 0.0)
    return kind, level, options, values.get(record.curve, level)


@st.fragment
def lab(clean, plain_path, denoiser_path, dataset):
    t0 = time.perf_counter()
    kind, level, options, marker = noise_controls()
    records = catalog().records
    with shown_errors("error.model"):
        models = {role: load_checkpoint(path)[0] for role, path in (("plain", plain_path), ("denoiser", denoiser_path))
                  if path}
        damaged = ae.denoise.damage(clean, kind, level, ss.get("denoise.seed", 0), **options)
        result = ae.denoise.compare(clean, damaged, models, BASELINES)
    if denoiser_path and kind not in records[denoiser_path].noises:
        st.info(t("denoise.unseen", name=records[denoiser_path].name, kind=noise_names([kind]),
                  kinds=noise_names(records[denoiser_path].noises)))
    pictures(clean, damaged, result, models)
    names = {b: t(f"denoise.method.{b}") for b in BASELINES}
    names.update({role: t(f"denoise.method.{role}", name=records[path].name)
                  for role, path in (("plain", plain_path), ("denoiser", denoiser_path)) if path})
    table(result, names, len(clean))
    curve(dataset, kind, options, marker, names, {"plain": plain_path, "denoiser": denoiser_path})
    if not lesson():
        st.caption(t("denoise.timing", ms=(time.perf_counter() - t0) * 1000))


def pictures(clean, damaged, result, models) -> None:
    """original | damaged | plain | denoiser | error of the better-trained one, as one picture."""
    which = "denoiser" if "denoiser" in models else "plain"
    rows = [clean, damaged] + [result.restored[m] for m in models]
    rows.append(ae.viz.heatmap(result.restored[which] - clean, vmax=0.5))
    captions = [t("denoise.row.original"), t("denoise.row.damaged")] + [t(f"denoise.row.{m}") for m in models]
    captions.append(t("denoise.row.error", which=t(f"denoise.row.{which}")))
    st.subheader(t("denoise.images"))
    if len(clean) == 1:   # one image: its pictures side by side, larger
        show_rows([np.concatenate([rgb(r) for r in rows])], scale=5)
        st.caption(t("denoise.left_to_right", what=" · ".join(captions)))
    else:                 # a batch: one row per kind of picture, one column per image
        show_rows(rows, captions, scale=3 if len(clean) <= 12 else 2)


def table(result, names, n) -> None:
    st.markdown(f"**{t('denoise.table', n=n)}**")
    base = result.mean["none"]["psnr"]
    frame = pd.DataFrame([{t("denoise.col.method"): names[r["name"]], t("metric.mse"): r["mse"],
                           t("metric.psnr"): r["psnr"], t("metric.ssim"): r["ssim"],
                           t("denoise.col.gain"): r["psnr"] - base} for r in result.rows()])
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        t("denoise.col.method"): st.column_config.TextColumn(width="large"),   # whole names, figures beside them
        t("metric.mse"): st.column_config.NumberColumn(format="%.4f", width="small"),
        t("metric.psnr"): st.column_config.NumberColumn(format="%.1f", width="small"),
        t("metric.ssim"): st.column_config.NumberColumn(format="%.3f", width="small"),
        t("denoise.col.gain"): st.column_config.NumberColumn(format="%+.1f", width="small")})
    st.caption(t("denoise.table_caption"))
    if lesson():   # a lesson view: the means only
        return
    with st.expander(t("denoise.per_image")):
        metrics = list(ae.denoise.METRICS)
        metric = st.segmented_control(t("denoise.metric_pick"), metrics, required=True,
                                      format_func={m: t(f"metric.{m}") for m in metrics}.get,
                                      **S.widget("metric", options=metrics)) or "psnr"
        per = pd.DataFrame({names[n]: result.per_image[n][metric].numpy() for n in result.names})
        per.index = pd.RangeIndex(1, len(per) + 1, name=t("denoise.image_n"))
        st.dataframe(per, column_config={c: st.column_config.NumberColumn(format="%.3f") for c in per.columns})


def curve(dataset, kind, options, marker, names, paths) -> None:
    record = ae.NOISES[kind]
    fixed = tuple(sorted((k, v) for k, v in options.items() if k != record.curve))
    st.markdown(f"**{t('denoise.curve')}**")
    version = data_version(dataset)
    data = dict(baseline_curve(dataset, version, kind, fixed))
    records = catalog().records
    for role, path in paths.items():
        if path:
            data[role] = model_curve(path, records[path].weights_sha256, dataset, version, kind, fixed)
    x_title = t(f"noise.{kind}.axis", **options) if record.curve != "level" else t(f"noise.{kind}.level")
    fig = ae.figures.psnr_curve(data, marker, labels=names, x_title=x_title, y_title=t("metric.psnr"),
                                marker_text=t("denoise.marker"))
    st.plotly_chart(fig, config={"displayModeBar": False}, key="denoise.curve_chart")
    st.caption(t("denoise.curve_caption", n=CURVE_IMAGES))


# ---------------------------------------------------------------- the page

st.title(t("denoise.heading"))
st.markdown(t("denoise.intro"))
with st.expander(t("denoise.why")):
    st.markdown(t("denoise.why_text"))
active = active_model()
plain_path, denoiser_path = pickers(active)
with shown_errors():
    clean = clean_images(active)
lab(clean, plain_path, denoiser_path, active.dataset)
