"""The Denoising page in AppTest: both languages, slider moves, noise kinds, uploads, a missing denoiser.

The shipped fmnist_dense_z3 is the plain model; a tiny denoiser is saved into a temporary folder.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import open_page

import ae
import pages._common

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints" / "fmnist_dense_z3"
pytestmark = pytest.mark.skipif(not SHIPPED.is_dir(), reason="needs the shipped fmnist_dense_z3")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """shipped/: the real fmnist_dense_z3 only; user/: a small denoiser for Fashion-MNIST; empty/."""
    root = tmp_path_factory.mktemp("denoise_page")
    (root / "shipped").mkdir()
    (root / "shipped" / "fmnist_dense_z3").symlink_to(SHIPPED, target_is_directory=True)
    (root / "empty").mkdir()
    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=3, hidden=(32,)))
    x = ae.data.synthetic(64).images
    config = ae.TrainConfig(epochs=1, batch_size=32, noise=("gaussian",), noise_level=0.3)
    ae.train.train(model, x, config)
    ae.checkpoint.save(root / "user" / "tiny_denoise", model, train=config.to_dict(),
                       dataset={"name": "fashion-mnist", "source": "test"})
    # two/: that denoiser and a second one, for switching the active model on the page
    (root / "two").mkdir()
    (root / "two" / "tiny_denoise").symlink_to(root / "user" / "tiny_denoise", target_is_directory=True)
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=8, hidden=(32,)))
    config = ae.TrainConfig(epochs=1, batch_size=32, noise=("mask",), noise_level=0.3)
    ae.train.train(model, x, config)
    ae.checkpoint.save(root / "two" / "tiny_mask_denoise", model, train=config.to_dict(),
                       dataset={"name": "fashion-mnist", "source": "test"})
    return root


def page(monkeypatch, folders, lang="en", user="user") -> AppTest:
    monkeypatch.setattr(pages._common, "CHECKPOINTS", folders / "shipped")
    monkeypatch.setattr(pages._common, "USER_CHECKPOINTS", folders / user)
    return open_page("pages/denoise.py", lang)


def picker(at: AppTest, name: str):
    """The plain or the denoiser picker (its key ends in the language)."""
    found = [s for s in at.selectbox if s.key in (f"denoise.{name}.en", f"denoise.{name}.ko")]
    assert len(found) == 1, [s.key for s in at.selectbox]
    return found[0]


def means(at: AppTest) -> dict[str, tuple[float, float, float]]:
    """The table of means: restorer -> (MSE, PSNR, SSIM)."""
    df = at.dataframe[0].value
    return {row.iloc[0]: (row.iloc[1], row.iloc[2], row.iloc[3]) for _, row in df.iterrows()}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_renders_both_models_and_baselines(monkeypatch, folders, lang):
    at = page(monkeypatch, folders, lang)
    assert picker(at, "plain").value.endswith("fmnist_dense_z3")
    assert picker(at, "denoiser").value.endswith("tiny_denoise")
    table = means(at)
    assert len(table) == 6                                   # none, 3 filters, plain, denoiser
    assert all(0 <= mse <= 1 and 0 <= ssim <= 1 for mse, _, ssim in table.values())
    hangul = any("\uac00" <= ch <= "\ud7a3" for ch in at.title[0].value + "".join(table))
    assert hangul == (lang == "ko")
    assert not at.error and not at.info                      # nothing missing, nothing wrong
    assert at.get("plotly_chart")                            # the PSNR curve


def test_slider_moves_change_figures_and_are_reproducible(monkeypatch, folders):
    at = page(monkeypatch, folders)
    slider = at.slider(key="denoise.level.gaussian.en")
    first = means(at)
    slider.set_value(0.8).run()
    heavy = means(at)
    damaged = next(k for k in first if "Damaged" in k)
    assert heavy[damaged][1] < first[damaged][1] - 3         # PSNR of the damaged input drops
    at.slider(key="denoise.level.gaussian.en").set_value(0.3).run()
    assert means(at) == first                                # the same position gives the same damage
    at.button(key="denoise.fresh").click().run()
    fresh = means(at)
    assert fresh != first and abs(fresh[damaged][1] - first[damaged][1]) < 1.0
    assert not at.exception


def test_noise_kind_switch_and_block_sliders(monkeypatch, folders):
    at = page(monkeypatch, folders, "ko")
    at.segmented_control(key="denoise.kind.ko").set_value("block").run()
    assert not at.exception, at.exception
    assert {"denoise.block.size.ko", "denoise.block.count.ko"} <= {s.key for s in at.slider}
    before = means(at)
    at.slider(key="denoise.block.count.ko").set_value(8).run()
    after = means(at)
    damaged = next(iter(before))                              # the first row: the damaged input
    assert after[damaged][1] < before[damaged][1]
    at.segmented_control(key="denoise.kind.ko").set_value("salt_and_pepper").run()
    assert at.slider(key="denoise.level.salt_and_pepper.ko") is not None and not at.exception


def test_a_denoiser_says_which_noises_it_learned(monkeypatch, folders):
    """tiny_denoise learned Gaussian noise only: its label says so, and other kinds get a note."""
    at = page(monkeypatch, folders)
    assert picker(at, "denoiser").options == ["tiny_denoise · Gaussian"]
    assert not at.info
    at.segmented_control(key="denoise.kind.en").set_value("salt_and_pepper").run()
    assert [i.value for i in at.info] == ["**tiny_denoise** was trained on Gaussian only, not on Salt and pepper: "
                                          "expect less from it here, and pick a denoiser trained on Salt and pepper "
                                          "to see what that training adds."]
    at.segmented_control(key="denoise.kind.en").set_value("gaussian").run()
    assert not at.info and not at.exception


def test_upload_is_prepared_and_hostile_files_get_a_message(monkeypatch, folders):
    at = page(monkeypatch, folders)
    at.segmented_control(key="denoise.source.en").set_value("upload").run()
    assert at.info                                            # asks for a file
    ink = np.full((90, 60), 255, np.uint8)
    ink[15:75, 25:35] = 0                                     # a dark "1" on white paper
    buf = io.BytesIO()
    Image.fromarray(ink).save(buf, "PNG")
    at.file_uploader(key="denoise.upload").set_value(("one.png", buf.getvalue(), "image/png")).run()
    assert not at.exception and not at.error, at.error
    assert len(means(at)) == 6 and at.dataframe[0].value.shape[0] == 6
    assert any("inverted" in c.value for c in at.caption)    # the preparation is explained
    for name, data in (("empty.png", b""), ("text.png", b"not an image at all"),
                       ("cut.png", buf.getvalue()[:60])):
        at.file_uploader(key="denoise.upload").set_value((name, data, "image/png")).run()
        assert not at.exception and at.error, name


def test_another_active_model_is_shown_in_the_pickers(monkeypatch, folders):
    """The sidebar's model takes its role on the page at once: the picker shows it, and the figures are its."""
    at = page(monkeypatch, folders, user="two")
    assert picker(at, "denoiser").value.endswith("tiny_denoise")
    before = means(at)
    mask = str(folders / "two" / "tiny_mask_denoise")
    at.sidebar.selectbox(key="model").set_value(mask).run()
    assert not at.exception, at.exception
    assert picker(at, "denoiser").value == mask
    assert any("tiny_mask_denoise" in name for name in means(at)) and means(at) != before
    mine = str(folders / "two" / "tiny_denoise")
    picker(at, "denoiser").set_value(mine).run()
    at.slider(key="denoise.level.gaussian.en").set_value(0.5).run()         # a pick of one's own stays
    assert picker(at, "denoiser").value == mine
    assert any("tiny_denoise" in name for name in means(at)) and not any("mask" in name for name in means(at))
    assert not at.exception and not at.warning


def test_without_a_denoiser_the_rest_is_shown(monkeypatch, folders):
    at = page(monkeypatch, folders, user="empty")
    assert any("no denoising autoencoder" in i.value for i in at.info)
    assert len(means(at)) == 5                                # the four baselines and the plain model


def test_one_chosen_test_image(monkeypatch, folders):
    at = page(monkeypatch, folders)
    at.segmented_control(key="denoise.source.en").set_value("index").run()
    at.number_input(key="denoise.index.en").set_value(17).run()
    assert not at.exception
    assert "(mean over n = 1)" in " ".join(m.value for m in at.markdown)


def test_noise_settings_survive_runs_without_the_lab(monkeypatch, folders):
    """While an upload is awaited the lab is not drawn; its settings must still be there afterwards."""
    at = page(monkeypatch, folders)
    at.segmented_control(key="denoise.kind.en").set_value("block").run()
    at.slider(key="denoise.block.count.en").set_value(7).run()
    at.segmented_control(key="denoise.source.en").set_value("upload").run()
    assert not at.get("plotly_chart")                          # no file yet: no lab
    at.segmented_control(key="denoise.source.en").set_value("batch").run()
    assert at.segmented_control(key="denoise.kind.en").value == "block"
    assert at.slider(key="denoise.block.count.en").value == 7


def test_settings_survive_a_visit_to_another_page(monkeypatch, folders):
    at = page(monkeypatch, folders)
    at.segmented_control(key="denoise.kind.en").set_value("mask").run()
    at.slider(key="denoise.level.mask.en").set_value(0.7).run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/denoise.py").run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="denoise.kind.en").value == "mask"
    assert at.slider(key="denoise.level.mask.en").value == pytest.approx(0.7)
