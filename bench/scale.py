"""Benchmark 8: beyond one machine, on this machine.

Part 1, a class at once: a real app server, `trainings` browser sessions each start a training on the
Train page at once (the same settings: the default dense model on `subset` Fashion-MNIST images for
`epochs` epochs), and one more session moves the Denoising page's noise slider (16 images), reading the
page's own server time per update from its caption: `moves` moves before the trainings (idle) and
`moves` while they run. Once for each backend:
  - embedded: `python app.py` as `make run` starts it; trainings are threads of the app's process
    (AE_MAX_TRAININGS, default 1, at once; the others wait in its queue);
  - ray: a local Ray head (tests/cluster.py, as many CPUs as this machine has cores) and the same server
    with AE_RAY_ADDRESS set; trainings are Ray actors of AE_RAY_CPUS=1 CPU each, outside the app.
Throughput: training images of all runs / seconds from the first Start click to the last "Done".

Part 2, data-parallel: `python -m ae train` against `torchrun --nproc-per-node 2 -m ae train` (gloo)
on the same images, epochs, global batch and seed, one torch thread per process (so 2 ranks use 2 cores
where 1 process uses 1; two threads in one process lose their time slices on a busy machine, see
ae.env.torch_threads): training images per second (rank 0's report counts every rank's images) and the
final test loss.

    python -m bench.scale [--trainings 8] [--epochs 3] [--subset 5000] [--moves 20] [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import RESULTS, ROOT, machine, write_result
from tests.live import (Session, check_page, free_port, launch, move_slider, open_session, run_async, slider_of,
                        start_server, stop_server, summary_ms, switch_to, text, wait_idle)

QUICK = {"trainings": 8, "epochs": 1, "subset": 2000, "moves": 8, "ddp_limit": 5000, "ddp_epochs": 1}
IMAGES = 16   # pictures on the Denoising page while its slider moves


# ---------------------------------------------------------------- part 1: a class at once

async def _slider_session(browser, url: str) -> tuple[Session, object]:
    s = await open_session(browser, url, index=0)
    await switch_to(s, "denoise")
    count = await slider_of(s, "denoise.n")
    await move_slider(s, count, "End", label="set_16_images")
    return s, await slider_of(s, "noise.gaussian.level")


async def _number(s: Session, key: str, value: int) -> None:
    """Type a number into the Train form (Streamlit commits it on Enter) and wait until it stuck."""
    label = text(key, s.lang)
    box = s.page.get_by_test_id("stMain").get_by_role("spinbutton", name=label)
    for _ in range(3):
        await box.fill(str(value))
        await box.press("Enter")
        await s.page.wait_for_timeout(300)
        await wait_idle(s.page)
        if await box.input_value() == str(value):
            return
    raise RuntimeError(f"the Train page did not take {value} for {label}")


async def _start(s: Session, epochs: int, subset: int) -> None:
    """Set up a run on the Train page; Start is clicked later, for every session at once."""
    await switch_to(s, "train")
    await _number(s, "train.subset", subset)
    await _number(s, "train.epochs", epochs)


async def _click_start(s: Session) -> None:
    main = s.page.get_by_test_id("stMain")
    await main.get_by_role("button", name=re.compile(re.escape(text("train.start", s.lang)))).click()
    await main.get_by_role("button", name=re.compile(re.escape(text("train.stop", s.lang)))).wait_for(
        state="visible", timeout=180_000)


def _done_re(lang: str) -> re.Pattern:
    return re.compile("^" + re.escape(text("train.status.done", lang).partition("{")[0]))


async def _is_done(s: Session) -> bool:
    return await s.page.get_by_test_id("stMain").get_by_text(_done_re(s.lang)).count() > 0


async def measure_backend(backend: str, env_extra: dict, trainings: int, epochs: int, subset: int, moves: int,
                          url: str | None = None, log_dir: Path | None = None, timeout_s: float = 600) -> dict:
    """One backend's class: returns throughput, slider server times (idle and loaded) and problems."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    srv = None
    async with async_playwright() as p:
        browser = await launch(p)
        try:
            if url is None:
                log = (log_dir / f"server-scale-{backend}.log") if log_dir else None
                srv, url = await asyncio.to_thread(start_server, env_extra, log)
            slider_s, slider = await _slider_session(browser, url)
            for _ in range(moves):
                await move_slider(slider_s, slider, "", label="idle")
            learners = await asyncio.gather(*[open_session(browser, url, index=1 + i) for i in range(trainings)])
            await asyncio.gather(*[_start(s, epochs, subset) for s in learners])
            t0 = time.perf_counter()
            await asyncio.gather(*[_click_start(s) for s in learners])
            clicked_s = time.perf_counter() - t0
            for _ in range(moves):
                await move_slider(slider_s, slider, "", label="loaded")
            still_training = sum([not await _is_done(s) for s in learners])
            deadline = time.perf_counter() + timeout_s
            done_at: list[float] = []
            stalled: list[str] = []
            for i, s in enumerate(learners):
                remaining_ms = max(1.0, (deadline - time.perf_counter()) * 1000)
                try:
                    await s.page.get_by_test_id("stMain").get_by_text(_done_re(s.lang)).wait_for(
                        timeout=remaining_ms)
                    done_at.append(time.perf_counter() - t0)
                except PlaywrightTimeout:   # a page that never says Done is a finding, not a hang
                    stalled.append(f"session {i + 1}: no 'Done' within {timeout_s:.0f} s")
            wall = max(done_at, default=time.perf_counter() - t0)   # the last page that said Done
            problems = stalled + [p for s in [slider_s, *learners] for p in await check_page(
                s, "denoise" if s is slider_s else "train")]
            for s in [slider_s, *learners]:
                await s.context.close()
        finally:
            await browser.close()
            if srv is not None:
                stop_server(srv)
    images = (trainings - len(stalled)) * epochs * subset   # the runs whose pages said Done
    idle, loaded = slider_s.timings.get("idle_server", []), slider_s.timings.get("loaded_server", [])
    return {"backend": backend, "trainings": trainings, "epochs": epochs, "subset": subset,
            "training_images": images, "wall_s": round(wall, 2), "images_per_s": round(images / wall, 1),
            "start_clicks_s": round(clicked_s, 2), "still_training_after_moves": still_training,
            "slider_server_idle": summary_ms(idle), "slider_server_loaded": summary_ms(loaded),
            "slider_idle": summary_ms(slider_s.timings.get("idle", [])),
            "slider_loaded": summary_ms(slider_s.timings.get("loaded", [])), "problems": problems}


# ---------------------------------------------------------------- part 2: data-parallel


def _cli_run(ranks: int, out: Path, limit: int, epochs: int, dataset: str) -> dict:
    args = ["-m", "ae", "train", "--dataset", dataset, "--limit", str(limit), "--epochs", str(epochs),
            "--seed", "0", "--out", str(out)]
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "AE_TORCH_THREADS": "1", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, *args] if ranks == 1 else [
        sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", str(ranks),
        "--master-addr", "127.0.0.1", "--master-port", str(free_port()), *args]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    meta = json.loads((out / "config.json").read_text())
    history = meta["history"]
    return {"ranks": ranks, "threads_per_rank": 1, "wall_s": round(wall, 1),
            "images_per_s": round(statistics.mean(h["samples_per_s"] for h in history), 1),
            "test_loss": history[-1]["test_loss"], "test_psnr": history[-1]["test_psnr"],
            "train_size": meta["dataset"]["train_size"], "data_parallel": meta.get("data_parallel")}


def measure_ddp(limit: int, epochs: int, dataset: str = "fashion-mnist") -> dict:
    with tempfile.TemporaryDirectory(prefix="ae-scale-") as tmp:
        one = _cli_run(1, Path(tmp) / "one", limit, epochs, dataset)
        two = _cli_run(2, Path(tmp) / "two", limit, epochs, dataset)
    return {"dataset": dataset, "limit": limit, "epochs": epochs, "batch_size": 64, "one": one, "two": two,
            "speed_ratio": round(two["images_per_s"] / one["images_per_s"], 2),
            "loss_relative_difference": abs(two["test_loss"] - one["test_loss"]) / one["test_loss"]}


# ---------------------------------------------------------------- the run

def summary(runs: dict, parallel: dict | None) -> tuple[dict, list[str]]:
    """The figures (name -> text) and the headline's parts of measured backends and the DDP comparison."""
    parts, figures = [], {}
    emb, ray_run = runs.get("embedded"), runs.get("ray")
    for name, r in runs.items():
        figures[f"{name}: {r['trainings']} trainings x {r['epochs']} epoch(s) x {r['subset']} images"] = \
            f"{r['images_per_s']:.0f} images/s ({r['wall_s']:.0f} s)"
        figures[f"{name}: slider server time p50 / p95, idle"] = \
            f"{r['slider_server_idle']['p50_ms']:.0f} / {r['slider_server_idle']['p95_ms']:.0f} ms"
        figures[f"{name}: slider server time p50 / p95, while the trainings run"] = \
            f"{r['slider_server_loaded']['p50_ms']:.0f} / {r['slider_server_loaded']['p95_ms']:.0f} ms"
    if emb and ray_run:
        ratio = ray_run["images_per_s"] / emb["images_per_s"]
        figures["throughput, ray / embedded"] = f"{ratio:.2f}x"
        parts.append(f"{emb['trainings']} trainings at once: embedded {emb['images_per_s']:.0f} images/s, "
                     f"ray {ray_run['images_per_s']:.0f} ({ratio:.2f}x)")
    for name, r in runs.items():
        idle, loaded = r["slider_server_idle"]["p50_ms"], r["slider_server_loaded"]["p50_ms"]
        figures[f"{name}: slider server p50, loaded / idle"] = f"{loaded / idle:.1f}x"
        parts.append(f"slider server p50 {name} {idle:.0f} -> {loaded:.0f} ms ({loaded / idle:.1f}x)")
    if parallel:
        one, two = parallel["one"], parallel["two"]
        figures["DDP: 1 process / 2 ranks, images/s"] = f"{one['images_per_s']:.0f} / {two['images_per_s']:.0f}"
        figures["DDP: 1 process / 2 ranks, final test loss"] = f"{one['test_loss']:.5f} / {two['test_loss']:.5f}"
        parts.append(f"DDP 2 ranks vs 1: {parallel['speed_ratio']:.2f}x images/s, test loss "
                     f"{two['test_loss']:.4f} vs {one['test_loss']:.4f}")
    return figures, parts


def main(trainings: int = 8, epochs: int = 3, subset: int = 5000, moves: int = 20, ddp_limit: int = 20_000,
         ddp_epochs: int = 3, backends: tuple[str, ...] = ("embedded", "ray"), ddp: bool = True,
         embedded_url: str | None = None, ray_url: str | None = None, write: bool = True, out_dir=None) -> dict:
    """`embedded_url`, `ray_url`: use running apps (embedded; sending trainings to a Ray cluster) instead
    of starting a server and a Ray head (smoke tests)."""
    out_dir = Path(out_dir) if out_dir is not None else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    notes, runs = [], {}
    if "embedded" in backends:
        runs["embedded"] = run_async(measure_backend, "embedded", {}, trainings, epochs, subset, moves,
                                     embedded_url, out_dir)
    if "ray" in backends:
        from tests.cluster import ray_available, start_head, stop_head

        if ray_url is not None:
            runs["ray"] = run_async(measure_backend, "ray", {}, trainings, epochs, subset, moves, ray_url, out_dir)
        elif not ray_available():
            notes.append("ray is not installed: the Ray backend was not measured (pip install -r requirements-dev.txt)")
        else:
            head = start_head(cpus=os.cpu_count() or 1, object_store_mb=200)
            try:
                env = {**head.env, "AE_RAY_ADDRESS": head.address,
                       "AE_RAY_NAMESPACE": f"ae-bench-{secrets.token_hex(4)}"}
                runs["ray"] = run_async(measure_backend, "ray", env, trainings, epochs, subset, moves, None, out_dir)
            finally:
                stop_head(head)
    parallel = measure_ddp(ddp_limit, ddp_epochs) if ddp else None
    figures, parts = summary(runs, parallel)
    problems = [p for r in runs.values() for p in r["problems"]]
    headline = "scale: " + "; ".join(parts) + (f"; {len(problems)} problem(s)" if problems else "")
    result = {"headline": headline, "machine": machine(), "figures": figures, "runs": runs, "ddp": parallel,
              "notes": notes, "settings": {"trainings": trainings, "epochs": epochs, "subset": subset, "moves": moves,
                                           "ddp_limit": ddp_limit, "ddp_epochs": ddp_epochs,
                                           "backends": list(backends)}}
    if write:
        write_result("scale", result, out_dir)
    for note in notes:
        print("note:", note)
    for problem in problems:
        print("problem:", problem)
    for k, v in figures.items():
        print(f"{k}: {v}")
    print(headline)
    return result


def cli(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    p.add_argument("--trainings", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--subset", type=int, default=5000)
    p.add_argument("--moves", type=int, default=20, help="slider moves idle, and again while the trainings run")
    p.add_argument("--ddp-limit", type=int, default=20_000, help="training images for the DDP comparison")
    p.add_argument("--ddp-epochs", type=int, default=3)
    p.add_argument("--backends", default="embedded,ray")
    p.add_argument("--no-ddp", action="store_true")
    p.add_argument("--quick", action="store_true", help=f"{QUICK}")
    a = p.parse_args(argv)
    kwargs = dict(trainings=a.trainings, epochs=a.epochs, subset=a.subset, moves=a.moves, ddp_limit=a.ddp_limit,
                  ddp_epochs=a.ddp_epochs)
    if a.quick:
        kwargs.update(QUICK)
    return main(**kwargs, backends=tuple(b for b in a.backends.split(",") if b), ddp=not a.no_ddp)


if __name__ == "__main__":
    cli()
