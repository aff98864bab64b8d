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

The async helpers here (open_session, switch_to, move_slider, ...) are also what
tests/test_browser_load.py drives its 10 sessions with.

    python -m bench.browser [--sessions 1,10] [--moves 50] [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import CHROMIUM, CHROMIUM_ARGS, RESULTS, ROOT, machine, start_server, stop_server, summary_ms, write_result

QUICK = {"moves": 10, "rounds": 1}      # `python -m bench --quick`
IMAGES = 16                              # images on the Denoising page while the slider moves
PAGES = ["home", "train", "latent", "denoise"]   # app.py's pages, in its order; those with a file count
DEFAULT_LANG = "ko"
VIEWPORT = {"width": 1400, "height": 1000}
IDLE_JS = ("() => !!document.querySelector('[data-testid=\"stMain\"] h1') && "
           "(!document.querySelector('[data-testid=\"stStatusWidget\"]') || "
           "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running'))")
PICTURES_JS = ("() => Array.from(document.querySelectorAll('[data-testid=\"stMain\"] img'))"
               ".map(i => i.getAttribute('src')).join(' ')")
# the text of the last caption in the main area that starts with `prefix` ("" when there is none)
TIMING_JS = ("prefix => (Array.from(document.querySelectorAll('[data-testid=\"stMain\"] "
             "[data-testid=\"stCaptionContainer\"]')).map(c => c.innerText)"
             ".filter(t => t.startsWith(prefix)).pop() || '')")
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def strings(lang: str) -> dict[str, str]:
    from pages._text import STRINGS
    return STRINGS[lang]


def present_pages() -> list[str]:
    return [p for p in PAGES if (ROOT / "pages" / f"{p}.py").exists()]


def text(key: str, lang: str) -> str:
    table = strings(lang)
    return table.get(key) or strings("en").get(key) or key


@dataclass
class Session:
    """One browser context = one Streamlit session, with its timings and what it saw."""
    index: int
    context: object
    page: object
    lang: str = DEFAULT_LANG
    timings: dict[str, list[float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def record(self, what: str, seconds: float) -> None:
        self.timings.setdefault(what, []).append(seconds)


# ---------------------------------------------------------------- async building blocks

async def wait_idle(page, timeout_ms: float = 90_000) -> None:
    """The script has run (a heading is there) and is not running now."""
    await page.wait_for_selector('[data-testid="stMain"]', timeout=timeout_ms)
    await page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=50)


async def wait_heading(page, page_name: str, lang: str, timeout_ms: float = 90_000) -> None:
    heading = text(f"{page_name}.heading", lang)
    await page.locator('[data-testid="stMain"] h1').filter(has_text=heading).first.wait_for(timeout=timeout_ms)


async def open_session(browser, url: str, index: int = 0, lang: str | None = None,
                       timeout_ms: float = 120_000) -> Session:
    """A new context on the home page; its first render time is recorded as "first_render"."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    s = Session(index, context, page)
    t0 = time.perf_counter()
    await page.goto(url, timeout=timeout_ms)
    await wait_heading(page, "home", DEFAULT_LANG, timeout_ms)
    await page.locator('[data-testid="stMain"] img').first.wait_for(timeout=timeout_ms)
    await wait_idle(page, timeout_ms)
    s.record("first_render", time.perf_counter() - t0)
    if lang and lang != DEFAULT_LANG:
        await set_language(s, lang, "home", timeout_ms)
    return s


async def set_language(s: Session, lang: str, on_page: str, timeout_ms: float = 90_000) -> float:
    """Click the sidebar's language radio; wait for the page heading in that language."""
    from pages._text import LANGUAGES

    t0 = time.perf_counter()
    await s.page.get_by_test_id("stSidebar").get_by_text(LANGUAGES[lang], exact=True).click()
    s.lang = lang
    await wait_heading(s.page, on_page, lang, timeout_ms)
    await wait_idle(s.page, timeout_ms)
    took = time.perf_counter() - t0
    s.record("language_switch", took)
    return took


async def switch_to(s: Session, page_name: str, timeout_ms: float = 90_000, label: str = "page_switch") -> float:
    """Click the page's sidebar link; seconds until its heading shows and its script is idle."""
    link = s.page.get_by_test_id("stSidebarNavLink")
    link = link.first if page_name == "home" else s.page.locator(
        f'[data-testid="stSidebarNavLink"][href$="/{page_name}"]')
    t0 = time.perf_counter()
    await link.click()
    await wait_heading(s.page, page_name, s.lang, timeout_ms)
    await wait_idle(s.page, timeout_ms)
    took = time.perf_counter() - t0
    s.record(label, took)
    return took


async def slider_of(s: Session, key: str):
    """The slider whose label is the text of `key` in the session's language (found by role and name)."""
    # not exact: Streamlit's accessible name repeats the label (the input and its group both label it)
    slider = s.page.get_by_test_id("stMain").get_by_role("slider", name=text(key, s.lang)).first
    await slider.wait_for(state="attached", timeout=60_000)   # the range input itself is visually hidden
    return slider


async def move_slider(s: Session, slider, key: str, timeout_ms: float = 90_000,
                      label: str = "slider", wait_pictures: bool = True) -> float:
    """One step of `slider` (ArrowRight, or ArrowLeft at the top); seconds until the page's pictures
    have changed and the (fragment) run is over."""
    page = s.page
    before = await page.evaluate(PICTURES_JS)
    prefix = text("denoise.timing", s.lang).partition("{")[0]
    timing_before = await page.evaluate(TIMING_JS, prefix)
    value, top = await slider.evaluate("e => [Number(e.value), Number(e.max)]")
    t0 = time.perf_counter()
    await slider.focus()
    await page.keyboard.press(key if key else ("ArrowLeft" if value >= top else "ArrowRight"))
    if wait_pictures:
        await page.wait_for_function(f"before => ({PICTURES_JS})() !== before", arg=before, timeout=timeout_ms,
                                     polling=20)
    await wait_idle(page, timeout_ms)
    took = time.perf_counter() - t0
    s.record(label, took)
    try:   # the timing caption is the fragment's last element: it may arrive just after the pictures
        await page.wait_for_function(f"([p, before]) => ({TIMING_JS})(p) !== before",
                                     arg=[prefix, timing_before], timeout=3000, polling=20)
    except Exception:   # unchanged (the same ms by chance, or no such caption): read what is there
        pass
    server_ms = server_time_ms(await page.evaluate(TIMING_JS, prefix), s.lang)
    if server_ms is not None:
        s.record(f"{label}_server", server_ms / 1000)
    return took


def server_time_ms(caption: str, lang: str) -> float | None:
    """The Denoising page's own figure for its last update (the fragment's time on the server, from
    its first line to its last), read from its caption; None when the page shows none."""
    before, _, after = text("denoise.timing", lang).partition("{ms:.0f}")
    found = re.fullmatch(re.escape(before) + r"(\d+)" + re.escape(after), caption.strip())
    return float(found.group(1)) if found else None


async def check_page(s: Session, page_name: str) -> list[str]:
    """Problems seen on the page now: exceptions, error boxes, text in the other language."""
    found = []
    n = await s.page.locator(ERRORS).count()
    if n:
        msg = (await s.page.locator(ERRORS).first.inner_text())[:300]
        found.append(f"session {s.index} ({s.lang}) on {page_name}: {n} error element(s): {msg}")
    heading = text(f"{page_name}.heading", s.lang)
    h1 = await s.page.locator('[data-testid="stMain"] h1').first.inner_text()
    if heading not in h1:
        found.append(f"session {s.index} ({s.lang}) on {page_name}: heading {h1!r}, expected {heading!r}")
    from pages._text import LANGUAGES
    checked = await s.page.get_by_test_id("stSidebar").locator('input[type="radio"]:checked').count()
    chosen = s.page.get_by_test_id("stSidebar").get_by_role("radio", name=LANGUAGES[s.lang], exact=True)
    if checked != 1 or not await chosen.is_checked():
        found.append(f"session {s.index}: the language radio is not on {s.lang}")
    s.problems += found
    return found


def run_async(fn, *args, **kwargs):
    """asyncio.run(fn(...)) in a thread of its own: safe to call from code that already runs an event
    loop (pytest-playwright's sync API does)."""
    out: dict = {}

    def target():
        try:
            out["value"] = asyncio.run(fn(*args, **kwargs))
        except BaseException as e:   # handed to the caller's thread
            out["error"] = e

    th = threading.Thread(target=target, name="bench-browser")
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


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
        slider = await slider_of(s, "denoise.level.gaussian")
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


def main(sessions: tuple[int, ...] = (1, 10), moves: int = 50, rounds: int = 2, write: bool = True,
         out_dir=None, url: str | None = None) -> dict:
    """`url`: use a running app instead of starting a fresh server per session count (smoke tests)."""
    out_dir = Path(out_dir) if out_dir is not None else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {}
    for n in sessions:
        runs[str(n)] = run_async(measure, n, moves, rounds, out_dir, url)
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

    problems = [p for r in runs.values() for p in r["problems"]]
    headline = "browser: " + "; ".join(said(n) for n in runs) + (f"; {len(problems)} problem(s)" if problems else "")
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
    result = {"headline": headline, "machine": machine(),
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
    a = p.parse_args(argv)
    if a.quick:
        a.moves, a.rounds = QUICK["moves"], QUICK["rounds"]
    result = main(tuple(int(x) for x in a.sessions.split(",")), a.moves, a.rounds)
    for note in result["notes"]:
        print("note:", note)
    for problem in result["runs"] and [p for r in result["runs"].values() for p in r["problems"]]:
        print("problem:", problem)
    print(result["headline"])
    return result


if __name__ == "__main__":
    cli()
