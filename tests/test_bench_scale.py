"""bench.scale at a tiny size: a class of one training through the tests' embedded app server (the Ray
backend runs the same browser steps against another address: measuring it here too doubled this test's
minute for no other code), the slider's server times idle and loaded; it writes its JSON and prints the
headline last; the figures and headline of both backends side by side (`summary`). Its DDP part runs the
same command as test_distributed.py's torchrun test (not again here: process starts). The real figures
come from `make bench`."""
from __future__ import annotations

import json

import pytest

from bench import scale

pytestmark = pytest.mark.browser


def test_scale_benchmark_tiny(app_url, tmp_path, capsys):
    r = scale.main(trainings=1, epochs=1, subset=128, moves=1, ddp=False, backends=("embedded",),
                   embedded_url=app_url, out_dir=tmp_path)
    data = json.loads((tmp_path / "scale.json").read_text())
    assert data["machine"]["cores"] >= 1 and not data["notes"] and data["ddp"] is None
    run = data["runs"]["embedded"]
    assert run["training_images"] == 128 and run["images_per_s"] > 0 and not run["problems"], run
    assert run["slider_server_idle"]["n"] == run["slider_server_loaded"]["n"] == 1
    assert run["slider_server_idle"]["p50_ms"] > 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == r["headline"] == data["headline"] and out[-1].startswith("scale: slider server p50 embedded")

    # both backends: the throughput ratio and one slider line each
    faster = {**run, "images_per_s": run["images_per_s"] * 2}
    figures, parts = scale.summary({"embedded": run, "ray": faster}, None)
    assert figures["throughput, ray / embedded"] == "2.00x"
    assert parts[0].startswith("1 trainings at once: embedded") and parts[0].endswith("(2.00x)")
    assert [p.split()[3] for p in parts[1:]] == ["embedded", "ray"]
