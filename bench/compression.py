"""Benchmark 8: compression. PSNR against bytes per image on the whole test split of each dataset, for
the shipped sweep families (codes of z numbers stored in 32, 16 and 8 bits), PCA (k coefficients, the
same bits), JPEG and WebP across their quality range, and the exact references (PNG, gzip).

Each method's best setting within a byte budget is compared, all measured in the same run on the same
images. JPEG is counted three ways (the whole file; the image stream with its tables set aside; the
entropy-coded data alone), WebP two (the file; the VP8 frame without its RIFF container); the
autoencoder's decoder and PCA's basis are set aside in the same way, and said (the amortised line).
Goal of the Compression issue: at 32 bytes per image or less, the autoencoder beats PCA and the best
JPEG/WebP setting by at least 3 dB. Also: the budget where JPEG (and WebP) overtakes the autoencoder.

    python -m bench.compression [--datasets fashion-mnist,mnist] [--test-limit N] [--quick]

Writes bench/results/compression.json and bench/results/compression.md (the tables).
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import ae.compress as C
import ae.data
from bench.common import RESULTS, ROOT, machine, per_dataset_cli, torch_threads, write_result

SWEEP = ROOT / "checkpoints" / "sweep"
BUDGETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
GOAL_BUDGET = 32
GOAL_DB = 3.0
CODECS = ("jpeg", "jpeg-image", "jpeg-scan", "webp", "webp-vp8")
COLUMNS = ("dense", "conv", "pca", *CODECS)
QUICK = {"test_limit": 1000, "train_limit": 10_000, "jpeg_qualities": (1, 5, 10, 30, 50, 85, 95),
         "webp_qualities": (0, 10, 30, 50, 85, 95)}


def measure(dataset: str, sweep: Path = SWEEP, test_limit: int | None = None, train_limit: int | None = None,
            jpeg_qualities=C.JPEG_QUALITIES, webp_qualities=C.WEBP_QUALITIES, say=print) -> dict:
    """Every method's rate-distortion points on one dataset's test split, and what they say."""
    t0 = time.perf_counter()
    families = C.load_sweep(sweep, dataset)
    notes = []
    for kind in ("dense", "conv"):
        missing = [z for z in C.LATENT_DIMS if z not in families.get(kind, {})]
        if missing:
            notes.append(f"{dataset} {kind}: no sweep checkpoint for z = {', '.join(map(str, missing))}")
    test = ae.data.load(dataset, "test").subset(test_limit, seed=1)
    train_x = ae.data.load(dataset, "train").subset(train_limit, seed=0).images
    ae_families = tuple(families)
    points = C.rate_distortion(families, train_x, test.images, pca_ks=C.LATENT_DIMS,
                               jpeg_qualities=jpeg_qualities, webp_qualities=webp_qualities,
                               on_step=lambda what: say(f"  {dataset}: {what}"))
    table = {}
    for b in BUDGETS:
        row = {}
        for col in (*COLUMNS, "ae"):
            fams = ae_families if col == "ae" else (col,)
            best = C.best_within(points, fams, b)
            row[col] = None if best is None else {"psnr": best.psnr, "family": best.family, "setting": best.setting,
                                                  "bytes": best.bytes}
        table[str(b)] = row
    # the goal: the autoencoder's best within the budget against PCA's and the best codec's, however counted
    goal = C.margins(points, ae_families, {"pca": ["pca"], "codecs": list(CODECS)}, [GOAL_BUDGET])[0]
    cheapest_codec = min((p for p in points if p.family in CODECS), key=lambda p: p.bytes)
    goal["cheapest_codec"] = cheapest_codec.to_dict()
    goal["margin_over_cheapest_codec_db"] = (goal["best"]["psnr"] - cheapest_codec.psnr) if goal["best"] else None
    over = goal["over"]
    goal["met"] = bool(goal["best"] and over["pca"]["margin_db"] is not None and over["pca"]["margin_db"] >= GOAL_DB
                       and (over["codecs"]["margin_db"] is None or over["codecs"]["margin_db"] >= GOAL_DB))
    # the same, with every method's shared bytes (decoder, basis, tables) spread over the measured images
    amortised = {}
    for group, fams in {"ae": ae_families, "pca": ("pca",), "codecs": CODECS}.items():
        best = C.best_within(points, fams, GOAL_BUDGET, amortised=True)
        amortised[group] = best.to_dict() if best else None
    overtakes = {c: C.overtake_budget(points, [c], ae_families) for c in CODECS}
    overtakes_amortised = {c: C.overtake_budget(points, [c], ae_families, amortised=True) for c in CODECS}
    decoders = {kind: {z: C.decoder_bytes(m) for z, m in models.items()} for kind, models in families.items()}
    say(f"  {dataset}: curves")
    curves = C.sweep_curves(families, test.images, test.labels, train_x=train_x, pca_ks=C.LATENT_DIMS)
    return {"dataset": dataset, "test_images": len(test), "train_images": len(train_x), "source": test.source,
            "families": {k: sorted(v) for k, v in families.items()}, "points": [p.to_dict() for p in points],
            "table": table, "goal": goal, "amortised_at_goal": amortised, "overtakes": overtakes,
            "overtakes_amortised": overtakes_amortised, "decoder_bytes": decoders,
            "curves": [c.to_dict() for c in curves], "notes": notes,
            "seconds": round(time.perf_counter() - t0, 1)}


def _cell(entry: dict | None) -> str:
    if entry is None:
        return "–"
    return f"{entry['psnr']:.2f} ({entry['setting']})"


def markdown(runs: list[dict]) -> str:
    lines = ["# Compression benchmark", "",
             "Mean per-image PSNR (dB) of each method's best setting costing at most the budget in bytes per "
             "image, on the test split; the setting in brackets. Codes are z numbers x bits / 8 (the decoder's "
             "weights and the 8-bit ranges set aside), PCA k coefficients x bits / 8 (its basis set aside). "
             "JPEG: the whole file (Huffman tables optimised per image) / the image stream with the tables set "
             "aside (Pillow streamtype=2) / the entropy-coded data alone. WebP: the file / the VP8 frame. "
             "– : no setting that cheap.", ""]
    for run in runs:
        lines += [f"## {run['dataset']} ({run['test_images']:,} test images; {run['source']})", "",
                  "| bytes ≤ | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
        for b, row in run["table"].items():
            lines.append(f"| {b} | " + " | ".join(_cell(row[c]) for c in COLUMNS) + " |")
        exact = [p for p in run["points"] if math.isinf(p["psnr"] if p["psnr"] is not None else math.inf)
                 and C.family(p["family"]).method == "exact"]
        lines += ["", "Exact copies (PSNR infinite): " + ", ".join(f"{p['family']} {p['bytes']:.1f} B" for p in exact)
                  + ".", ""]
        lines.append("Set aside (amortised): " + "; ".join(
            f"{kind} decoder {min(d.values()) / 1e3:.0f}-{max(d.values()) / 1e3:.0f} kB = "
            f"{min(d.values()) / run['test_images']:.1f}-{max(d.values()) / run['test_images']:.1f} B per test image"
            for kind, d in run["decoder_bytes"].items() if d) + ".")
        lines += ["", f"- {verdict(run)}"]
        lines.append("- JPEG/WebP overtake the autoencoder from: " + ", ".join(
            f"{c} {_budget(run['overtakes'][c])}" for c in CODECS)
            + "; with every method's shared bytes spread over the test images: " + ", ".join(
            f"{c} {_budget(run['overtakes_amortised'][c])}" for c in CODECS))
        lines += [f"- {n}" for n in run["notes"]]
        lines += ["", "Curves against z (PSNR dB / k-NN accuracy of the codes):", "",
                  "| z | " + " | ".join(sorted({c['family'] for c in run["curves"]})) + " |",
                  "|---|" + "---|" * len({c['family'] for c in run["curves"]})]
        fams = sorted({c["family"] for c in run["curves"]})
        for z in sorted({c["latent_dim"] for c in run["curves"]}):
            cells = []
            for f in fams:
                c = next((c for c in run["curves"] if c["family"] == f and c["latent_dim"] == z), None)
                cells.append("–" if c is None else f"{c['psnr']:.2f} / {c['knn']:.3f}" if c["knn"] is not None
                             else f"{c['psnr']:.2f}")
            lines.append(f"| {z} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _budget(b: float | None) -> str:
    return "never (on these settings)" if b is None else f"{b:.0f} B"


def verdict(run: dict) -> str:
    g = run["goal"]
    if g["best"] is None:
        return f"{run['dataset']}: no autoencoder code fits in {GOAL_BUDGET} bytes"
    best, pca, codecs = g["best"], g["over"]["pca"], g["over"]["codecs"]
    text = (f"{run['dataset']} at ≤ {GOAL_BUDGET} B: {best['family']} {best['setting']} {best['psnr']:.2f} dB; "
            f"PCA {pca['best']['setting']} {pca['best']['psnr']:.2f} dB ({pca['margin_db']:+.2f} dB); ")
    if codecs["best"] is None:
        cheap = g["cheapest_codec"]
        text += (f"no JPEG/WebP setting fits (the cheapest, {cheap['family']} {cheap['setting']}, takes "
                 f"{cheap['bytes']:.1f} B for {cheap['psnr']:.2f} dB: {g['margin_over_cheapest_codec_db']:+.2f} dB)")
    else:
        text += (f"best codec {codecs['best']['family']} {codecs['best']['setting']} {codecs['best']['psnr']:.2f} dB "
                 f"({codecs['margin_db']:+.2f} dB)")
    return text + f": {'meets' if g['met'] else 'misses'} the {GOAL_DB:g} dB goal"


def main(datasets: tuple[str, ...] = ("fashion-mnist", "mnist"), test_limit: int | None = None,
         train_limit: int | None = None, jpeg_qualities=C.JPEG_QUALITIES, webp_qualities=C.WEBP_QUALITIES,
         threads: int | None = 1, write: bool = True, out_dir=None, sweep: str | Path = SWEEP,
         quiet: bool = False) -> dict:
    """The tables for each dataset; `sweep` is the folder of sweep checkpoints (tests point it elsewhere)."""
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    with torch_threads(threads):
        runs = [measure(d, Path(sweep), test_limit, train_limit, jpeg_qualities, webp_qualities, say)
                for d in datasets]
    margins = [r["goal"]["over"]["pca"]["margin_db"] for r in runs if r["goal"]["best"]]
    met = sum(r["goal"]["met"] for r in runs)
    headline = (f"compression: at ≤ {GOAL_BUDGET} B per image the autoencoder beats PCA and JPEG/WebP by ≥ "
                f"{GOAL_DB:g} dB on {met} of {len(runs)} datasets"
                + (f" (margin over PCA {min(margins):+.1f} to {max(margins):+.1f} dB)" if margins else "")
                + "; JPEG's image stream overtakes it from "
                + ", ".join(f"{_budget(r['overtakes']['jpeg-image'])} ({r['dataset']})" for r in runs))
    figures = {}
    for r in runs:
        figures[f"{r['dataset']} ≤ {GOAL_BUDGET} B"] = verdict(r).split(": ", 1)[1]
        figures[f"{r['dataset']} JPEG image stream overtakes from"] = _budget(r["overtakes"]["jpeg-image"])
    result = {"headline": headline, "figures": figures, "runs": runs, "goal": {"budget": GOAL_BUDGET, "db": GOAL_DB},
              "settings": {"test_limit": test_limit or "all", "train_limit": train_limit or "all",
                           "jpeg_qualities": list(jpeg_qualities), "webp_qualities": list(webp_qualities),
                           "bits": list(C.BITS), "threads": threads, "sweep": str(sweep)},
              "machine": machine()}
    if write:
        out = Path(out_dir) if out_dir is not None else RESULTS
        write_result("compression", result, out)
        (out / "compression.md").write_text(markdown(runs))
    say(headline)
    return result


def cli(argv=None) -> None:
    datasets, kwargs = per_dataset_cli("bench.compression", __doc__, QUICK, argv)
    result = main(datasets, **kwargs)
    print(markdown(result["runs"]))
    print(result["headline"])


if __name__ == "__main__":
    cli()
