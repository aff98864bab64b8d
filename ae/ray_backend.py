"""The Ray backend of ae.executor: each training a named Ray actor (its record) with a Ray task that
trains it; map fits as Ray tasks.

Chosen when $AE_RAY_ADDRESS is set; ray is imported only then (`connect`), so the embedded default
needs nothing of it.

A run is two things on the cluster:
  - its record, a small detached actor named by the run token in the app's namespace
    ($AE_RAY_NAMESPACE), asking for no CPU so that it starts at once: any app server finds it by that
    name after a reload, and progress, stop and save are calls to it. It holds an ae.jobs.TrainingJob
    that never trains itself but mirrors the run (`TrainingJob.mirror`), so it draws the same
    JobSnapshot as the embedded backend and saves through the same TrainingJob.save;
  - its training, a Ray task asking for $AE_RAY_CPUS CPUs: Ray starts it when a node has them free
    (until then the run shows as queued) and gives them back the moment it ends, while the record
    keeps the result for the page. The task runs an ordinary TrainingJob and reports to its record
    twice a second (the whole snapshot when there is something new to draw, else a few numbers); the
    answer says whether to stop. With $AE_RAY_WORKERS > 1 it trains data-parallel (ae.distributed)
    with that many helper tasks.

The record also keeps who watches the run (sessions of any server): when nobody has for the grace of
the server that started it ($AE_RUN_GRACE_S), it stops the run and ends itself, as the embedded shelf
drops a closed tab's run. A training process that dies (killed, out of memory, its machine gone) shows
the run as failed with WORKER_LOST; saves go through ae.checkpoint.save_trained in the record's process
(atomic: a process killed half-way leaves no checkpoint), into the folder the page names, which every
node must see at the same path (a shared folder). Knows nothing about Streamlit.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import threading
import time
from pathlib import Path

import numpy as np
import torch

from . import checkpoint, data, distributed, embed, env, userdata
from .executor import HELPER_LOST, SAVE_LOST, WORKER_LOST, Executor, WorkerLost, check
from .jobs import FAILED, QUEUED, STOPPED, JobSnapshot, TrainingJob
from .models import ModelConfig, build_model
from .pool import TrainingPool
from .train import TrainConfig

CALL_TIMEOUT_S = 10.0        # a busy record's answer: the page shows what it had meanwhile
REPORT_EVERY_S = 0.5         # how often a training tells its record where it is
LIGHT = ("status", "epoch", "batches_done", "batches_total", "elapsed_s", "eta_s", "error", "stop_reason",
         "saved_to")         # what changes between versions: all that travels when nothing was drawn anew

ray = None                   # the module, once connect() imported it
_REMOTE: dict[str, object] = {}


# ---------------------------------------------------------------- the cluster

def runtime_env() -> dict:
    """What every worker gets: this server's `ae` package (so workers run the same code; torch and the
    other requirements must be installed on every node) and its AE_* settings, with its data, uploaded
    data and map cache folders spelled out (a worker's copy of `ae` lives in a temporary folder of Ray's,
    and would look for them there)."""
    forwarded = {k: v for k, v in os.environ.items()
                 if (k.startswith("AE_") and not k.startswith("AE_RAY_")) or k in ("OMP_WAIT_POLICY",
                                                                                     "GLOO_SOCKET_IFNAME")}
    forwarded["AE_DATA_DIR"] = str(data.data_dir().resolve())   # relative ones, too, as the server reads them
    forwarded["AE_CACHE_DIR"] = str(embed.cache_dir().resolve())
    forwarded["AE_USER_DATA"] = str(userdata.user_data_dir().resolve())   # uploaded datasets (user:NAME)
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
    """Import ray and make the remote functions and classes: on the app server (connect) and in a worker
    process, which imports this module afresh."""
    global ray
    if ray is None:
        import ray as ray_module
        ray = ray_module
    if not _REMOTE:
        _REMOTE["record"] = ray.remote(RunRecord)
        _REMOTE["train"] = ray.remote(_train_run)
        _REMOTE["helper"] = ray.remote(_train_helper)
        _REMOTE["fit"] = ray.remote(_fit_map)


def _threads(cpus: float) -> None:
    """As many torch threads as CPUs asked for, unless AE_TORCH_THREADS says otherwise."""
    if not os.environ.get("AE_TORCH_THREADS"):
        os.environ["AE_TORCH_THREADS"] = str(max(1, int(cpus)))
    torch.set_num_threads(env.torch_threads())


# ---------------------------------------------------------------- inside the cluster: the record

class RunRecord:
    """A run as the pages see it: the mirror of its training, who watches it, stop, save and its end."""

    def __init__(self, token: str, model_config: ModelConfig, train_config: TrainConfig, dataset: str,
                 eval_limit: int | None, grace_s: float, workers: int = 1, cpus: float = 1.0):
        _register()
        torch.set_num_threads(1)          # a record only unpickles snapshots and, when asked, saves
        self.token, self.grace_s = token, grace_s
        self.job = TrainingJob(model_config, train_config, dataset, pool=TrainingPool(1), eval_limit=eval_limit)
        self._lock = threading.Lock()
        self._holders: set[str] = set()
        self._timer: threading.Timer | None = None
        self._trainer_pid: int | None = None
        self._helper_ranks: list[int] = []
        me = ray.get_runtime_context().current_actor
        self._ranks = None
        options = {"num_cpus": cpus, "max_retries": 0}
        if workers > 1:   # every rank's CPUs at once: ranks started one by one could wait for each other for ever
            self._ranks = ray.util.placement_group([{"CPU": cpus}] * workers, strategy="PACK")
            options["scheduling_strategy"] = _in(self._ranks, 0)
        self._task = _REMOTE["train"].options(**options).remote(
            me, model_config, train_config, dataset, eval_limit, workers, cpus, self._ranks)
        self._ended = threading.Event()
        threading.Thread(target=self._watch, name="ae-run-watch", daemon=True).start()
        self._arm()   # held by nobody yet: the page that submitted it holds it next, or it goes

    def ready(self) -> int:
        """Answered once the record runs: its process id."""
        return os.getpid()

    def describe(self) -> dict:
        job = self.job
        return {"model": job.model_config, "train": job.train_config, "dataset": job.dataset,
                "eval_limit": job.eval_limit}

    # ---- the training reports; the pages poll

    def report(self, snap: JobSnapshot | dict, pid: int) -> str | None:
        """The training's latest state (a whole snapshot, or only LIGHT's fields); returns why to stop, if
        someone asked."""
        self._trainer_pid = pid
        if isinstance(snap, dict):
            snap = dataclasses.replace(self.job.snapshot(), **snap)
        if not self._ended.is_set():   # a late report must not undo the outcome
            self.job.mirror(snap)
        return self.job.snapshot().stop_reason if self.job.stop_requested else None

    def poll(self, version: int) -> JobSnapshot | dict:
        """The run's snapshot; only LIGHT's fields when `version` is current."""
        snap = self.job.snapshot()
        if snap.version == version:
            return {name: getattr(snap, name) for name in LIGHT}
        return snap

    def trainer_pid(self) -> int | None:
        """The training process's id, once it has reported (tests kill it)."""
        return self._trainer_pid

    def helpers(self) -> list[int]:
        """The ranks of the data-parallel helpers that trained with this run, once it has ended."""
        return self._helper_ranks

    def _watch(self) -> None:
        """Wait for the training task: its outcome (the model, to save) or why it is gone."""
        snap = None
        try:
            outcome = ray.get(self._task)
        except ray.exceptions.TaskCancelledError:   # stopped while waiting for a worker
            snap = dataclasses.replace(self.job.snapshot(), status=STOPPED, eta_s=None)
        except ray.exceptions.RayTaskError as e:    # cannot happen unless the code is wrong: say what it was
            snap = dataclasses.replace(self.job.snapshot(), status=FAILED, eta_s=None,
                                       error=f"{type(e.cause).__name__}: {e.cause}")
        except ray.exceptions.RayError:             # the process died: killed, out of memory, node gone
            snap = dataclasses.replace(self.job.snapshot(), status=FAILED, eta_s=None, error=WORKER_LOST)
        else:
            snap, weights, self._helper_ranks = outcome["snapshot"], outcome["weights"], outcome["helpers"]
            model = None
            if weights is not None:
                model = build_model(self.job.model_config)
                model.load_state_dict(weights)
                model.eval()
            self.job.model = model
        finally:
            if self._ranks is not None:
                ray.util.remove_placement_group(self._ranks)
            self._ended.set()
            if snap is not None:
                self.job.mirror(snap)

    def stop(self, reason: str = "user") -> None:
        self.job.stop(reason)                       # the training learns of it at its next report
        if self._trainer_pid is None and not self._ended.is_set():   # not started yet: it will not be
            try:
                ray.cancel(self._task)
            except Exception:                       # it ended meanwhile
                pass

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
        """Stop the run, let its training end, and end this record (its name is free, the run is gone)."""
        def finish():
            self.stop(reason)
            self._ended.wait(120)
            ray.kill(ray.get_runtime_context().current_actor, no_restart=True)
        threading.Thread(target=finish, name="ae-run-end", daemon=True).start()


# ---------------------------------------------------------------- inside the cluster: the training

def _train_run(record, model_config: ModelConfig, train_config: TrainConfig, dataset: str,
               eval_limit: int | None, workers: int, cpus: float, ranks=None) -> dict:
    """A Ray task: train the run in this process, reporting to its record; returns the outcome."""
    _register()
    _threads(cpus)
    job = TrainingJob(model_config, train_config, dataset, pool=TrainingPool(1), eval_limit=eval_limit)
    helpers: list = []
    if workers > 1:
        job.data_parallel = lambda: _group(job, workers, cpus, helpers, ranks)
    job.start()
    pid, sent = os.getpid(), None
    try:
        while True:
            ended = job.wait(REPORT_EVERY_S)
            snap = job.snapshot()
            if ended:
                break
            try:
                reason = ray.get(record.report.remote(snap if snap.version != sent else
                                                      {name: getattr(snap, name) for name in LIGHT}, pid))
            except ray.exceptions.RayActorError:   # the record is gone: nobody can see or save this run
                reason = "disconnected"
            sent = snap.version
            if reason and not job.stop_requested:
                job.stop(reason)
    finally:   # cancelled (ray.cancel): the thread must not train on in this pooled worker process
        if not job.wait(0):
            job.stop("cancelled")
            job.wait(60)
    ranks = []
    for ref in helpers:
        try:
            ranks.append(ray.get(ref))
        except ray.exceptions.RayError:
            if snap.status == FAILED:   # gloo's socket error says less than this
                snap = dataclasses.replace(snap, error=HELPER_LOST)
    model = job.model if snap.can_save else None
    weights = {k: v.detach().cpu() for k, v in model.state_dict().items()} if model is not None else None
    return {"snapshot": snap, "weights": weights, "helpers": ranks}


def _group(job: TrainingJob, workers: int, cpus: float, helpers: list, ranks) -> distributed.Group:
    """Start the helpers (ranks 1..workers-1, in their places of the run's placement group) and meet them:
    called by the job at its turn."""
    host = ray.util.get_node_ip_address()
    address = f"tcp://{host}:{_free_port(host)}"
    for rank in range(1, workers):
        where = {"scheduling_strategy": _in(ranks, rank)} if ranks is not None else {}
        helpers.append(_REMOTE["helper"].options(num_cpus=cpus, max_retries=0, **where).remote(
            address, rank, workers, job.model_config, job.train_config, job.dataset, cpus))
    return distributed.join(address, 0, workers, "gloo")


def _in(group, bundle: int):
    """Scheduling into one bundle (the CPUs of one rank) of a placement group."""
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    return PlacementGroupSchedulingStrategy(group, placement_group_bundle_index=bundle)


def _train_helper(address: str, rank: int, world: int, model_config: ModelConfig, train_config: TrainConfig,
                  dataset: str, cpus: float) -> int:
    """Rank 1.. of a data-parallel training (a Ray task): the same images and settings, its slice of each
    batch; DDP copies rank 0's weights at the start."""
    from .train import train

    _threads(cpus)
    group = distributed.join(address, rank, world, "gloo")
    try:
        train(build_model(model_config), data.load(dataset, "train").images, train_config, group=group)
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
    """A page's handle on a run's record: snapshot(), stop(), save() as for an embedded TrainingJob."""

    def __init__(self, actor, token: str, model_config: ModelConfig, train_config: TrainConfig, dataset: str,
                 eval_limit: int | None):
        self.actor, self.token = actor, token
        self.model_config, self.train_config = model_config, train_config
        self.dataset, self.eval_limit = dataset, eval_limit
        self._ready = actor.ready.remote()   # one call per handle: answered once the record's process runs
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
        """What the page shows once the record's process is gone: the last figures, marked failed."""
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
        self.actor.stop.remote(reason)   # a run still waiting for a worker is cancelled

    @property
    def stop_requested(self) -> bool:
        return self._stop_asked or (self._last is not None and self._last.active and self._last.stop_reason is not None)

    def save(self, name: str, root: str | os.PathLike, *, overwrite: bool = False) -> Path:
        checkpoint.check_name(name)
        try:
            # spelled out: the record's process has a working folder of Ray's
            path = Path(ray.get(self.actor.save.remote(name, str(Path(root).resolve()), overwrite)))
        except ray.exceptions.RayTaskError as e:   # the record's own error (CheckpointExists, ValueError): as is
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
        """The training process's id, once it has reported (tests kill it)."""
        deadline = time.monotonic() + timeout
        while (pid := ray.get(self.actor.trainer_pid.remote(), timeout=timeout)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the training did not start")
            time.sleep(0.1)
        return pid


class RayMapFit(embed.MapFit):
    """ae.embed.MapFit for a fit running as a Ray task. Ray tasks report no progress: the fraction stays
    0 and no forming map is drawn until it is done (the page shows the PCA map meanwhile)."""

    def _start(self, z, method, dims, settings, key_parts, cache) -> None:
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
            self._finish()

    def cancel(self) -> None:
        super().cancel()
        try:
            ray.cancel(self._ref)
        except Exception:   # already finished
            pass


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
        actor = _REMOTE["record"].options(
            name=token, namespace=self.namespace, lifetime="detached", max_restarts=0,
            num_cpus=0,                 # starts at once, wherever; its training asks for the CPUs
            max_concurrency=16,         # polls, reports, stop and save answered side by side
            scheduling_strategy="SPREAD",   # records hold memory (torch): not all on the app server's node
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
        try:
            described = ray.get(actor.describe.remote(), timeout=CALL_TIMEOUT_S)
            # the record answers on several threads, so a later call could overtake this one: wait for it
            ray.get(actor.hold.remote(owner), timeout=CALL_TIMEOUT_S)
        except ray.exceptions.RayError:   # ended meanwhile, or not answering
            return None
        return RayRun(actor, token, described["model"], described["train"], described["dataset"],
                      described["eval_limit"])

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


__all__ = ["RayExecutor", "RayRun", "RayMapFit", "RunRecord", "connect", "runtime_env"]
