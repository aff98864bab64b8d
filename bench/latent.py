"""Benchmark 3: the latent map. Time to a final 2-D t-SNE map of a shipped model's codes for 2,000,
5,000 and 10,000 test images: ours (ae.embed's "tsne": openTSNE, default settings of the app) against
scikit-learn's TSNE with ITS default settings, measured in the same run with the same number of
threads, and the k-NN accuracy of both maps (5-fold, k=5). Also: time to the first useful view (codes,
PCA map and its Plotly figure, what the page shows while t-SNE runs) and the cached second view.

Goals (Latent issue): cached map < 0.3 s; for 5,000 points a first view < 1 s, the final t-SNE map
< 4 s, its k-NN accuracy within 0.01 of scikit-learn's defaults. Timings on a shared machine are
noisy: the ratio against scikit-learn, measured in the same run, is the figure that matters. Ours is
timed before and after scikit-learn and the mean is used, so drift in the machine's load hits both.

    python -m bench.latent [--sizes 2000,5000,10000] [--checkpoint fmnist_dense_z3] [--sklearn-limit 60] [--quick]

Writes bench/results/latent.json; the last line printed is the headline.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import ae.checkpoint
import ae.data
import ae.embed
import ae.figures
import ae.neighbours
from bench.common import RESULTS, ROOT, machine, torch_threads, write_result

SIZES = (2000, 5000, 10_000)
GOALS = {"cached_s": 0.3, "first_view_s": 1.0, "final_s": 4.0, "knn_gap": 0.01}
GOAL_SIZE = 5000
QUICK = {"sizes": (2000,), "sklearn_limit_s": 30.0}


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def sklearn_tsne(z: np.ndarray, iterations: int = 1000) -> np.ndarray:
    """scikit-learn's TSNE with its defaults (perplexity 30, 1,000 iterations, PCA init, automatic
    learning rate, Barnes-Hut): the app's own "tsne_sklearn" map method, whose settings are those
    defaults, its OpenMP threads limited to ours (on this shared machine one thread is also ITS fastest
    setting: 6.9 s against 24 s with two at 2,000 points)."""
    return ae.embed.fit(z, "tsne_sklearn", 2, {"iterations": iterations}).coords


def first_view(model, images, labels, names) -> float:
    """Seconds from images to the PCA map's figure as JSON: what the page draws while t-SNE runs."""
    t0 = time.perf_counter()
    codes, errors = ae.infer.codes_and_errors(model, images)
    m = ae.embed.fit(codes, "pca", 2)
    hover = [f"#{i} · {names[c]} · {e:.4f}" for i, c, e in zip(range(len(codes)), labels.tolist(), errors.tolist())]
    ae.figures.latent_map(m.coords, labels, names, hover=hover).to_json()
    return time.perf_counter() - t0


def cached_view(model, images, parts: dict, cache: ae.embed.Cache) -> float:
    """Seconds for the second request of the same map: codes and map both from the disk cache."""
    t0 = time.perf_counter()
    codes, _ = ae.embed.cached_codes(model, images, parts, cache)
    m = ae.embed.cached_map(codes, "tsne", 2, None, parts, cache)
    assert m.cached
    return time.perf_counter() - t0


def main(sizes=SIZES, checkpoint: str = "fmnist_dense_z3", sklearn_limit_s: float = 60.0,
         out_dir: Path | None = None, quiet: bool = False) -> dict:
    # encoding runs with as many torch threads as t-SNE gets: on a busy machine two threads that wait
    # on each other made the first view several times slower than one
    with torch_threads(ae.env.tsne_threads()):
        return _main(sizes, checkpoint, sklearn_limit_s, out_dir, quiet)


def _main(sizes, checkpoint: str, sklearn_limit_s: float, out_dir: Path | None, quiet: bool) -> dict:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    folder = ROOT / "checkpoints" / checkpoint
    model, meta = ae.checkpoint.load(folder)
    dataset = meta["dataset"]["name"]
    split = ae.data.load(dataset, "test")
    names = list(split.class_names)
    threads = ae.env.tsne_threads()
    say(f"latent map of {checkpoint} ({dataset} test, z={meta['model']['latent_dim']}), {threads} thread(s)")
    rows, skipped = [], []
    predicted = None
    # first calls pay for imports and one-off set-up: not part of any map's time
    warm = ae.infer.codes_and_errors(model, split.images[:300])[0]
    ae.embed.fit(warm, "tsne", 2, {"iterations": 50})
    ae.embed.fit(warm[:100], "tsne", 2, {"iterations": 50})
    sklearn_tsne(warm[:100], iterations=250)
    with tempfile.TemporaryDirectory() as tmp:
        cache = ae.embed.Cache(tmp)
        for n in sizes:
            n = min(int(n), len(split))
            idx = ae.embed.sample_indices(len(split), n)
            images, labels = split.images[idx], split.labels.numpy()[idx]
            view_s = first_view(model, images, labels, names)
            parts = {"weights": meta.get("weights_sha256", meta["weights"]), "dataset": dataset, "split": "test",
                     "n": n, "seed": 0}
            codes, _ = ae.embed.cached_codes(model, images, parts, cache)
            ours1, s1 = timed(ae.embed.fit, codes, "tsne", 2)
            row = {"points": n, "first_view_s": view_s, "ours_s": [s1], "ours_settings": ours1.settings,
                   "knn": {"codes": ae.neighbours.knn_accuracy(codes, labels),
                           "ours": ae.neighbours.knn_accuracy(ours1.coords, labels)}}
            # scikit-learn's Barnes-Hut grows a little faster than linearly with the points
            guess = None if predicted is None else predicted[1] * (n / predicted[0]) ** 1.15
            if guess is not None and guess > sklearn_limit_s:
                row["sklearn_s"] = None
                row["sklearn_note"] = (f"skipped: predicted {guess:.0f} s from {predicted[0]:,} points "
                                       f"(over the {sklearn_limit_s:.0f} s limit)")
                skipped.append(n)
                say(f"  {n:>6,}: scikit-learn {row['sklearn_note']}")
            else:
                coords, s_sk = timed(sklearn_tsne, codes)
                row["sklearn_s"] = s_sk
                row["knn"]["sklearn"] = ae.neighbours.knn_accuracy(coords, labels)
                predicted = (n, s_sk)
                ours2, s2 = timed(ae.embed.fit, codes, "tsne", 2)   # again, after: drift hits both sides
                row["ours_s"].append(s2)
            row["ours_mean_s"] = float(np.mean(row["ours_s"]))
            cache.put(ae.embed.map_key(parts, "tsne", 2), ours1.to_arrays())
            cached_view(model, images, parts, cache)                     # warm the file system cache once
            row["cached_s"] = min(cached_view(model, images, parts, cache) for _ in range(3))
            if row["sklearn_s"]:
                row["speedup"] = row["sklearn_s"] / row["ours_mean_s"]
                row["knn_gap"] = row["knn"]["sklearn"] - row["knn"]["ours"]
            rows.append(row)
            say(f"  {n:>6,}: first view {view_s:.2f} s · ours {row['ours_mean_s']:.2f} s (knn {row['knn']['ours']:.3f})"
                + (f" · scikit-learn {row['sklearn_s']:.2f} s (knn {row['knn']['sklearn']:.3f}) · "
                   f"{row['speedup']:.1f}x" if row["sklearn_s"] else "")
                + f" · cached {row['cached_s'] * 1000:.0f} ms")

    goal_row = next((r for r in rows if r["points"] == GOAL_SIZE), rows[-1])
    goals = {"cached_under_0.3s": all(r["cached_s"] < GOALS["cached_s"] for r in rows),
             f"first_view_{goal_row['points']}_under_1s": goal_row["first_view_s"] < GOALS["first_view_s"],
             f"final_{goal_row['points']}_under_4s": goal_row["ours_mean_s"] < GOALS["final_s"]}
    if goal_row.get("knn_gap") is not None:
        goals[f"knn_{goal_row['points']}_within_0.01"] = goal_row["knn_gap"] <= GOALS["knn_gap"]
    figures = {}
    for r in rows:
        n = f"{r['points']:,}"
        figures[f"{n} points: first view (PCA) s"] = round(r["first_view_s"], 3)
        figures[f"{n} points: ours (openTSNE) s"] = round(r["ours_mean_s"], 2)
        figures[f"{n} points: scikit-learn TSNE s"] = round(r["sklearn_s"], 2) if r["sklearn_s"] else r["sklearn_note"]
        if r.get("speedup"):
            figures[f"{n} points: speed-up"] = round(r["speedup"], 2)
        figures[f"{n} points: k-NN accuracy ours / scikit-learn"] = (
            f"{r['knn']['ours']:.3f} / {r['knn']['sklearn']:.3f}" if "sklearn" in r["knn"] else f"{r['knn']['ours']:.3f} / –")
        figures[f"{n} points: cached second view ms"] = round(r["cached_s"] * 1000, 1)
    g = goal_row
    headline = (f"latent: t-SNE of {g['points']:,} points {g['ours_mean_s']:.1f} s vs scikit-learn "
                + (f"{g['sklearn_s']:.1f} s ({g['speedup']:.1f}x faster), k-NN {g['knn']['ours']:.3f} vs "
                   f"{g['knn']['sklearn']:.3f}" if g.get("sklearn_s") else "skipped")
                + f"; first view {g['first_view_s']:.2f} s; cached {g['cached_s'] * 1000:.0f} ms")
    result = {"headline": headline, "rows": rows, "goals": goals, "figures": figures,
              "settings": {"checkpoint": checkpoint, "dataset": dataset, "split": "test",
                           "latent_dim": meta["model"]["latent_dim"], "threads": threads,
                           "ours": {"method": "openTSNE", **ae.embed.TSNE_DEFAULTS},
                           "sklearn": "TSNE() defaults: perplexity 30, max_iter 1000, barnes_hut, init pca",
                           "sklearn_limit_s": sklearn_limit_s, "knn": "5-fold stratified, k=5"},
              "skipped_sklearn": skipped, "machine": machine()}
    write_result("latent", result, out_dir)
    say(headline)
    return result


def cli(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.latent", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(str(s) for s in SIZES), help="numbers of points, comma-separated")
    p.add_argument("--checkpoint", default="fmnist_dense_z3", help="a shipped checkpoint under checkpoints/")
    p.add_argument("--sklearn-limit", type=float, default=60.0,
                   help="skip scikit-learn at a size where it is predicted to take longer (seconds)")
    p.add_argument("--quick", action="store_true", help="2,000 points only")
    a = p.parse_args(argv)
    kwargs = dict(QUICK) if a.quick else {"sizes": tuple(int(s) for s in a.sizes.split(",") if s.strip()),
                                          "sklearn_limit_s": a.sklearn_limit}
    main(checkpoint=a.checkpoint, out_dir=RESULTS, **kwargs)


if __name__ == "__main__":
    cli()
