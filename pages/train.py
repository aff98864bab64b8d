"""Train: the form (ae.form.TrainForm) -> a run submitted to the executor (ae.executor: a background
TrainingJob here, or a Ray actor) -> a live panel drawn from its snapshots -> save.

The run's handle lives in this browser session's state and is held by token by the executor, so a
reload can take it back; the model it trains is its own, never a cached one.
"""
import time
from dataclasses import fields
from pathlib import Path

import streamlit as st

import ae
from ae import jobs
from ae.checkpoint import CheckpointError
from ae.form import LESSON, LESSON_DENOISE, TrainForm
from pages._common import (USER_CHECKPOINTS, Settings, catalog, class_names, dataset_title, duration, executor,
                           explain, hold_training_run, labels, lang, lesson, refresh_catalog, show_rows, t)

ss = st.session_state
FORM = Settings("train.form", TrainForm().values())
# The map changes with every preview (each epoch, and every 2 s within long ones), and a browser redraws
# a changed map at a cost: about a second of CPU for a 3-D one without a graphics card (measured in
# headless Chromium). While a run is active a panel draws a new map at most every MAP_EVERY_S, or every
# third poll where several tabs show the run, and sends the one it drew meanwhile (an unchanged figure
# costs the browser nothing); the final map is drawn at once.
MAP_EVERY_S = 5.0
MAP_POLLS = 3
FIELDS = [f.name for f in fields(TrainForm)]


def form() -> TrainForm:
    return TrainForm.from_values(FORM.values(FIELDS))


def fill(values: TrainForm, notice: bool = True) -> None:
    """Put a whole form into the widgets (a preset, a run taken back after a reload)."""
    for name, value in values.values().items():
        FORM.set(name, value)
    if notice:
        ss["train.notice"] = True


def kind_changed() -> None:   # each kind has its own meaning of "hidden sizes"
    FORM._copy("kind")
    FORM.set("hidden", form().with_kind(FORM["kind"]).hidden)


def noise_changed() -> None:  # keep the level inside the new kind's range
    FORM._copy("noise")
    FORM.set("level", form().with_noise(FORM["noise"]).level)


def warm_shape(record) -> dict | None:
    """The dataset, kind and sizes of the sidebar's model, which a warm start keeps."""
    if record is None:
        return None
    return {"dataset": record.dataset.name, "kind": record.config.kind, "latent": record.config.latent_dim,
            "hidden": ",".join(str(h) for h in record.config.hidden)}


def describe(job: ae.executor.RunHandle) -> str:
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


# ---------------------------------------------------------------- the form

def settings_panel(busy: bool) -> tuple[bool, bool, str | None]:
    """The form's widgets; returns (start clicked, stop clicked, the warm start's checkpoint or None).
    A lesson link (?lesson=1) shows only the lesson's presets, the number of epochs and Start/Stop."""
    simple = lesson()
    with st.container(border=True):
        head, b1, b2 = st.columns([2, 1, 1], vertical_alignment="center")
        head.subheader(t("train.settings"))
        b1.button(t("train.preset"), on_click=fill, args=(LESSON,), help=t("train.preset_help"), disabled=busy,
                  key="train.preset", icon=":material/menu_book:", width="stretch")
        b2.button(t("train.preset_denoise"), on_click=fill, args=(LESSON_DENOISE,),
                  help=t("train.preset_denoise_help"), disabled=busy, key="train.preset_denoise",
                  icon=":material/auto_fix_high:", width="stretch")
        if ss.pop("train.notice", None):
            st.toast(t("train.preset_done"))

        # A warm start keeps the active model's dataset, kind and sizes: they are shown, not chosen.
        active = catalog().records.get(ss.get("model", ""))
        shape = warm_shape(active)
        warm = bool(FORM["init"]) and shape is not None and not simple
        if warm and not busy:
            for name, value in shape.items():   # the sidebar's model may have changed: show the new one's
                if FORM[name] != value:
                    FORM.set(name, value)
        if FORM["dataset"] not in ae.data.choices():   # a user dataset deleted since
            FORM.set("dataset", TrainForm().dataset)
        if simple:
            FORM.set("init", False)
            st.columns([1, 3])[0].number_input(t("train.epochs"), 1, 200, step=1, disabled=busy,
                                               **FORM.widget("epochs", bounds=(1, 200)))
            st.caption(t("train.lesson_note", what=describe_form(form())))
        else:
            st.toggle(t("train.init"), disabled=busy or shape is None, help=t("train.init_help"),
                      **FORM.widget("init"))
            if warm:
                st.caption(t("train.init_note", name=active.name, kind=t(f"kind.{shape['kind']}"), z=shape["latent"]))
            advanced(busy, warm)

        go_col, stop_col, _ = st.columns([1, 1, 3])
        start = go_col.button(t("train.start"), type="primary", disabled=busy, key="train.start",
                              icon=":material/play_arrow:", width="stretch")
        stop = stop_col.button(t("train.stop"), disabled=not busy, key="train.stop",
                               icon=":material/stop:", width="stretch")
    return start, stop, str(active.path) if warm else None


def describe_form(f: TrainForm) -> str:
    """The lesson's model and data in a few words, for the lesson view (its settings are not shown)."""
    what = f"{dataset_title(f.dataset)}, {t('kind.' + f.kind)}, z = {f.latent}"
    return what + (f", {t('noise.' + f.noise)} {f.level:g}" if f.denoise else "")


def advanced(busy: bool, warm: bool) -> None:
    """Every setting of the form (hidden in a lesson view)."""
    datasets, kinds, noises = ae.data.choices(), list(ae.MODELS), list(ae.NOISES)
    fixed = busy or warm
    c = st.columns(4)
    c[0].selectbox(t("train.dataset"), datasets, disabled=fixed,
                   format_func={d: dataset_title(d) for d in datasets}.get,
                   **FORM.widget("dataset", options=datasets))
    c[1].selectbox(t("train.kind"), kinds, disabled=fixed, format_func=labels("kind", kinds),
                   **{**FORM.widget("kind"), "on_change": kind_changed, "args": ()})
    c[2].number_input(t("train.latent"), 1, 128, step=1, disabled=fixed, help=t("train.latent_help"),
                      **FORM.widget("latent"))
    c[3].text_input(t("train.hidden"), disabled=fixed, help=t("train.hidden_help"), **FORM.widget("hidden"))

    c = st.columns(4)
    c[0].number_input(t("train.epochs"), 1, 200, step=1, disabled=busy, **FORM.widget("epochs"))
    c[1].number_input(t("train.batch"), 1, 4096, step=16, disabled=busy, **FORM.widget("batch"))
    c[2].number_input(t("train.lr"), 0.00001, 1.0, step=0.0005, format="%.4f", disabled=busy,
                      **FORM.widget("lr"))
    c[3].number_input(t("train.seed"), 0, 2**31 - 1, step=1, disabled=busy, help=t("train.seed_help"),
                      **FORM.widget("seed"))

    c = st.columns(4)
    quick = c[0].toggle(t("train.quick"), disabled=busy, help=t("train.quick_help"), **FORM.widget("quick"))
    c[1].number_input(t("train.subset"), 64, 60000, step=500, disabled=busy or not quick, **FORM.widget("subset"))
    denoise = c[2].toggle(t("train.denoise"), disabled=busy, help=t("train.denoise_help"), **FORM.widget("denoise"))
    c[3].toggle(t("train.cosine"), disabled=busy, help=t("train.cosine_help"), **FORM.widget("cosine"))
    if ae.MODELS[FORM["kind"]].skips and not denoise:
        st.warning(t("train.unet_note"))
    if denoise:
        noise_panel(busy, noises)


def noise_panel(busy: bool, noises: list[str]) -> None:
    c = st.columns([1, 1, 0.8, 1.2])
    noise = c[0].selectbox(t("train.noise"), noises, disabled=busy, format_func=labels("noise", noises),
                           **{**FORM.widget("noise"), "on_change": noise_changed, "args": ()})
    record = ae.NOISES[noise]
    c[1].slider(t("train.level"), record.level.low, record.level.high, step=record.level.step, disabled=busy,
                help=t(f"noise.{noise}.level"), **FORM.widget("level"))
    if record.clip:
        c[2].toggle(t("train.clip"), disabled=busy, help=t("train.clip_help"), **FORM.widget("clip"))
    if c[3].toggle(t("train.noisy_target"), disabled=busy, help=t("train.noisy_target_help"),
                   **FORM.widget("noisy_target")):
        st.caption(t("train.noisy_target_note"))


def start_run(job: ae.executor.RunHandle | None, snap, init: str | None) -> None:
    try:
        new = executor().submit(*form().configs(init), FORM["dataset"])
    except (ValueError, RuntimeError, CheckpointError) as e:
        st.error(f"{t('train.bad_settings')} {explain(e)}")
        return
    if snap is not None and snap.history:   # kept for the comparison (e.g. first-printing target)
        ss["train.previous"] = {"history": snap.history, "recon": snap.recon, "inputs": snap.inputs,
                                "dataset": job.dataset, "what": describe(job)}
    hold_training_run(new)   # the run survives a reload: see pages/_common.py
    st.rerun()


# ---------------------------------------------------------------- the live panel

LOST = {ae.executor.WORKER_LOST: "train.status.worker_lost", ae.executor.HELPER_LOST: "train.status.helper_lost"}


def status_line(job: ae.executor.RunHandle, s: jobs.JobSnapshot) -> None:
    if s.status == jobs.QUEUED:
        most = executor().max_running
        text = (t("train.status.queued", pos=s.position or 1, max=most) if most
                else t("train.status.queued_cluster"))   # a Ray cluster does not say where a run is in line
        st.info(text, icon=":material/hourglass_top:")
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
    elif s.error in LOST:
        st.error(t(LOST[s.error]))
    else:
        st.error(f"{t('train.status.failed')} {s.error}")


def figures_of(job: ae.executor.RunHandle, s: jobs.JobSnapshot, prev: dict | None) -> dict:
    """The panel's charts, built once per new epoch or picture (the snapshot's version) and drawn
    again from this session's memo on the polls in between; the map less often (MAP_EVERY_S)."""
    memo = ss.get("train.drawn")
    key = (id(job), s.version, s.status, lang(), id(prev))
    if memo is not None and memo[0] == key:
        return memo[1]
    names = {"train_loss": t("train.train_loss"), "test_loss": t("train.test_loss"), "epoch": t("train.epoch"),
             "loss": t("train.loss"), "previous": t("train.previous"), "empty": t("train.curves_empty")}
    out = {"curves": ae.figures.training_curves(s.history, s.epochs, names,
                                                previous=prev["history"] if prev else None)}
    if s.latent is not None:
        drawn = ss.get("train.map")   # (whose, when, figure)
        whose = (id(job), lang())
        every = max(MAP_EVERY_S, MAP_POLLS * poll_every(s)) if s.active else 0.0
        if drawn is None or drawn[0] != whose or time.monotonic() - drawn[1] >= every:
            figure = ae.figures.latent_preview(s.latent, s.latent_labels, class_names(job.dataset, s.class_names),
                                               s.latent_method)
            drawn = ss["train.map"] = (whose, time.monotonic(), figure)
        out["map"] = drawn[2]
    ss["train.drawn"] = (key, out)
    return out


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
    for col, name, label, fmt in ((m[1], "train_loss", "train.metric.train", ".4f"),
                                  (m[2], "test_loss", "train.metric.test", ".4f"),
                                  (m[3], "test_psnr", "train.metric.psnr", ".1f")):
        col.metric(t(label), format(last[name], fmt) if last.get(name) is not None else "–")
    m[4].metric(t("train.metric.time"), duration(s.elapsed_s))

    prev = ss.get("train.previous")
    prev = prev if prev is not None and prev["dataset"] == job.dataset else None
    figs = figures_of(job, s, prev)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader(t("train.curves"))
        st.plotly_chart(figs["curves"], config={"displayModeBar": False}, key="train.curves_chart")
        loss_name = t("train.loss_name.vae" if job.model_config.kind == "vae" else "train.loss_name.mse")
        note = t("train.curves_caption", loss=loss_name, n=min(s.test_size, job.eval_limit or s.test_size))
        st.caption(note + (" " + t("train.previous_caption", what=prev["what"]) if prev else ""))
    with right:
        st.subheader(t("train.latent_map"))
        if "map" in figs:
            st.plotly_chart(figs["map"], config={"displayModeBar": False}, key="train.latent_chart")
            n, d = len(s.latent), job.model_config.latent_dim
            st.caption(t("train.latent_raw", n=n) if s.latent_method == "raw" else t("train.latent_pca", n=n, d=d))
    pictures(s, prev)
    finish_rerun(s)


def pictures(s: jobs.JobSnapshot, prev: dict | None) -> None:
    st.subheader(t("train.pictures"))
    rows, names = [s.originals], [t("word.original")]
    if s.inputs is not None:
        rows.append(s.inputs)
        names.append(t("train.row.noisy"))
    rows.append(s.recon)
    names.append(t("word.reconstruction"))
    if prev and prev["recon"] is not None and len(prev["recon"]) == len(s.recon) and (
            (prev["inputs"] is None) == (s.inputs is None)):
        rows.append(prev["recon"])
        names.append(t("train.row.previous"))
    show_rows(rows, captions=names, scale=3, inline=s.active)   # redrawn while it trains: no media files
    st.caption(t("train.pictures_at", at=f"{s.preview_at:.1f}".rstrip("0").rstrip(".")))


def finish_rerun(s: jobs.JobSnapshot) -> None:
    """When the run ends, or starts after waiting, redraw the whole page once: the settings unlock and
    the save form appears, or the panel polls at its running pace."""
    if ss.get("train.was_status") not in (None, s.status) and (not s.active or s.status == jobs.RUNNING):
        ss["train.was_status"] = s.status
        st.rerun()
    ss["train.was_status"] = s.status


def poll_every(s: jobs.JobSnapshot) -> float:
    """How often a busy panel looks again: every second for the session that watches its own running
    run; a queued run, or a run another tab started too, rarely (many tabs polling starved the server)."""
    running = s.status == jobs.RUNNING   # asked first: a queued Ray run answers nothing until it starts
    return 1.0 if running and executor().holders(ss.get("train.token", "")) <= 1 else 5.0


# ---------------------------------------------------------------- save

def suggested_name(job: ae.executor.RunHandle) -> str:
    try:
        short = ae.data.spec(job.dataset).short or "data"   # a user dataset: its folder name
    except ValueError:
        short = "data"
    base = f"{short[:32]}_{job.model_config.kind}_z{job.model_config.latent_dim}"
    base += "_denoise" if job.train_config.noise else ""
    base += "_noisytarget" if job.train_config.noisy_target else ""
    name, i = base, 2
    while (USER_CHECKPOINTS / name).exists():
        name, i = f"{base}_{i}", i + 1
    return name


def saved_notice(job: ae.executor.RunHandle | None) -> None:
    """A save done in an earlier run (perhaps one a click interrupted right after the save): select the
    model in the sidebar and say so, once."""
    saved = job.snapshot().saved_to if job is not None else None
    if saved and ss.get("train.saved_seen") != saved:
        ss["train.saved_seen"] = saved
        ss["model.pending"] = saved
        refresh_catalog()
        st.rerun()   # the sidebar is drawn before the page: run again so it shows the new model
    if saved and ss.get("train.saved_shown") != saved:
        ss["train.saved_shown"] = saved
        st.success(t("train.saved", name=Path(saved).name))


def save_panel(job: ae.executor.RunHandle) -> None:
    with st.form("train.save_form", border=True):
        st.subheader(t("train.save_heading"))
        name = st.text_input(t("train.save_name"), value=suggested_name(job), max_chars=64,
                             help=t("train.save_name_help"), key=f"train.save_name.{id(job)}.{ss.get('train.saves', 0)}")
        overwrite = st.checkbox(t("train.overwrite"), key="train.overwrite")
        submitted = st.form_submit_button(t("train.save"), type="primary", icon=":material/save:")
    if not submitted:
        return
    name = name.strip()
    try:
        ae.checkpoint.check_name(name)
    except CheckpointError:
        st.error(t("train.bad_name"))
        return
    try:
        with st.spinner(t("train.saving")):
            job.save(name, USER_CHECKPOINTS, overwrite=overwrite)
    except ae.checkpoint.CheckpointExists:
        st.error(t("train.name_taken", name=name))
    except ae.executor.WorkerLost:
        st.error(t("train.save_lost"))
    except (CheckpointError, ValueError, OSError) as e:
        st.error(f"{t('train.save_failed')} {e}")
    else:
        ss["train.saves"] = ss.get("train.saves", 0) + 1   # a fresh name suggestion next time
        saved_notice(job)


# ---------------------------------------------------------------- the page

job: ae.executor.RunHandle | None = ss.get("train.job")
if job is not None and ss.pop("train.claimed", False):
    fill(TrainForm.of(job.model_config, job.train_config, job.dataset), notice=False)
snap = job.snapshot() if job is not None else None
busy = snap is not None and snap.active

st.title(t("train.heading"))
st.markdown(t("train.intro"))
saved_notice(job)
if ss.pop("train.run_gone", False):
    minutes = f"{executor().grace_s / 60:.1f}".rstrip("0").rstrip(".")
    st.info(t("train.run_gone", minutes=minutes), icon=":material/history:")
start, stop, init = settings_panel(busy)
if start and not busy:
    start_run(job, snap, init)
if stop and job is not None:
    job.stop()
(st.fragment(run_every=poll_every(snap))(live_panel) if busy else live_panel)()
if job is not None and not busy and snap.can_save:
    save_panel(job)
