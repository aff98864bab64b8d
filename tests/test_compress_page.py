"""The Compression page in AppTest, on the shipped MNIST sweep measured on 100 test images: every section
in both languages, z changing the pictures, a family missing some z, and a sweep of the learner's own
joining the curves."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import open_page

import ae.compress as C
from ae.train import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "checkpoints" / "sweep"
pytestmark = pytest.mark.skipif(not C.find_sweep(SWEEP, "mnist"), reason="needs the shipped MNIST sweep")
SECTIONS = ["sweep", "first", "bytes", "yours"]


@pytest.fixture(autouse=True)
def _small(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("AE_COMPRESS_IMAGES", "100")
    # JPEG and WebP points are kept on disk: once for this module, outside the project's .cache
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "compress_page_cache"))


def page(lang: str = "en", **state):
    at = open_page("pages/compress.py", lang, **{"compress.dataset": "mnist", **state})
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success")
             for e in at.get(kind)]
    parts += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    for df in at.dataframe:
        parts += [str(c) for c in df.value.columns]
    sidebar = {c.value for c in at.sidebar.caption} | {c.value for c in at.sidebar.markdown}
    return "\n".join(p for p in parts if p not in sidebar)


def traces(at) -> list[list[str]]:
    return [[d.get("name") for d in json.loads(e.proto.spec)["data"]] for e in at.get("plotly_chart")]


def at_z_picture(at) -> str:
    """The URL of the picture at the chosen z (the first picture of the page): new content, new URL."""
    return at.main.get("image")[0].value[0]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_section_in_both_languages(lang):
    from pages._text import STRINGS

    at = page(lang)
    assert [s.value for s in at.subheader] == [STRINGS[lang][f"compress.{k}"] for k in SECTIONS]
    names = traces(at)
    # the curves against z: both families and PCA; the rate-distortion chart: codes, PCA and the codecs
    assert {STRINGS[lang]["compress.family.dense"], STRINGS[lang]["compress.family.pca"]} <= set(names[0])
    rd = next(n for n in names if any(STRINGS[lang]["compress.fam.jpeg"] == x for x in n))
    assert any(STRINGS[lang]["compress.fam.jpeg-image"] == x for x in rd)
    assert len(at.metric) == 3 and at.metric[0].value.endswith("dB")
    assert len(at.dataframe[0].value) == len(C.find_sweep(SWEEP, "mnist")["conv"])   # one row per z
    words = set(re.findall(r"[A-Za-z][A-Za-z_-]+", re.sub(r"`[^`]*`", "", texts(at))))
    if lang == "ko":   # only names in the Korean page
        assert words <= {"PSNR", "MSE", "PCA", "JPEG", "WebP", "PNG", "gzip", "dB", "kB", "k-NN", "zip", "MNIST",
                         "checkpoints", "make_sweep"}, words
    else:
        assert not re.search("[\uac00-\ud7a3]", texts(at))
        # at 32 bytes no JPEG or WebP file fits on MNIST: the smallest one is named, with the margin over it
        codec = at.metric[2]
        assert codec.value == "none fits" and re.search(r"the smallest is \d+ bytes .* [+-]\d+\.\d\d dB ahead",
                                                        codec.proto.help)
        # where each family stops paying, one sentence each
        line = next(m.value for m in at.markdown if "largest lead over PCA" in m.value)
        assert "dense AE" in line and "convolutional AE" in line and re.search(r"z = \d+ \([+-]\d", line)


def test_z_changes_the_pictures():
    at = page("en", **{"compress.family": "dense"})
    slider = at.select_slider(key="compress.z.en")
    assert slider.value == 8 and list(slider.options) == [str(z) for z in C.find_sweep(SWEEP, "mnist")["dense"]]
    before = at_z_picture(at)
    assert "z = 8 numbers" in " ".join(c.value for c in at.caption)
    slider.set_value(2).run()
    after = at_z_picture(at)
    assert after != before and "z = 2 numbers" in " ".join(c.value for c in at.caption)
    # PCA's pictures at the same z are others again
    at.segmented_control(key="compress.family.en").set_value("pca").run()
    assert not at.error and at.select_slider(key="compress.z.en").value == 2
    assert at_z_picture(at) not in (before, after)


def test_a_family_missing_some_z(tmp_path, monkeypatch):
    import pages._common

    (tmp_path / "sweep").mkdir()
    (tmp_path / "mnist_conv_z16").symlink_to(ROOT / "checkpoints" / "mnist_conv_z16")   # a model for the sidebar
    for name in ("mnist_dense_z2", "mnist_dense_z8", "mnist_conv_z4"):
        (tmp_path / "sweep" / name).symlink_to(SWEEP / name)
    monkeypatch.setattr(pages._common, "CHECKPOINTS", tmp_path)
    at = page("en", **{"compress.family": "dense", "compress.z": 4})
    captions = " ".join(c.value for c in at.caption)
    assert "dense AE z = 1, 3, 4, 16, 32, 64" in captions and "convolutional AE z = 1, 2, 3, 8, 16, 32, 64" in captions
    slider = at.select_slider(key="compress.z.en")
    assert list(slider.options) == ["2", "8"] and slider.value == 8    # z = 4 is not there: the default
    assert len(at.dataframe[0].value) == 1                               # the conv family's one model


def test_your_sweep_joins_the_curves(monkeypatch):
    monkeypatch.setattr(C, "SWEEP_TRAIN", TrainConfig(epochs=1, batch_size=64, lr=0.005, limit=256))
    at = page("en", **{"compress.your_z": [2, 4]})
    at.button(key="compress.start").click().run()
    job = at.session_state["compress.job"]
    assert job.wait(120) and job.snapshot()["status"] == "done"
    at.run()
    assert not at.error
    assert any("trained at z = 2, 4." in s.value for s in at.success)
    yours = "your sweep (dense)"
    curves = traces(at)
    assert yours in curves[0]                  # the sweep's curves at the top
    assert yours in curves[-1]                 # and the section's own
    mine = at.session_state["compress.yours"]["mnist"]
    assert sorted(p.latent_dim for p in mine) == [2, 4] and all(p.images == 100 for p in mine)


def test_a_lesson_link_leaves_training_out():
    from pages._text import STRINGS

    at = page("ko", _lesson=True)
    assert [s.value for s in at.subheader] == [STRINGS["ko"][f"compress.{k}"] for k in SECTIONS[:3]]
    assert not [b for b in at.button if b.key == "compress.start"]


def test_no_sweep_at_all(tmp_path, monkeypatch):
    import pages._common
    from pages._text import STRINGS

    (tmp_path / "mnist_conv_z16").symlink_to(ROOT / "checkpoints" / "mnist_conv_z16")
    monkeypatch.setattr(pages._common, "CHECKPOINTS", tmp_path)
    at = page("ko")
    assert [i.value for i in at.info] == [STRINGS["ko"]["compress.no_sweep"]] and not at.subheader
