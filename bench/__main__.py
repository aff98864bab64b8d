"""`python -m bench` (`make bench`): run every benchmark module there is, write bench/results/<name>.json
for each and bench/results/REPORT.md with the headline figures and the machine.

    python -m bench                    all of them, full size (tens of minutes on 2 busy cores)
    python -m bench --quick            smaller sizes, a few minutes (also: AE_BENCH_QUICK=1)
    python -m bench --only train,browser
    python -m bench.NAME [--help]      one of them: train, quality, latent, denoise, browser, generate, holes,
                                       anomaly, compression, scale

A module `bench/NAME.py` exposes `main(**kwargs) -> dict` (with a "headline" entry, also printed as its
last line) and may define `QUICK`, the keyword arguments of a quick run. A module that is missing is
skipped with a note; one that fails is reported and the others still run.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback

from bench.common import RESULTS, machine, write_result
from bench.report import ORDER, write_report


def run_one(name: str, quick: bool) -> tuple[dict | None, str | None]:
    """(result, note): the result of bench.NAME.main(), or None and why not."""
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"bench.{name}":
            return None, f"skipped: bench/{name}.py does not exist yet"
        return None, f"skipped: bench/{name}.py needs {e.name}, which is not installed"
    kwargs = dict(getattr(module, "QUICK", {})) if quick else {}
    t0 = time.perf_counter()
    try:
        result = module.main(**kwargs)
    except Exception as e:   # one broken benchmark must not hide the others' figures
        traceback.print_exc()
        return None, f"failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
    if not isinstance(result, dict):
        return None, f"failed: bench.{name}.main() returned {type(result).__name__}, not a dict"
    result.setdefault("headline", f"{name}: done")
    result.setdefault("seconds", round(time.perf_counter() - t0, 1))
    result["quick"] = quick
    write_result(name, {k: v for k, v in result.items() if k not in ("name", "when")})  # keeps its "machine"
    return result, None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", default=bool(os.environ.get("AE_BENCH_QUICK")),
                   help="smaller sizes (also AE_BENCH_QUICK=1)")
    p.add_argument("--only", default="", help="comma-separated names, e.g. train,browser")
    a = p.parse_args(argv)
    if a.quick:
        os.environ["AE_BENCH_QUICK"] = "1"   # modules without QUICK may read it
    names = [n.strip() for n in a.only.split(",") if n.strip()] or ORDER
    print(f"machine: {machine()}", flush=True)
    notes, headlines = {}, {}
    for name in names:
        print(f"\n== bench.{name}{' (quick)' if a.quick else ''}", flush=True)
        result, note = run_one(name, a.quick)
        if note:
            notes[name] = note
            print(f"{name}: {note}", flush=True)
        else:
            headlines[name] = result["headline"]
    report = write_report(RESULTS, notes)
    print(f"\nresults in {RESULTS}, report {report}")
    for name in names:
        print(headlines.get(name) or f"{name}: {notes.get(name)}")
    return 1 if any(v.startswith("failed") for v in notes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
