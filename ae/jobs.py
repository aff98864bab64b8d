"""Training jobs: `ae.train.train` in a background thread, watched through thread-safe snapshots.

A `TrainingJob` builds its own model (never a shared, cached one), waits for a slot in a bounded
`TrainingPool` (at most AE_MAX_TRAININGS run at once, the others wait in FIFO order), trains, and
keeps what it learned when stopped. A `JobShelf` keeps jobs by token, so that a reloaded page can take
its run back. Knows nothing about Streamlit: pages poll `snapshot()`.
"""
from __future__ import annotations

import math
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from . import checkpoint, data, pca
from .models import Autoencoder, ModelConfig, build_model
from .noise import corrupt
from .infer import encode, reconstruct
from .train import EpochReport, TrainConfig, TrainingDiverged, evaluate, train

QUEUED, RUNNING, STOPPED, DONE, FAILED, DIVERGED = "queued", "running", "stopped", "done", "failed", "diverged"
ACTIVE = (QUEUED, RUNNING)
PREVIEW_SEED = 1234      # the same damaged preview images on every epoch, as ae.train.evaluate does
PREVIEW_EVERY_S = 2.0    # long epochs also refresh the pictures mid-epoch, at most this often


# ---------------------------------------------------------------- the pool

def max_trainings(env: dict | None = None) -> int:
    """How many trainings may run at once: $AE_MAX_TRAININGS, default 1 (training uses every core)."""
    raw = (os.environ if env is None else env).get("AE_MAX_TRAININGS", "1")
    try:
        n = int(str(raw).strip())
    except ValueError:
        n = 0
    if not 1 <= n <= 64:
        raise ValueError(f"AE_MAX_TRAININGS must be a whole number from 1 to 64, got {raw!r}")
    return n


class TrainingPool:
    """At most `max_running` jobs train at once; the others wait their turn in arrival order."""

    def __init__(self, max_running: int = 1):
        if not (isinstance(max_running, int) and max_running >= 1):
            raise ValueError(f"max_running must be a positive whole number, got {max_running!r}")
        self.max_running = max_running
        self._cond = threading.Condition()
        self._waiting: deque[TrainingJob] = deque()
        self._running: set[TrainingJob] = set()

    def enter(self, job: "TrainingJob") -> bool:
        """Block until it is `job`'s turn (True) or it was stopped while waiting (False)."""
        with self._cond:
            self._waiting.append(job)
            try:
                while True:
                    if job.stop_requested:
                        return False
                    if self._waiting[0] is job and len(self._running) < self.max_running:
                        self._running.add(job)
                        return True
                    self._cond.wait(0.5)   # stop() notifies; the timeout is only a safety net
            finally:
                self._waiting.remove(job)
                self._cond.notify_all()    # the next in line may go now

    def leave(self, job: "TrainingJob") -> None:
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def position(self, job: "TrainingJob") -> int | None:
        """1 for the next job to start, 2 after it, ...; None when not waiting."""
        with self._cond:
            for i, j in enumerate(self._waiting):
                if j is job:
                    return i + 1
        return None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)


_SHARED: dict[str, object] = {}
_SHARED_LOCK = threading.Lock()


def _shared(name: str, make):
    """One object per server process, made on first use and shared by every browser session."""
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = make()
        return _SHARED[name]


def default_pool() -> TrainingPool:
    """The process-wide pool: at most AE_MAX_TRAININGS runs at once, whoever started them."""
    return _shared("pool", lambda: TrainingPool(max_trainings()))


# ---------------------------------------------------------------- the shelf

def run_grace_s(env: dict | None = None) -> float:
    """How long a run waits for its browser to come back: $AE_RUN_GRACE_S, default 120 seconds."""
    raw = (os.environ if env is None else env).get("AE_RUN_GRACE_S", "120")
    try:
        s = float(str(raw).strip())
    except ValueError:
        s = math.nan
    if not 0 <= s <= 86_400:   # also rejects NaN
        raise ValueError(f"AE_RUN_GRACE_S must be a number of seconds from 0 to 86400, got {raw!r}")
    return s


class JobShelf:
    """Jobs by a random token, so that a browser that reloads the page (and so gets a new session)
    can take its run back instead of losing it.

    Each job is held by the sessions that started or claimed it (two tabs may show the same run).
    When the last of them goes away the job waits `grace_s` seconds for a session to claim it with
    the token; after that an unfinished run is stopped and the job dropped: a closed tab must not
    hold a training slot, nor a model in memory, for ever.
    """

    def __init__(self, grace_s: float = 120.0):
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self._jobs: dict[str, tuple[TrainingJob, set[str]]] = {}   # token -> (job, the sessions holding it)
        self._timers: dict[str, threading.Timer] = {}

    def add(self, job: "TrainingJob", owner: str) -> str:
        token = secrets.token_urlsafe(12)   # unguessable: whoever has it may watch and save the run
        with self._lock:
            self._jobs[token] = (job, {owner})
        return token

    def claim(self, token: str, owner: str) -> "TrainingJob | None":
        """The job behind `token`, now held by `owner` too; None when there is none (or no longer)."""
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None:
                return None
            entry[1].add(owner)
            timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()
        return entry[0]

    def release(self, token: str, owner: str) -> None:
        """`owner` went away. When nobody else holds the job, it waits grace_s to be claimed."""
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None or owner not in entry[1]:
                return
            entry[1].discard(owner)
            if entry[1]:
                return
            timer = threading.Timer(self.grace_s, self._expire, args=(token,))
            timer.daemon = True
            old, self._timers[token] = self._timers.get(token), timer
        if old is not None:
            old.cancel()
        timer.start()

    def discard(self, token: str) -> None:
        """Forget a job now (its session replaced it with a new run); a running one is not stopped."""
        with self._lock:
            self._jobs.pop(token, None)
            timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, token: str) -> None:
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None or entry[1]:   # claimed in the meantime
                return
            del self._jobs[token]
            self._timers.pop(token, None)
        entry[0].stop("disconnected")

    def __contains__(self, token: str) -> bool:
        with self._lock:
            return token in self._jobs

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)


def default_shelf() -> JobShelf:
    """The process-wide shelf: a reloaded page (a new session) finds its run here."""
    return _shared("shelf", lambda: JobShelf(run_grace_s()))


# ---------------------------------------------------------------- helpers

def parse_sizes(text: str) -> tuple[int, ...] | None:
    """'128, 64,12' -> (128, 64, 12); an empty text -> None (the kind's default sizes)."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    if not any(parts):
        return None
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden sizes must be whole numbers separated by commas, like 128,64,12; got {text!r}") from None
    if any(not 1 <= s <= 4096 for s in sizes):
        raise ValueError(f"each hidden size must be between 1 and 4096, got {text!r}")
    return sizes


def latent_points(z: Tensor) -> tuple[np.ndarray, str]:
    """Codes (N, d) -> points to plot and how: the raw code for d <= 3, else PCA to 2-D (signs fixed,
    so the map does not flip from one epoch to the next)."""
    z = z.detach().float().cpu().numpy()
    if z.shape[1] <= 3:
        return z, "raw"
    return pca.project(z, 2), "pca"


def _finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v   # JSON has no NaN


def _report_dict(r: EpochReport) -> dict:
    d = r.to_dict()
    d = {k: _finite(v) for k, v in d.items()}
    d["terms"] = {k: _finite(v) for k, v in d.get("terms", {}).items()}
    return d


# ---------------------------------------------------------------- the job

@dataclass(frozen=True)
class JobSnapshot:
    """What a page shows, copied under the job's lock: safe to read while training goes on."""
    status: str
    position: int | None              # place in the queue while waiting (1 = next)
    epoch: int                        # epochs finished
    epochs: int
    batches_done: int
    batches_total: int
    elapsed_s: float                  # training time so far (queue time not counted)
    eta_s: float | None               # estimated seconds left
    history: list[dict]               # EpochReport dicts: train_loss, test_loss, test_psnr, ...
    originals: Tensor                 # (k, 1, 28, 28) fixed test images
    inputs: Tensor | None             # the same images as the model sees them (damaged) for denoisers
    recon: Tensor | None              # the latest reconstructions of `inputs` (or `originals`)
    preview_at: float                 # fractional epoch of the latest pictures (0 = before training)
    latent: np.ndarray | None         # (m, d) points of the latent preview, d in 1..3
    latent_method: str                # "raw" or "pca"
    latent_labels: np.ndarray         # (m,) class index per point
    class_names: tuple[str, ...]
    error: str | None                 # why it failed or diverged
    stop_reason: str | None           # "user", "disconnected", ... when stopped
    train_size: int
    test_size: int

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress(self) -> float:
        if self.status == DONE:
            return 1.0
        return min(1.0, self.batches_done / self.batches_total) if self.batches_total else 0.0

    @property
    def can_save(self) -> bool:
        return self.status in (DONE, STOPPED) and self.batches_done > 0


class TrainingJob:
    """One training run of a freshly built model in a background thread.

    Args:
        model_config, train_config: what to build and how to train (validated here, so bad settings
            raise ValueError before any thread starts).
        dataset: a key of ae.data.DATASETS, loaded in the worker thread; or give the splits directly.
        train_split, test_split: ae.data.Split objects to use instead of loading `dataset`.
        pool: where to wait for a slot; default_pool() when None.
        preview_images, preview_points: how many fixed test images to reconstruct and to map.
        eval_limit: test images used for the per-epoch test loss (all of them when None); the test
            figures saved with the checkpoint always use the whole test split.
    """

    def __init__(self, model_config: ModelConfig, train_config: TrainConfig, dataset: str = "fashion-mnist", *,
                 train_split: data.Split | None = None, test_split: data.Split | None = None,
                 pool: TrainingPool | None = None, preview_images: int = 8, preview_points: int = 500,
                 eval_limit: int | None = 2000):
        train_config.validate()
        self.model: Autoencoder = build_model(model_config)   # our own model: never a cached one
        self.model_config = self.model.config
        self.copied: list[str] = []              # tensor names a warm start took from its checkpoint
        self.started_from: dict | None = None
        if train_config.init:   # a warm start; its record is read now, so the save may replace that folder
            self.copied, self.started_from = checkpoint.init_from(self.model, train_config.init)
        self.train_config = train_config
        if train_split is None and dataset not in data.DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; known: {sorted(data.DATASETS)}")
        self.dataset = train_split.dataset if train_split is not None else dataset
        self._splits = (train_split, test_split)
        self.pool = pool if pool is not None else default_pool()
        self.preview_images, self.preview_points, self.eval_limit = preview_images, preview_points, eval_limit
        self.train_info: dict = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = dict(status=QUEUED, epoch=0, batches_done=0, batches_total=0, elapsed_s=0.0, eta_s=None,
                           history=[], originals=torch.zeros(0, 1, 28, 28), inputs=None, recon=None,
                           preview_at=0.0, latent=None, latent_method="raw", latent_labels=np.zeros(0, int),
                           class_names=(), error=None, stop_reason=None, train_size=0, test_size=0)

    # ---- control

    def start(self) -> "TrainingJob":
        if self._thread is not None:
            raise RuntimeError("this training job has already been started")
        self._thread = threading.Thread(target=self._run, name="ae-training", daemon=True)
        self._thread.start()
        return self

    def stop(self, reason: str = "user") -> None:
        """Ask the run to stop after the current batch; what it learned so far stays in the model."""
        with self._lock:
            if self._state["stop_reason"] is None and self._state["status"] in ACTIVE:
                self._state["stop_reason"] = reason
        self._stop.set()
        self.pool.wake()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            s = dict(self._state)
            s["history"] = list(s["history"])
        return JobSnapshot(position=self.pool.position(self) if s["status"] == QUEUED else None,
                           epochs=self.train_config.epochs, **s)

    def _set(self, **kw) -> None:
        with self._lock:
            self._state.update(kw)

    # ---- the worker thread

    def _run(self) -> None:
        if not self.pool.enter(self):
            self._set(status=STOPPED)
            return
        try:
            self._set(status=RUNNING)
            self._train()
        except TrainingDiverged as e:
            self.model = None   # NaN or exploded weights are not worth keeping: nothing can be saved
            self._set(status=DIVERGED, error=str(e), eta_s=None)
        except Exception as e:  # a worker thread must not die silently: the page shows the message
            self._set(status=FAILED, error=f"{type(e).__name__}: {e}", eta_s=None)
        else:
            self._set(status=STOPPED if self._stop.is_set() else DONE, eta_s=0.0)
        finally:
            self.pool.leave(self)

    def _load(self) -> tuple[data.Split, data.Split]:
        train_split, test_split = self._splits
        if train_split is None:
            train_split = data.load(self.dataset, "train")
        if test_split is None:
            test_split = data.load(self.dataset, "test") if train_split.dataset in data.DATASETS else train_split
        return train_split, test_split

    def _train(self) -> None:
        train_split, test_split = self._load()
        cfg = self.train_config
        n_train = min(len(train_split), cfg.limit or len(train_split))
        self.test_split = test_split
        self.train_info = {"name": train_split.dataset, "source": train_split.source,
                           "train_size": n_train, "test_size": len(test_split)}
        eval_x = test_split.images if self.eval_limit is None else test_split.subset(self.eval_limit, seed=1).images

        # The fixed preview: a spread of test images, and a fixed random set of points for the map.
        step = max(1, len(test_split) // self.preview_images)
        originals = test_split.images[::step][: self.preview_images]
        inputs = None
        if cfg.noise:
            options = {"clip": cfg.noise_clip} if cfg.noise[0] == "gaussian" else {}
            inputs = corrupt(originals, cfg.noise[0], cfg.noise_level, torch.Generator().manual_seed(PREVIEW_SEED),
                             **options)
        points = test_split.subset(self.preview_points, seed=0)
        self._set(originals=originals, inputs=inputs, latent_labels=points.labels.numpy(),
                  class_names=tuple(test_split.class_names), train_size=n_train, test_size=len(test_split))

        batches_per_epoch = math.ceil(n_train / cfg.batch_size)
        self._set(batches_total=cfg.epochs * batches_per_epoch)
        model = self.model
        last_preview = [time.perf_counter()]

        def preview(at: float) -> None:
            was_training = model.training
            recon = reconstruct(model, inputs if inputs is not None else originals)
            z, method = latent_points(encode(model, points.images))
            model.train(was_training)   # mid-epoch previews must not leave the model in eval mode
            self._set(recon=recon, latent=z, latent_method=method, preview_at=at)
            last_preview[0] = time.perf_counter()

        preview(0.0)   # the untrained model: the map forms from here
        t0 = time.perf_counter()

        def on_batch(done: int, total: int) -> bool:
            elapsed = time.perf_counter() - t0
            self._set(batches_done=done, batches_total=total, elapsed_s=elapsed,
                      eta_s=elapsed / done * (total - done))
            if time.perf_counter() - last_preview[0] > PREVIEW_EVERY_S and done % batches_per_epoch:
                preview(done / batches_per_epoch)
            return self._stop.is_set()

        def on_epoch_end(report: EpochReport) -> bool:
            preview(float(report.epoch))
            with self._lock:
                self._state["history"] = [*self._state["history"], _report_dict(report)]
                self._state["epoch"] = report.epoch
            return self._stop.is_set()

        reports = train(model, train_split.images, cfg, test_x=eval_x, on_epoch_end=on_epoch_end, on_batch=on_batch)
        # A stop inside an epoch skips on_epoch_end: the returned reports are the whole story.
        with self._lock:
            done = self._state["batches_done"]
        preview(done / batches_per_epoch)
        self._set(history=[_report_dict(r) for r in reports], epoch=len(reports),
                  elapsed_s=time.perf_counter() - t0)
        model.eval()

    # ---- saving

    def save(self, name: str, root: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the trained model to root/name with its settings, history and test figures."""
        checkpoint.check_name(name)
        snap = self.snapshot()
        if snap.active:
            raise ValueError("the training is still running: stop it or wait until it is done before saving")
        if snap.status in (DIVERGED, FAILED) or self.model is None:
            raise ValueError(f"this training {snap.status}; there is no model worth saving")
        if not snap.can_save:
            raise ValueError("nothing was learned yet: the training stopped before its first batch")
        folder = Path(root) / name
        if (folder / "config.json").exists() and not overwrite:
            raise ValueError(f"a checkpoint named {name!r} already exists; choose another name")
        test_x = self.test_split.images
        figures = evaluate(self.model, test_x, with_ssim=True)
        cfg = self.train_config
        if cfg.noise:
            figures["denoise"] = {k: evaluate(self.model, test_x, noise=k, level=cfg.noise_level, with_ssim=True)
                                  for k in cfg.noise}
        Path(root).mkdir(parents=True, exist_ok=True)
        return checkpoint.save(folder, self.model, train=cfg.to_dict(), dataset=dict(self.train_info),
                               history=snap.history, metrics={"test": figures},
                               extra={"origin": "app", "stopped_early": snap.status == STOPPED,
                                      "epochs_done": len(snap.history),
                                      **({"started_from": self.started_from} if self.started_from else {})})


__all__ = ["TrainingJob", "TrainingPool", "JobSnapshot", "JobShelf", "default_pool", "default_shelf", "max_trainings",
           "run_grace_s", "parse_sizes",
           "latent_points", "QUEUED", "RUNNING", "STOPPED", "DONE", "FAILED", "DIVERGED"]
