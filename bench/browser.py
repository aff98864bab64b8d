"""Benchmark 5: the app in a real browser (Playwright driving Debian's Chromium), with 1 and with 10
concurrent browser sessions (separate contexts, so separate Streamlit sessions, in one browser).

For each number of sessions, on a freshly started server:
  - server start to first rendered page (the home page's heading, pictures and an idle script);
  - page switch time: clicking a sidebar link until the new page's heading is shown and its script
    has finished; first visits (which fill caches) and later visits are counted apart;
  - noise slider to updated images on the Denoising page, with 16 images (the "How many" slider at
    its top): ArrowRight/ArrowLeft on the noise-level slider until the composed picture has changed
    and the fragment has finished, `moves` times; and for each move the server's own time for that
    update, as the page reports it.

The simulated user's steps (open_session, switch_to, move_slider, ...) are tests/live.py's, which
tests/test_browser_load.py drives its sessions with too.

    python -m bench.browser [--sessions 1,10] [--moves 50] [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from bench.common import RESULTS, machine, write_result
from tests.live import (CHROMIUM, Session, check_page, crowd, launch, move_slider, open_session, present_pages,
                        run_async, slider_of, start_server, stop_server, summary_ms, switch_to)

QUICK = {"moves": 10, "rounds": 1}      # `python -m bench --quick`
IMAGES = 16                              # images on the Denoising page while the slider moves


# ---------------------------------------------------------------- the benchmark

async def _flow(s: Session, pages: list[str], rounds: int, moves: int) -> None:
    """Visit every page `rounds` times, then move the denoising slider `moves` times."""
    for r in range(rounds):
        for name in pages[1:] + pages[:1]:
            await switch_to(s, name, label="page_switch_first" if r == 0 else "page_switch")
            await check_page(s, name)
    if "denoise" in pages and moves:
        await switch_to(s, "denoise", label="page_switch")
        count = await slider_of(s, "denoise.n")   # the goal is set for 16 images: the slider's top
        await move_slider(s, count, "End", label="set_16_images")
        if await count.evaluate("e => Number(e.value)") != IMAGES:
            s.problems.append(f"session {s.index}: the image count did not reach {IMAGES}")
        slider = await slider_of(s, "noise.gaussian.level")
        for _ in range(moves):
            await move_slider(s, slider, "")
        await check_page(s, "denoise")


async def measure(n_sessions: int, moves: int, rounds: int, log_dir: Path | None = None,
                  url: str | None = None) -> dict:
    """Start a server (or use the one at `url`, then there is no start time), open n sessions at once,
    switch pages and move the slider in all of them."""
    from playwright.async_api import async_playwright

    srv = None
    async with async_playwright() as p:
        browser = await launch(p)                    # launched first: its start is not the server's
        try:
            t0 = time.perf_counter()
            if url is None:
                log = (log_dir / f"server-bench-{n_sessions}.log") if log_dir else None
                srv, url = await asyncio.to_thread(start_server, {}, log)
            health_s = time.perf_counter() - t0
            try:
                opened = await asyncio.gather(*[open_session(browser, url, i) for i in range(n_sessions)])
                to_first = time.perf_counter() - t0    # server start to every session's first page
                pages = present_pages()
                await asyncio.gather(*[_flow(s, pages, rounds, moves) for s in opened])
                for s in opened:
                    await s.context.close()
            finally:
                if srv is not None:
                    stop_server(srv)
        finally:
            await browser.close()

    def pooled(what: str) -> list[float]:
        return [v for s in opened for v in s.timings.get(what, [])]

    return {"sessions": n_sessions, "fresh_server": srv is not None,
            "health_s": round(health_s, 2) if srv is not None else None,
            "server_start_to_first_page_s": round(to_first, 2) if srv is not None else None,
            "first_render": summary_ms(pooled("first_render")),
            "page_switch_first_visit": summary_ms(pooled("page_switch_first")),
            "page_switch": summary_ms(pooled("page_switch")),
            "slider": summary_ms(pooled("slider")),
            "slider_server": summary_ms(pooled("slider_server")),
            "pages": present_pages(), "denoise_page": "denoise" in present_pages(),
            "problems": [p for s in opened for p in s.problems]}


CLASS_GOAL_S = 10.0   # issue 17: a new visitor's first page while a class trains and waits
CLASS_ROUNDS = 3      # fresh servers per class measurement: one visit lands in a quiet moment or a busy one


async def measure_class(queued: int = 5, watching: int = 5, log_dir: Path | None = None,
                        rounds: int = CLASS_ROUNDS) -> dict:
    """A new visitor's first render while a class uses the app (tests/live.py crowd: one training,
    `queued` queued runs, `watching` tabs watching the training, each drawn), against the same on the
    idle server (the baseline), on `rounds` fresh servers; the median counts.

    Twice: every tab in one browser, as a test would; and the class's tabs in a second browser that gets
    only the CPU time nothing else wants (SCHED_IDLE), standing in for the learners' own machines. On one
    2-core machine the first measures the class's eleven browsers as much as the server (without a
    graphics card a browser spends about a second of CPU on each new 3-D map); the second, what the
    server leaves a newcomer."""
    from playwright.async_api import async_playwright

    async def one(i: int, crowd_idle: bool) -> tuple[float, float, list[str]]:
        async with async_playwright() as p:
            browser = await launch(p)
            crowd_browser = await launch(p, idle_priority=True) if crowd_idle else browser
            log = (log_dir / f"server-bench-class-{'idle-' if crowd_idle else ''}{i}.log") if log_dir else None
            srv, url = await asyncio.to_thread(start_server, {}, log)
            try:
                warm = await open_session(browser, url, 0)
                idle = await open_session(browser, url, 1)
                for s in (warm, idle):
                    await s.context.close()
                loaded = await crowd(crowd_browser, url, queued=queued, watching=watching, visitor_browser=browser)
            finally:
                stop_server(srv)
                if crowd_browser is not browser:
                    await crowd_browser.close()
                await browser.close()
        return idle.timings["first_render"][0], loaded["first_render_s"], loaded["problems"]

    out = {"goal_s": CLASS_GOAL_S, "tabs": {"training": 1, "queued": queued, "watching": watching}, "problems": []}
    for name, crowd_idle in (("one_browser", False), ("crowd_idle", True)):
        runs = [await one(i, crowd_idle) for i in range(rounds)]
        idle_s, loaded_s = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        out[name] = {"idle_first_render_s": round(idle_s, 2), "class_first_render_s": round(loaded_s, 2),
                     "runs_s": [round(r[1], 2) for r in runs], "ratio": round(loaded_s / idle_s, 2),
                     "met": loaded_s <= CLASS_GOAL_S}
        out["problems"] += [p for r in runs for p in r[2]]
    return out


def main(sessions: tuple[int, ...] = (1, 10), moves: int = 50, rounds: int = 2, write: bool = True,
         out_dir=None, url: str | None = None, with_class: bool = True) -> dict:
    """`url`: use a running app instead of starting a fresh server per session count (smoke tests)."""
    out_dir = Path(out_dir) if out_dir is not None else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {}
    for n in sessions:
        runs[str(n)] = run_async(measure, n, moves, rounds, out_dir, url)
    crowded = run_async(measure_class, 5, 5, out_dir) if with_class and url is None and "train" in present_pages() else None
    notes = []
    if not any(r["denoise_page"] for r in runs.values()):
        notes.append("no Denoising page (pages/denoise.py) yet: slider not measured")

    def said(n: str) -> str:
        r = runs[n]
        start = r["server_start_to_first_page_s"]
        part = (f"{n} session{'s' if n != '1' else ''}: "
                + (f"first page {start:.1f} s" if start is not None else
                   f"first render p50 {r['first_render']['p50_ms']:.0f} ms")
                + f", switch p50 {r['page_switch']['p50_ms']:.0f} ms")
        if r["slider"]["n"]:
            part += f", slider p50 {r['slider']['p50_ms']:.0f} / p95 {r['slider']['p95_ms']:.0f} ms"
        if r["slider_server"]["n"]:
            part += f" (server p95 {r['slider_server']['p95_ms']:.0f} ms)"
        return part

    problems = [p for r in runs.values() for p in r["problems"]] + (crowded["problems"] if crowded else [])
    headline = "browser: " + "; ".join(said(n) for n in runs) + (f"; {len(problems)} problem(s)" if problems else "")
    if crowded:
        one, idle = crowded["one_browser"], crowded["crowd_idle"]
        headline += (f"; a class (1 training, 5 queued, 5 watching): new visitor's first page, median of "
                     f"{len(one['runs_s'])}, {one['class_first_render_s']:.1f} s vs {one['idle_first_render_s']:.1f} s "
                     f"idle ({one['ratio']:.1f}x; goal {CLASS_GOAL_S:.0f} s {'met' if one['met'] else 'not met'}); "
                     f"with the class's browser on idle time only: {idle['class_first_render_s']:.1f} s "
                     f"({'met' if idle['met'] else 'not met'})")
    figures = {}
    for n, r in runs.items():
        if r["server_start_to_first_page_s"] is not None:
            figures[f"{n} session(s): server start to first rendered page"] = f"{r['server_start_to_first_page_s']:.1f} s"
        figures[f"{n} session(s): first render p50 / p95"] = \
            f"{r['first_render']['p50_ms']:.0f} / {r['first_render']['p95_ms']:.0f} ms"
        figures[f"{n} session(s): page switch p50 / p95 (first visits)"] = \
            f"{r['page_switch_first_visit']['p50_ms']:.0f} / {r['page_switch_first_visit']['p95_ms']:.0f} ms"
        figures[f"{n} session(s): page switch p50 / p95 (later visits)"] = \
            f"{r['page_switch']['p50_ms']:.0f} / {r['page_switch']['p95_ms']:.0f} ms"
        if r["slider"]["n"]:
            figures[f"{n} session(s): noise slider to new images p50 / p95 ({r['slider']['n']} moves)"] = \
                f"{r['slider']['p50_ms']:.0f} / {r['slider']['p95_ms']:.0f} ms"
        if r["slider_server"]["n"]:
            figures[f"{n} session(s): server time per slider move p50 / p95 (goal: p95 < 150 ms)"] = \
                f"{r['slider_server']['p50_ms']:.0f} / {r['slider_server']['p95_ms']:.0f} ms"
    if "1" in runs and "10" in runs and runs["1"]["slider"]["n"] and runs["10"]["slider"]["n"]:
        figures["slider p50, 10 sessions / 1 session"] = \
            f"{runs['10']['slider']['p50_ms'] / runs['1']['slider']['p50_ms']:.1f}x"
    if crowded:
        for name, said in (("one_browser", "every tab in one browser"),
                           ("crowd_idle", "the class's tabs in a browser on idle CPU time only")):
            r = crowded[name]
            figures[f"a class, {said}: new visitor's first page, idle / with 1 training + 5 queued + 5 watching "
                    f"(median; goal 10 s)"] = (f"{r['idle_first_render_s']:.1f} / {r['class_first_render_s']:.1f} s "
                                              f"(runs: {', '.join(f'{v:.1f}' for v in r['runs_s'])} s)")
    result = {"headline": headline, "machine": machine(), "class": crowded,
              "settings": {"sessions": list(sessions), "moves_per_session": moves, "page_rounds": rounds,
                           "browser": CHROMIUM},
              "runs": runs, "notes": notes, "figures": figures}
    if write:
        write_result("browser", result, out_dir)
    return result


def cli(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", default="1,10", help="comma-separated session counts")
    p.add_argument("--moves", type=int, default=50, help="slider moves per session")
    p.add_argument("--rounds", type=int, default=2, help="visits of every page per session")
    p.add_argument("--quick", action="store_true", help="10 moves, one round of pages")
    p.add_argument("--no-class", action="store_true", help="skip the class scenario (a training, queued and watching tabs)")
    a = p.parse_args(argv)
    if a.quick:
        a.moves, a.rounds = QUICK["moves"], QUICK["rounds"]
    result = main(tuple(int(x) for x in a.sessions.split(",")), a.moves, a.rounds, with_class=not a.no_class)
    for note in result["notes"]:
        print("note:", note)
    for problem in result["runs"] and [p for r in result["runs"].values() for p in r["problems"]]:
        print("problem:", problem)
    print(result["headline"])
    return result


if __name__ == "__main__":
    cli()
