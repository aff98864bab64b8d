"""Benchmark 2: time to quality. How long until an autoencoder reconstructs the test images as well
as PCA with the same latent size does?

PCA (scikit-learn) is fitted on the training images and measured on the test images: its test MSE is
the bar. Each model then trains with ae.train; the test MSE is measured every time the training time
has grown by 25% and at each epoch's end (the evaluation time is not counted), and the clock stops
when it reaches the bar.

    python -m bench.quality [--models dense:3,conv:32] [--max-epochs 5] [--quick]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np
import torch

import ae.data
import ae.train
from ae.models import ModelConfig, build_model
from bench.common import machine, torch_threads, write_result

# Each model with the training settings of its shipped checkpoint (checkpoints/make.sh).
SETTINGS = {"dense": {"batch_size": 64, "lr": 0.005}, "conv": {"batch_size": 128, "lr": 0.002},
            "vae": {"batch_size": 64, "lr": 0.001}}
FIRST_CHECK_S, GROWTH, MAX_GAP_S = 0.25, 1.25, 5.0   # when the test MSE is checked (see time_to)
QUICK = {"limit": 10_000, "test_limit": 2_000, "max_epochs": 2}   # `python -m bench --quick`


def pca_bar(train_x: torch.Tensor, test_x: torch.Tensor, k: int, seed: int = 0) -> dict:
    """Fit PCA with k components on train; its reconstruction MSE on test (and the fit time)."""
    from sklearn.decomposition import PCA

    a = train_x.reshape(len(train_x), -1).numpy().astype(np.float32)
    b = test_x.reshape(len(test_x), -1).numpy().astype(np.float32)
    t0 = time.perf_counter()
    pca = PCA(n_components=k, random_state=seed).fit(a)
    fit_s = time.perf_counter() - t0
    recon = pca.inverse_transform(pca.transform(b))
    return {"k": k, "fit_s": fit_s, "test_mse": float(np.mean((recon - b) ** 2)),
            "test_mse_clipped": float(np.mean((np.clip(recon, 0, 1) - b) ** 2)), "solver": getattr(pca, "_fit_svd_solver", pca.svd_solver)}


def time_to(kind: str, latent_dim: int, bar: float, train_x: torch.Tensor, test_x: torch.Tensor,
            max_epochs: int, growth: float = GROWTH, seed: int = 0) -> dict:
    """Train until the test MSE is at or below `bar`; seconds of training (evaluations excluded).

    The test MSE is checked after FIRST_CHECK_S of training, then each time the training time has
    grown by `growth` (at most MAX_GAP_S apart), and at every epoch's end: the time found is at most
    (growth - 1) too late, whether it is one second or one minute."""
    torch.manual_seed(seed)
    model = build_model(ModelConfig(kind=kind, latent_dim=latent_dim))
    cfg = ae.train.TrainConfig(epochs=max_epochs, seed=seed, **SETTINGS.get(kind, {}))
    per_epoch = math.ceil(len(train_x) / cfg.batch_size)
    clock = {"train_s": 0.0, "eval_s": 0.0, "since": time.perf_counter(), "next": FIRST_CHECK_S}
    curve: list[dict] = []
    reached: dict = {}

    def check(done: int) -> bool:
        now = time.perf_counter()
        clock["train_s"] += now - clock["since"]
        mse = ae.train.evaluate(model, test_x)["mse"]
        model.train()                               # evaluate() leaves the model in eval mode
        clock["eval_s"] += time.perf_counter() - now
        curve.append({"epoch": round(done / per_epoch, 3), "train_s": round(clock["train_s"], 3), "test_mse": mse})
        if mse <= bar and not reached:
            reached.update(epochs=done / per_epoch, seconds=clock["train_s"], test_mse=mse)
        clock["next"] = min(clock["train_s"] * growth, clock["train_s"] + MAX_GAP_S)
        clock["since"] = time.perf_counter()
        return bool(reached)

    def on_batch(done: int, total: int) -> bool:
        trained = clock["train_s"] + time.perf_counter() - clock["since"]
        return (trained >= clock["next"] or done % per_epoch == 0 or done == total) and check(done)

    t0 = time.perf_counter()
    ae.train.train(model, train_x, cfg, on_batch=on_batch)
    wall = time.perf_counter() - t0
    return {"kind": kind, "latent_dim": latent_dim, "settings": SETTINGS.get(kind, {}),
            "reached": bool(reached), "seconds": reached.get("seconds"), "epochs": reached.get("epochs"),
            "test_mse": reached.get("test_mse", curve[-1]["test_mse"] if curve else None),
            "train_s": clock["train_s"], "eval_s": clock["eval_s"], "wall_s": wall,
            "max_epochs": max_epochs, "curve": curve}


def main(models: tuple[tuple[str, int], ...] = (("dense", 3), ("conv", 32)), max_epochs: int = 5, growth: float = GROWTH,
         limit: int | None = None, test_limit: int | None = None, threads: int | None = 1, seed: int = 0,
         write: bool = True, out_dir=None) -> dict:
    with torch_threads(threads):
        return _measure(models, max_epochs, growth, limit, test_limit, seed, write, out_dir)


def _measure(models, max_epochs, growth, limit, test_limit, seed, write, out_dir) -> dict:
    ae.train.use_all_cores()
    train_x = ae.data.load("fashion-mnist", "train").subset(limit, seed=0).images
    test_x = ae.data.load("fashion-mnist", "test").subset(test_limit, seed=1).images
    rows, bars = [], {}
    for kind, k in models:
        if k not in bars:
            bars[k] = pca_bar(train_x, test_x, k, seed)
        run = time_to(kind, k, bars[k]["test_mse"], train_x, test_x, max_epochs, growth, seed)
        run["pca"] = bars[k]
        rows.append(run)

    def said(r: dict) -> str:
        if r["reached"]:
            return (f"{r['kind']} z={r['latent_dim']} {r['seconds']:.1f} s ({r['epochs']:.2f} epochs; "
                    f"PCA fit {r['pca']['fit_s']:.1f} s)")
        return f"{r['kind']} z={r['latent_dim']} not within {r['max_epochs']} epoch(s) ({r['train_s']:.0f} s)"

    headline = "quality: time to PCA's test MSE: " + ", ".join(said(r) for r in rows) + \
               f" on {len(train_x):,} Fashion-MNIST images, {torch.get_num_threads()} torch thread(s)"
    result = {
        "headline": headline,
        "machine": machine(),
        "settings": {"dataset": "fashion-mnist", "train_images": len(train_x), "test_images": len(test_x),
                     "max_epochs": max_epochs, "check_growth": growth, "seed": seed,
                     "torch_threads": torch.get_num_threads()},
        "pca": {str(k): v for k, v in bars.items()},
        "models": rows,
        "figures": {f"{r['kind']} z={r['latent_dim']} to PCA-{r['latent_dim']} MSE "
                    f"{r['pca']['test_mse']:.4f}": (f"{r['seconds']:.1f} s, {r['epochs']:.2f} epochs "
                                                     f"(PCA fit {r['pca']['fit_s']:.1f} s)" if r["reached"]
                                                     else f"not reached in {r['max_epochs']} epochs")
                    for r in rows},
    }
    if write:
        write_result("quality", result, out_dir)
    return result


def parse_models(text: str) -> tuple[tuple[str, int], ...]:
    out = []
    for part in text.split(","):
        kind, _, k = part.strip().partition(":")
        out.append((kind, int(k or 3)))
    return tuple(out)


def cli(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="dense:3,conv:32", help="kind:latent_dim, comma separated")
    p.add_argument("--max-epochs", type=int, default=5)
    p.add_argument("--growth", type=float, default=GROWTH, help="check the test MSE each time the training time grew by this factor")
    p.add_argument("--limit", type=int, default=None, help="training images (default: all 60,000)")
    p.add_argument("--test-limit", type=int, default=None, help="test images (default: all 10,000)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1; 0 keeps $AE_TORCH_THREADS or all cores)")
    p.add_argument("--quick", action="store_true", help="10,000 training and 2,000 test images, 2 epochs at most")
    a = p.parse_args(argv)
    if a.quick:
        a.limit, a.test_limit, a.max_epochs = a.limit or 10_000, a.test_limit or 2_000, min(a.max_epochs, 2)
    result = main(parse_models(a.models), a.max_epochs, a.growth, a.limit, a.test_limit, a.threads)
    print(machine())
    print(result["headline"])
    return result


if __name__ == "__main__":
    cli()
