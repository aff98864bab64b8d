"""Benchmark: the holes of a 2-D latent space, a plain autoencoder against a VAE on the same data.

For each dataset's shipped pair (mnist_conv_z2 / mnist_vae_z2, fmnist_conv_z2 / fmnist_vae_z2): an n x n
grid decoded over each model's window as the Generation lab draws it (`ae.generate`: a plain AE evenly
over its training codes' 1st..99th percentile; a VAE at the prior's quantiles 5 %..95 %, as the Keras
example), then
  - recognised: the share of grid pictures the dataset's shipped classifier names with confidence >= 0.9
    (and how they split by class);
  - distance: the mean Euclidean pixel distance (784 values in [0, 1]) from each grid picture to its
    nearest training image;
  - empty: the share of grid cells that no training image's code falls in (the holes of the code
    distribution itself, whatever the decoder draws there).
Measured in the same run, as yardsticks: real test images, and each model's reconstructions of them
(its decoder at codes that real images use). Variants: the plain AE over its codes' 5th..95th
percentile (as central as the VAE's grid), and the VAE evenly over its quantile grid's window. Also the
time to decode one 30 x 30 grid on the server (median of repeats), for the in-browser comparison.

    python -m bench.holes [--n 20] [--datasets mnist,fashion-mnist] [--quick]

Writes bench/results/holes.json; the last line printed is the headline.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

import ae.checkpoint
import ae.classify
import ae.data
import ae.generate as G
import ae.infer
from bench.common import RESULTS, ROOT, machine, torch_threads, write_result

SHIPPED = ROOT / "checkpoints"
PAIRS = {"mnist": ("mnist_conv_z2", "mnist_vae_z2"), "fashion-mnist": ("fmnist_conv_z2", "fmnist_vae_z2")}
QUICK = {"test_limit": 500, "repeats": 3}


def grid_row(model, plane: G.Plane, n: int, clf, real, codes, spacing: str | None = None) -> dict:
    grid = G.decoded_grid(model, plane, n, spacing)
    h = G.holes(grid.images, clf, real)
    recognised = np.bincount(h.predicted[h.recognised], minlength=clf.config.n_classes)
    return {**h.summary(), "empty_share": grid.empty_share(plane.coords(codes)), "spacing": grid.spacing,
            "recognised_per_class": recognised.tolist(), "u": [float(grid.u[0]), float(grid.u[-1])],
            "v": [float(grid.v[0]), float(grid.v[-1])]}


def decode_time(model, plane: G.Plane, repeats: int) -> dict:
    """Seconds to decode a 30 x 30 grid (900 pictures) and compose its picture, median of `repeats`."""
    decode, compose = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        grid = G.decoded_grid(model, plane, 30)
        t1 = time.perf_counter()
        grid.picture()
        decode.append(t1 - t0)
        compose.append(time.perf_counter() - t1)
    return {"decode_ms": round(1000 * statistics.median(decode), 1),
            "picture_ms": round(1000 * statistics.median(compose), 1), "repeats": repeats}


def measure(dataset: str, pair: tuple[str, str], n: int, shipped: Path, classifiers: Path, test_limit: int | None,
            train_limit: int | None, repeats: int) -> dict:
    plain_name, vae_name = pair
    clf, clf_meta = ae.classify.for_dataset(dataset, classifiers)
    train = ae.data.load(dataset, "train").subset(train_limit, seed=0)
    test = ae.data.load(dataset, "test").subset(test_limit, seed=1)
    real = train.images
    t0 = time.perf_counter()
    test_holes = G.holes(test.images, clf, real)
    out = {"dataset": dataset, "source": train.source, "grid": n, "train_images": len(train), "test_images": len(test),
           "classifier": {"test": clf_meta["metrics"]["test"]},
           "real_test_images": test_holes.summary(), "models": {}}
    for name in (plain_name, vae_name):
        model, meta = ae.checkpoint.load(shipped / name)
        codes = ae.infer.encode(model, train.images).numpy()
        plane = G.default_plane(G.code_stats(codes, prior=G.has_prior(model)))
        row = {"kind": meta["model"]["kind"], "latent_dim": meta["model"]["latent_dim"],
               "grid": grid_row(model, plane, n, clf, real, codes),
               "reconstructions": G.holes(ae.infer.reconstruct(model, test.images), clf, real).summary(),
               "window": plane.window.tolist()}
        if G.has_prior(model):   # the same window as the quantile grid, evenly spaced
            q = float(torch.special.ndtri(torch.tensor(G.GRID_QUANTILES[1], dtype=torch.float64)))
            even = replace(plane, window=np.array([[-q, q], [-q, q]], np.float32))
            row["grid_even"] = grid_row(model, even, n, clf, real, codes, "range")
        else:                    # as central a window as the VAE's grid: the codes' 5th..95th percentile
            central = G.default_plane(G.code_stats(codes, percentiles=(5, 95)))
            row["grid_central"] = grid_row(model, central, n, clf, real, codes)
        row["decode_30x30"] = decode_time(model, plane, repeats)
        out["models"][name] = row
    plain, vae = out["models"][plain_name]["grid"], out["models"][vae_name]["grid"]
    out["margin"] = {"recognised": vae["recognised_share"] - plain["recognised_share"],
                     "distance": plain["mean_distance"] - vae["mean_distance"],
                     "empty": plain["empty_share"] - vae["empty_share"]}
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def main(datasets: tuple[str, ...] = ("mnist", "fashion-mnist"), n: int = 20, test_limit: int | None = 1000,
         train_limit: int | None = None, repeats: int = 7, threads: int | None = 1, write: bool = True, out_dir=None,
         shipped: str | Path = SHIPPED, classifiers: str | Path = ae.classify.CLASSIFIERS,
         pairs: dict[str, tuple[str, str]] | None = None) -> dict:
    """The holes figures of each dataset's pair; `shipped`, `classifiers` and `pairs` let tests point elsewhere."""
    pairs = {**PAIRS, **(pairs or {})}
    with torch_threads(threads):
        runs = [measure(d, pairs[d], n, Path(shipped), Path(classifiers), test_limit, train_limit, repeats)
                for d in datasets]
    parts, figures = [], {}
    for r in runs:
        plain_name, vae_name = pairs[r["dataset"]]
        p, v = r["models"][plain_name]["grid"], r["models"][vae_name]["grid"]
        parts.append(f"{r['dataset']} VAE vs AE: {v['recognised_share']:.0%} vs {p['recognised_share']:.0%} recognised, "
                     f"distance {v['mean_distance']:.2f} vs {p['mean_distance']:.2f}, "
                     f"{v['empty_share']:.0%} vs {p['empty_share']:.0%} cells empty")
        figures[f"{r['dataset']} recognised (VAE / AE / real test)"] = (
            f"{v['recognised_share']:.1%} / {p['recognised_share']:.1%} / {r['real_test_images']['recognised_share']:.1%}")
        figures[f"{r['dataset']} nearest-image distance (VAE / AE / real test)"] = (
            f"{v['mean_distance']:.2f} / {p['mean_distance']:.2f} / {r['real_test_images']['mean_distance']:.2f}")
        figures[f"{r['dataset']} empty grid cells (VAE / AE)"] = f"{v['empty_share']:.1%} / {p['empty_share']:.1%}"
        for name in (plain_name, vae_name):
            figures[f"{name} 30x30 grid decode"] = f"{r['models'][name]['decode_30x30']['decode_ms']} ms"
    headline = f"holes ({n}x{n} grid): " + "; ".join(parts)
    result = {"headline": headline, "figures": figures, "runs": runs,
              "settings": {"grid": n, "threshold": G.CONFIDENT, "test_limit": test_limit or "all",
                           "train_limit": train_limit or "all", "threads": threads, "repeats": repeats,
                           "distance": "Euclidean, pixel space (784 values in [0, 1]), to the nearest training image"},
              "machine": machine()}
    if write:
        write_result("holes", result, Path(out_dir) if out_dir is not None else RESULTS)
    return result


def cli(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.holes", description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default="mnist,fashion-mnist")
    p.add_argument("--n", type=int, default=20, help="grid size n (n x n pictures)")
    p.add_argument("--test-limit", type=int, default=1000, help="real test images for the yardsticks")
    p.add_argument("--quick", action="store_true", help=f"the quick settings: {QUICK}")
    a = p.parse_args(argv)
    kwargs = {"test_limit": a.test_limit, **(QUICK if a.quick else {})}
    result = main(tuple(d.strip() for d in a.datasets.split(",") if d.strip()), a.n, **kwargs)
    for k, v in result["figures"].items():
        print(f"{k}: {v}")
    print(result["headline"])


if __name__ == "__main__":
    cli()
