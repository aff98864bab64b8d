"""What every benchmark shares: the machine it ran on, timing helpers and JSON results. The real app
server and the browser helpers live in tests/live.py, which the browser benchmarks use too.

Timings on a shared machine are noisy, so each benchmark reports ratios against a baseline measured
in the same run; the machine facts are stored beside the figures.
"""
from __future__ import annotations

import json
import math
import os
import platform
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("AE_BENCH_RESULTS", ROOT / "bench" / "results"))


# ---------------------------------------------------------------- machine

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """Cores, CPU, torch version and threads, load: stored with every result."""
    import torch

    info = {"cores": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
            "cuda": torch.cuda.is_available(), "platform": platform.platform()}
    try:
        info["load_avg"] = [round(x, 2) for x in os.getloadavg()]   # other work on the machine skews timings
    except OSError:
        pass
    try:
        import sklearn
        info["sklearn"] = sklearn.__version__
    except ImportError:
        pass
    return info


@contextmanager
def torch_threads(n: int | None):
    """Run with n torch threads (ae.train.use_all_cores() honours $AE_TORCH_THREADS), then restore.

    One thread per process is what runs fastest on a shared 2-core machine: threads that wait on
    each other lose their time slices. None keeps what is set."""
    import torch

    if not n:
        yield torch.get_num_threads()
        return
    saved = os.environ.get("AE_TORCH_THREADS"), torch.get_num_threads()
    os.environ["AE_TORCH_THREADS"] = str(n)
    torch.set_num_threads(n)
    try:
        yield n
    finally:   # the other benchmarks of `python -m bench` run in the same process
        if saved[0] is None:
            os.environ.pop("AE_TORCH_THREADS", None)
        else:
            os.environ["AE_TORCH_THREADS"] = saved[0]
        torch.set_num_threads(saved[1])


# ---------------------------------------------------------------- results

def _clean(obj):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def write_result(name: str, result: dict, out_dir: Path | None = None) -> Path:
    """bench/results/<name>.json with a UTC time stamp and the machine info (unless the result has its own,
    taken while it ran)."""
    out_dir = Path(out_dir) if out_dir is not None else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"name": name, "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), **result}
    path = out_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_clean(result), indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def per_dataset_cli(prog: str, doc: str, quick: dict, argv=None) -> tuple[tuple[str, ...], dict]:
    """The command line of a benchmark run per dataset on its test split (bench.denoise,
    bench.compression): --datasets, --test-limit, --quick. Returns (datasets, keyword arguments for main)."""
    import argparse

    p = argparse.ArgumentParser(prog=f"python -m {prog}", description=doc.split("\n\n")[0])
    p.add_argument("--datasets", default="fashion-mnist,mnist")
    p.add_argument("--test-limit", type=int, default=None, help="test images per dataset (default: all)")
    p.add_argument("--quick", action="store_true", help=f"the quick settings: {quick}")
    a = p.parse_args(argv)
    kwargs = dict(quick) if a.quick else {}
    if a.test_limit:
        kwargs["test_limit"] = a.test_limit
    return tuple(d.strip() for d in a.datasets.split(",") if d.strip()), kwargs
