"""Benchmark 4: denoising quality. PSNR and SSIM on the test split, across noise kinds and levels, for the
damaged input, each classical filter, a PCA projection and every shipped autoencoder of the dataset.

Every restorer gets exactly the same damaged images (one seeded generator per setting). The goal of the
Denoising issue: the shipped denoisers beat the best baseline (the page's classical filters: doing
nothing, median, blur, total variation) by at least 6 dB at Gaussian sigma 0.5 and at salt-and-pepper
0.3, on Fashion-MNIST and on MNIST. The margin over the PCA projection is reported beside it.

    python -m bench.denoise [--datasets fashion-mnist,mnist] [--test-limit N] [--quick]

Writes bench/results/denoise.json and bench/results/denoise.md (the tables).
"""
from __future__ import annotations

import time
from pathlib import Path


import ae.checkpoint
import ae.data
import ae.denoise
from ae.baselines import BASELINES, pca_projection
from bench.common import RESULTS, ROOT, machine, per_dataset_cli, torch_threads, write_result

SHIPPED = ROOT / "checkpoints"
# (noise kind, level, options): the settings, then block occlusion.
SETTINGS = [("gaussian", 0.2, {}), ("gaussian", 0.5, {}), ("salt_and_pepper", 0.1, {}),
            ("salt_and_pepper", 0.3, {}), ("mask", 0.5, {}), ("block", 0.0, {"size": 8, "count": 3})]
GOALS = [("gaussian", 0.5), ("salt_and_pepper", 0.3)]   # where the denoisers must win by GOAL_DB
GOAL_DB = 6.0
EXPECTED = {"fashion-mnist": ["fmnist_dense_z3", "fmnist_dense_z3_denoise", "fmnist_conv_z32", "fmnist_conv_denoise",
                              "fmnist_refine_denoise", "fmnist_refine_gauss_denoise"],
            "mnist": ["mnist_conv_z16", "mnist_unet_denoise"]}
PCA_K = 32
SEED = 1234          # the damage; the same as ae.train.evaluate's
QUICK = {"test_limit": 1000}


def label(kind: str, level: float, options: dict) -> str:
    if kind == "block":
        return f"block {options['count']}x{options['size']}px"
    return f"{kind} {level:g}"


def checkpoints_of(dataset: str, shipped: Path = SHIPPED) -> tuple[dict, list[str]]:
    """{name: (model, meta)} of the shipped checkpoints trained on `dataset`, and notes on missing ones."""
    found, notes = {}, []
    for info in ae.checkpoint.list_checkpoints(shipped):
        if not info.ok:
            notes.append(f"{info.name}: cannot be opened ({info.error})")
            continue
        if (info.meta.get("dataset") or {}).get("name") == dataset:
            found[info.name] = ae.checkpoint.load(info.path)
    missing = [n for n in EXPECTED.get(dataset, []) if n not in found]
    if missing:
        notes.append(f"{dataset}: not shipped yet, skipped: {', '.join(missing)}")
    return found, notes


def measure(dataset: str, test_limit: int | None, shipped: Path = SHIPPED, train_limit: int | None = None,
            chunk: int = 2000) -> dict:
    """PSNR and SSIM (means over the test images) of every method at every setting, for one dataset."""
    models, notes = checkpoints_of(dataset, shipped)
    test_x = ae.data.load(dataset, "test").subset(test_limit, seed=1).images
    t0 = time.perf_counter()
    pca = pca_projection(ae.data.load(dataset, "train").subset(train_limit, seed=0).images, PCA_K)
    restorers = {**BASELINES, f"pca{PCA_K}": pca}
    roles = {name: ("denoiser" if ae.denoise.is_denoiser(meta) else "plain") for name, (_, meta) in models.items()}
    table: dict[str, dict[str, dict[str, float]]] = {}
    seconds: dict[str, float] = {}
    for kind, level, options in SETTINGS:
        col = label(kind, level, options)
        damaged = ae.denoise.damage(test_x, kind, level, SEED, **options)
        sums: dict[str, dict[str, float]] = {}
        t1 = time.perf_counter()
        for a, b in zip(test_x.split(chunk), damaged.split(chunk)):
            result = ae.denoise.compare(a, b, {n: m for n, (m, _) in models.items()}, restorers)
            for name, figures in result.per_image.items():
                s = sums.setdefault(name, {"psnr": 0.0, "ssim": 0.0})
                s["psnr"] += float(figures["psnr"].sum())
                s["ssim"] += float(figures["ssim"].sum())
        seconds[col] = round(time.perf_counter() - t1, 2)
        for name, s in sums.items():
            table.setdefault(name, {})[col] = {"psnr": s["psnr"] / len(test_x), "ssim": s["ssim"] / len(test_x)}
    goals = []
    pca_name = f"pca{PCA_K}"
    for kind, level in GOALS:
        col = label(kind, level, {})
        best_base = max(BASELINES, key=lambda n: table[n][col]["psnr"])   # the page's classical filters
        denoisers = [n for n in models if roles[n] == "denoiser"]
        best_dae = max(denoisers, key=lambda n: table[n][col]["psnr"]) if denoisers else None
        dae_psnr = table[best_dae][col]["psnr"] if best_dae else None
        margin = dae_psnr - table[best_base][col]["psnr"] if best_dae else None
        goals.append({"setting": col, "best_baseline": best_base, "baseline_psnr": table[best_base][col]["psnr"],
                      "denoiser": best_dae, "denoiser_psnr": dae_psnr, "margin_db": margin,
                      "met": margin is not None and margin >= GOAL_DB, "pca_psnr": table[pca_name][col]["psnr"],
                      "margin_over_pca_db": dae_psnr - table[pca_name][col]["psnr"] if best_dae else None})
    return {"dataset": dataset, "test_images": len(test_x), "models": roles, "table": table, "goals": goals,
            "notes": notes, "seconds_per_setting": seconds, "seconds": round(time.perf_counter() - t0, 1)}


NAMES = {"none": "damaged input", "median3": "median 3x3", "gaussian_blur": "Gaussian blur",
         "total_variation": "total variation", f"pca{PCA_K}": f"PCA-{PCA_K} projection"}


def markdown(runs: list[dict]) -> str:
    """One table per dataset: methods down, settings across, cells 'PSNR dB / SSIM'; then the goals."""
    lines = ["# Denoising benchmark", "",
             f"Mean PSNR (dB) / SSIM against the clean test images; the same damaged images (seed {SEED}) for "
             f"every method. PCA-{PCA_K} is fitted on the clean training images.", ""]
    for run in runs:
        cols = [label(*s) for s in SETTINGS]
        lines += [f"## {run['dataset']} ({run['test_images']} test images)", "",
                  "| method | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for name, row in run["table"].items():
            role = run["models"].get(name)
            shown = NAMES.get(name, f"{name} ({'denoising AE' if role == 'denoiser' else 'plain AE'})")
            best = {c: max(run["table"], key=lambda n: run["table"][n][c]["psnr"]) for c in cols}
            cells = [("**{:.1f}** / {:.3f}" if best[c] == name else "{:.1f} / {:.3f}").format(
                row[c]["psnr"], row[c]["ssim"]) for c in cols]
            lines.append(f"| {shown} | " + " | ".join(cells) + " |")
        lines.append("")
        for g in run["goals"]:
            lines.append(f"- {verdict(run['dataset'], g)}")
        lines += [f"- {n}" for n in run["notes"]] + [""]
    return "\n".join(lines)


def verdict(dataset: str, g: dict) -> str:
    if g["denoiser"] is None:
        return (f"{dataset} {g['setting']}: no shipped denoiser; best filter {g['best_baseline']} "
                f"{g['baseline_psnr']:.1f} dB, PCA-{PCA_K} {g['pca_psnr']:.1f} dB")
    return (f"{dataset} {g['setting']}: {g['denoiser']} {g['denoiser_psnr']:.1f} dB vs best filter "
            f"{g['best_baseline']} {g['baseline_psnr']:.1f} dB: {g['margin_db']:+.1f} dB "
            f"({'meets' if g['met'] else 'misses'} the {GOAL_DB:g} dB goal); vs PCA-{PCA_K} "
            f"{g['margin_over_pca_db']:+.1f} dB")


def main(datasets: tuple[str, ...] = ("fashion-mnist", "mnist"), test_limit: int | None = None,
         train_limit: int | None = None, threads: int | None = 1, write: bool = True, out_dir=None,
         shipped: str | Path = SHIPPED) -> dict:
    """The table for each dataset; `shipped` is the checkpoint folder (tests point it elsewhere)."""
    with torch_threads(threads):
        runs = [measure(d, test_limit, Path(shipped), train_limit) for d in datasets]
    goals = [(r["dataset"], g) for r in runs for g in r["goals"]]
    checked = [g for _, g in goals if g["denoiser"] is not None]
    met = sum(g["met"] for g in checked)
    worst = min((g["margin_db"] for g in checked), default=None)
    headline = (f"denoise: denoisers beat the best classical filter by >= {GOAL_DB:g} dB in {met} of {len(goals)} goal settings"
                + (f" (smallest margin {worst:+.1f} dB)" if worst is not None else "")
                + (f"; {len(goals) - len(checked)} without a shipped denoiser" if len(checked) < len(goals) else ""))
    figures = {verdict(d, g).split(":")[0]: (f"{g['margin_db']:+.1f} dB ({g['denoiser']} vs {g['best_baseline']})"
                                             if g["denoiser"] else "no denoiser shipped") for d, g in goals}
    result = {"headline": headline, "figures": figures, "runs": runs, "goal_db": GOAL_DB,
              "settings": {"test_limit": test_limit or "all", "pca_train": train_limit or "all", "pca_k": PCA_K,
                           "seed": SEED, "threads": threads},
              "machine": machine()}
    if write:
        out = Path(out_dir) if out_dir is not None else RESULTS
        write_result("denoise", result, out)
        (out / "denoise.md").write_text(markdown(runs))
    return result


def cli(argv=None) -> None:
    datasets, kwargs = per_dataset_cli("bench.denoise", __doc__, QUICK, argv)
    result = main(datasets, **kwargs)
    print(markdown(result["runs"]))
    for dataset_goals in result["runs"]:
        for g in dataset_goals["goals"]:
            print(verdict(dataset_goals["dataset"], g))
    print(result["headline"])


if __name__ == "__main__":
    cli()
