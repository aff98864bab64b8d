"""Smoke runs of the benchmarks at tiny sizes: they run, write JSON with the machine and their
figures, and the runner writes a report and skips what is missing. The real figures come from
`make bench`, not from tests."""
from __future__ import annotations

import json
import os

import pytest

import bench.common as common
from bench import quality, report, train
from tests.live import percentile, summary_ms


def test_percentile_and_summary():
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0], 100) == 2.0
    s = summary_ms([0.1, 0.2, 0.3])
    assert s["n"] == 3 and s["p50_ms"] == pytest.approx(200.0) and s["p95_ms"] <= s["max_ms"]
    assert summary_ms([])["n"] == 0


def read(path):
    data = json.loads(path.read_text())
    assert data["machine"]["cores"] >= 1 and data["machine"]["torch"] and data["machine"]["torch_threads"] >= 1
    assert data["headline"] and data["when"]
    return data


def test_train_benchmark_tiny(tmp_path, capsys):
    r = train.main(epochs=1, limit=256, test_limit=128, workers=0, seeds=(0,), out_dir=tmp_path)
    data = read(tmp_path / "train.json")
    for side in ("ours", "lesson"):
        assert data[side]["samples_per_s"] > 0 and 0 < data[side]["test_loss"] < 1
    assert data["ratio"]["samples_per_s"] > 0 and data["ratio"]["test_loss"] > 0
    assert data["settings"]["train_images"] == 256 and data["settings"]["batch_size"] == 64
    assert r["headline"].startswith("train: ") and "x samples/s" in r["headline"]
    # all cores for the headline, then 1 thread; each measured with the threads it says
    assert [b["settings"]["torch_threads"] for b in data["by_threads"]] == [os.cpu_count(), 1]
    assert all(b["settings"]["threads_in_effect"] == b["settings"]["torch_threads"] for b in data["by_threads"])
    assert "with 1 thread(s):" in r["headline"]
    # the same weights, images and batch order: the two loops must learn the same thing
    assert abs(data["ratio"]["test_loss"] - 1) <= 0.02 and data["goals"]["loss_met"]


def test_quality_benchmark_tiny(tmp_path):
    r = quality.main(models=(("dense", 3), ("conv", 4)), max_epochs=1, limit=256, test_limit=128,
                     out_dir=tmp_path)
    data = read(tmp_path / "quality.json")
    assert set(data["pca"]) == {"3", "4"}
    assert data["pca"]["4"]["test_mse"] < data["pca"]["3"]["test_mse"]   # more components, less error
    for row in data["models"]:
        assert row["pca"]["fit_s"] > 0 and row["train_s"] > 0 and row["curve"]
        assert row["reached"] == (row["seconds"] is not None)
        if row["reached"]:
            assert row["seconds"] > 0 and row["test_mse"] <= row["pca"]["test_mse"]
    assert r["headline"].startswith("quality: ")


def test_runner_writes_report_and_skips_missing(tmp_path, monkeypatch, capsys):
    import bench.__main__ as runner

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    monkeypatch.setattr(runner, "RESULTS", tmp_path)
    monkeypatch.setattr(train, "QUICK", {"epochs": 1, "limit": 128, "test_limit": 64, "workers": 0, "seeds": (0,)})
    assert runner.main(["--quick", "--only", "train,no_such_bench"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("no_such_bench: skipped") and out[-2].startswith("train: ")
    data = read(tmp_path / "train.json")
    assert data["quick"] is True
    text = (tmp_path / "REPORT.md").read_text()
    assert data["headline"] in text.replace("\\|", "|")
    assert "no_such_bench" in text and f"cores {data['machine']['cores']}" in text


def test_report_from_nothing(tmp_path):
    path = report.write_report(tmp_path, {"latent": "skipped: bench/latent.py does not exist yet"})
    text = path.read_text()
    assert "| 3. Latent map (t-SNE) | – | skipped" in text and "## Machine" in text


@pytest.mark.browser
def test_browser_benchmark_tiny(app_url, tmp_path):
    from bench import browser

    r = browser.main(sessions=(1,), moves=2, rounds=1, out_dir=tmp_path, url=app_url)
    data = read(tmp_path / "browser.json")
    run = data["runs"]["1"]
    assert not run["problems"], run["problems"]
    assert run["first_render"]["n"] == 1 and run["first_render"]["p50_ms"] > 0
    assert run["page_switch_first_visit"]["n"] >= (len(browser.present_pages()) - 1)
    if run["denoise_page"]:
        assert run["slider"]["n"] == 2 and run["slider"]["p95_ms"] >= run["slider"]["p50_ms"] > 0
        # the server's own figure, read from the page: part of what the browser waited for
        assert run["slider_server"]["n"] >= 1 and 0 < run["slider_server"]["p50_ms"] <= run["slider"]["max_ms"]
    assert r["headline"].startswith("browser: 1 session")
