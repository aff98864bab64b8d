"""The installed environment: torchvision matches torch, requirements are met, nothing unpickles."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", ".git", "data", "node_modules", "test-results", ".cache", "__pycache__"}


def test_torchvision_imports_and_matches_torch():
    import torch
    import torchvision
    import torchvision.datasets as tvd

    assert hasattr(tvd, "FashionMNIST") and hasattr(tvd, "MNIST")
    # the compiled operators load only when torchvision was built for this torch
    boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    assert torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8]), 0.5).tolist() == [0]


def requirements(path: Path) -> list[str]:
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            out.append(line)
    return out


@pytest.mark.parametrize("req", requirements(ROOT / "requirements.txt") + requirements(ROOT / "requirements-dev.txt"))
def test_requirement_is_installed(req):
    from packaging.requirements import Requirement

    r = Requirement(req)
    try:
        version = metadata.version(r.name)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{r.name} is not installed (make install-dev)")
    assert r.specifier.contains(version, prereleases=True), f"{r.name} {version} does not satisfy {r.specifier}"


@lru_cache(maxsize=1)
def python_files() -> tuple[Path, ...]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]   # never walk the venv
        files += [Path(folder) / n for n in names if n.endswith(".py")]
    return tuple(f for f in files if f != Path(__file__).resolve())   # this file quotes unsafe calls as examples


def calls(text: str, name: str) -> list[str]:
    """The argument text of every call `name(...)` in text (parentheses balanced)."""
    out = []
    for m in re.finditer(re.escape(name) + r"\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[m.end(): i - 1])
    return out


def test_torch_load_is_only_called_with_weights_only():
    files = python_files()
    assert any(p.name == "checkpoint.py" for p in files)     # the scan does see the library
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in ("torch.load", "torch.serialization.load"):
            for args in calls(text, name):
                if not re.search(r"weights_only\s*=\s*True", args):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}({args[:60]})")
    assert not offenders, offenders


def test_no_unpickling_outside_the_tests():
    pattern = re.compile(r"\b(pickle|cPickle|dill|joblib|cloudpickle)\.loads?\s*\(|allow_pickle\s*=\s*True"
                         r"|weights_only\s*=\s*False")
    offenders = [f"{p.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
                 for p in python_files() if "tests" not in p.relative_to(ROOT).parts
                 for text in [p.read_text(encoding="utf-8", errors="replace")]
                 for m in pattern.finditer(text)]
    assert not offenders, offenders


def test_the_scanner_finds_unsafe_calls():
    text = "m = torch.load(path, map_location='cpu')\nok = torch.load(f(x), weights_only=True)\n"
    found = calls(text, "torch.load")
    assert found == ["path, map_location='cpu'", "f(x), weights_only=True"]


# ---------------------------------------------------------------- ae.env: settings from the environment

def test_max_trainings_from_env():
    from ae import env
    from ae.pool import TrainingPool

    assert env.max_trainings({}) == 1
    assert env.max_trainings({"AE_MAX_TRAININGS": " 3 "}) == 3
    for bad in ["0", "-1", "two", "1.5", ""]:
        with pytest.raises(ValueError, match="AE_MAX_TRAININGS"):
            env.max_trainings({"AE_MAX_TRAININGS": bad})
    with pytest.raises(ValueError):
        TrainingPool(0)


def test_max_queue_from_env():
    from ae import env

    assert env.max_queue({}) == 8 and env.max_queue({"AE_MAX_QUEUE": "0"}) == 0
    for bad in ["-1", "many", "1001"]:
        with pytest.raises(ValueError, match="AE_MAX_QUEUE"):
            env.max_queue({"AE_MAX_QUEUE": bad})


def test_run_grace_from_env():
    from ae import env

    assert env.run_grace_s({}) == 120.0 and env.run_grace_s({"AE_RUN_GRACE_S": " 5 "}) == 5.0
    for bad in ("-1", "nan", "soon", "1e9"):
        with pytest.raises(ValueError, match="AE_RUN_GRACE_S"):
            env.run_grace_s({"AE_RUN_GRACE_S": bad})


def test_threads_from_env():
    from ae import env

    assert env.tsne_threads({}) == 1 and env.tsne_threads({"AE_TSNE_THREADS": "2"}) == 2
    assert env.torch_threads({"AE_TORCH_THREADS": "1"}) == 1
    assert env.torch_threads({}) == (os.cpu_count() or 1) and env.torch_threads({"AE_TORCH_THREADS": "x"}) >= 1


def test_background_threads_run_at_a_lower_priority():
    import threading

    from ae import env

    assert env.background_nice({}) == 10
    with pytest.raises(ValueError, match="AE_BACKGROUND_NICE"):
        env.background_nice({"AE_BACKGROUND_NICE": "30"})
    seen = {}

    def worker():
        env.lower_this_threads_priority({"AE_BACKGROUND_NICE": "7"})
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    th = threading.Thread(target=worker)
    th.start()
    th.join()
    assert seen["nice"] == max(7, os.getpriority(os.PRIO_PROCESS, 0))
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == os.getpriority(os.PRIO_PROCESS, 0)


def test_the_library_never_imports_streamlit():
    """ae/ is the library: pages import it, never the other way (a fresh interpreter imports every
    ae module and must not have loaded streamlit)."""
    import subprocess
    import sys

    modules = sorted(p.stem for p in (ROOT / "ae").glob("*.py") if p.stem not in ("__init__", "__main__"))
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module('ae.' + m)\n"
            "print(sorted(k for k in sys.modules if k == 'streamlit' or k.startswith('streamlit.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
    for path in (ROOT / "ae").glob("*.py"):
        text = path.read_text()
        assert "import streamlit" not in text and "from streamlit" not in text, path.name
