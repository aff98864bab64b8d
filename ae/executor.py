"""Where trainings and map fits run, behind one interface the pages use whatever the backend.

Two backends:
  - embedded (the default): threads of the app's own process, as `make run` has always done: a
    TrainingJob (ae.jobs) waits its turn in the process-wide pool (ae.pool) and is kept by token
    across reloads on the shelf (ae.shelf); map fits are ae.embed.MapFit threads.
  - ray, when $AE_RAY_ADDRESS is set (ae.env.ray_address): every training is a Ray actor named by its
    run token, so any app server of the cluster finds it after a reload; map fits are Ray tasks
    (ae.ray_backend, which alone imports ray).

A page submits a run, holds it under a token, and draws from the handle it gets back: `snapshot()`
(an ae.jobs.JobSnapshot, the one thing pages draw from), `stop()`, `save()`. Knows nothing about
Streamlit.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from . import data, embed, env, jobs
from .jobs import JobSnapshot, TrainingJob
from .models import ModelConfig
from .pool import TrainingPool, process_wide
from .shelf import JobShelf, default_shelf
from .train import TrainConfig


# A run's error when its worker process is gone; pages show their own translation of each.
WORKER_LOST = ("the worker process running this training stopped (killed, out of memory, or its machine left "
               "the cluster); what it learned is lost. Start it again.")
HELPER_LOST = ("a data-parallel worker of this training stopped (killed, out of memory, or its machine left "
               "the cluster); what it learned is lost. Start it again.")
SAVE_LOST = ("the worker process running this training stopped while saving; nothing was saved (a save is "
             "written whole or not at all). Start the training again.")


class WorkerLost(RuntimeError):
    """The process running a training is gone (killed, out of memory, its machine left the cluster)."""


@runtime_checkable
class RunHandle(Protocol):
    """A training as a page sees it, on either backend (ae.jobs.TrainingJob is one)."""
    model_config: ModelConfig
    train_config: TrainConfig
    dataset: str
    eval_limit: int | None

    def snapshot(self) -> JobSnapshot: ...

    def stop(self, reason: str = "user") -> None: ...

    @property
    def stop_requested(self) -> bool: ...

    def save(self, name: str, root: str | os.PathLike, *, overwrite: bool = False) -> Path: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Executor:
    """Submit trainings, keep them by token across reloads, fit maps. Subclasses pick where they run."""
    name = "?"

    @property
    def grace_s(self) -> float:
        """How long a run nobody watches waits for its browser to come back before it is stopped."""
        raise NotImplementedError

    @property
    def max_running(self) -> int | None:
        """How many trainings run at once, when this backend knows (None: as many as the cluster holds)."""
        raise NotImplementedError

    def submit(self, model_config: ModelConfig, train_config: TrainConfig, dataset: str = "fashion-mnist", *,
               workers: int | None = None) -> RunHandle:
        """Check the settings now (ValueError, ae.checkpoint.CheckpointError, ae.pool.QueueFull) and start
        the run, or queue it; `workers` > 1 trains data-parallel where the backend can."""
        raise NotImplementedError

    def hold(self, run: RunHandle, owner: str) -> str:
        """Keep `run` for `owner` (a browser session); returns the token that finds it again."""
        raise NotImplementedError

    def claim(self, token: str, owner: str) -> RunHandle | None:
        """The run behind `token`, now held by `owner` too; None when there is none (or no longer)."""
        raise NotImplementedError

    def release(self, token: str, owner: str) -> None:
        """`owner` went away; when nobody holds the run, it waits grace_s to be claimed, then stops."""
        raise NotImplementedError

    def discard(self, token: str) -> None:
        """Forget a run now (its session replaced it with a new one); a running one goes on."""
        raise NotImplementedError

    def holders(self, token: str) -> int:
        """How many sessions show the run behind `token` (0 when there is none)."""
        raise NotImplementedError

    def has(self, token: str) -> bool:
        """Whether a run is kept under `token` (without claiming it)."""
        raise NotImplementedError

    def map_fit(self, z, method: str, dims: int, settings: dict | None, key_parts: dict,
                cache: embed.Cache | None = None, on_done=None):
        """A map fit under way (ae.embed.MapFit's interface), for ae.embed.MapService."""
        raise NotImplementedError


class EmbeddedExecutor(Executor):
    """Threads of this process: the process-wide pool and shelf (or the ones given)."""
    name = "embedded"

    def __init__(self, pool: TrainingPool | None = None, shelf: JobShelf | None = None):
        self._pool, self._shelf = pool, shelf

    @property
    def pool(self) -> TrainingPool:
        return self._pool if self._pool is not None else jobs.default_pool()   # looked up now: tests swap it

    @property
    def shelf(self) -> JobShelf:
        return self._shelf if self._shelf is not None else default_shelf()

    @property
    def grace_s(self) -> float:
        return self.shelf.grace_s

    @property
    def max_running(self) -> int:
        return self.pool.max_running

    def submit(self, model_config, train_config, dataset="fashion-mnist", *, workers=None) -> TrainingJob:
        # one process, one model: data parallelism needs torchrun (python -m ae train) or Ray
        return TrainingJob(model_config, train_config, dataset, pool=self._pool).start()

    def hold(self, run, owner):
        return self.shelf.add(run, owner)

    def claim(self, token, owner):
        return self.shelf.claim(token, owner)

    def release(self, token, owner):
        self.shelf.release(token, owner)

    def discard(self, token):
        self.shelf.discard(token)

    def holders(self, token):
        return self.shelf.holders(token)

    def has(self, token):
        return token in self.shelf

    def map_fit(self, z, method, dims, settings, key_parts, cache=None, on_done=None):
        return embed.MapFit(z, method, dims, settings, key_parts, cache, on_done=on_done)


def check(model_config: ModelConfig, train_config: TrainConfig, dataset: str) -> TrainingJob:
    """The settings checked exactly as a TrainingJob checks them (the model config and parameter
    budget, a warm start's fit, the dataset), without starting anything."""
    if dataset not in data.DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; known: {sorted(data.DATASETS)}")
    return TrainingJob(model_config, train_config, dataset, pool=TrainingPool(1))


def make_executor(address: str | None = None) -> Executor:
    """The backend the environment asks for: Ray at `address` (default $AE_RAY_ADDRESS), else embedded."""
    address = address if address is not None else env.ray_address()
    if not address:
        return EmbeddedExecutor()
    from .ray_backend import RayExecutor   # imports ray: only when asked for

    return RayExecutor(address)


def default_executor() -> Executor:
    """The process-wide executor (one per server process, shared by every browser session)."""
    return process_wide("executor", make_executor)


__all__ = ["Executor", "EmbeddedExecutor", "RunHandle", "WorkerLost", "WORKER_LOST", "HELPER_LOST", "SAVE_LOST",
           "check", "make_executor", "default_executor"]
