"""bench/results/REPORT.md from the JSON results: one table of headline figures and the machine.

    python -m bench.report      (rewrites the report from whatever results are there)
"""
from __future__ import annotations

import json
from pathlib import Path

from bench.common import RESULTS, machine

ORDER = ["train", "quality", "latent", "denoise", "browser", "generate", "holes", "anomaly", "compression", "scale"]
TITLES = {"train": "1. Training loop vs the lesson's", "quality": "2. Time to PCA quality",
          "latent": "3. Latent map (t-SNE)", "denoise": "4. Denoising", "browser": "5. The app in a browser",
          "generate": "6. Decoding in the browser vs a server round trip",
          "holes": "7. Generation: the holes of a 2-D latent space (AE vs VAE)",
          "anomaly": "8. Anomaly detection (one class)",
          "compression": "9. Compression",
          "scale": "10. Beyond one machine (Ray, DDP)"}


def _cell(v) -> str:
    if isinstance(v, float):
        v = f"{v:.4g}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def _machine_line(m: dict) -> str:
    keys = ["cores", "cpu", "torch", "torch_threads", "omp_wait_policy", "cuda", "python", "load_avg"]
    return ", ".join(f"{k} {m[k]}" for k in keys if k in m)


def write_report(out_dir: Path | None = None, notes: dict[str, str] | None = None) -> Path:
    """Write REPORT.md from <name>.json files; `notes` says why a benchmark has no result."""
    out_dir = Path(out_dir) if out_dir is not None else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = dict(notes or {})
    results = {}
    names = ORDER + sorted(p.stem for p in out_dir.glob("*.json") if p.stem not in ORDER)
    for name in names:
        try:
            results[name] = json.loads((out_dir / f"{name}.json").read_text())
        except (OSError, ValueError):
            continue

    lines = ["# Benchmark report", "",
             "Written by `python -m bench` (all) or `python -m bench.report` (from the JSON files in this folder);",
             "`python -m bench.NAME` reruns one. Timings on a shared machine are noisy: the figures that matter",
             "are ratios against a baseline measured in the same run.", "",
             "## Headlines", "", "| benchmark | when (UTC) | headline |", "|---|---|---|"]
    for name in names:
        if name in results:
            r = results[name]
            lines.append(f"| {TITLES.get(name, name)} | {_cell(r.get('when', '?'))} | {_cell(r.get('headline', ''))} |")
        elif name in notes or name in ORDER:
            lines.append(f"| {TITLES.get(name, name)} | – | {_cell(notes.get(name, 'not run'))} |")
    machines = {_machine_line(r.get("machine", {})) for r in results.values()}
    lines += ["", "## Machine", ""]
    lines += [f"- {m}" for m in sorted(machines) if m] or [f"- {_machine_line(machine())} (now; no results yet)"]

    for name, r in results.items():
        figures = r.get("figures")
        if not figures:
            continue
        lines += ["", f"## {TITLES.get(name, name)}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in figures.items()]
        if r.get("settings"):
            lines += ["", "Settings: " + ", ".join(f"{k} {_cell(v)}" for k, v in r["settings"].items())]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {k}: {v}" for k, v in notes.items()]
    path = out_dir / "REPORT.md"
    path.write_text("\n".join(lines) + "\n")
    return path


if __name__ == "__main__":
    print(write_report())
