"""bench.scale at a tiny size: a class of one training through the embedded app and through a Ray-backed
app (the tests' servers and head), the slider's server times idle and loaded; it writes its JSON and
prints the headline last. Its DDP part runs the same two commands as test_distributed.py's torchrun test
(not again here: 25 s of process starts). The real figures come from `make bench`."""
from __future__ import annotations

import json

import pytest

from bench import scale

pytestmark = pytest.mark.browser


def test_scale_benchmark_tiny(app_url, ray_servers, tmp_path, capsys):
    r = scale.main(trainings=1, epochs=1, subset=128, moves=1, ddp=False, embedded_url=app_url,
                   ray_url=ray_servers[0], out_dir=tmp_path)
    data = json.loads((tmp_path / "scale.json").read_text())
    assert data["machine"]["cores"] >= 1 and not data["notes"] and data["ddp"] is None
    for name in ("embedded", "ray"):
        run = data["runs"][name]
        assert run["training_images"] == 128 and run["images_per_s"] > 0 and not run["problems"], run
        assert run["slider_server_idle"]["n"] == run["slider_server_loaded"]["n"] == 1
        assert run["slider_server_idle"]["p50_ms"] > 0
    assert "embedded" in data["headline"] and "ray" in data["headline"]
    assert data["figures"]["throughput, ray / embedded"].endswith("x")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == r["headline"] == data["headline"] and out[-1].startswith("scale: ")
