"""The Ray backend of ae.executor: trainings as named Ray actors, map fits as Ray tasks.

Chosen when $AE_RAY_ADDRESS is set; ray is imported only then (`connect`), so the embedded default
needs nothing of it. Every training is a detached actor named by its run token in the app's namespace
($AE_RAY_NAMESPACE): any app server connected to the cluster finds it by that name after a reload,
and its progress, stop and save are calls to it. Inside, the actor runs the same ae.jobs.TrainingJob
as the embedded backend, so both draw the same JobSnapshot. The actor asks the cluster for
$AE_RAY_CPUS CPUs; Ray starts it when a node has them free (until then the run shows as queued).
With $AE_RAY_WORKERS > 1 it trains data-parallel (ae.distributed) with that many helper actors.

What the actor keeps: who watches the run (sessions of any server); when nobody has for the grace
of the server that started it ($AE_RUN_GRACE_S), it stops the run and ends itself, as the embedded
shelf drops a closed tab's run. A worker process that dies (killed, out
of memory, its machine gone) shows the run as failed with WORKER_LOST; saves go through
ae.checkpoint.save_trained on the worker (atomic: a worker killed half-way leaves no checkpoint), into
the folder the page names, which every node must see at the same path (a shared folder).
Knows nothing about Streamlit.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
import threading
import time
from pathlib import Path

import numpy as np
import torch

from . import checkpoint, distributed, embed, env
from .executor import HELPER_LOST, SAVE_LOST, WORKER_LOST, Executor, WorkerLost, check
from .jobs import FAILED, QUEUED, JobSnapshot, TrainingJob
from .models import ModelConfig
from .pool import TrainingPool
from .train import TrainConfig

CALL_TIMEOUT_S = 10.0        # a busy actor's answer: the page shows what it had meanwhile
LIGHT = ("status", "position", "epoch", "batches_done", "batches_total", "elapsed_s", "eta_s", "error",
         "stop_reason", "saved_to")   # what changes between versions: all a poll sends when nothing was drawn anew

ray = None                   # the module, once connect() imported it
_REMOTE: dict[str, object] = {}


# ---------------------------------------------------------------- the cluster

def runtime_env() -> dict:
    """What every worker gets: this server's `ae` package (so workers run the same code; torch and the
    other requirements must be installed on every node) and its AE_* settings (data folder, offline)."""
    forwarded = {k: v for k, v in os.environ.items()
                 if (k.startswith("AE_") and not k.startswith("AE_RAY_")) or k in ("OMP_WAIT_POLICY",
                                                                                     "GLOO_SOCKET_IFNAME")}
    return {"py_modules": [str(Path(__file__).resolve().parent)], "env_vars": forwarded}


def connect(address: str, namespace: str | None = None):
    """Connect this process to the cluster at `address` (or start a private one: "local"); returns ray."""
    if address == "local" or address.split(":")[0] in ("127.0.0.1", "localhost"):
        # Ray would turn 127.0.0.1 into this machine's network address; read before ray is imported, this
        # keeps a private cluster ("local") on the loopback only and reaches a head that listens there
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    _register()
    if not ray.is_initialized():
        options = dict(namespace=namespace or env.ray_namespace(), runtime_env=runtime_env(), log_to_driver=False,
                       configure_logging=False)
        if address == "local":
            options.update(include_dashboard=False, object_store_memory=200 * 2**20)
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise RuntimeError(f"cannot reach the Ray cluster at {address} (AE_RAY_ADDRESS): {e}") from None
    return ray


def _register() -> None:
    """Import ray and make the remote classes: on the app server (connect) and in a worker process, which
    imports this module afresh."""
    global ray
    if ray is None:
        import ray as ray_module
        ray = ray_module
    if not _REMOTE:
        _REMOTE["actor"] = ray.remote(TrainingActor)
        _REMOTE["helper"] = ray.remote(DataParallelHelper)
        _REMOTE["fit"] = ray.remote(_fit_map)


def _kv(op: str, token: str, value: bytes | None = None):
    """The run's description in the cluster's key-value store: what a server claiming a run still waiting
    for its worker needs (the actor answers only once it runs)."""
    from ray.experimental import internal_kv

    key, ns = f"ae-run:{token}".encode(), env.ray_namespace()
    if op == "put":
        return internal_kv._internal_kv_put(key, value, overwrite=True, namespace=ns)
    if op == "get":
        return internal_kv._internal_kv_get(key, namespace=ns)
    return internal_kv._internal_kv_del(key, namespace=ns)


# ---------------------------------------------------------------- inside the cluster

def _threads(cpus: float) -> None:
    """As many torch threads as CPUs asked for, unless AE_TORCH_THREADS says otherwise."""
    if not os.environ.get("AE_TORCH_THREADS"):
        os.environ["AE_TORCH_THREADS"] = str(max(1, int(cpus)))
    torch.set_num_threads(env.torch_threads())


class TrainingActor:
    """One training run in a Ray worker process: an ae.jobs.TrainingJob, who watches it, and its end."""

    def __init__(self, token: str, model_config: ModelConfig, train_config: TrainConfig, dataset: str,
                 eval_limit: int | None, grace_s: float, workers: int = 1, cpus: float = 1.0):
        _register()
        _threads(cpus)
        self.token, self.grace_s, self.cpus = token, grace_s, cpus
        self.job = TrainingJob(model_config, train_config, dataset, pool=TrainingPool(1), eval_limit=eval_limit)
        self._lock = threading.Lock()
        self._holders: set[str] = set()
        self._timer: threading.Timer | None = None
        self._helpers: list = []          # (actor, the ref of its training) per data-parallel helper
        if workers > 1:
            self.job.data_parallel = lambda: self._group(workers)
        self.job.start()
        self._arm()   # held by nobody yet: the page that submitted it holds it next, or it goes

    def ready(self) -> int:
        """Answered once the actor runs: its process id."""
        return os.getpid()

    def helpers(self, timeout: float = 60.0) -> list[int]:
        """The ranks of the data-parallel helpers that trained with this run, once they are done."""
        return ray.get([ref for _, ref in self._helpers], timeout=timeout)

    def describe(self) -> dict:
        job = self.job
        return {"model": job.model_config.to_dict(), "train": job.train_config.to_dict(), "dataset": job.dataset,
                "eval_limit": job.eval_limit}

    def poll(self, version: int) -> JobSnapshot | dict:
        """The run's snapshot; only the fields that change between versions when `version` is current."""
        snap = self._explained(self.job.snapshot())
        if snap.version == version:
            return {name: getattr(snap, name) for name in LIGHT}
        return snap

    def _explained(self, snap: JobSnapshot) -> JobSnapshot:
        """A failure caused by a lost data-parallel helper says so, not gloo's socket error."""
        if snap.status != FAILED or not self._helpers:
            return snap
        ready, _ = ray.wait([ref for _, ref in self._helpers], timeout=0, num_returns=len(self._helpers))
        for ref in ready:
            try:
                ray.get(ref)
            except ray.exceptions.RayActorError:
                return dataclasses.replace(snap, error=HELPER_LOST)
            except Exception:
                pass
        return snap

    def stop(self, reason: str = "user") -> None:
        self.job.stop(reason)

    def save(self, name: str, root: str, overwrite: bool = False) -> str:
        return str(self.job.save(name, root, overwrite=overwrite))

    # ---- who watches

    def hold(self, owner: str) -> None:
        with self._lock:
            self._holders.add(owner)
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def release(self, owner: str) -> None:
        with self._lock:
            if owner not in self._holders:
                return
            self._holders.discard(owner)
            if self._holders:
                return
        self._arm()

    def holders(self) -> int:
        with self._lock:
            return len(self._holders)

    def discard(self) -> None:
        """Its session replaced it with a new run: stop it if it still runs, and end."""
        with self._lock:
            self._holders.clear()
        self._end("replaced")

    def _arm(self) -> None:
        timer = threading.Timer(self.grace_s, self._expire)
        timer.daemon = True
        with self._lock:
            old, self._timer = self._timer, timer
        if old is not None:
            old.cancel()
        timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._holders:   # claimed in the meantime
                return
        self._end("disconnected")

    def _end(self, reason: str) -> None:
        """Stop the run, let it finish its batch, and end this actor (its name is free, the run is gone)."""
        def finish():
            self.job.stop(reason)
            self.job.wait(60)
            try:
                _kv("del", self.token)
            finally:
                ray.kill(ray.get_runtime_context().current_actor, no_restart=True)
        threading.Thread(target=finish, name="ae-run-end", daemon=True).start()

    # ---- data parallel

    def _group(self, workers: int) -> distributed.Group:
        """Start the helpers (ranks 1..workers-1) and meet them: called by the job at its turn."""
        host = ray.util.get_node_ip_address()
        address = f"tcp://{host}:{_free_port(host)}"
        job = self.job
        for rank in range(1, workers):
            helper = _REMOTE["helper"].options(num_cpus=self.cpus, max_restarts=0).remote()
            ref = helper.train.remote(address, rank, workers, job.model_config, job.train_config, job.dataset,
                                      self.cpus)
            self._helpers.append((helper, ref))
        return distributed.join(address, 0, workers, "gloo")


class DataParallelHelper:
    """Rank 1.. of a data-parallel training: the same images and settings, its slice of each batch."""

    def train(self, address: str, rank: int, world: int, model_config: ModelConfig, train_config: TrainConfig,
              dataset: str, cpus: float) -> int:
        from . import data
        from .models import build_model
        from .train import train

        _threads(cpus)
        group = distributed.join(address, rank, world, "gloo")
        try:
            images = data.load(dataset, "train").images
            train(build_model(model_config), images, train_config, group=group)   # DDP copies rank 0's weights
        finally:
            group.close()
        return rank


def _free_port(host: str) -> int:
    import socket

    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _fit_map(z: np.ndarray, method: str, dims: int, settings: dict | None, key_parts: dict) -> dict:
    """A map fit as a Ray task (the worker's own disk cache); the map comes back as arrays."""
    m = embed.cached_map(z, method, dims, settings, key_parts)
    return m.to_arrays()


# ---------------------------------------------------------------- on the app server

class RayRun:
    """A page's handle on a training actor: snapshot(), stop(), save() as for an embedded TrainingJob."""

    def __init__(self, actor, token: str, model_config: ModelConfig, train_config: TrainConfig, dataset: str,
                 eval_limit: int | None):
        self.actor, self.token = actor, token
        self.model_config, self.train_config = model_config, train_config
        self.dataset, self.eval_limit = dataset, eval_limit
        self._ready = actor.ready.remote()   # one call per handle: answered once the actor runs
        self._last: JobSnapshot | None = None
        self._lost: JobSnapshot | None = None
        self._stop_asked = False

    def _queued(self) -> JobSnapshot:
        return JobSnapshot(status=QUEUED, position=None, epoch=0, epochs=self.train_config.epochs, batches_done=0,
                           batches_total=0, elapsed_s=0.0, eta_s=None, history=[], originals=torch.zeros(0, 1, 28, 28),
                           inputs=None, recon=None, preview_at=0.0, latent=None, latent_method="raw",
                           latent_labels=np.zeros(0, int), class_names=(), error=None, stop_reason=None, train_size=0,
                           test_size=0, version=-1)

    def _gone(self) -> JobSnapshot:
        """What the page shows once the worker is gone: the last figures, marked failed."""
        last = self._last or self._queued()
        self._lost = dataclasses.replace(last, status=FAILED, error=WORKER_LOST, eta_s=None, position=None)
        return self._lost

    def snapshot(self) -> JobSnapshot:
        if self._lost is not None:
            return self._lost
        try:
            # a fresh handle (a claim) waits a moment for the answer of a run already under way
            started, _ = ray.wait([self._ready], timeout=0 if self._last is not None else 0.5)
            if not started:
                return self._last or self._queued()
            version = self._last.version if self._last is not None else -2
            got = ray.get(self.actor.poll.remote(version), timeout=CALL_TIMEOUT_S)
        except ray.exceptions.RayActorError as e:
            if isinstance(e, ray.exceptions.ActorUnavailableError):   # a passing network fault: try again later
                return self._last or self._queued()
            return self._gone()
        except ray.exceptions.GetTimeoutError:
            return self._last or self._queued()
        self._last = dataclasses.replace(self._last, **got) if isinstance(got, dict) else got
        return self._last

    def stop(self, reason: str = "user") -> None:
        self._stop_asked = True
        self.actor.stop.remote(reason)   # a queued run gets it when it starts, and stops at once

    @property
    def stop_requested(self) -> bool:
        return self._stop_asked or (self._last is not None and self._last.active and self._last.stop_reason is not None)

    def save(self, name: str, root: str | os.PathLike, *, overwrite: bool = False) -> Path:
        checkpoint.check_name(name)
        try:
            path = Path(ray.get(self.actor.save.remote(name, str(root), overwrite)))
        except ray.exceptions.RayTaskError as e:   # the actor's own error (CheckpointExists, ValueError): as is
            raise (e.cause if isinstance(e.cause, Exception) else RuntimeError(str(e))) from None
        except ray.exceptions.RayActorError:
            self._gone()
            raise WorkerLost(SAVE_LOST) from None
        if self._last is not None:
            self._last = dataclasses.replace(self._last, saved_to=str(path))
        return path

    def wait(self, timeout: float | None = None) -> bool:
        """Poll until the run has ended; True when it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.snapshot().active:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def pid(self, timeout: float = 120.0) -> int:
        """The worker process's id, once it runs (tests kill it)."""
        return ray.get(self._ready, timeout=timeout)


class RayMapFit:
    """ae.embed.MapFit's interface for a fit running as a Ray task. Ray tasks report no progress: the
    fraction stays 0 and no forming map is drawn until it is done (the page shows the PCA map meanwhile)."""

    def __init__(self, z, method, dims, settings, key_parts, cache=None, on_done=None):
        self.fraction = 0.0
        self.coords = None
        self.result: embed.LatentMap | None = None
        self.error: BaseException | None = None
        self.started = time.perf_counter()
        self.key = embed.map_key(key_parts, method, dims, settings)
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._on_done = on_done
        self._ref = _REMOTE["fit"].options(num_cpus=1).remote(np.asarray(z, np.float32), method, dims, settings,
                                                              key_parts)
        threading.Thread(target=self._wait, name=f"ray-map-{method}", daemon=True).start()

    def _wait(self) -> None:
        try:
            arrays = ray.get(self._ref)
            m = embed.LatentMap.from_arrays(arrays)
            self.result = dataclasses.replace(m, cached=False)
        except ray.exceptions.TaskCancelledError:
            self.error = RuntimeError("the map fit was cancelled")
        except ray.exceptions.RayTaskError as e:
            self.error = e.cause if isinstance(e.cause, Exception) else RuntimeError(str(e))
        except Exception as e:   # the cluster itself: the page shows the message
            self.error = RuntimeError(f"the map fit did not come back from the Ray cluster: {e}")
        finally:
            self.fraction = 1.0
            self._done.set()
            if self._on_done is not None:
                self._on_done(self)

    def cancel(self) -> None:
        self._cancel.set()
        try:
            ray.cancel(self._ref)
        except Exception:   # already finished
            pass

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> embed.LatentMap | None:
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.result


class RayExecutor(Executor):
    """Trainings and map fits on the Ray cluster at `address` ("local": a private one started here)."""
    name = "ray"

    def __init__(self, address: str, namespace: str | None = None, cpus: float | None = None,
                 workers: int | None = None, grace_s: float | None = None):
        self.address = address
        self.namespace = namespace or env.ray_namespace()
        self.cpus = cpus if cpus is not None else env.ray_cpus()
        self.workers = workers if workers is not None else env.ray_workers()
        self._grace_s = grace_s if grace_s is not None else env.run_grace_s()
        connect(address, self.namespace)

    @property
    def grace_s(self) -> float:
        return self._grace_s

    @property
    def max_running(self) -> None:
        return None

    def submit(self, model_config, train_config, dataset="fashion-mnist", *, workers=None) -> RayRun:
        job = check(model_config, train_config, dataset)   # bad settings fail here, before the cluster sees them
        workers = workers or self.workers
        token = secrets.token_urlsafe(12)   # unguessable: whoever has it may watch and save the run
        description = {"model": job.model_config.to_dict(), "train": train_config.to_dict(), "dataset": dataset,
                       "eval_limit": job.eval_limit}
        _kv("put", token, json.dumps(description).encode())
        actor = _REMOTE["actor"].options(
            name=token, namespace=self.namespace, lifetime="detached", num_cpus=self.cpus, max_restarts=0,
            max_concurrency=8,   # polls, stop and save answered while the training thread works
        ).remote(token, job.model_config, train_config, dataset, job.eval_limit, self._grace_s, workers, self.cpus)
        return RayRun(actor, token, job.model_config, train_config, dataset, job.eval_limit)

    def _actor(self, token: str):
        try:
            return ray.get_actor(token, namespace=self.namespace)
        except ValueError:   # no such actor (never, or it ended)
            return None

    def hold(self, run: RayRun, owner: str) -> str:
        run.actor.hold.remote(owner)
        return run.token

    def claim(self, token: str, owner: str) -> RayRun | None:
        actor = self._actor(token)
        if actor is None:
            return None
        raw = _kv("get", token)
        if raw is None:   # not described (another app's run?): ask the actor itself
            try:
                described = ray.get(actor.describe.remote(), timeout=CALL_TIMEOUT_S)
            except ray.exceptions.RayError:
                return None
        else:
            described = json.loads(raw)
        # the actor answers calls on several threads, so a later call may overtake this one: wait a moment
        # for it (a run still waiting for a worker answers only when it starts)
        ray.wait([actor.hold.remote(owner)], timeout=1.0)
        return RayRun(actor, token, ModelConfig.from_dict(described["model"]),
                      TrainConfig.from_dict(described["train"]), described["dataset"], described["eval_limit"])

    def release(self, token: str, owner: str) -> None:
        actor = self._actor(token)
        if actor is not None:
            actor.release.remote(owner)

    def discard(self, token: str) -> None:
        actor = self._actor(token)
        if actor is not None:
            actor.discard.remote()

    def holders(self, token: str) -> int:
        actor = self._actor(token)
        if actor is None:
            return 0
        try:
            return ray.get(actor.holders.remote(), timeout=CALL_TIMEOUT_S)
        except ray.exceptions.RayError:
            return 0

    def has(self, token: str) -> bool:
        return self._actor(token) is not None

    def map_fit(self, z, method, dims, settings, key_parts, cache=None, on_done=None) -> RayMapFit:
        return RayMapFit(z, method, dims, settings, key_parts, cache, on_done)


__all__ = ["RayExecutor", "RayRun", "RayMapFit", "TrainingActor", "DataParallelHelper", "connect", "runtime_env"]
