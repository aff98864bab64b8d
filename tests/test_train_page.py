"""The Train page in AppTest: renders in both languages, presets, validation, a tiny run saved and selected."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page

import ae
import pages._common

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    """Saves go to a temporary folder: the page and the sidebar read this module attribute."""
    folder = tmp_path / "user"
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", folder)
    return folder


def train_page(lang: str = "en") -> AppTest:
    return open_page("pages/train.py", lang)


def run_until_finished(at: AppTest, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while at.session_state["train.job"].snapshot().active:
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.3)
        at.run()
    at.run()   # the run after the end: settings unlocked, save form shown
    assert not at.exception, at.exception


def widget(at: AppTest, kind: str, name: str):
    """The page's one widget for setting `name` (its key also holds the language)."""
    found = [w for w in getattr(at, kind) if (w.key or "").startswith(f"train.form.{name}.")]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "Save")   # the save form's submit button


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_renders_with_key_widgets(lang):
    at = train_page(lang)
    keys = {"train.start", "train.stop", "train.preset", "train.preset_denoise"}
    assert keys <= {b.key for b in at.button}
    assert at.button(key="train.start").disabled is False and at.button(key="train.stop").disabled is True
    assert set(widget(at, "selectbox", "dataset").options) and widget(at, "selectbox", "kind").value == "dense"
    for name in ["latent", "epochs", "batch", "lr", "seed", "subset"]:
        assert widget(at, "number_input", name) is not None
    assert widget(at, "text_input", "hidden").value == "128,64,12"
    assert widget(at, "toggle", "quick").value is True          # the first run is a quick one
    assert widget(at, "toggle", "cosine").value is False        # the lesson's fixed learning rate
    hangul = any("\uac00" <= ch <= "\ud7a3" for ch in at.title[0].value)
    assert hangul == (lang == "ko")


def test_lesson_presets_fill_the_lessons_setup():
    at = train_page()
    widget(at, "number_input", "epochs").set_value(2)
    widget(at, "selectbox", "kind").set_value("conv").run()
    assert widget(at, "text_input", "hidden").value == "32,64"      # each kind its own hidden sizes
    at.button(key="train.preset").click().run()
    assert not at.exception, at.exception
    values = {n: widget(at, "number_input", n).value for n in ["latent", "epochs", "batch", "lr"]}
    assert values == {"latent": 3, "epochs": 10, "batch": 64, "lr": 0.005}
    assert widget(at, "selectbox", "dataset").value == "fashion-mnist"
    assert widget(at, "selectbox", "kind").value == "dense"
    assert widget(at, "text_input", "hidden").value == "128,64,12"
    assert widget(at, "toggle", "quick").value is False and widget(at, "toggle", "denoise").value is False
    at.button(key="train.preset_denoise").click().run()
    assert widget(at, "toggle", "denoise").value is True
    assert widget(at, "selectbox", "noise").value == "gaussian"
    assert widget(at, "slider", "level").value == pytest.approx(0.2)
    assert widget(at, "toggle", "clip").value is False               # the lesson does not clip
    assert widget(at, "toggle", "noisy_target").value is False       # the corrected target by default


def test_settings_survive_language_and_page_switches():
    at = train_page("ko")
    widget(at, "number_input", "epochs").set_value(7)
    widget(at, "selectbox", "dataset").set_value("mnist").run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert widget(at, "number_input", "epochs").label == "Epochs"
    assert widget(at, "number_input", "epochs").value == 7
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    assert widget(at, "number_input", "epochs").value == 7
    assert widget(at, "selectbox", "dataset").value == "mnist"
    assert widget(at, "number_input", "epochs").label == "Epochs"


@pytest.mark.parametrize("kind, hidden", [("unet", "32,64"), ("conv_refine", "32,64,32")])
def test_a_model_with_skips_without_damage_gets_a_warning(kind, hidden):
    at = train_page()
    assert not at.warning
    widget(at, "selectbox", "kind").set_value(kind).run()
    assert widget(at, "text_input", "hidden").value == hidden
    assert any("copy" in w.value for w in at.warning)                # skips let it learn to copy its input
    widget(at, "toggle", "denoise").set_value(True).run()
    assert not at.warning
    widget(at, "toggle", "denoise").set_value(False).run()
    widget(at, "selectbox", "kind").set_value("conv").run()
    assert not at.warning                                            # a plain bottleneck has to learn


def test_bad_hidden_sizes_show_a_readable_error():
    at = train_page()
    widget(at, "text_input", "hidden").set_value("128,abc").run()
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    assert any("128,64,12" in e.value for e in at.error)
    assert "train.job" not in at.session_state


def test_tiny_training_saves_and_becomes_the_active_model(user_dir):
    at = train_page()
    widget(at, "number_input", "subset").set_value(256)
    widget(at, "number_input", "epochs").set_value(1)
    widget(at, "toggle", "cosine").set_value(True)
    widget(at, "number_input", "latent").set_value(2).run()
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    assert at.button(key="train.start").disabled and not at.button(key="train.stop").disabled
    run_until_finished(at)
    snap = at.session_state["train.job"].snapshot()
    assert snap.status == "done" and len(snap.history) == 1 and snap.train_size == 256
    assert len(at.get("plotly_chart")) == 2 and at.image      # curves, latent map, picture grid
    assert any("1 / 1" in m.value for m in at.metric)

    name_box = next(x for x in at.text_input if x.key.startswith("train.save_name"))
    name_box.set_value("../escape")
    save_button(at).click().run()
    assert any("..'" in e.value for e in at.error) and not user_dir.exists()

    name_box = next(x for x in at.text_input if x.key.startswith("train.save_name"))
    name_box.set_value("tiny_run")
    save_button(at).click().run()
    assert not at.exception, at.exception
    path = user_dir / "tiny_run"
    model, meta = ae.checkpoint.load(path)
    assert meta["model"]["latent_dim"] == 2 and meta["dataset"]["train_size"] == 256 and len(meta["history"]) == 1
    assert meta["train"]["lr_schedule"] == "cosine"
    assert at.sidebar.selectbox(key="model").value == str(path)      # selected at once in the sidebar
    assert any("tiny_run" in s.value for s in at.success)


def test_a_warm_start_from_the_active_model_is_trained_and_recorded(user_dir):
    """The sidebar's model (the shipped fmnist_dense_z3) taught to denoise: its shape is kept, its weights
    are the start, and the saved checkpoint says where it started."""
    at = train_page()
    widget(at, "selectbox", "kind").set_value("conv").run()
    widget(at, "toggle", "init").set_value(True).run()
    assert not at.exception, at.exception
    assert widget(at, "selectbox", "kind").value == "dense" and widget(at, "number_input", "latent").value == 3
    assert widget(at, "text_input", "hidden").value == "128,64,12"
    assert widget(at, "selectbox", "dataset").value == "fashion-mnist"
    assert all(widget(at, kind, name).disabled for kind, name in
               [("selectbox", "dataset"), ("selectbox", "kind"), ("number_input", "latent"), ("text_input", "hidden")])
    assert any("fmnist_dense_z3" in c.value for c in at.caption)
    shipped = ROOT / "checkpoints" / "fmnist_dense_z3"
    at.sidebar.selectbox(key="model").set_value(str(ROOT / "checkpoints" / "fmnist_conv_z32")).run()
    assert widget(at, "selectbox", "kind").value == "conv" and widget(at, "number_input", "latent").value == 32
    at.sidebar.selectbox(key="model").set_value(str(shipped)).run()   # the fields follow the sidebar
    assert widget(at, "selectbox", "kind").value == "dense" and widget(at, "toggle", "init").value is True
    widget(at, "toggle", "denoise").set_value(True)
    widget(at, "number_input", "subset").set_value(256)
    widget(at, "number_input", "epochs").set_value(1)
    widget(at, "number_input", "lr").set_value(0.0005).run()
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["train.job"]
    assert job.train_config.init == str(shipped) and len(job.copied) == len(job.model.state_dict())
    run_until_finished(at)
    assert job.snapshot().history[0]["test_psnr"] > 15   # a fresh model after 2 batches would be near 10 dB
    next(x for x in at.text_input if x.key.startswith("train.save_name")).set_value("warm_run")
    save_button(at).click().run()
    assert not at.exception, at.exception
    _, meta = ae.checkpoint.load(user_dir / "warm_run")
    assert meta["started_from"]["name"] == "fmnist_dense_z3" and meta["train"]["noise"] == ["gaussian"]
    assert meta["started_from"]["weights_sha256"] == ae.checkpoint.read_meta(shipped)["weights_sha256"]

    at.switch_page("pages/train.py").run()   # the toggle can be turned off again: the fields are free
    widget(at, "toggle", "init").set_value(False).run()
    assert not widget(at, "selectbox", "kind").disabled and not at.exception


def test_a_reloaded_page_takes_its_run_back_by_the_address():
    at = train_page()
    widget(at, "number_input", "subset").set_value(256)
    widget(at, "number_input", "epochs").set_value(1).run()
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    token = at.session_state["train.token"]
    assert at.query_params["run"] == token            # in the address
    run_until_finished(at)

    # A reload is a new session with nothing in it but the address.
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    again.query_params["run"] = token
    again.session_state["lang"] = "en"
    again.run()
    again.switch_page("pages/train.py").run()
    assert not again.exception, again.exception
    assert again.session_state["train.job"] is at.session_state["train.job"]
    assert any("Done: 1 epoch" in s.value for s in again.success)          # the run, finished
    assert any(b.label == "Save" for b in again.button)                      # and still saveable
    # the settings shown are the run's, not the defaults of a fresh page
    assert widget(again, "number_input", "epochs").value == 1 and widget(again, "number_input", "subset").value == 256
    assert widget(again, "text_input", "hidden").value == "128,64,12"
    assert again.query_params["run"] == token

    # An address whose run has gone (expired or made up) says so instead of failing.
    gone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    gone.query_params["run"] = "no-such-run"
    gone.session_state["lang"] = "en"
    gone.run()
    gone.switch_page("pages/train.py").run()
    assert not gone.exception, gone.exception
    assert "train.job" not in gone.session_state and "run" not in gone.query_params
    assert any("no longer here" in i.value for i in gone.info)


@pytest.mark.parametrize("lang, words", [("en", "parameters; the limit is 10,000,000"), ("ko", "한도는 10,000,000개")])
@pytest.mark.parametrize("hidden", [",".join(["4096"] * 12), ",".join(["4096"] * 3)])
def test_a_model_over_the_parameter_budget_is_refused_with_a_clear_message(lang, words, hidden):
    """4096 x 12 (375 M parameters) used to train, and 4096 x 3 trained a model the loader then refused:
    now the page says why in the chosen language, and nothing starts."""
    at = train_page(lang)
    widget(at, "text_input", "hidden").set_value(hidden).run()
    at.button(key="train.start").click().run()
    assert not at.exception, at.exception
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert "train.job" not in at.session_state


def test_more_layers_than_the_limit_are_refused_before_anything_is_built():
    at = train_page()
    widget(at, "text_input", "hidden").set_value("4096," * 200).run()   # 6.7 G parameters: it killed the server
    at.button(key="train.start").click().run()
    assert not at.exception and at.error and "train.job" not in at.session_state


def test_a_full_queue_says_try_later(monkeypatch):
    from ae.pool import TrainingPool

    pool = TrainingPool(1, max_waiting=0)
    monkeypatch.setattr(ae.jobs, "default_pool", lambda: pool)
    blocker = ae.jobs.TrainingJob(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=1000), train_split=ae.data.synthetic(64),
                                  test_split=ae.data.synthetic(16), pool=pool).start()
    deadline = time.monotonic() + 60
    while blocker.snapshot().status != ae.jobs.RUNNING:   # the one slot is taken; nobody may wait
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        at = train_page()
        at.button(key="train.start").click().run()
        assert not at.exception, at.exception
        assert any("queue is full" in e.value for e in at.error) and "train.job" not in at.session_state
    finally:
        blocker.stop()
        blocker.wait(30)


def test_a_save_that_a_click_interrupted_is_still_shown_and_selected(user_dir):
    """Save, then a language switch a moment later: the checkpoint was written but the run that wrote it
    was stopped before it could say so. The next run says it and selects it in the sidebar."""
    at = train_page()
    widget(at, "number_input", "subset").set_value(256)
    widget(at, "number_input", "epochs").set_value(1).run()
    at.button(key="train.start").click().run()
    run_until_finished(at)
    job = at.session_state["train.job"]
    job.save("interrupted", user_dir)          # what the interrupted run had done
    at.sidebar.radio(key="lang").set_value("ko").run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="model").value == str(user_dir / "interrupted")
    assert any("interrupted" in s.value for s in at.success)
    name_box = next(x for x in at.text_input if x.key.startswith("train.save_name"))
    assert name_box.value != "interrupted"     # the next suggestion is a free name, not a taken one


def test_a_running_panel_redraws_its_map_only_every_few_seconds():
    """A changed 3-D map costs a browser without a graphics card about a second of CPU: between draws
    (MAP_EVERY_S) the panel sends the map it drew, while its pictures and curves follow every preview."""
    at = train_page()
    widget(at, "number_input", "subset").set_value(3000)
    widget(at, "number_input", "epochs").set_value(50).run()
    at.button(key="train.start").click().run()
    job = at.session_state["train.job"]

    def drawn_map() -> str:
        charts = [c.proto.spec for c in at.get("plotly_chart") if '"scene"' in c.proto.spec]   # the 3-D map (z = 3)
        assert len(charts) == 1
        return charts[0]

    def newer_preview() -> None:
        version, deadline = job.snapshot().version, time.monotonic() + 60
        while job.snapshot().version == version:
            assert time.monotonic() < deadline, "no new preview"
            time.sleep(0.2)
        at.run()
        assert not at.exception, at.exception

    try:
        deadline = time.monotonic() + 60
        while "train.map" not in at.session_state:
            assert time.monotonic() < deadline, "no map drawn"
            time.sleep(0.3)
            at.run()
        whose, _, figure = at.session_state["train.map"]
        at.session_state["train.map"] = (whose, time.monotonic(), figure)   # drawn just now
        first = drawn_map()
        newer_preview()
        assert drawn_map() == first                                         # too soon: the same map again
        whose, when, figure = at.session_state["train.map"]
        at.session_state["train.map"] = (whose, when - 60, figure)          # a minute ago
        newer_preview()
        assert drawn_map() != first                                         # the map of the newer preview
    finally:
        job.stop()
        assert job.wait(60)
