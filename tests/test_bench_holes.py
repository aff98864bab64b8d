"""bench.holes at a tiny size, on tiny untrained models saved to a temporary folder: it runs, writes its
JSON with the machine and both models' figures, and its headline is the last line. The real figures
come from `python -m bench.holes` with the shipped models."""
from __future__ import annotations

import json

import ae.checkpoint
import ae.classify
from ae.models import ModelConfig, build_model
from bench import holes


def test_holes_benchmark_tiny(tmp_path):
    shipped, judges = tmp_path / "checkpoints", tmp_path / "classifiers"
    ds = {"name": "mnist", "source": "tiny", "train_size": 0, "test_size": 0}
    for name, kind in (("toy_conv_z2", "conv"), ("toy_vae_z2", "vae")):
        model = build_model(ModelConfig(kind=kind, latent_dim=2, hidden=(4, 8)))
        ae.checkpoint.save(shipped / name, model, dataset=ds)
    clf = ae.classify.SmallCNN(ae.classify.ClassifierConfig(channels=(4, 8), hidden=16))
    ae.classify.save(judges / "mnist", clf, dataset=ds, train={}, history=[],
                     metrics={"test": {"accuracy": 0.1, "confident_share": 0.0}})
    r = holes.main(("mnist",), n=5, test_limit=40, train_limit=100, repeats=1, out_dir=tmp_path, shipped=shipped,
                   classifiers=judges, pairs={"mnist": ("toy_conv_z2", "toy_vae_z2")})
    data = json.loads((tmp_path / "holes.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["headline"] == r["headline"]
    run = data["runs"][0]
    assert run["grid"] == 5 and run["train_images"] == 100 and run["test_images"] == 40
    plain, vae = run["models"]["toy_conv_z2"], run["models"]["toy_vae_z2"]
    assert plain["grid"]["spacing"] == "range" and vae["grid"]["spacing"] == "quantile"
    assert vae["grid_even"]["spacing"] == "range" and "grid_central" in plain
    for row in (plain, vae):
        g = row["grid"]
        assert g["pictures"] == 25 and 0 <= g["recognised_share"] <= 1 and g["mean_distance"] > 0
        assert 0 <= g["empty_share"] <= 1 and sum(g["recognised_per_class"]) == round(25 * g["recognised_share"])
        assert row["reconstructions"]["pictures"] == 40 and row["decode_30x30"]["decode_ms"] > 0
    assert run["real_test_images"]["pictures"] == 40
    assert run["margin"]["recognised"] == vae["grid"]["recognised_share"] - plain["grid"]["recognised_share"]
    assert r["headline"].startswith("holes (5x5 grid): mnist VAE ")
    assert holes.PAIRS["mnist"] == ("mnist_conv_z2", "mnist_vae_z2")    # the test's pair did not leak
