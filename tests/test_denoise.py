"""ae.denoise: damage, compare restorers on the same damage, the PSNR curve and default model pairs."""
from __future__ import annotations

import pytest
import torch

import ae
from ae import denoise
from ae.baselines import BASELINES
from ae.noise import NOISES


@pytest.fixture(scope="module")
def models():
    """A plain and a denoising dense autoencoder, trained for a moment on the synthetic bars."""
    x = ae.data.synthetic(256).images
    out = {}
    for name, noise in (("plain", ()), ("denoiser", ("gaussian",))):
        torch.manual_seed(0)
        m = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=8, hidden=(64,)))
        ae.train.train(m, x, ae.TrainConfig(epochs=20, batch_size=32, lr=0.003, noise=noise, noise_level=0.5))
        out[name] = m.eval()
    return out


@pytest.mark.parametrize("kind", list(NOISES))
def test_damage_is_reproducible_and_seeded(kind, batch):
    a = denoise.damage(batch, kind, 0.4, seed=7)
    assert torch.equal(a, denoise.damage(batch, kind, 0.4, seed=7))
    assert not torch.equal(a, denoise.damage(batch, kind, 0.4, seed=8))
    assert torch.equal(denoise.damage(batch, kind, 0.0), batch)


def test_block_count_option_wins_over_level(batch):
    none = denoise.damage(batch, "block", 0.0, size=6, count=0)
    some = denoise.damage(batch, "block", 0.0, size=6, count=3)
    assert torch.equal(none, batch) and not torch.equal(some, batch)


def test_compare_rows_and_figures(batch, models):
    noisy = denoise.damage(batch, "gaussian", 0.5, seed=1)
    result = denoise.compare(batch, noisy, models)
    assert result.names == list(BASELINES) + ["plain", "denoiser"]
    for name in result.names:
        assert result.restored[name].shape == batch.shape
        for metric in denoise.METRICS:
            per = result.per_image[name][metric]
            assert per.shape == (len(batch),)
            assert result.mean[name][metric] == pytest.approx(float(per.mean()), rel=1e-5)
    assert torch.equal(result.restored["none"], noisy)
    assert [r["name"] for r in result.rows()] == result.names
    # the model trained on damaged inputs restores them better than the one trained on clean ones
    assert result.mean["denoiser"]["psnr"] > result.mean["plain"]["psnr"]
    assert result.mean["denoiser"]["psnr"] > result.mean["none"]["psnr"] + 3


def test_compare_options_and_errors(batch, models):
    noisy = denoise.damage(batch, "mask", 0.3, seed=1)
    quick = denoise.compare(batch, noisy, {"plain": models["plain"]}, ["none", "median3"], with_ssim=False)
    assert quick.names == ["none", "median3", "plain"] and "ssim" not in quick.mean["plain"]
    with pytest.raises(ValueError, match="unknown baseline"):
        denoise.compare(batch, noisy, {}, ["sharpen"])
    with pytest.raises(ValueError, match="shape"):
        denoise.compare(batch, noisy[:3], {})
    with pytest.raises(ValueError, match="baseline's name"):
        denoise.compare(batch, noisy, {"none": models["plain"]})


@pytest.mark.parametrize("kind", list(NOISES))
def test_levels_span_clean_to_heaviest(kind):
    xs = denoise.levels(kind)
    assert xs[0] == 0.0 and xs[-1] == pytest.approx(NOISES[kind].level.high) and xs == sorted(xs)


def test_psnr_curve_falls_with_noise(batch, models):
    xs = denoise.levels("gaussian")
    curve = denoise.psnr_curve(batch, "gaussian", xs, models, ["none", "median3"])
    assert curve["x"] == xs and set(curve) == {"x", "none", "median3", "plain", "denoiser"}
    assert all(len(v) == len(xs) for v in curve.values())
    assert curve["none"][0] == pytest.approx(100.0)           # the clean input is an exact copy
    assert curve["none"] == sorted(curve["none"], reverse=True)
    assert curve["denoiser"][-1] > curve["none"][-1]
    blocks = denoise.psnr_curve(batch, "block", [0, 2, 4], {}, ["none"], vary="count", size=8)
    assert blocks["none"][0] > blocks["none"][1] > blocks["none"][2]


def test_psnr_curve_figure_marks_the_slider(batch, models):
    curve = denoise.psnr_curve(batch, "mask", denoise.levels("mask"), models, ["none"])
    fig = ae.figures.psnr_curve(curve, marker=0.3, labels={"none": "input", "plain": "AE", "denoiser": "DAE"})
    assert [tr.name for tr in fig.data] == ["input", "AE", "DAE"]
    assert fig.layout.shapes and fig.layout.shapes[0].x0 == 0.3
    assert fig.layout.yaxis.range[1] < 100                      # the 100 dB exact copy does not squash the axis


def meta(name, kind="dense", z=3, noise=(), dataset="fashion-mnist"):
    return {"name": name, "model": {"kind": kind, "latent_dim": z}, "train": {"noise": list(noise)},
            "dataset": {"name": dataset}}


def test_trained_noises_reads_the_train_config():
    assert denoise.trained_noises(meta("a", noise=["gaussian", "mask", "gaussian"])) == ("gaussian", "mask")
    assert denoise.trained_noises({"train": {"noise": "block"}}) == ("block",)   # an old single-string config
    assert denoise.trained_noises(meta("a")) == () and denoise.trained_noises({}) == ()
    assert not denoise.is_denoiser({}) and denoise.is_denoiser({"train": {"noise": "block"}})


def record(name, kind="dense", z=3, noise=(), psnr=None):
    from pathlib import Path

    from ae.checkpoint import DatasetInfo, ModelRecord
    return ModelRecord(name=name, path=Path("c") / name, config=ae.ModelConfig(kind, z),
                       dataset=DatasetInfo("fashion-mnist", "tests", None, None), train={"noise": list(noise)},
                       figures={}, denoise={k: {"psnr": psnr} for k in noise} if psnr else {}, history=(),
                       started_from=None, weights_sha256=name, meta={})


def test_default_pair_follows_the_active_model():
    records = {"c/fmnist_dense_z3": record("fmnist_dense_z3"),
               "c/fmnist_conv_z32": record("fmnist_conv_z32", "conv", 32),
               "c/fmnist_conv_denoise": record("fmnist_conv_denoise", "conv", 64, ["gaussian", "mask"], 18.0),
               "c/fmnist_dense_z3_denoise": record("fmnist_dense_z3_denoise", "dense", 3, ["gaussian"], 17.0)}
    assert records["c/fmnist_conv_denoise"].is_denoiser and not records["c/fmnist_conv_z32"].is_denoiser
    # a plain active model is paired with the strongest denoiser (most kinds learned, then best figures),
    # not with its weak namesake: with that, the autoencoders lost to a median filter (issue 17)
    assert denoise.default_pair("c/fmnist_dense_z3", records) == ("c/fmnist_dense_z3", "c/fmnist_conv_denoise")
    assert denoise.default_pair("c/fmnist_conv_z32", records) == ("c/fmnist_conv_z32", "c/fmnist_conv_denoise")
    # an active denoiser keeps its role; its plain partner is the closest
    assert denoise.default_pair("c/fmnist_conv_denoise", records) == ("c/fmnist_conv_z32", "c/fmnist_conv_denoise")
    assert denoise.default_pair("c/fmnist_dense_z3_denoise", records) == ("c/fmnist_dense_z3",
                                                                         "c/fmnist_dense_z3_denoise")
    only_plain = {k: v for k, v in records.items() if not v.is_denoiser}
    assert denoise.default_pair("c/fmnist_conv_z32", only_plain) == ("c/fmnist_conv_z32", None)
    generalists = {**records, "c/fmnist_refine": record("fmnist_refine", "conv_refine", 64, ["gaussian", "mask"], 19.5)}
    assert denoise.default_pair("c/fmnist_dense_z3", generalists)[1] == "c/fmnist_refine"   # same kinds, restores better
    vae = {"c/mnist_vae_z2": record("mnist_vae_z2", "vae", 2), "c/mnist_conv_z16": record("mnist_conv_z16", "conv", 16),
           "c/mnist_conv_denoise": record("mnist_conv_denoise", "conv", 64, ["block"])}
    assert denoise.default_pair("c/mnist_conv_denoise", vae) == ("c/mnist_conv_z16", "c/mnist_conv_denoise")
    assert denoise.default_pair("c/gone", vae) == ("c/mnist_conv_z16", "c/mnist_conv_denoise")


def test_ssim_matches_scikit_image(batch):
    """ae.metrics.ssim is vectorised over the batch; per image it is scikit-image's figure."""
    from skimage.metrics import structural_similarity

    noisy = denoise.damage(batch[:6], "gaussian", 0.4, seed=3)
    ours = ae.metrics.ssim(noisy, batch[:6])
    ref = [structural_similarity(a[0].numpy(), b[0].numpy(), data_range=1.0, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False) for a, b in zip(noisy, batch[:6])]
    assert ours.shape == (6,) and torch.allclose(ours, torch.tensor(ref, dtype=torch.float32), atol=1e-5)


def test_denoise_benchmark_tiny(tmp_path, models, monkeypatch):
    """bench.denoise at a tiny size, on synthetic images, with a plain and a denoising checkpoint in a
    folder of its own (the real figures come from `make bench`)."""
    from bench import denoise as bench_denoise

    monkeypatch.setattr(ae.data, "load", lambda name, split="train": ae.data.synthetic(256 if split == "train" else 64))

    shipped = tmp_path / "shipped"
    for name, noise in (("tiny_plain", []), ("tiny_denoise", ["gaussian"])):
        ae.checkpoint.save(shipped / name, models["plain" if not noise else "denoiser"],
                           train={"noise": noise}, dataset={"name": "mnist"})
    r = bench_denoise.main(datasets=("mnist",), test_limit=64, train_limit=256, out_dir=tmp_path, shipped=shipped)
    run = r["runs"][0]
    assert run["models"] == {"tiny_denoise": "denoiser", "tiny_plain": "plain"}
    cols = [bench_denoise.label(*s) for s in bench_denoise.SETTINGS]
    assert set(run["table"]) == {*BASELINES, "pca32", "tiny_plain", "tiny_denoise"}
    assert all(set(row) == set(cols) for row in run["table"].values())
    assert [g["setting"] for g in run["goals"]] == ["gaussian 0.5", "salt_and_pepper 0.3"]
    assert all(g["denoiser"] == "tiny_denoise" and g["margin_db"] is not None for g in run["goals"])
    assert any("not shipped yet" in n for n in run["notes"])
    assert (tmp_path / "denoise.json").exists() and "| damaged input |" in (tmp_path / "denoise.md").read_text()
    assert r["headline"].startswith("denoise: ")
