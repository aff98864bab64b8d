"""ae.jobs: background training, snapshots, stop, save, the bounded FIFO pool, divergence."""
from __future__ import annotations

import time

import pytest
import torch

import ae
from ae import jobs
from ae.pool import TrainingPool
from ae.checkpoint import CheckpointError

TRAIN = ae.data.synthetic(256)
TEST = ae.data.synthetic(64, seed=1)


def job(pool=None, *, epochs=1, kind="dense", latent_dim=3, **train) -> jobs.TrainingJob:
    return jobs.TrainingJob(ae.ModelConfig(kind=kind, latent_dim=latent_dim),
                            ae.TrainConfig(epochs=epochs, batch_size=32, **train),
                            train_split=TRAIN, test_split=TEST, pool=pool or TrainingPool(1))


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_job_finishes_with_history_and_previews():
    j = job(epochs=2).start()
    assert j.wait(60)
    s = j.snapshot()
    assert s.status == jobs.DONE and not s.active and s.progress == 1.0
    assert [h["epoch"] for h in s.history] == [1, 2]
    assert all(h["train_loss"] > 0 and h["test_loss"] > 0 and h["test_psnr"] > 0 for h in s.history)
    assert s.recon.shape == s.originals.shape == (8, 1, 28, 28)
    assert s.latent.shape == (64, 3) and s.latent_method == "raw"        # z has 3 numbers: shown as is
    assert len(s.latent_labels) == 64 and s.class_names == TEST.class_names
    assert s.eta_s == 0.0 and s.elapsed_s > 0 and s.train_size == 256


def test_job_trains_its_own_model():
    j1, j2 = job(), job()
    assert j1.model is not j2.model
    before = {k: v.clone() for k, v in j1.model.state_dict().items()}
    j1.start().wait(60)
    assert any(not torch.equal(before[k], v) for k, v in j1.model.state_dict().items())


def test_denoiser_preview_shows_damaged_inputs_and_pca_map():
    j = job(kind="dense", latent_dim=8, noise=("gaussian",), noise_level=0.3).start()
    assert j.wait(60)
    s = j.snapshot()
    assert s.inputs is not None and not torch.equal(s.inputs, s.originals)
    assert s.latent.shape == (64, 2) and s.latent_method == "pca"


def test_real_dataset_subset_one_epoch(tmp_path):
    # fashion-mnist: the page tests load it too, and ae.data keeps it in memory
    j = jobs.TrainingJob(ae.ModelConfig(kind="dense", latent_dim=2), ae.TrainConfig(epochs=1, limit=256),
                         dataset="fashion-mnist", pool=TrainingPool(1)).start()
    assert j.wait(120)
    s = j.snapshot()
    assert s.status == jobs.DONE, s.error
    assert s.train_size == 256 and len(s.history) == 1
    assert j.train_info["name"] == "fashion-mnist" and j.train_info["train_size"] == 256
    assert j.train_info["test_size"] == 10_000 and "source" in j.train_info


def test_stop_keeps_what_was_learned_and_saves(tmp_path):
    j = job(epochs=1000).start()
    wait_for(lambda: j.snapshot().batches_done >= 3)
    j.stop()
    assert j.wait(60)
    s = j.snapshot()
    assert s.status == jobs.STOPPED and s.stop_reason == "user" and s.can_save
    assert s.history and s.history[-1]["train_loss"] > 0          # the partial epoch is reported
    path = j.save("stopped_run", tmp_path)
    model, meta = ae.checkpoint.load(path)
    assert meta["stopped_early"] is True and meta["history"] == s.history
    assert meta["dataset"]["train_size"] == 256 and meta["train"]["epochs"] == 1000
    assert 0 < meta["metrics"]["test"]["mse"] < 1 and "ssim" in meta["metrics"]["test"]
    x = TEST.images[:4]
    assert torch.allclose(ae.infer.reconstruct(model, x), ae.infer.reconstruct(j.model, x), atol=1e-6)


def test_save_round_trips_and_refuses_bad_names(tmp_path):
    j = job().start()
    assert j.wait(60)
    for bad in ["../x", "/abs", "a/b", "", ".hidden", "x" * 65]:
        with pytest.raises(CheckpointError):
            j.save(bad, tmp_path)
    assert not (tmp_path.parent / "x").exists() and list(tmp_path.iterdir()) == []
    path = j.save("good-name_1.0", tmp_path)
    model, meta = ae.checkpoint.load(path)
    assert model.config == j.model.config and meta["model"]["latent_dim"] == 3
    with pytest.raises(ValueError, match="already exists"):
        j.save("good-name_1.0", tmp_path)
    j.save("good-name_1.0", tmp_path, overwrite=True)


def test_warm_start_copies_the_weights_and_the_save_records_it(tmp_path):
    first = job().start()
    assert first.wait(60)
    start = first.save("start", tmp_path)
    assert job().copied == [] and job().started_from is None
    warm = job(init=str(start))
    assert warm.copied == sorted(first.model.state_dict())
    assert all(torch.equal(first.model.state_dict()[k], v) for k, v in warm.model.state_dict().items())
    assert warm.start().wait(60)
    _, meta = ae.checkpoint.load(warm.save("start", tmp_path, overwrite=True))   # the folder it started from
    assert meta["started_from"]["name"] == "start" and meta["train"]["init"] == str(start)
    assert meta["started_from"]["weights_sha256"] != meta["weights_sha256"]
    with pytest.raises(CheckpointError, match="none of its weights fit"):
        job(kind="conv", latent_dim=3, init=str(start))   # read before any thread starts


def test_stop_while_queued_learns_nothing(tmp_path):
    pool = TrainingPool(1)
    first = job(pool, epochs=1000).start()
    wait_for(lambda: first.snapshot().status == jobs.RUNNING)
    queued = job(pool).start()
    wait_for(lambda: queued.snapshot().position == 1)
    queued.stop()
    assert queued.wait(10)
    assert queued.snapshot().status == jobs.STOPPED and not queued.snapshot().can_save
    with pytest.raises(ValueError, match="nothing was learned"):
        queued.save("never", tmp_path)
    first.stop()
    assert first.wait(60)


def test_diverged_run_saves_nothing(tmp_path):
    j = job(epochs=3)
    honest = j.model.loss

    def exploding(x_in, target):   # the loss turns NaN on the 3rd batch, as a far too large step would
        exploding.calls += 1
        out = honest(x_in, target)
        return {**out, "loss": out["loss"] * (float("nan") if exploding.calls >= 3 else 1.0)}
    exploding.calls = 0
    j.model.loss = exploding
    j.start()
    assert j.wait(60)
    s = j.snapshot()
    assert s.status == jobs.DIVERGED and "diverged" in s.error and not s.can_save
    with pytest.raises(ValueError, match="no model worth saving"):
        j.save("broken", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_bad_settings_raise_before_any_thread():
    with pytest.raises(ValueError, match="learning rate"):
        job(lr=1e6)
    with pytest.raises(ValueError, match="latent_dim"):
        job(latent_dim=0)
    with pytest.raises(ValueError, match="unknown dataset"):
        jobs.TrainingJob(ae.ModelConfig(), ae.TrainConfig(), dataset="cifar", pool=TrainingPool(1))


def test_latent_points_pca_is_sign_stable():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(200, 6, generator=g) * torch.tensor([5.0, 3, 1, 1, 1, 1])
    a, method = jobs.latent_points(z)
    assert method == "pca" and a.shape == (200, 2)
    for trial in range(5):   # the next epoch's codes, barely moved: the map must not flip an axis
        b, _ = jobs.latent_points(z + 0.01 * torch.randn(200, 6, generator=g))
        for axis in range(2):
            assert torch.corrcoef(torch.stack([torch.from_numpy(a[:, axis]), torch.from_numpy(b[:, axis])]))[0, 1] > 0.99
    c, method = jobs.latent_points(z[:, :2])
    assert method == "raw" and torch.equal(torch.from_numpy(c), z[:, :2])


def test_the_app_and_the_cli_save_the_same_record(tmp_path, monkeypatch):
    """One save path (issue 16, item 4): the same tiny denoiser trained through the CLI and through a
    background job records the same settings, dataset, figures and weights. Before, the app ignored the
    clip setting in its denoising figures and recorded another training size with a subset."""
    from ae.__main__ import main

    test = ae.data.Split(TEST.images, TEST.labels, TEST.class_names, "mnist", "test", "synthetic")
    train = ae.data.Split(TRAIN.images, TRAIN.labels, TRAIN.class_names, "mnist", "train", "synthetic")
    monkeypatch.setattr(ae.data, "load", lambda name, split="train": {"train": train, "test": test}[split])
    args = dict(epochs=2, batch_size=32, lr=0.003, noise=("gaussian",), noise_level=0.4, noise_clip=False, limit=200)
    assert main(["train", "--dataset", "mnist", "--model", "dense", "--latent-dim", "3", "--epochs", "2",
                 "--batch-size", "32", "--lr", "0.003", "--noise", "gaussian", "--noise-level", "0.4", "--no-clip",
                 "--limit", "200", "--out", str(tmp_path / "cli")]) == 0
    j = jobs.TrainingJob(ae.ModelConfig("dense", 3), ae.TrainConfig(**args), train_split=train, test_split=test,
                         pool=TrainingPool(1), eval_limit=None).start()
    assert j.wait(60) and j.snapshot().status == jobs.DONE
    app = ae.checkpoint.read_meta(j.save("app", tmp_path))
    cli = ae.checkpoint.read_meta(tmp_path / "cli")
    timing = {"seconds", "samples_per_s"}
    for key in ("model", "train", "dataset", "metrics", "weights_sha256"):
        assert app[key] == cli[key], key
    assert [{k: v for k, v in h.items() if k not in timing} for h in app["history"]] == \
        [{k: v for k, v in h.items() if k not in timing} for h in cli["history"]]
    assert app["dataset"]["train_size"] == 200 and app["origin"] == "app" and cli["origin"] == "cli"
    # the denoising figure is measured with the unclipped noise the model learned, as the CLI always did
    unclipped = ae.train.evaluate(j.model, test.images, ae.TrainConfig(**args), with_ssim=True)
    assert app["metrics"]["test"]["denoise"]["gaussian"]["psnr"] == pytest.approx(unclipped["psnr"])


def test_a_job_trains_on_a_user_dataset_and_the_save_records_which_upload(tmp_path, monkeypatch):
    """A user dataset ("user:<name>") is a dataset like the built-in ones: loaded by name in the worker,
    its class names in the previews, its name and upload's sha256 in the checkpoint (issue 21)."""
    import io

    import numpy as np

    from ae import userdata

    monkeypatch.setenv("AE_USER_DATA", str(tmp_path / "data"))
    buf = io.BytesIO()
    np.savez(buf, x=(TRAIN.images[:60, 0].numpy() * 255).astype(np.uint8), y=TRAIN.labels[:60].numpy() % 3,
             class_names=np.array(["a", "b", "c"]))
    ds = userdata.import_dataset(buf.getvalue(), "bars.npz")
    run = jobs.TrainingJob(ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,)),
                           ae.TrainConfig(epochs=1, batch_size=16), ds.key, pool=TrainingPool(1)).start()
    assert run.wait(60) and run.snapshot().status == jobs.DONE, run.snapshot().error
    assert run.snapshot().class_names == ("a", "b", "c") and run.snapshot().test_size == ds.sizes[1]
    meta = ae.checkpoint.read_meta(run.save("on_bars", tmp_path / "models"))
    assert meta["dataset"]["name"] == "user:bars" and meta["dataset"]["sha256"] == ds.sha256
    assert meta["dataset"]["train_size"] == ds.sizes[0] and "bars.npz" in meta["dataset"]["source"]
    with pytest.raises(ValueError, match="unknown dataset"):
        jobs.TrainingJob(ae.ModelConfig(kind="dense", latent_dim=2), ae.TrainConfig(epochs=1), "user:nothing")
