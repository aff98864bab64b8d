"""The page "My models & data" in AppTest (issue 21): a model out as a zip and back in as the active model,
refusals in both languages, a dataset uploaded, previewed, kept and deleted; a model trained on a user
dataset (an unlabelled one: a single class) on every page, and one whose dataset is gone.

Shipped checkpoints are the real ones; user models, user datasets and caches go to temporary folders.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import open_page

import ae
import pages._common
from pages._text import STRINGS

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints" / "fmnist_dense_z3"
pytestmark = pytest.mark.skipif(not SHIPPED.is_dir(), reason="needs the shipped fmnist_dense_z3")


@pytest.fixture
def places(tmp_path, monkeypatch):
    """User models, user datasets and caches in a temporary folder of this test."""
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", tmp_path / "models")
    monkeypatch.setenv("AE_USER_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def tiny_zip(tmp_path: Path, name: str = "tiny_dense") -> bytes:
    torch.manual_seed(0)
    folder = ae.checkpoint.save(tmp_path / "made" / name, ae.build_model(ae.ModelConfig("dense", 2, (8,))),
                                dataset={"name": "fashion-mnist", "source": "tests"})
    return ae.archive.export_zip(folder, STRINGS)


def pictures_zip(classes=("circle", "bar"), n: int = 12, folders: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for c, name in enumerate(classes):
            for i in range(n):
                a = np.zeros((32, 32), np.uint8)
                if c == 0:
                    a[8 + i % 4:24, 8:24] = 255
                    a[12:20, 12:20] = 0
                else:
                    a[6:26, 14 + i % 4:18 + i % 4] = 255
                png = io.BytesIO()
                Image.fromarray(a).save(png, "PNG")
                zf.writestr(f"{name}/{i:02d}.png" if folders else f"{name}_{i:02d}.png", png.getvalue())
    return buf.getvalue()


def texts(at: AppTest, what: str) -> str:
    return " ".join(e.value for e in getattr(at, what))


# ---------------------------------------------------------------- models out and in

def test_the_download_is_the_checkpoint_with_its_onnx_files_made_once(places):
    path = str(SHIPPED)
    record = ae.checkpoint.describe(SHIPPED)
    pages._common.model_zip.cache_clear()
    data = pages._common.model_zip(path, record.weights_sha256)
    assert pages._common.model_zip(path, record.weights_sha256) is data          # made once per checkpoint
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert zf.read("config.json") == (SHIPPED / "config.json").read_bytes()
        card = zf.read("model_card.ko.md").decode()
    assert {"encoder.onnx", "decoder.onnx", "model_card.en.md", record.meta["weights"]} <= names
    assert "fmnist_dense_z3" in card and "인코더" in card
    for lang in ("en", "ko"):
        at = open_page("pages/library.py", lang)
        labels = [b.label for b in at.get("download_button")]
        assert labels.count(STRINGS[lang]["sidebar.download"]) == 2, labels   # the sidebar and the page


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_uploaded_model_becomes_the_active_model(places, lang):
    at = open_page("pages/library.py", lang)
    at.file_uploader(key="library.model_file").set_value(("tiny_dense.zip", tiny_zip(places), "application/zip"))
    at.run()
    assert not at.exception, at.exception
    added = places / "models" / "tiny_dense"
    assert (added / "config.json").is_file()
    assert at.session_state["model"] == str(added)
    assert at.sidebar.selectbox(key="model").value == str(added) and at.query_params["model"] == "user/tiny_dense"
    assert STRINGS[lang]["library.model_added"].format(name="tiny_dense") in texts(at, "success")
    at.run()                                                   # the same file is not imported twice
    assert sorted(p.name for p in (places / "models").iterdir() if not p.name.startswith(".")) == ["tiny_dense"]
    home = at.switch_page("pages/home.py").run()
    assert not home.exception and [m for m in home.metric if m.label == "MSE"]   # a page draws with it


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_hostile_model_zip_is_refused_with_its_reason_and_nothing_is_written(places, lang):
    good = tiny_zip(places)
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
        zf.writestr("../escape.txt", b"x")
    at = open_page("pages/library.py", lang)
    for data, code, params in ((buf.getvalue(), "unsafe_path", {"member": "../escape.txt"}),
                               (b"not a zip at all", "not_zip", {}),
                               (good[: len(good) // 2], "not_zip", {})):
        at.file_uploader(key="library.model_file").set_value(("bad.zip", data, "application/zip"))
        at.run()
        assert not at.exception, at.exception
        shown = texts(at, "error")
        assert STRINGS[lang]["library.refused"] in shown
        assert STRINGS[lang][f"byo.error.{code}"].format(**params) in shown, shown
    assert not (places / "models").exists() or not any((places / "models").iterdir())
    assert at.session_state["model"].endswith("fmnist_dense_z3")


# ---------------------------------------------------------------- your own images

@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_dataset_is_uploaded_previewed_kept_offered_and_deleted(places, lang):
    at = open_page("pages/library.py", lang)
    assert STRINGS[lang]["library.no_datasets"] in texts(at, "info")
    at.file_uploader(key="library.data_file.0").set_value(("My shapes.zip", pictures_zip(), "application/zip"))
    at.run()
    assert not at.exception, at.exception
    assert STRINGS[lang]["library.read.folders"].format(n=24, k=2) in texts(at, "markdown")
    shown = texts(at, "caption")
    assert "bar: 12 · circle: 12" in shown, shown                                      # classes and counts
    row = STRINGS[lang]["word.row"]
    assert f"{row.format(n=1)}: bar · {row.format(n=2)}: circle" in shown, shown      # one row per class
    assert at.get("image")                                                             # a preview row per class
    name = next(w for w in at.text_input if w.key.startswith("library.name."))
    assert name.value == "My_shapes"
    name.set_value("shapes")
    next(b for b in at.button if str(b.key).startswith("FormSubmitter:library.save_form")).click()
    at.run()
    assert not at.exception, at.exception
    assert STRINGS[lang]["library.saved"].format(name="shapes") in texts(at, "success")
    stored = ae.userdata.list_datasets()
    assert [d.key for d in stored] == ["user:shapes"] and sum(stored[0].sizes) == 24
    assert "👤 shapes" in texts(at, "markdown")

    train = at.switch_page("pages/train.py").run()
    choice = train.selectbox(key=f"train.form.dataset.{lang}")
    assert "user:shapes" in choice.options or "👤 shapes" in choice.options, choice.options

    lib = train.switch_page("pages/library.py").run()
    lib.button(key="library.delete.shapes").click().run()
    assert not lib.exception and ae.userdata.list_datasets() == []
    assert STRINGS[lang]["library.no_datasets"] in texts(lib, "info")


def test_a_refused_dataset_says_why(places):
    at = open_page("pages/library.py", "ko")
    at.file_uploader(key="library.data_file.0").set_value(("few.zip", pictures_zip(n=2), "application/zip"))
    at.run()
    assert not at.exception
    assert STRINGS["ko"]["byo.error.too_few_images"].format(count=4, limit=10) in texts(at, "error")
    assert ae.userdata.list_datasets() == []


# ---------------------------------------------------------------- a model trained on a user dataset

@pytest.fixture
def unlabelled_model(places):
    """An unlabelled user dataset (one class) and a small model trained on it, among the user's models."""
    ds = ae.userdata.import_dataset(pictures_zip(folders=False), "loose.zip")
    train, test = ae.data.load(ds.key, "train"), ae.data.load(ds.key, "test")
    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig("dense", 3, (32,)))
    config = ae.TrainConfig(epochs=1, batch_size=8)
    history = [r.to_json() for r in ae.train.train(model, train.images, config)]
    path = ae.checkpoint.save_trained(places / "models" / "on_loose", model, config, train, test, history)
    return ds, path


@pytest.mark.parametrize("page", ["pages/home.py", "pages/latent.py", "pages/denoise.py", "pages/train.py"])
def test_a_model_trained_on_an_unlabelled_user_dataset_works_on_every_page(unlabelled_model, page):
    ds, path = unlabelled_model
    at = open_page(page, "ko", model=str(path), **{"latent.n": 300})
    assert at.session_state["model"] == str(path), at.sidebar.selectbox(key="model").options
    assert not at.error, [e.value for e in at.error]
    facts = texts(at.sidebar, "caption")
    assert "👤 loose" in facts and "직접 올린 파일 “loose.zip”" in facts and "upload" not in facts
    if page == "pages/latent.py":
        assert at.get("plotly_chart")
        at.number_input(key="latent.index").set_value(2).run()           # one point: its neighbours
        assert not at.exception and not at.error
        assert STRINGS["ko"]["byo.class.unlabelled"] in " ".join(s.value for s in at.subheader)
    if page == "pages/train.py":
        assert at.selectbox(key="train.form.dataset.ko").options.count("👤 loose") == 1


def test_a_model_whose_user_dataset_is_gone_is_listed_with_the_reason(unlabelled_model):
    ds, path = unlabelled_model
    ae.userdata.delete_dataset(ds.name)
    at = open_page("pages/home.py", "en", model=str(path))
    assert at.session_state["model"] != str(path) and not at.exception and not at.error
    listed = texts(at.sidebar, "caption")
    assert "**on_loose**" in listed and "👤 loose" in listed and "not on this server" in listed
    again = ae.userdata.import_dataset(pictures_zip(folders=False, classes=("other",)), "loose.zip")
    assert again.name == "loose"
    at = open_page("pages/home.py", "en", model=str(path))          # usable again, with a warning
    assert at.session_state["model"] == str(path) and not at.error
    assert STRINGS["en"]["sidebar.data_changed"] in texts(at.sidebar, "caption")
    assert json.loads((path / "config.json").read_text())["dataset"]["sha256"] == ds.sha256


def test_train_on_it_trains_on_the_users_dataset_and_the_save_records_it(places):
    """"Train on it" opens the Train page with the dataset chosen; the live panel names its classes;
    the saved model records the dataset and the upload's sha256 and becomes the active model."""
    import time

    ds = ae.userdata.import_dataset(pictures_zip(n=20), "shapes.zip")
    at = open_page("pages/library.py", "en")
    at.button(key="library.train.shapes").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train.form.dataset.en").value == "user:shapes"
    at.switch_page("pages/train.py")              # AppTest's next runs stay there (st.switch_page does not say)
    at.number_input(key="train.form.epochs.en").set_value(1)
    at.number_input(key="train.form.batch.en").set_value(8)
    at.button(key="train.start").click().run()
    assert not at.error, [e.value for e in at.error]
    deadline = time.monotonic() + 90
    while at.session_state["train.job"].snapshot().active:
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.3)
        at.run()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    charts = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "circle" in charts and "bar" in charts                    # the map's legend: the folder names
    name = next(w for w in at.text_input if w.key.startswith("train.save_name."))
    assert name.value == "shapes_dense_z3"
    next(b for b in at.button if b.label == "Save").click().run()
    saved = places / "models" / "shapes_dense_z3"
    meta = json.loads((saved / "config.json").read_text())
    assert meta["dataset"]["name"] == "user:shapes" and meta["dataset"]["sha256"] == ds.sha256
    at.run()
    assert at.session_state["model"] == str(saved) and "👤 shapes" in texts(at.sidebar, "caption")


def test_an_uploaded_model_whose_dataset_is_not_here_says_so(places):
    torch.manual_seed(0)
    folder = ae.checkpoint.save(places / "made" / "elsewhere", ae.build_model(ae.ModelConfig("dense", 2, (8,))),
                                dataset={"name": "user:their_drawings", "source": "upload 'd.zip' (sha256 ab)"})
    at = open_page("pages/library.py", "ko")
    at.file_uploader(key="library.model_file").set_value(("elsewhere.zip", ae.archive.export_zip(folder, STRINGS),
                                                         "application/zip"))
    at.run()
    assert not at.exception and (places / "models" / "elsewhere" / "config.json").is_file()
    shown = texts(at, "warning")
    assert "👤 elsewhere" in shown and "👤 their_drawings" in shown and "내 모델과 데이터" in shown, shown
    assert at.session_state["model"].endswith("fmnist_dense_z3")      # not usable yet: not the active model
