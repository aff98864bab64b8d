"""What every benchmark shares: the machine it ran on, timing helpers, JSON results, and a real
`streamlit run app.py` server (also used by tests/conftest.py, so there is one copy).

Timings on a shared machine are noisy, so each benchmark reports ratios against a baseline measured
in the same run; the machine facts are stored beside the figures.
"""
from __future__ import annotations

import json
import math
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("AE_BENCH_RESULTS", ROOT / "bench" / "results"))
CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, headless, nothing phoning home (the machine has no internet).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


# ---------------------------------------------------------------- numbers

def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list; NaN when empty."""
    if not values:
        return math.nan
    v = sorted(values)
    pos = (len(v) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summary_ms(seconds: list[float]) -> dict:
    """p50 / p95 / mean / max in milliseconds and the count, of a list of durations in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "mean_ms": round(sum(ms) / len(ms), 1) if ms else math.nan, "max_ms": round(max(ms), 1) if ms else math.nan}


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


def read_result(name: str, out_dir: Path | None = None) -> dict | None:
    path = (Path(out_dir) if out_dir is not None else RESULTS) / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- the app server

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(env_extra: dict | None = None, log: Path | IO | None = None,
                 timeout: float = 90.0) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free localhost port; returns (process, url) once it answers.

    `log`: a file path (may contain "{port}") or an open file for the server's output; none by default.
    /_stcore/health answers before any page script has run: wait for a page element as well.
    """
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **(env_extra or {}))
    out = open(str(log).format(port=port), "w") if isinstance(log, (str, Path)) else (log or subprocess.DEVNULL)
    srv = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                            "--server.headless", "true", "--server.port", str(port),
                            "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
                           cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return srv, url
        except Exception:
            if srv.poll() is not None or time.time() > deadline:
                srv.kill()
                raise RuntimeError("streamlit server did not start")
            time.sleep(0.1)


def stop_server(srv: subprocess.Popen) -> None:
    srv.terminate()
    try:
        srv.wait(10)
    except subprocess.TimeoutExpired:
        srv.kill()
