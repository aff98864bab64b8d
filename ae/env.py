"""Settings read from the environment, each checked with a clear message: how many trainings run and
wait at once, how long a closed tab's run waits, how many images the Compression page measures, how many
threads torch and t-SNE use, and whether trainings and map fits leave the app's process for a Ray
cluster (and what each asks of it).

Every function takes an optional mapping instead of os.environ, so tests need not touch the real one.
"""
from __future__ import annotations

import math
import os
import re
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


def _number(env: Mapping[str, str] | None, name: str, default: str, low: float, high: float, unit: str) -> float:
    raw = _get(env, name, default)
    try:
        n = float(raw)
    except ValueError:
        n = math.nan
    if not low <= n <= high:   # also rejects NaN
        raise ValueError(f"{name} must be a number of {unit} from {low:g} to {high:g}, got {raw!r}")
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
    return _number(env, "AE_RUN_GRACE_S", "120", 0, 86_400, "seconds")


def compress_images(env: Mapping[str, str] | None = None) -> int:
    """How many test images the Compression page measures every method on (a fixed subset, the same for
    all): $AE_COMPRESS_IMAGES, default 500. Every model, PCA, JPEG and WebP on the whole Fashion-MNIST test
    split take minutes on a busy core; bench.compression measures the whole split."""
    return _whole(env, "AE_COMPRESS_IMAGES", 500, 50, 100_000)


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


RAY_ADDRESS_RE = re.compile(r"(local|auto|(ray://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5})")


def ray_address(env: Mapping[str, str] | None = None) -> str | None:
    """Where trainings and map fits run: None (unset or empty, the default) keeps them in the app's own
    process; $AE_RAY_ADDRESS sends them to a Ray cluster: "local" starts a private one on this machine
    with the server, "auto" finds the one started here by `ray start`, "HOST:PORT" is a head's address
    (its GCS port, 6379 unless `ray start --port` said otherwise), "ray://HOST:PORT" a Ray client server."""
    raw = _get(env, "AE_RAY_ADDRESS", "")
    if not raw:
        return None
    if not RAY_ADDRESS_RE.fullmatch(raw):
        raise ValueError(f"AE_RAY_ADDRESS must be local, auto, HOST:PORT or ray://HOST:PORT, got {raw!r}")
    return raw


def ray_namespace(env: Mapping[str, str] | None = None) -> str:
    """The Ray namespace the app's runs are named in: $AE_RAY_NAMESPACE, default "autoencoder-lab". Every
    app server of one class uses the same one (that is how they find each other's runs); two apps on
    one cluster (a test and a real class) use two."""
    raw = _get(env, "AE_RAY_NAMESPACE", "autoencoder-lab")
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", raw):
        raise ValueError(f"AE_RAY_NAMESPACE must be 1 to 64 letters, digits, '.', '_' or '-', got {raw!r}")
    return raw


def ray_cpus(env: Mapping[str, str] | None = None) -> float:
    """CPUs each training (and each of its data-parallel workers) asks of the Ray cluster: $AE_RAY_CPUS,
    default 1. Ray starts a run when a node has that many free, so this also sets how many train at
    once: a node started with `ray start --num-cpus 8` runs 8 trainings of 1 CPU."""
    return _number(env, "AE_RAY_CPUS", "1", 0.1, 256, "CPUs")


def ray_workers(env: Mapping[str, str] | None = None) -> int:
    """Data-parallel workers per training on Ray: $AE_RAY_WORKERS, default 1 (no data parallelism).
    With 2 or more, each run trains with torch DistributedDataParallel over that many Ray workers
    (ae.distributed), each taking its share of every batch."""
    return _whole(env, "AE_RAY_WORKERS", 1, 1, 64)


__all__ = ["ray_address", "ray_namespace", "ray_cpus", "ray_workers", "max_trainings", "max_queue", "run_grace_s",
           "compress_images", "torch_threads", "tsne_threads", "background_nice", "lower_this_threads_priority"]
