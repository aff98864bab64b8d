"""Anomaly lab: a model that learned only "normal" images redraws them well and anything else badly; its
reconstruction error flags what does not belong. The papers' one-class protocol, the scores' histogram
with a threshold, the confusion matrix and the curves, the mistakes in pictures, your own image, the
other scores an autoencoder gives, and the classical detectors on the same images.

The page uses its own one-class models (checkpoints/anomaly/, or one trained here in the background),
never the sidebar's. Scoring a test split is cached (in memory and on disk, by weights and dataset
version); the baselines and the scores not shown yet are computed when asked for.
"""
import math
import threading
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import ae
from ae import anomaly as A
from pages._common import (CHECKPOINTS, Settings, class_names, data_version, dataset_title, drawn_image, duration, labels,
                           lesson, load_split, show_rows, shown_errors, t, uploaded_image)

ss = st.session_state
DATASETS = [d for d in ("fashion-mnist", "mnist") if d in ae.data.choices()]
SOURCES = ["shipped", "train"]
S = Settings("anomaly", {"dataset": "fashion-mnist", "normal": [0], "source": "shipped", "epochs": A.RECIPE.train.epochs,
                         "score": "mse", "threshold": None, "log": False, "own": "upload"},
             shared=["dataset", "score"])


# ---------------------------------------------------------------- cached work, shared by every session

@st.cache_resource(max_entries=8, show_spinner=False)
def one_class_data(dataset: str, normal: tuple, version: str) -> A.OneClass:
    return A.one_class(load_split(dataset, "train"), load_split(dataset, "test"), normal)


@st.cache_resource(max_entries=12, show_spinner=False)
def shipped_detector(folder: str, sha: str, dataset: str, version: str) -> A.Detector:
    return A.load_detector(folder, load_split(dataset, "train"))[0]


@st.cache_data(max_entries=8, show_spinner=False)
def shipped_models(root: str, dataset: str, stamp: float) -> dict[str, dict]:
    """The shipped one-class models (config.json by name), listed again only when the folder changes
    (`stamp`: its modification time): the app lists the sidebar's checkpoints once per run, not more."""
    return A.shipped(root, dataset)


def shipped_stamp(root) -> float:
    try:
        return root.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False)
def server_store() -> tuple[dict, threading.Lock]:
    """Scores and baselines computed so far for the shipped models, by (model, what): every session's."""
    return {}, threading.Lock()


class Model:
    """The one-class model the page shows: its detector, where its scores are kept, its recorded figures."""

    def __init__(self, key: str, det: A.Detector, meta: dict | None, store: dict):
        self.key, self.det, self.meta, self.store = key, det, meta, store

    def scores(self, data: A.OneClass, names) -> dict[str, np.ndarray]:
        missing = [n for n in names if (self.key, n) not in self.store]
        if missing:
            parts = {"model": self.key, "dataset": data.dataset, "normal": list(data.normal),
                     "data": data_version(data.dataset)}
            got = (A.cached_scores(self.det, data.test_x, missing, parts) if self.meta is not None
                   else self.det.scores(data.test_x, missing))   # trained here: kept in this session only
            self.store.update({(self.key, n): s for n, s in got.items()})
        return {n: self.store[(self.key, n)] for n in names}

    def has(self, name: str) -> bool:
        return (self.key, name) in self.store


# ---------------------------------------------------------------- choices

def normal_choice(dataset: str) -> tuple:
    n = len(class_names(dataset))
    normal = sorted({c for c in S["normal"] if isinstance(c, int) and 0 <= c < n})
    if not normal or len(normal) == n:
        S.set("normal", [0])
    chosen = st.multiselect(t("anomaly.normal"), list(range(n)), format_func=dict(enumerate(class_names(dataset))).get,
                            max_selections=n - 1, help=t("anomaly.normal_help"), **S.widget("normal"))
    return tuple(sorted(chosen)) or (0,)


def protocol(data: A.OneClass, dataset: str) -> None:
    y = data.anomalous
    with st.container(border=True):
        st.markdown(t("anomaly.protocol", normal=", ".join(class_names(dataset)[c] for c in data.normal),
                      train=f"{len(data.train_x):,}", test=f"{len(y):,}", n_normal=f"{int((y == 0).sum()):,}",
                      n_anomalous=f"{int(y.sum()):,}"))
        if dataset in A.INDICATIVE:
            st.caption(t("anomaly.indicative"))


def shipped_model(data: A.OneClass, dataset: str) -> Model | None:
    name = A.shipped_name(dataset, data.normal)
    root = CHECKPOINTS / "anomaly"
    found = shipped_models(str(root), dataset, shipped_stamp(root)).get(name)
    if found is None:
        st.info(t("anomaly.no_shipped", name=name))
        return None
    with st.spinner(t("anomaly.loading")), shown_errors("error.model"):
        folder = str(CHECKPOINTS / "anomaly" / name)
        det = shipped_detector(folder, found["weights_sha256"], dataset, data_version(dataset))
    record = found["anomaly"]
    st.caption(t("anomaly.shipped_caption", name=name, seeds=len(record["seeds"]), seed=record["shipped_seed"],
                 epochs=found["train"]["epochs"], z=found["model"]["latent_dim"]))
    # the weights' hash in the key: scores kept in memory and on disk follow a model made again
    return Model(f"{name}:{found['weights_sha256']}", det, found, server_store()[0])


# ---------------------------------------------------------------- training here, in the background

def fit_key(data: A.OneClass, epochs: int) -> str:
    return f"{data.dataset}:{','.join(map(str, data.normal))}:{epochs}:{data_version(data.dataset)}"


def trained_model(data: A.OneClass) -> Model | None:
    if not lesson():
        st.slider(t("anomaly.epochs"), 1, 20, help=t("anomaly.epochs_help"), **S.widget("epochs", bounds=(1, 20)))
    key = fit_key(data, S["epochs"])
    fit = ss.get("anomaly.fit")
    if st.button(t("anomaly.train"), key="anomaly.train_button", icon=":material/model_training:",
                 type="primary" if fit is None or fit[0] != key else "secondary"):
        if fit is not None:
            fit[1].cancel()
        with shown_errors():   # a full training queue says so
            ss["anomaly.fit"] = fit = (key, A.OneClassFit(data, A.RECIPE.model,
                                                          replace(A.RECIPE.train, epochs=int(S["epochs"]))))
    if fit is None or fit[0] != key:
        st.info(t("anomaly.train_first"))
        return None
    job = fit[1]
    if not job.done:
        st.fragment(run_every=1.0)(live)(job)
        return None
    with shown_errors():
        model = job.wait()
    if model is None:   # stopped while it waited for its turn
        st.info(t("anomaly.stopped"))
        return None
    progress(job)
    det = ss.setdefault("anomaly.detectors", {}).get(key)
    if det is None or det.model is not model:
        det = ss["anomaly.detectors"][key] = A.Detector(model, data.train_x)
    # the run's own id in the key: a second run of the same settings is another model, with its own scores
    return Model(f"trained:{key}:{id(job)}", det, None, ss.setdefault("anomaly.scores", {}))


def live(job: A.OneClassFit) -> None:
    if job.done:
        st.rerun(scope="app")   # the whole page now has a model to show
    progress(job)
    if st.button(t("anomaly.stop"), key="anomaly.stop", icon=":material/stop:"):
        job.cancel()


def progress(job: A.OneClassFit) -> None:
    if job.position is not None:
        st.info(t("anomaly.queued", n=job.position), icon=":material/hourglass_top:")
        return
    seconds = job.seconds if job.done else time.perf_counter() - job.started
    st.progress(job.fraction, text=t("anomaly.training_done" if job.done else "anomaly.training",
                                     epoch=len(job.history), epochs=job.train_config.epochs, time=duration(seconds)))
    if job.aurocs:
        st.line_chart(pd.DataFrame({t("anomaly.auroc_epoch"): [100 * a for a in job.aurocs]},
                                   index=range(1, len(job.aurocs) + 1)), height=180, x_label=t("anomaly.epoch"))
        st.caption(t("anomaly.auroc_epoch_caption", auroc=f"{100 * job.aurocs[-1]:.2f}"))


# ---------------------------------------------------------------- the scores and the threshold

def pictures(det: A.Detector, x) -> list:
    """Rows for show_rows: the images, their reconstructions, their squared-error heatmaps."""
    recon = A.forward(det.model, x).recon
    err = A.error_map(x, recon)
    # one scale per picture, its 99.5th percentile: a single bright pixel no longer darkens the rest
    return [x, recon, ae.viz.heatmap(err, vmax=max(float(err.flatten().quantile(0.995)), 1e-6))]


def pic_captions(what: str) -> list[str]:
    return [what, t("word.reconstruction"), t("anomaly.row.heatmap")]


def fmt(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def own_image(model: Model, dataset: str, name: str, threshold: float):
    """An uploaded or drawn image, its score and its verdict: (its score, its label) for the histogram, or None."""
    st.markdown(f"**{t('anomaly.own')}**")
    spec = ae.data.spec(dataset)
    way = st.segmented_control(t("anomaly.own_source"), ["upload", "draw"], required=True,
                               format_func=labels("anomaly.own", ["upload", "draw"]), **S.widget("own")) or "upload"
    got = (uploaded_image("anomaly.upload", spec.prep_box, spec.prep_centre, "anomaly.upload_help") if way == "upload"
           else drawn_image(spec.prep_box, spec.prep_centre, "anomaly.canvas", size=196))
    if got is None:
        st.caption(t("anomaly.own_hint"))
        return None
    x = got[0][None]
    with shown_errors():
        value = float(model.det.scores(x, [name])[name][0])
    show_rows(pictures(model.det, x), pic_captions(t("anomaly.row.own")), scale=3)
    flagged = value >= threshold
    (st.error if flagged else st.success)(t("anomaly.verdict.anomalous" if flagged else "anomaly.verdict.normal",
                                            score=f"{value:.4g}", threshold=f"{threshold:.4g}"))
    return value, t("anomaly.own_mark")


@st.fragment
def threshold_section(model: Model, data: A.OneClass, dataset: str, name: str) -> None:
    y = data.anomalous
    s = model.scores(data, [name])[name]
    lo, hi, step = A.threshold_range(s)
    if ss.get("anomaly.for") != (model.key, name):   # another model or score: start where 5 % of normal training images are
        ss["anomaly.for"] = (model.key, name)
        with st.spinner(t("anomaly.scoring_train")):
            S.set("threshold", A.snap(min(max(model.det.threshold(name), lo), hi), step))
    st.subheader(t("anomaly.threshold_head"))
    st.markdown(t("anomaly.threshold_intro"))
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    threshold = c1.slider(t("anomaly.threshold"), lo, hi, step=step, format=f"%.{max(0, -math.floor(math.log10(step)))}f",
                          help=t("anomaly.threshold_help"), **S.widget("threshold", bounds=(lo, hi)))
    can_log = bool(s.min() > 0)
    log = c2.toggle(t("anomaly.log"), disabled=not can_log, help=t("anomaly.log_help"), **S.widget("log")) and can_log
    at = A.at_threshold(y, s, threshold)
    left, right = st.columns([2.2, 1], gap="large")
    with right:
        own = own_image(model, dataset, name, threshold)
    with left:
        marks = [own] if own is not None and (own[0] > 0 or not log) else []
        h = A.histogram(y, s, bins=60, log=log, extra=[m[0] for m in marks])
        st.plotly_chart(ae.figures.score_histogram(h.edges, h.normal, h.anomalous, (t("anomaly.normal_word"),
                        t("anomaly.anomalous_word")), threshold, marks, log, t(f"anomaly.score.{name}"),
                        t("anomaly.images")), key="anomaly.histogram", config={"displayModeBar": False})
        st.caption(t("anomaly.histogram_caption", n=f"{int((y == 0).sum()):,}", a=f"{int(y.sum()):,}"))
    st.markdown(f"**{t('anomaly.at_threshold')}**")
    c1, c2 = st.columns([1.3, 2], gap="large")
    c1.table(pd.DataFrame(at.confusion, index=[t("anomaly.truth.normal"), t("anomaly.truth.anomalous")],
                          columns=[t("anomaly.said.normal"), t("anomaly.said.anomalous")]))
    c1.caption(t("anomaly.confusion_caption"))
    for col, key in zip([*c2.columns(2), *c2.columns(2)], ("precision", "recall", "f1", "fpr")):
        col.metric(t(f"anomaly.metric.{key}"), fmt(getattr(at, key)), help=t(f"anomaly.metric.{key}_help"))
    c2.caption(t("anomaly.metrics_caption", tp=at.tp, fp=at.fp, fn=at.fn))
    roc, pr = A.roc(y, s), A.pr(y, s)
    for col, curve, point, (xt, yt), key, diagonal in zip(
            st.columns(2, gap="large"), (roc, pr), (at.roc_point, at.pr_point),
            ((t("anomaly.metric.fpr"), t("anomaly.metric.recall")), (t("anomaly.metric.recall"), t("anomaly.metric.precision"))),
            ("roc", "pr"), (True, False)):
        with col:
            st.markdown(f"**{t(f'anomaly.{key}_title', area=f'{100 * curve.area:.2f}')}**")
            st.plotly_chart(ae.figures.anomaly_curve(curve.x, curve.y, point, xt, yt, t(f"anomaly.{key}_name"),
                                                     diagonal, t("anomaly.threshold")),
                            key=f"anomaly.{key}", config={"displayModeBar": False})
    st.caption(t("anomaly.curves_caption"))
    mistakes_section(model, data, dataset, s, threshold)


def mistakes_section(model: Model, data: A.OneClass, dataset: str, s: np.ndarray, threshold: float) -> None:
    st.subheader(t("anomaly.mistakes"))
    found = A.mistakes(data.anomalous, s, 8, threshold=threshold)
    names = class_names(dataset)
    for which, idx in (("false_alarms", found.false_alarms), ("missed", found.missed)):
        st.markdown(f"**{t(f'anomaly.{which}', n=len(idx))}**")
        if not len(idx):
            st.caption(t(f"anomaly.none.{which}"))
            continue
        show_rows(pictures(model.det, data.test_x[idx]), pic_captions(t(f"anomaly.row.{which}")), scale=3)
        st.caption(t("anomaly.scores_are", scores=" · ".join(f"{s[i]:.4g} ({names[data.test_labels[i]]})" for i in idx)))


def odd_ones_section(model: Model, data: A.OneClass, dataset: str, name: str) -> None:
    st.subheader(t("anomaly.odd"))
    s = model.scores(data, [name])[name]
    idx = A.odd_ones(data.anomalous, s, 16)
    show_rows(pictures(model.det, data.test_x[idx]), pic_captions(t("anomaly.row.odd")), scale=3)
    st.caption(t("anomaly.odd_caption", score=t(f"anomaly.score.{name}")))


# ---------------------------------------------------------------- other scores, baselines, papers

def scores_section(model: Model, data: A.OneClass) -> None:
    st.subheader(t("anomaly.scores"))
    st.markdown(t("anomaly.scores_intro"))
    names = model.det.available()
    if not all(model.has(n) for n in names) and st.button(t("anomaly.score_all"), key="anomaly.score_all",
                                                          icon=":material/calculate:"):
        with st.spinner(t("anomaly.scoring_all")), shown_errors():
            model.scores(data, names)
    recorded = (model.meta or {}).get("anomaly", {}).get("mean", {})
    y, rows = data.anomalous, []
    for n in names:
        here = A.summarise(y, model.store[(model.key, n)]) if model.has(n) else None
        rec = recorded.get(n)
        rows.append({t("anomaly.col.score"): t(f"anomaly.score.{n}"), t("anomaly.col.what"): t(f"anomaly.what.{n}"),
                     t("anomaly.col.auroc"): f"{100 * here['auroc']:.2f}" if here else "—",
                     t("anomaly.col.aupr"): f"{100 * here['aupr']:.2f}" if here else "—",
                     t("anomaly.col.recorded"): f"{rec['auroc']:.2f} ± {rec['auroc_std']:.2f}" if rec else "—"})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("anomaly.scores_caption" if model.meta else "anomaly.scores_caption_trained"))


def baselines_section(model: Model, data: A.OneClass, dataset: str, name: str) -> None:
    st.subheader(t("anomaly.baselines"))
    st.markdown(t("anomaly.baselines_intro"))
    store, lock = server_store()
    key = ("baselines", dataset, data.normal, data_version(dataset))
    if key not in store and st.button(t("anomaly.run_baselines"), key="anomaly.run_baselines", icon=":material/play_arrow:"):
        bar = st.progress(0.0, text=t("anomaly.baselines_running"))
        done = []

        def tick(which: str, seconds: float) -> None:
            done.append(which)
            bar.progress(len(done) / len(A.BASELINES), text=t("anomaly.baseline_done", name=t(f"anomaly.baseline.{which}"),
                                                               time=duration(seconds)))
        with shown_errors():
            found, info = A.baseline_scores(data, on_done=tick)
        with lock:
            store[key] = ({n: A.summarise(data.anomalous, s) for n, s in found.items()}, info)
        bar.empty()
    y, rows = data.anomalous, []
    for n in dict.fromkeys([name, A.RECIPE.headline]):
        if model.has(n):
            f = A.summarise(y, model.store[(model.key, n)])
            rows.append({t("anomaly.col.method"): t("anomaly.ours", score=t(f"anomaly.score.{n}")),
                         "AUROC": f"{100 * f['auroc']:.2f}", "AUPR": f"{100 * f['aupr']:.2f}", t("anomaly.col.note"): ""})
    if key in store:
        figures, info = store[key]
        for n, f in figures.items():
            rows.append({t("anomaly.col.method"): t(f"anomaly.baseline.{n}"), "AUROC": f"{100 * f['auroc']:.2f}",
                         "AUPR": f"{100 * f['aupr']:.2f}", t("anomaly.col.note"): t("anomaly.same_images",
                         time=duration(info[n]["fit_s"] + info[n]["score_s"]))})
    for p in A.published(dataset):
        rows.append({t("anomaly.col.method"): p.method, "AUROC": f"{p.auroc:.1f}", "AUPR": "—",
                     t("anomaly.col.note"): f"{t('anomaly.published')}: {t(f'anomaly.published_note.{p.method}')}"})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("anomaly.baselines_caption", dataset=dataset_title(dataset))
               + (" " + t("anomaly.indicative") if dataset in A.INDICATIVE else ""))


# ---------------------------------------------------------------- the page

st.title(t("anomaly.heading"))
st.markdown(t("anomaly.intro"))
st.info(t("anomaly.own_models"), icon=":material/info:")
c1, c2, c3 = st.columns([1, 2, 1.2])
dataset = c1.selectbox(t("anomaly.dataset"), DATASETS, format_func={d: dataset_title(d) for d in DATASETS}.get, **S.widget("dataset", options=DATASETS))
with c2:
    normal = normal_choice(dataset)
source = c3.segmented_control(t("anomaly.source"), SOURCES, required=True, format_func=labels("anomaly.source", SOURCES),
                              **S.widget("source", options=SOURCES)) or "shipped"
with st.spinner(t("anomaly.loading_data")), shown_errors():
    data = one_class_data(dataset, normal, data_version(dataset))
protocol(data, dataset)
model = shipped_model(data, dataset) if source == "shipped" else trained_model(data)
if model is None:
    st.stop()
available = model.det.available()
score = st.columns([1, 1.5])[0].selectbox(t("anomaly.score"), available, format_func=labels("anomaly.score", available),
                     help=t("anomaly.score_help"), **S.widget("score", options=available))
with st.spinner(t("anomaly.scoring", n=f"{len(data.test_x):,}")), shown_errors():
    model.scores(data, [score])
threshold_section(model, data, dataset, score)
odd_ones_section(model, data, dataset, score)
scores_section(model, data)
baselines_section(model, data, dataset, score)
