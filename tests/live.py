"""The real app for browser tests and the browser benchmarks: a `python app.py` server on a free
localhost port, Debian's Chromium driven by Playwright, and the async steps a simulated user takes
(open a session, switch page or language, move a slider, check what the page shows).

Shared by tests/ (conftest.py, the browser tests) and bench/ (the browser benchmarks), so there is
one copy.
"""
from __future__ import annotations

import asyncio
import functools
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, headless, nothing phoning home (the machine has no internet).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# ---------------------------------------------------------------- the app server

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(env_extra: dict | None = None, log: Path | IO | None = None,
                 timeout: float = 90.0, script: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`python app.py` (as `make run` starts it), or `streamlit run script` for another app (a test
    app), on a free localhost port; returns (process, url) once it answers.

    `log`: a file path (may contain "{port}") or an open file for the server's output; none by default.
    /_stcore/health answers before any page script has run: wait for a page element as well.
    """
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **(env_extra or {}))
    out = open(str(log).format(port=port), "w") if isinstance(log, (str, Path)) else (log or subprocess.DEVNULL)
    command = [sys.executable, "-m", "streamlit", "run", str(script)] if script else [sys.executable, str(ROOT / "app.py")]
    srv = subprocess.Popen([*command, "--server.headless", "true", "--server.port", str(port),
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


# ---------------------------------------------------------------- timings

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



# ---------------------------------------------------------------- a simulated user

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


async def launch(playwright, idle_priority: bool = False):
    """Headless Chromium. `idle_priority`: it and every process it starts run under Linux's SCHED_IDLE
    policy, so they get only the CPU time nothing else wants (a nice value would not hold: Chromium sets
    its own, -8 for its browser and GPU processes); bench.browser runs a class's tabs so, standing in
    for the learners' own machines."""
    executable = _idle_chromium() if idle_priority else CHROMIUM
    return await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


@functools.cache
def _idle_chromium() -> str:
    """A launcher script for Chromium under SCHED_IDLE, written once per process."""
    wrapper = Path(tempfile.mkdtemp(prefix="ae-chromium-")) / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec chrt --idle 0 {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


# ---------------------------------------------------------------- a class at once

async def start_training(s: Session, epochs: int, timeout_ms: float = 90_000) -> str:
    """On the Train page: set the epochs (the default quick subset), press Start; returns what the page
    then says about the run (its progress or its place in the queue)."""
    await switch_to(s, "train", timeout_ms)
    main = s.page.get_by_test_id("stMain")
    box = main.get_by_role("spinbutton", name=text("train.epochs", s.lang))
    await box.fill(str(epochs))
    await box.press("Enter")                        # Streamlit commits a number on Enter
    await s.page.wait_for_function(
        "([label, v]) => [...document.querySelectorAll('input[type=number]')].some(i => i.getAttribute('aria-label')"
        " === label && i.value === v)", arg=[text("train.epochs", s.lang), str(epochs)], timeout=timeout_ms)
    await wait_idle(s.page, timeout_ms)
    await main.get_by_role("button", name=re.compile(re.escape(text("train.start", s.lang)))).click()
    stop = main.get_by_role("button", name=re.compile(re.escape(text("train.stop", s.lang))))
    await main.get_by_test_id("stProgress").first.wait_for(timeout=timeout_ms)   # running or queued: a bar
    await stop.wait_for(state="visible", timeout=timeout_ms)
    queued = main.get_by_test_id("stAlertContentInfo")
    return await (queued.first if await queued.count() else main.get_by_test_id("stProgress").first).inner_text()


async def crowd(browser, url: str, queued: int = 5, watching: int = 5, timeout_ms: float = 180_000,
                visitor_browser=None) -> dict:
    """What a class does to one server: one session trains (a long run), `queued` more start runs and
    wait their turn, `watching` tabs open the training run's address and watch it; then a new visitor
    opens the app (in `visitor_browser` if given). Returns that visitor's first-render time and what
    each tab saw; stops every run."""
    trainer = await open_session(browser, url, index=0, timeout_ms=timeout_ms)
    said = {"trainer": await start_training(trainer, 200, timeout_ms)}
    await trainer.page.wait_for_url(re.compile(r"[?&]run=[\w-]+"), timeout=timeout_ms)
    token = re.search(r"[?&]run=([\w-]+)", trainer.page.url).group(1)
    waiting = await asyncio.gather(*[open_session(browser, url, index=1 + i, timeout_ms=timeout_ms)
                                     for i in range(queued)])
    said["queued"] = [await start_training(s, 1, timeout_ms) for s in waiting]

    async def watch(i: int) -> Session:
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        await page.goto(f"{url}/train?run={token}", timeout=timeout_ms)
        await wait_heading(page, "train", DEFAULT_LANG, timeout_ms)
        # a watching tab draws its progress at its next poll (every 5 s), later on a busy machine; then its
        # charts, the learning curves and the map: a tab still loading is an arrival, not a watcher
        await page.get_by_test_id("stProgress").first.wait_for(timeout=timeout_ms)
        await page.locator('[data-testid="stMain"] .js-plotly-plot').nth(1).wait_for(timeout=timeout_ms)
        await wait_idle(page, timeout_ms)
        return Session(100 + i, context, page)

    watchers = await asyncio.gather(*[watch(i) for i in range(watching)])
    said["watching"] = [await w.page.get_by_test_id("stProgress").first.inner_text() for w in watchers]
    visitor = await open_session(visitor_browser or browser, url, index=999, timeout_ms=timeout_ms)
    first_render = visitor.timings["first_render"][0]
    everyone = [trainer, *waiting, *watchers, visitor]
    problems = [p for s in everyone for p in await check_page(s, "train" if s is not visitor else "home")]
    for s in [*waiting, trainer]:   # stop the queued runs first, then the long one
        stop = s.page.get_by_test_id("stMain").get_by_role("button", name=re.compile(re.escape(text("train.stop", s.lang))))
        if await stop.is_enabled():
            await stop.click()
    for s in everyone:
        await s.context.close()
    return {"first_render_s": round(first_render, 2), "said": said, "problems": problems,
            "tabs": {"training": 1, "queued": queued, "watching": watching}}
