"""bench.compression at a tiny size: tiny untrained sweep models on 30 MNIST test images. It runs, writes its
JSON (with the machine) and its Markdown tables, compares every family at every budget, and prints the
headline last. The real figures come from `python -m bench.compression`."""
from __future__ import annotations

import json

import torch

import ae
import ae.compress as C
from ae import checkpoint
from bench import compression


def test_compression_benchmark_tiny(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    torch.manual_seed(0)
    for kind, z, hidden in (("dense", 1, (16,)), ("dense", 2, (16,)), ("conv", 2, (4, 8))):
        model = ae.build_model(ae.ModelConfig(kind=kind, latent_dim=z, hidden=hidden))
        checkpoint.save(sweep / C.sweep_name("mnist", kind, z), model, dataset={"name": "mnist"})
    out = tmp_path / "results"
    r = compression.main(("mnist",), test_limit=30, train_limit=100, jpeg_qualities=(1, 50), webp_qualities=(10,),
                         out_dir=out, sweep=sweep)
    data = json.loads((out / "compression.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["settings"]["test_limit"] == 30
    run = data["runs"][0]
    assert run["test_images"] == 30 and run["families"] == {"conv": [2], "dense": [1, 2]}
    assert any("dense: no sweep checkpoint for z = 3, 4, 8" in n for n in run["notes"])
    row = run["table"]["32"]
    pca_within = [p for p in run["points"] if p["family"] == "pca" and p["bytes"] <= 32]
    assert {p["setting"] for p in pca_within} >= {"k=8, 32 bits", "k=16, 16 bits", "k=32, 8 bits"}
    assert row["pca"]["psnr"] == max(p["psnr"] for p in pca_within) and row["dense"]["bytes"] <= 32
    assert row["jpeg"] is None                                    # no whole JPEG file is that small
    assert run["table"]["512"]["jpeg"]["setting"] in ("q=1", "q=50")
    goal = run["goal"]
    assert goal["budget"] == 32 and goal["over"]["pca"]["margin_db"] is not None and goal["met"] is False
    assert set(run["overtakes"]) == set(compression.CODECS)
    assert run["decoder_bytes"]["conv"]["2"] == C.decoder_bytes(checkpoint.load(sweep / "mnist_conv_z2")[0])
    assert {c["family"] for c in run["curves"]} == {"dense", "conv", "pca"}
    md = (out / "compression.md").read_text()
    assert "| 32 |" in md and "Exact copies" in md and "overtake" in md
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == r["headline"] == data["headline"] and lines[-1].startswith("compression: ")
