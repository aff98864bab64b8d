"""Settings read from the environment, each checked with a clear message: how many trainings run and
wait at once, how long a closed tab's run waits, how many threads torch and t-SNE use.

Every function takes an optional mapping instead of os.environ, so tests need not touch the real one.
"""
from __future__ import annotations

import math
import os
from typing import Mapping


def _get(env: Mapping[str, str] | None, name: str, default: str) -> str:
    return str((os.environ if env is None else env).get(name, default)).strip()


def _whole(env: Mapping[str, str] | None, name: str, default: int, low: int, high: int) -> int:
    raw = _get(env, name, str(default))
    try:
        n = int(raw)
    except ValueError:
        n = low - 1
    if not low <= n <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return n


def max_trainings(env: Mapping[str, str] | None = None) -> int:
    """How many trainings may run at once: $AE_MAX_TRAININGS, default 1 (training uses every core)."""
    return _whole(env, "AE_MAX_TRAININGS", 1, 1, 64)


def max_queue(env: Mapping[str, str] | None = None) -> int:
    """How many trainings may wait for their turn: $AE_MAX_QUEUE, default 8. A full queue says "try
    later" instead of piling up runs that would wait an hour and hold their sessions' pages busy."""
    return _whole(env, "AE_MAX_QUEUE", 8, 0, 1000)


def run_grace_s(env: Mapping[str, str] | None = None) -> float:
    """How long a run waits for its browser to come back: $AE_RUN_GRACE_S, default 120 seconds."""
    raw = _get(env, "AE_RUN_GRACE_S", "120")
    try:
        s = float(raw)
    except ValueError:
        s = math.nan
    if not 0 <= s <= 86_400:   # also rejects NaN
        raise ValueError(f"AE_RUN_GRACE_S must be a number of seconds from 0 to 86400, got {raw!r}")
    return s


def torch_threads(env: Mapping[str, str] | None = None) -> int:
    """Threads for torch: $AE_TORCH_THREADS, else one per core (the default can be lower in
    containers). On a machine busy with other work, tiny models run far faster on 1 thread (threads
    that wait on each other lose their time slices), which is what the test suite sets."""
    wanted = _get(env, "AE_TORCH_THREADS", "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)


def tsne_threads(env: Mapping[str, str] | None = None) -> int:
    """Worker threads for t-SNE: $AE_TSNE_THREADS, else 1.

    Measured on the shared 2-core machine (load about 5): two threads made openTSNE 1.5-5x SLOWER
    than one (2,000 points: 11.0 s against 2.0 s) and scikit-learn's TSNE 3.5x slower (24 s against
    6.9 s); threads that wait on each other lose their time slices. On a quiet many-core machine
    set AE_TSNE_THREADS to the number of cores."""
    wanted = _get(env, "AE_TSNE_THREADS", "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else 1


def background_nice(env: Mapping[str, str] | None = None) -> int:
    """How much lower than the server's the priority of background work (trainings, map fits) is:
    $AE_BACKGROUND_NICE, default 10. They run as threads of the app's own process, so every page the
    server draws competes with them for the CPU and for Python's interpreter lock; at a lower priority
    the pages win, and the training still gets every cycle nobody else wants."""
    return _whole(env, "AE_BACKGROUND_NICE", 10, 0, 19)


def lower_this_threads_priority(env: Mapping[str, str] | None = None) -> None:
    """Give the calling thread (Linux: a thread has its own nice value) the background priority."""
    try:
        import threading
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                       max(os.getpriority(os.PRIO_PROCESS, 0), background_nice(env)))
    except (AttributeError, OSError):   # another OS, or not allowed: run at the normal priority
        pass


__all__ = ["max_trainings", "max_queue", "run_grace_s", "torch_threads", "tsne_threads", "background_nice",
           "lower_this_threads_priority"]
