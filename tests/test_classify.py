"""ae.classify: the small CNN learns, saves as safetensors + JSON and loads back the same, refuses damaged
files; the shipped classifiers are small and reproduce the test accuracy they record."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from ae import classify, data
from ae.checkpoint import CheckpointError

ROOT = Path(__file__).resolve().parents[1]
MAX_BYTES = 1_000_000


def test_shapes_probabilities_and_size():
    model = classify.SmallCNN()
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    p = classify.predict_proba(model, torch.rand(7, 1, 28, 28))
    assert p.shape == (7, 10) and np.allclose(p.sum(1), 1, atol=1e-5) and np.all(p >= 0)
    assert classify.predict_proba(model, torch.zeros(0, 1, 28, 28)).shape == (0, 10)
    weights = sum(t.numel() * t.element_size() for t in model.state_dict().values())
    assert weights < MAX_BYTES
    with pytest.raises(ValueError, match="two channel counts"):
        classify.SmallCNN(classify.ClassifierConfig(channels=(8,)))


def test_fit_learns_the_synthetic_classes():
    split = data.synthetic(200, seed=0)
    test = data.synthetic(100, seed=1)
    model = classify.SmallCNN(classify.ClassifierConfig(channels=(4, 8), hidden=16))
    before = classify.accuracy(model, test.images, test.labels)
    history = classify.fit(model, split.images, split.labels, classify.FitConfig(epochs=4, batch_size=32, lr=0.01),
                           test=(test.images, test.labels))
    assert len(history) == 4 and history[-1]["train_loss"] < history[0]["train_loss"]
    figures = classify.test_figures(model, test.images, test.labels)
    assert figures["accuracy"] >= 0.9 > before
    assert history[-1]["test_accuracy"] == pytest.approx(figures["accuracy"])
    assert 0 <= figures["confident_share"] <= 1 and figures["images"] == 100
    stop = classify.fit(model, split.images, split.labels, classify.FitConfig(epochs=5), on_epoch_end=lambda r: True)
    assert len(stop) == 1


def test_save_and_load_round_trip(tmp_path):
    model = classify.SmallCNN(classify.ClassifierConfig(channels=(4, 8), hidden=16, n_classes=3))
    folder = classify.save(tmp_path / "toy", model, dataset={"name": "synthetic"}, train={"epochs": 0},
                           history=[], metrics={"test": {"accuracy": 0.5}})
    files = sorted(p.name for p in folder.iterdir())
    assert files[0] == "config.json" and files[1].startswith("model-") and files[1].endswith(".safetensors")
    assert len(files) == 2
    loaded, meta = classify.load(folder)
    assert meta["model"]["channels"] == [4, 8] and meta["kind"] == "classifier"
    x = torch.rand(4, 1, 28, 28)
    assert np.allclose(classify.predict_proba(loaded, x), classify.predict_proba(model, x), atol=1e-6)
    # saving again replaces the weights file instead of leaving the old one
    with torch.no_grad():
        model.head[-1].bias.add_(1.0)
    classify.save(folder, model, dataset={}, train={}, history=[], metrics={})
    assert len(list(folder.glob("model-*.safetensors"))) == 1


def test_damaged_files_are_refused(tmp_path):
    folder = classify.save(tmp_path / "toy", classify.SmallCNN(classify.ClassifierConfig(channels=(4, 8), hidden=16)),
                           dataset={}, train={}, history=[], metrics={})
    weights = next(folder.glob("model-*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(CheckpointError, match="checksum"):
        classify.load(folder)
    meta = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**meta, "weights": "../model.pt"}))
    with pytest.raises(CheckpointError, match="safetensors"):
        classify.load(folder)
    with pytest.raises(CheckpointError, match="no classifier"):
        classify.load(tmp_path / "nothing")
    with pytest.raises(CheckpointError, match="no classifier is shipped"):
        classify.for_dataset("mnist", root=tmp_path)


def test_command_line_trains_and_saves(tmp_path, monkeypatch, capsys):
    from ae.__main__ import main

    def synthetic_load(name, split):
        return data.synthetic(64 if split == "train" else 32, seed=0 if split == "train" else 1)
    monkeypatch.setattr(classify.data, "load", synthetic_load)
    assert main(["classifier", "--dataset", "mnist", "--epochs", "2", "--out", str(tmp_path / "judge")]) == 0
    model, meta = classify.load(tmp_path / "judge")
    assert len(meta["history"]) == 2 and meta["train"]["epochs"] == 2 and meta["dataset"]["test_size"] == 32
    test = synthetic_load("mnist", "test")
    assert meta["metrics"]["test"]["accuracy"] == pytest.approx(classify.accuracy(model, test.images, test.labels))
    assert "saved" in capsys.readouterr().out
    assert main(["classifier", "--dataset", "mnist", "--out", str(tmp_path / "bad name!")]) == 2   # a readable error
    assert "invalid checkpoint name" in capsys.readouterr().err and not (tmp_path / "bad name!").exists()


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_shipped_classifier_reproduces_its_test_accuracy(name):
    folder = classify.CLASSIFIERS / name
    if not (folder / "config.json").exists():
        pytest.fail(f"{folder} is missing: run checkpoints/make_generate.sh")
    model, meta = classify.for_dataset(name)
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < MAX_BYTES, f"{name} classifier is {size / 1e6:.2f} MB"
    ds = meta["dataset"]
    test = data.load(name, "test")
    if len(test) != ds["test_size"] or test.source != ds["source"]:
        pytest.skip(f"measured on {ds['test_size']} images from {ds['source']}; here {len(test)} from {test.source}")
    recorded = meta["metrics"]["test"]
    measured = classify.test_figures(model, test.images, test.labels)
    assert measured["accuracy"] == pytest.approx(recorded["accuracy"], abs=1e-4)
    assert measured["confident_share"] == pytest.approx(recorded["confident_share"], abs=1e-4)
    assert recorded["accuracy"] >= (0.95 if name == "mnist" else 0.88)
