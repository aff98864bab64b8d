"""Training jobs: `ae.train.train` in a background thread, watched through thread-safe snapshots.

A `TrainingJob` checks its settings at once (the model's config and parameter budget, a warm start's
fit) but builds its model only when its turn comes in the process-wide `ae.pool.TrainingPool`: runs
waiting in the queue hold no weights. It trains, keeps what it learned when stopped, and saves through
`ae.checkpoint.save_trained`, the one save path the command line uses too. Pages poll `snapshot()`;
`ae.shelf` keeps jobs across page reloads. Knows nothing about Streamlit.
"""
from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from . import checkpoint, data, env, pca
from .infer import encode, reconstruct
from .models import Autoencoder, ModelConfig, build_model, resolve
from .noise import NOISES, corrupt
from .pool import TrainingPool, default_pool
from .train import EpochReport, TrainConfig, TrainingDiverged, train

QUEUED, RUNNING, STOPPED, DONE, FAILED, DIVERGED = "queued", "running", "stopped", "done", "failed", "diverged"
ACTIVE = (QUEUED, RUNNING)
PREVIEW_SEED = 1234      # the same damaged preview images on every epoch, as ae.train.evaluate does
PREVIEW_EVERY_S = 2.0    # long epochs also refresh the pictures mid-epoch, at most this often


def latent_points(z: Tensor) -> tuple[np.ndarray, str]:
    """Codes (N, d) -> points to plot and how: the raw code for d <= 3, else PCA to 2-D (signs fixed,
    so the map does not flip from one epoch to the next)."""
    z = z.detach().float().cpu().numpy()
    if z.shape[1] <= 3:
        return z, "raw"
    return pca.project(z, 2), "pca"


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
    version: int = 0                  # grows whenever history, pictures or map change: redraw only then
    saved_to: str | None = None       # the checkpoint this run was saved as, once it was

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
        model_config, train_config: what to build and how to train (checked here, with the parameter
            budget and a warm start's fit, so bad settings raise ValueError before any thread starts).
        dataset: a key of ae.data.DATASETS or a user dataset ("user:<name>"), loaded in the worker
            thread; or give the splits directly.
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
        self.model_config = resolve(model_config)   # the budget is checked now; weights come at its turn
        self.copied: list[str] = []              # tensor names a warm start takes from its checkpoint
        self.started_from: dict | None = None
        if train_config.init:   # read now, so the save may replace that folder; the weights at build time
            self.copied, self.started_from = checkpoint.warm_start_plan(self.model_config, train_config.init)
        self.train_config = train_config
        if train_split is None and not data.known(dataset):
            raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(data.choices())}")
        self.dataset = train_split.dataset if train_split is not None else dataset
        self._splits = (train_split, test_split)
        self.pool = pool if pool is not None else default_pool()
        self.preview_images, self.preview_points, self.eval_limit = preview_images, preview_points, eval_limit
        self.train_info: dict = {}
        self._model: Autoencoder | None = None
        self._built = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = dict(status=QUEUED, epoch=0, batches_done=0, batches_total=0, elapsed_s=0.0, eta_s=None,
                           history=[], originals=torch.zeros(0, 1, 28, 28), inputs=None, recon=None,
                           preview_at=0.0, latent=None, latent_method="raw", latent_labels=np.zeros(0, int),
                           class_names=(), error=None, stop_reason=None, train_size=0, test_size=0,
                           version=0, saved_to=None)

    @property
    def model(self) -> Autoencoder | None:
        """The model this run trains: its own, never a cached one. Built (and warm-started) when the run's
        turn comes, or when asked for before; None once a diverged run has dropped it."""
        with self._lock:
            if not self._built:
                model = build_model(self.model_config)
                if self.train_config.init:
                    copied, record = checkpoint.init_from(model, self.train_config.init)
                    if record.get("weights_sha256") != self.started_from.get("weights_sha256"):
                        raise checkpoint.CheckpointError(
                            f"{Path(self.train_config.init).name} changed while this run waited; start it again")
                    self.copied = copied
                self._model, self._built = model, True
            return self._model

    @model.setter
    def model(self, value: Autoencoder | None) -> None:
        with self._lock:
            self._model, self._built = value, True

    # ---- control

    def start(self) -> "TrainingJob":
        """Queue the run and start its thread; raises ae.pool.QueueFull when the queue is full."""
        if self._thread is not None:
            raise RuntimeError("this training job has already been started")
        self.pool.admit(self)
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

    def _changed(self, **kw) -> None:
        """Like _set, for what a page draws (history, pictures, map): the snapshot's version grows."""
        with self._lock:
            self._state.update(kw)
            self._state["version"] += 1

    # ---- the worker thread

    def _run(self) -> None:
        env.lower_this_threads_priority()   # the pages of every session come first
        if not self.pool.enter(self):
            self._set(status=STOPPED)
            return
        try:
            self._set(status=RUNNING)
            self._train(self.model)
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
            test_split = data.load(self.dataset, "test") if data.known(train_split.dataset) else train_split
        return train_split, test_split

    def _train(self, model: Autoencoder) -> None:
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
            inputs = corrupt(originals, cfg.noise[0], cfg.noise_level, torch.Generator().manual_seed(PREVIEW_SEED),
                             **NOISES[cfg.noise[0]].extra(cfg.noise_clip))
        points = test_split.subset(self.preview_points, seed=0)
        self._changed(originals=originals, inputs=inputs, latent_labels=points.labels.numpy(),
                      class_names=tuple(test_split.class_names), train_size=n_train, test_size=len(test_split))

        batches_per_epoch = math.ceil(n_train / cfg.batch_size)
        self._set(batches_total=cfg.epochs * batches_per_epoch)
        last_preview = [time.perf_counter()]

        def preview(at: float) -> None:
            was_training = model.training
            recon = reconstruct(model, inputs if inputs is not None else originals)
            z, method = latent_points(encode(model, points.images))
            model.train(was_training)   # mid-epoch previews must not leave the model in eval mode
            self._changed(recon=recon, latent=z, latent_method=method, preview_at=at)
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
                self._state["history"] = [*self._state["history"], report.to_json()]
                self._state["epoch"] = report.epoch
                self._state["version"] += 1
            return self._stop.is_set()

        reports = train(model, train_split.images, cfg, test_x=eval_x, on_epoch_end=on_epoch_end, on_batch=on_batch)
        # A stop inside an epoch skips on_epoch_end: the returned reports are the whole story.
        with self._lock:
            done = self._state["batches_done"]
        preview(done / batches_per_epoch)
        self._changed(history=[r.to_json() for r in reports], epoch=len(reports), elapsed_s=time.perf_counter() - t0)
        model.eval()

    # ---- saving

    def save(self, name: str, root: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the trained model to root/name with its settings, history and test figures
        (ae.checkpoint.save_trained: the same record as the command line's)."""
        checkpoint.check_name(name)
        snap = self.snapshot()
        if snap.active:
            raise ValueError("the training is still running: stop it or wait until it is done before saving")
        if snap.status in (DIVERGED, FAILED) or self.model is None:
            raise ValueError(f"this training {snap.status}; there is no model worth saving")
        if not snap.can_save:
            raise ValueError("nothing was learned yet: the training stopped before its first batch")
        train_split, _ = self._load()
        extra = {"origin": "app", "stopped_early": snap.status == STOPPED, "epochs_done": len(snap.history),
                 **({"started_from": self.started_from} if self.started_from else {})}
        path = checkpoint.save_trained(Path(root) / name, self.model, self.train_config, train_split,
                                       self.test_split, snap.history, overwrite=overwrite, extra=extra)
        self._set(saved_to=str(path))   # a page interrupted right after the save still learns of it
        return path


__all__ = ["TrainingJob", "JobSnapshot", "latent_points", "QUEUED", "RUNNING", "STOPPED", "DONE", "FAILED",
           "DIVERGED", "ACTIVE"]
