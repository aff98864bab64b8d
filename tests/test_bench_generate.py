"""bench.generate at a tiny size: it times the browser decoder (pointer and slider), the server round
trip and the 30 x 30 grid in one run, writes its JSON with the machine, the ratio and the goals, and
its headline. The real figures come from `make bench` (`python -m bench.generate`)."""
from __future__ import annotations

import json

import pytest

from bench import generate
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (ROOT / "checkpoints" / "mnist_vae_z2").is_dir(),
                                 reason="needs the shipped mnist_vae_z2")]


def test_generate_benchmark_tiny(tmp_path, decoder_app_url):
    r = generate.main(moves=3, grids=1, out_dir=tmp_path, decoder_url=decoder_app_url)
    data = json.loads((tmp_path / "generate.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["settings"]["moves"] == 3
    for what in ("pointer", "slider", "round_trip"):
        assert data[what]["n"] == 3 and 0 < data[what]["p50_ms"] <= data[what]["p95_ms"] < 30_000
    assert data["grid"]["n"] == data["grid_with_rerun"]["n"] == 1
    assert 0 < data["grid_browser_part"]["p50_ms"] <= data["grid"]["p50_ms"]
    assert data["ratio_p50"] == pytest.approx(data["round_trip"]["p50_ms"] / data["pointer"]["p50_ms"], rel=0.01)
    assert set(data["goals"]) == {"browser_p95_le_33ms", "ratio_ge_5x", "grid_30x30_le_300ms"}
    assert data["headline"] == r["headline"] and data["headline"].startswith("generate: browser decoder p50 ")
    assert "x faster" in data["headline"] and data["figures"]
