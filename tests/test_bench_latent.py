"""bench.latent at a tiny size: it runs, times both t-SNEs in the same run, writes its JSON with the
machine and its figures, and prints the headline last. The real figures come from `make bench`."""
from __future__ import annotations

import json

from bench import latent


def test_latent_benchmark_tiny(tmp_path, capsys):
    r = latent.main(sizes=(300, 400), sklearn_limit_s=0.0, out_dir=tmp_path)
    data = json.loads((tmp_path / "latent.json").read_text())
    assert data["machine"]["cores"] >= 1 and data["settings"]["threads"] >= 1
    first, second = data["rows"]
    assert first["points"] == 300 and first["sklearn_s"] > 0 and first["speedup"] > 0
    assert 0 < first["knn"]["ours"] <= 1 and 0 < first["knn"]["sklearn"] <= 1
    assert len(first["ours_s"]) == 2                      # timed before and after scikit-learn
    assert second["sklearn_s"] is None and "skipped" in second["sklearn_note"]   # over the (zero) limit
    assert all(row["cached_s"] < row["ours_mean_s"] for row in data["rows"])
    assert set(data["goals"]) >= {"cached_under_0.3s"} and data["figures"]
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == r["headline"] == data["headline"] and out[-1].startswith("latent: ")
