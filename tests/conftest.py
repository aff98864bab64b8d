"""Shared fixtures: a synthetic batch, a seed, and a real `streamlit run app.py` for browser tests."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("AE_OFFLINE", "1")              # tests never wait for a download
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # before torch: idle threads sleep, see app.py
os.environ.setdefault("AE_COMPRESS_IMAGES", "100")    # the Compression page measures 100 test images, not 500

import torch  # noqa: E402

from tests.live import CHROMIUM, CHROMIUM_ARGS
from tests.live import start_server as live_server
from tests.live import stop_server  # noqa: F401  (tests import it from here)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-results"
# Tiny test models on a shared, busy machine: one torch thread is many times faster than two that wait
# on each other (ae.train.use_all_cores honours this; the app server started below inherits it).
os.environ.setdefault("AE_TORCH_THREADS", "1")
torch.set_num_threads(int(os.environ["AE_TORCH_THREADS"]))


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def router_on_every_run(monkeypatch):
    """Run app.py (the router and its sidebar) on every AppTest run, as a live server does: AppTest resets
    Streamlit's multipage-mode flag before each run, so every new session switches it off again with the
    app's own fix (pages/_router.py), as `python app.py` does once for a server."""
    from streamlit.runtime.pages_manager import PagesManager

    from pages._router import use_new_mode

    init = PagesManager.__init__

    def new_mode(self, *args, **kwargs):
        init(self, *args, **kwargs)
        use_new_mode()
    monkeypatch.setattr(PagesManager, "__init__", new_mode)


def open_page(path: str, lang: str = "en", **state):
    """An AppTest of app.py (router and sidebar) switched to the page at `path`, in `lang`, with
    `state` set in session_state first; asserts the page ran without an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def batch():
    import ae
    return ae.data.synthetic(32).images


@pytest.fixture(scope="session")
def user_checkpoints(tmp_path_factory):
    """A user-checkpoint folder of its own, so tests never write into checkpoints/."""
    return tmp_path_factory.mktemp("user_checkpoints")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # pytest-playwright's fixture, pointed at Debian's chromium: never `playwright install`.
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def start_server(env_extra: dict | None = None, script: Path | None = None) -> tuple[subprocess.Popen, str]:
    """tests/live.py's server (one copy for tests and benchmarks) of app.py or another `script`, its log
    under test-results/."""
    log = ARTIFACTS / "server-{port}.log" if ARTIFACTS.is_dir() else None
    return live_server(env_extra, log=log, script=script)


@pytest.fixture(scope="session")
def app_url(user_checkpoints):
    """`streamlit run app.py` on a free localhost port, user checkpoints in a temporary folder."""
    ARTIFACTS.mkdir(exist_ok=True)
    # a closed tab's run waits 12 s (not 2 minutes) for a reload to take it back
    srv, url = start_server({"AE_USER_CHECKPOINTS": str(user_checkpoints), "AE_RUN_GRACE_S": "12"})
    yield url
    stop_server(srv)


@pytest.fixture(scope="session")
def decoder_app_url():
    """tests/apps/decoder_app.py (the browser decoder's three views, checkpoints/mnist_vae_z2) on a
    server of its own; shared by the browser decoder's test and bench.generate's."""
    ARTIFACTS.mkdir(exist_ok=True)
    srv, url = start_server(script=ROOT / "tests" / "apps" / "decoder_app.py")
    yield url
    stop_server(srv)


@pytest.fixture(scope="session")
def ray_head():
    """A local Ray head of the tests' own (tests/cluster.py: 127.0.0.1, 2 CPUs, an 80 MB object store,
    its own token), stopped at the end; skipped when ray is not installed."""
    from tests.cluster import ray_available, start_head, stop_head

    if not ray_available():
        pytest.skip("ray is not installed: pip install -r requirements-dev.txt (make test does)")
    head = start_head(cpus=2, object_store_mb=80)
    yield head
    stop_head(head)


@pytest.fixture(scope="session")
def ray_servers(ray_head, tmp_path_factory):
    """Two `python app.py` servers on two ports sending their trainings to the tests' Ray head, with one
    shared checkpoint folder (as two servers behind a load balancer would have): (url, url, folder)."""
    import secrets
    import threading

    shared = tmp_path_factory.mktemp("shared_checkpoints")
    env = {**ray_head.env, "AE_RAY_ADDRESS": ray_head.address, "AE_RAY_NAMESPACE": f"ae-app-{secrets.token_hex(4)}",
           "AE_USER_CHECKPOINTS": str(shared), "AE_RUN_GRACE_S": "20"}
    started: dict[int, object] = {}

    def start(i: int) -> None:
        try:
            started[i] = start_server(env)
        except Exception as e:   # raised below, not lost in the thread
            started[i] = e
    threads = [threading.Thread(target=start, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    try:
        for s in started.values():
            if isinstance(s, Exception):
                raise s
        yield started[0][1], started[1][1], shared
    finally:
        for s in started.values():
            if not isinstance(s, Exception):
                stop_server(s[0])


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-results/screens/ (an artifact, not committed)."""
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished its run (no running indicator, main content present)."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)
