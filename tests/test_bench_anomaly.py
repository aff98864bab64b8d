"""bench.anomaly at a tiny size, on one-class models shipped by ae.anomaly.ship into a temporary folder:
it fits every baseline in the same run, reads the seeds' recorded figures, rescoring the shipped seed
gives its recorded reconstruction-error AUROC, and the headline says the goals. The real figures come
from `python -m bench.anomaly`."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

import ae
from ae import anomaly
from bench import anomaly as bench_anomaly

TINY = replace(anomaly.RECIPE, model=ae.ModelConfig(kind="conv", latent_dim=4, hidden=(4, 8)),
               train=replace(anomaly.RECIPE.train, epochs=1), denoiser=replace(anomaly.RECIPE.denoiser, epochs=1))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    root = tmp_path_factory.mktemp("anomaly")
    train, test = ae.data.load("fashion-mnist", "train"), ae.data.load("fashion-mnist", "test")
    for c in (0, 1):
        anomaly.ship(train, test, [c], root, seeds=(0, 1), recipe=TINY, train_limit=200, test_limit=400,
                     log=lambda line: None)
    return root


def test_ship_records_every_seed_and_saves_one_pair(shipped):
    assert sorted(p.name for p in shipped.iterdir() if not p.name.startswith(".")) == ["fmnist_c0", "fmnist_c0_denoise", "fmnist_c1", "fmnist_c1_denoise"]
    models = anomaly.shipped(shipped, "fashion-mnist")
    assert sorted(models) == ["fmnist_c0", "fmnist_c1"]                     # not the denoisers
    record = models["fmnist_c0"]["anomaly"]
    assert [s["seed"] for s in record["seeds"]] == [0, 1] and record["shipped_seed"] == 0
    assert set(record["seeds"][0]["figures"]) == set(anomaly.SCORES) and record["headline"] in anomaly.SCORES
    for name, mean in record["mean"].items():
        values = [s["figures"][name]["auroc"] for s in record["seeds"]]
        assert mean["auroc"] == pytest.approx(sum(values) / 2, abs=0.01) and mean["auroc_std"] >= 0
    assert models["fmnist_c0"]["dataset"]["normal"] == [0] and models["fmnist_c0"]["dataset"]["test_size"] == 400
    assert anomaly.shipped(shipped, "mnist") == {}


def test_load_detector_refuses_a_denoiser_or_another_dataset(shipped):
    train = ae.data.load("fashion-mnist", "train")
    det, meta = anomaly.load_detector(shipped / "fmnist_c1", train)
    assert det.denoiser is not None and len(det.train_x) == 6000 and meta["anomaly"]["normal"] == [1]
    with pytest.raises(anomaly.AnomalyError, match="not a one-class model"):
        anomaly.load_detector(shipped / "fmnist_c1_denoise", train)
    with pytest.raises(anomaly.AnomalyError, match="trained on fashion-mnist"):
        anomaly.load_detector(shipped / "fmnist_c1", ae.data.synthetic(20))


def test_anomaly_benchmark_tiny(shipped, tmp_path):
    r = bench_anomaly.main(classes=(0, 1), test_limit=400, train_limit=200, shipped=shipped, out_dir=tmp_path)
    data = json.loads((tmp_path / "anomaly.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["headline"] == r["headline"]
    for row in data["rows"]:
        assert set(row["baselines"]) == set(anomaly.BASELINES) and row["test_images"] == 400
        assert all(0 <= v <= 100 for v in row["baselines"].values())
        assert row["best_baseline"]["auroc"] == max(row["baselines"].values())
        now, recorded = row["shipped_seed"]["now"], row["shipped_seed"]["recorded"]
        assert now["mse"] == pytest.approx(recorded["mse"]["auroc"], abs=0.02)   # the same model, images and score
        assert row["ae_auroc"] == now[row["headline_score"]]                        # a subset: the shipped seed
        assert row["beats_best_baseline"] == (row["margin"] > 0)
    assert r["headline"].startswith("anomaly: mean AUROC ") and "of 2 classes" in r["headline"]
    assert "plain reconstruction error" in r["headline"] and str(bench_anomaly.GOAL_MEAN) in r["headline"]
    table = (tmp_path / "anomaly.md").read_text()
    assert "| 0 T-shirt/top |" in table and "GEOM" in table and "published, different preprocessing" in table


def test_benchmark_without_models_still_measures_baselines(tmp_path):
    r = bench_anomaly.main(classes=(7,), test_limit=300, train_limit=200, shipped=tmp_path / "none", write=False)
    assert r["mean_auroc"] is None and "no shipped one-class models" in r["headline"]
    assert r["rows"][0]["note"] == "fmnist_c7: not shipped yet" and len(r["rows"][0]["baselines"]) == 4
