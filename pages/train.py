"""Train: settings -> a background TrainingJob (ae.jobs) -> a live panel polled every second -> save.

The job lives in this browser session's state and on the process-wide shelf (ae.jobs.JobShelf), so a
reload can take it back; the model it trains is its own, never a cached one.
"""
from pathlib import Path

import streamlit as st

import ae
from ae import jobs
from ae.checkpoint import CheckpointError
from pages._common import USER_CHECKPOINTS, active_info, hold_training_run, lang, show_rows, t, use_router
from pages._text import STRINGS

use_router()   # before anything is drawn: see pages/_common.py

ss = st.session_state

# Widget values by name. The lesson: Fashion-MNIST, dense 784-128-64-12-3, Adam 0.005, batch 64, 10 epochs.
DEFAULTS = {"dataset": "fashion-mnist", "kind": "dense", "latent": 3, "hidden": "128,64,12", "epochs": 5,
            "batch": 64, "lr": 0.005, "seed": 0, "quick": True, "subset": 5000, "denoise": False,
            "noise": "gaussian", "level": 0.2, "clip": True, "noisy_target": False, "cosine": False,
            "init": False}
LESSON = {**DEFAULTS, "epochs": 10, "quick": False}
LESSON_DENOISE = {**LESSON, "denoise": True, "noise": "gaussian", "level": 0.2, "clip": False}   # unclipped, as the lesson
# Widget keys carry a generation number (bumped when a preset or a callback changes values, so the
# widgets are created anew with the new values) and, for selectboxes, the language: a selectbox sends
# back its option's displayed text, which changes with the language. Widget keys also vanish when the
# user visits another page, so every value lives in a plain key ("train.v.<name>") as well.
TRANSLATED = {"dataset", "kind", "noise"}


def wkey(name: str) -> str:
    return f"train.w.{name}.{ss.get('train.gen', 0)}" + (f".{lang()}" if name in TRANSLATED else "")


def val(name: str):
    return ss.get(f"train.v.{name}", DEFAULTS[name])


def sync() -> None:
    """Copy the widgets' values into the plain keys."""
    for name in DEFAULTS:
        if wkey(name) in ss:
            ss[f"train.v.{name}"] = ss[wkey(name)]


def renew(values: dict) -> None:
    sync()
    for name, value in values.items():
        ss[f"train.v.{name}"] = value
    ss["train.gen"] = ss.get("train.gen", 0) + 1


def labels(prefix: str, keys) -> callable:
    """Option labels in the current language, looked up now: a format_func must not read the session
    later (AppTest calls it outside the script run)."""
    return {k: t(f"{prefix}.{k}") for k in keys}.get


def fill(values: dict) -> None:
    renew(values)
    ss["train.notice"] = "train.preset_done"


def values_of(job: jobs.TrainingJob) -> dict:
    """The widget values that start `job`: shown when a reloaded page takes a run back."""
    m, tc = job.model_config, job.train_config
    return {**DEFAULTS, "dataset": job.dataset, "kind": m.kind, "latent": m.latent_dim,
            "hidden": ",".join(str(h) for h in m.hidden or ()), "epochs": tc.epochs, "batch": tc.batch_size,
            "lr": tc.lr, "seed": tc.seed, "quick": tc.limit is not None, "subset": tc.limit or DEFAULTS["subset"],
            "denoise": bool(tc.noise), "noise": tc.noise[0] if tc.noise else DEFAULTS["noise"],
            "level": tc.noise_level, "clip": tc.noise_clip, "noisy_target": tc.noisy_target,
            "cosine": tc.lr_schedule == "cosine", "init": tc.init is not None}


def active_shape(info) -> dict | None:
    """The dataset, kind and sizes of the sidebar's model (`info`), which a warm start keeps; None when
    there is none, or its dataset is not one the page trains on."""
    if info is None or (info.meta.get("dataset") or {}).get("name") not in ae.data.DATASETS:
        return None
    m = info.meta["model"]
    return {"dataset": info.meta["dataset"]["name"], "kind": m["kind"], "latent": int(m["latent_dim"]),
            "hidden": ",".join(str(h) for h in m.get("hidden") or ())}


def kind_changed() -> None:   # each kind has its own meaning of "hidden sizes"
    kind = ss[wkey("kind")]
    renew({"kind": kind, "hidden": ",".join(map(str, ae.MODELS[kind].default_hidden))})


def noise_changed() -> None:  # keep the level inside the new kind's range
    noise = ss[wkey("noise")]
    renew({"noise": noise, "level": min(val("level"), ae.noise.LEVEL_RANGE[noise][1])})


def duration(seconds: float | None) -> str:
    s = int(round(seconds or 0))
    return t("train.time", m=s // 60, s=s % 60) if s >= 60 else t("train.time_s", s=s)


def describe(job: jobs.TrainingJob) -> str:
    """A short line naming a run's settings, for the comparison with the previous run."""
    m, c = job.model_config, job.train_config
    parts = [f"{m.kind} z={m.latent_dim}", f"lr {c.lr:g}" + (" cosine" if c.lr_schedule == "cosine" else "")]
    if c.noise:
        parts.append(f"{c.noise[0]} {c.noise_level:g}")
    if c.noisy_target:
        parts.append(t("train.noisy_target"))
    if c.init:
        parts.append(t("train.from", name=Path(c.init).name))
    return ", ".join(parts)


job: jobs.TrainingJob | None = ss.get("train.job")
if job is not None and ss.pop("train.claimed", False):
    renew(values_of(job))
snap = job.snapshot() if job is not None else None
busy = snap is not None and snap.active

st.title(t("train.heading"))
st.markdown(t("train.intro"))
if ss.get("train.saved_name"):
    st.success(t("train.saved", name=ss.pop("train.saved_name")))
if ss.pop("train.run_gone", False):
    minutes = f"{ae.jobs.default_shelf().grace_s / 60:.1f}".rstrip("0").rstrip(".")
    st.info(t("train.run_gone", minutes=minutes), icon=":material/history:")

# ---------------------------------------------------------------- settings

with st.container(border=True):
    head, b1, b2 = st.columns([2, 1, 1], vertical_alignment="center")
    head.subheader(t("train.settings"))
    b1.button(t("train.preset"), on_click=fill, args=(LESSON,), help=t("train.preset_help"), disabled=busy,
              key="train.preset", icon=":material/menu_book:", width="stretch")
    b2.button(t("train.preset_denoise"), on_click=fill, args=(LESSON_DENOISE,), help=t("train.preset_denoise_help"),
              disabled=busy, key="train.preset_denoise", icon=":material/auto_fix_high:", width="stretch")
    if ss.pop("train.notice", None):
        st.toast(t("train.preset_done"))

    # A warm start keeps the active model's dataset, kind and sizes: they are shown, not chosen.
    sync()   # the toggle's new value, before the widgets it fixes are drawn
    active = active_info()
    shape = active_shape(active)
    warm = bool(val("init")) and shape is not None
    if warm and not busy and any(val(k) != v for k, v in shape.items()):
        renew(shape)   # the sidebar's model changed: show the new one's
    st.toggle(t("train.init"), warm, key=wkey("init"), disabled=busy or shape is None,
              help=t("train.init_help"))
    if warm:
        st.caption(t("train.init_note", name=active.name, kind=t(f"kind.{shape['kind']}"), z=shape["latent"]))

    datasets, kinds, noises = list(ae.data.DATASETS), list(ae.MODELS), list(ae.NOISES)
    fixed = busy or warm
    c = st.columns(4)
    c[0].selectbox(t("train.dataset"), datasets, index=datasets.index(val("dataset")), key=wkey("dataset"),
                   disabled=fixed, format_func=labels("train.ds", datasets))
    c[1].selectbox(t("train.kind"), kinds, index=kinds.index(val("kind")), key=wkey("kind"), disabled=fixed,
                   on_change=kind_changed, format_func=labels("kind", kinds))
    c[2].number_input(t("train.latent"), 1, 128, val("latent"), step=1, key=wkey("latent"), disabled=fixed,
                      help=t("train.latent_help"))
    c[3].text_input(t("train.hidden"), val("hidden"), key=wkey("hidden"), disabled=fixed, help=t("train.hidden_help"))

    c = st.columns(4)
    c[0].number_input(t("train.epochs"), 1, 200, val("epochs"), step=1, key=wkey("epochs"), disabled=busy)
    c[1].number_input(t("train.batch"), 1, 4096, val("batch"), step=16, key=wkey("batch"), disabled=busy)
    c[2].number_input(t("train.lr"), 0.00001, 1.0, val("lr"), step=0.0005, format="%.4f", key=wkey("lr"),
                      disabled=busy)
    c[3].number_input(t("train.seed"), 0, 2**31 - 1, val("seed"), step=1, key=wkey("seed"), disabled=busy,
                      help=t("train.seed_help"))

    c = st.columns(4)
    quick = c[0].toggle(t("train.quick"), val("quick"), key=wkey("quick"), disabled=busy, help=t("train.quick_help"))
    c[1].number_input(t("train.subset"), 64, 60000, val("subset"), step=500, key=wkey("subset"),
                      disabled=busy or not quick)
    denoise = c[2].toggle(t("train.denoise"), val("denoise"), key=wkey("denoise"), disabled=busy,
                          help=t("train.denoise_help"))
    c[3].toggle(t("train.cosine"), val("cosine"), key=wkey("cosine"), disabled=busy, help=t("train.cosine_help"))
    if ae.MODELS[val("kind")].skips and not denoise:
        st.warning(t("train.unet_note"))
    if denoise:
        c = st.columns([1, 1, 0.8, 1.2])
        noise = c[0].selectbox(t("train.noise"), noises, index=noises.index(val("noise")), key=wkey("noise"),
                               disabled=busy, on_change=noise_changed, format_func=labels("train.noise", noises))
        top = ae.noise.LEVEL_RANGE[noise][1]
        c[1].slider(t("train.level"), 0.0, top, min(val("level"), top), step=0.05, key=wkey("level"), disabled=busy)
        if noise == "gaussian":
            c[2].toggle(t("train.clip"), val("clip"), key=wkey("clip"), disabled=busy, help=t("train.clip_help"))
        if c[3].toggle(t("train.noisy_target"), val("noisy_target"), key=wkey("noisy_target"), disabled=busy,
                       help=t("train.noisy_target_help")):
            st.caption(t("train.noisy_target_note"))
    sync()   # remember every value across page switches and language changes

    go_col, stop_col, _ = st.columns([1, 1, 3])
    start = go_col.button(t("train.start"), type="primary", disabled=busy, key="train.start",
                          icon=":material/play_arrow:", width="stretch")
    stop = stop_col.button(t("train.stop"), disabled=not busy, key="train.stop",
                           icon=":material/stop:", width="stretch")


def settings() -> tuple[ae.ModelConfig, ae.TrainConfig]:
    v = {name: val(name) for name in DEFAULTS}
    hidden = jobs.parse_sizes(v["hidden"])
    denoise = bool(v["denoise"])
    model = ae.ModelConfig(kind=v["kind"], latent_dim=int(v["latent"]), hidden=hidden)
    train = ae.TrainConfig(epochs=int(v["epochs"]), batch_size=int(v["batch"]), lr=float(v["lr"]),
                           seed=int(v["seed"]), limit=int(v["subset"]) if v["quick"] else None,
                           noise=(v["noise"],) if denoise else (), noise_level=float(v["level"]),
                           noise_clip=bool(v["clip"]) if v["noise"] == "gaussian" else True,
                           noisy_target=denoise and bool(v["noisy_target"]),
                           lr_schedule="cosine" if v["cosine"] else "constant",
                           init=str(active.path) if warm else None)
    return model, train


if start and not busy:
    try:
        model_config, train_config = settings()
    except ValueError as e:
        st.error(t("train.hidden_bad") if "hidden size" in str(e) else f"{t('train.bad_settings')} {e}")
    else:
        try:
            new = jobs.TrainingJob(model_config, train_config, val("dataset"))
        except ValueError as e:
            st.error(f"{t('train.bad_settings')} {e}")
        else:
            if snap is not None and snap.history:   # kept for the comparison (e.g. first-printing target)
                ss["train.previous"] = {"history": snap.history, "recon": snap.recon, "inputs": snap.inputs,
                                        "dataset": job.dataset, "what": describe(job)}
            hold_training_run(new.start())   # the run survives a reload: see pages/_common.py
            st.rerun()
if stop and job is not None:
    job.stop()


# ---------------------------------------------------------------- the live panel

def status_line(job: jobs.TrainingJob, s: jobs.JobSnapshot) -> None:
    if s.status == jobs.QUEUED:
        st.info(t("train.status.queued", pos=s.position or 1, max=job.pool.max_running), icon=":material/hourglass_top:")
        st.progress(0.0)
    elif s.status == jobs.RUNNING:
        if job.stop_requested:
            text = t("train.status.stopping")
        elif not s.batches_done:
            text = t("train.status.preparing")
        else:
            text = t("train.status.running", epoch=min(s.epoch + 1, s.epochs), epochs=s.epochs,
                     pct=int(100 * s.progress), eta=duration(s.eta_s))
        st.progress(s.progress, text=text)
    elif s.status == jobs.DONE:
        st.success(t("train.status.done", epochs=s.epoch, time=duration(s.elapsed_s)), icon=":material/check_circle:")
    elif s.status == jobs.STOPPED:
        if not s.can_save:
            st.info(t("train.status.stopped_queued"))
        elif s.stop_reason == "disconnected":
            st.warning(t("train.status.disconnected"))
        else:
            st.info(t("train.status.stopped", batches=s.batches_done, total=s.batches_total,
                      time=duration(s.elapsed_s)), icon=":material/stop_circle:")
    elif s.status == jobs.DIVERGED:
        st.error(f"{t('train.status.diverged')}\n\n`{s.error}`")
    else:
        st.error(f"{t('train.status.failed')} {s.error}")


def live_panel() -> None:
    job = ss.get("train.job")
    if job is None:
        st.info(t("train.waiting"), icon=":material/info:")
        return
    s = job.snapshot()
    status_line(job, s)
    if s.status == jobs.QUEUED or s.recon is None:
        finish_rerun(s)
        return   # nothing to draw before the data is loaded
    last = s.history[-1] if s.history else {}
    per_epoch = s.batches_total / s.epochs if s.epochs else 1
    done = s.epoch if s.status != jobs.STOPPED else round(s.batches_done / per_epoch, 1)
    m = st.columns(5)
    m[0].metric(t("train.metric.epoch"), f"{done:g} / {s.epochs}")
    m[1].metric(t("train.metric.train"), f"{last['train_loss']:.4f}" if last.get("train_loss") is not None else "–")
    m[2].metric(t("train.metric.test"), f"{last['test_loss']:.4f}" if last.get("test_loss") is not None else "–")
    m[3].metric(t("train.metric.psnr"), f"{last['test_psnr']:.1f}" if last.get("test_psnr") is not None else "–")
    m[4].metric(t("train.metric.time"), duration(s.elapsed_s))

    prev = ss.get("train.previous")
    same_data = prev is not None and prev["dataset"] == job.dataset
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader(t("train.curves"))
        labels = {"train_loss": t("train.train_loss"), "test_loss": t("train.test_loss"), "epoch": t("train.epoch"),
                  "loss": t("train.loss"), "previous": t("train.previous"),
                  "empty": t("train.curves_empty")}
        st.plotly_chart(ae.figures.training_curves(s.history, s.epochs, labels,
                                                   previous=prev["history"] if same_data else None),
                        config={"displayModeBar": False}, key="train.curves_chart")
        loss_name = t("train.loss_name.vae" if job.model_config.kind == "vae" else "train.loss_name.mse")
        note = t("train.curves_caption", loss=loss_name, n=min(s.test_size, job.eval_limit or s.test_size))
        if same_data:
            note += " " + t("train.previous_caption", what=prev["what"])
        st.caption(note)
    with right:
        st.subheader(t("train.latent_map"))
        if s.latent is not None:
            names = [t(f"train.class.{job.dataset}.{i}") if f"train.class.{job.dataset}.{i}" in STRINGS[lang()] else c
                     for i, c in enumerate(s.class_names)]
            st.plotly_chart(ae.figures.latent_preview(s.latent, s.latent_labels, names, s.latent_method),
                            config={"displayModeBar": False}, key="train.latent_chart")
            n, d = len(s.latent), job.model_config.latent_dim
            st.caption(t("train.latent_raw", n=n) if s.latent_method == "raw" else t("train.latent_pca", n=n, d=d))

    if s.recon is not None:
        st.subheader(t("train.pictures"))
        rows, names = [s.originals], [t("word.original")]
        if s.inputs is not None:
            rows.append(s.inputs)
            names.append(t("train.row.noisy"))
        rows.append(s.recon)
        names.append(t("word.reconstruction"))
        if same_data and prev["recon"] is not None and len(prev["recon"]) == len(s.recon) and (
                (prev["inputs"] is None) == (s.inputs is None)):
            rows.append(prev["recon"])
            names.append(t("train.row.previous"))
        show_rows(rows, captions=names, scale=3)
        st.caption(t("train.pictures_at", at=f"{s.preview_at:.1f}".rstrip("0").rstrip(".")))

    finish_rerun(s)


def finish_rerun(s: jobs.JobSnapshot) -> None:
    """When the run ends, redraw the whole page once: the settings unlock and the save form appears."""
    if ss.get("train.was_active") and not s.active:
        ss["train.was_active"] = False
        st.rerun()
    ss["train.was_active"] = s.active


(st.fragment(run_every=1.0)(live_panel) if busy else live_panel)()


# ---------------------------------------------------------------- save

def suggested_name(job: jobs.TrainingJob) -> str:
    short = {"fashion-mnist": "fmnist"}.get(job.dataset, job.dataset)
    base = f"{short}_{job.model_config.kind}_z{job.model_config.latent_dim}"
    base += "_denoise" if job.train_config.noise else ""
    base += "_noisytarget" if job.train_config.noisy_target else ""
    name, i = base, 2
    while (USER_CHECKPOINTS / name).exists():
        name, i = f"{base}_{i}", i + 1
    return name


if job is not None and not busy and snap.can_save:
    with st.form("train.save_form", border=True):
        st.subheader(t("train.save_heading"))
        name = st.text_input(t("train.save_name"), value=suggested_name(job), max_chars=64,
                             help=t("train.save_name_help"), key=f"train.save_name.{id(job)}.{ss.get('train.saves', 0)}")
        overwrite = st.checkbox(t("train.overwrite"), key="train.overwrite")
        submitted = st.form_submit_button(t("train.save"), type="primary", icon=":material/save:")
    if submitted:
        name = name.strip()
        try:
            ae.checkpoint.check_name(name)
        except CheckpointError:
            st.error(t("train.bad_name"))
        else:
            if (USER_CHECKPOINTS / name / "config.json").exists() and not overwrite:
                st.error(t("train.name_taken", name=name))
            else:
                try:
                    with st.spinner(t("train.saving")):
                        path = job.save(name, USER_CHECKPOINTS, overwrite=overwrite)
                except (CheckpointError, ValueError, OSError) as e:
                    st.error(f"{t('train.save_failed')} {e}")
                else:
                    ss["model.pending"] = str(path)   # the sidebar selects it on the next run
                    ss["train.saved_name"] = name
                    ss["train.saves"] = ss.get("train.saves", 0) + 1   # a fresh name suggestion next time
                    st.rerun()
