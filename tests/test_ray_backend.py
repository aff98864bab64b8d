"""ae.ray_backend on a local Ray head of the tests' own (127.0.0.1, 2 CPUs): a run as a named record actor
with a training task: runs beyond the CPUs wait, a training process killed mid-run shows its run failed,
leaves the checkpoint folder as it was and gives its CPUs to the waiting run, which is claimed by token,
saved and dropped after the grace; map fits as Ray tasks; a data-parallel run over two Ray workers
reserved at once.
The two-servers browser test is test_browser_ray.py."""
from __future__ import annotations

import os
import secrets
import signal
import time

import numpy as np
import pytest
import torch

import ae
from ae import jobs
from ae.executor import WORKER_LOST
from tests.cluster import ray_available

# not importorskip: ray must not be imported before the cluster fixture has set its environment
pytestmark = pytest.mark.skipif(not ray_available(),
                                reason="ray is not installed: pip install -r requirements-dev.txt (make test does)")

GRACE_S = 3.0


@pytest.fixture(scope="module")
def cluster(ray_head):
    """This test process as a driver of the tests' head, in a namespace of its own."""
    saved = {k: os.environ.get(k) for k in ray_head.env}
    os.environ.update(ray_head.env)   # the head's token, and the loopback address: before ray is imported
    import ray

    from ae.ray_backend import RayExecutor

    ex = RayExecutor(ray_head.address, namespace=f"ae-test-{secrets.token_hex(4)}", cpus=1, workers=1,
                     grace_s=GRACE_S)
    yield ex
    ray.shutdown()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def tree(root):
    """Every file under root with its bytes: what a test compares before and after."""
    return sorted((str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*") if p.is_file())


def test_a_run_waits_for_a_cpu_is_found_by_its_token_saved_and_dropped_after_the_grace(cluster, tmp_path):
    """Both CPUs taken by one long run; a second run waits for them (a record answers at once, its training
    task waits); the long run's training process is killed: that run says failed, the checkpoint folder
    is untouched, its CPUs go to the waiting run, which finishes and is claimed, saved and, once nobody
    holds it, dropped."""
    from ae.ray_backend import RayExecutor

    torch.manual_seed(0)
    ae.checkpoint.save(tmp_path / "kept", ae.build_model(ae.ModelConfig("dense", 2)), dataset={"name": "mnist"})
    before = tree(tmp_path)
    wide = RayExecutor(cluster.address, namespace=cluster.namespace, cpus=2, grace_s=GRACE_S)   # the same cluster
    blocker = wide.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=500, limit=2000), "mnist")
    wide.hold(blocker, "tab-0")
    pid = blocker.pid()
    wait_for(lambda: blocker.snapshot().batches_done > 3)
    run = cluster.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=2, limit=256, batch_size=32), "mnist")
    token = cluster.hold(run, "tab-1")
    assert token == run.token
    time.sleep(2)
    waiting = run.snapshot()                               # no CPU free: it waits, and says so
    assert waiting.status == jobs.QUEUED and waiting.position is None and waiting.batches_done == 0

    seen = blocker.snapshot()
    os.kill(pid, signal.SIGKILL)                           # the training process dies mid-run
    wait_for(lambda: blocker.snapshot().status == jobs.FAILED, timeout=60)
    dead = blocker.snapshot()
    assert dead.error == WORKER_LOST and not dead.active and not dead.can_save
    # its last figures stay (the training may have reported once more between our poll and the kill)
    assert dead.batches_done >= seen.batches_done and seen.history
    assert dead.history[:len(seen.history)] == seen.history
    with pytest.raises(ValueError, match="failed"):
        blocker.save("never_written", tmp_path)
    assert tree(tmp_path) == before                        # nothing half-written, nothing removed
    again = wide.claim(blocker.token, "reload")            # a reload still finds it, and what happened
    assert again is not None and again.snapshot().error == WORKER_LOST
    wide.discard(blocker.token)

    assert run.wait(180)                                   # the dead run's CPUs went to the waiting one
    snap = run.snapshot()
    assert snap.status == jobs.DONE, snap.error
    assert [h["epoch"] for h in snap.history] == [1, 2] and snap.train_size == 256
    assert snap.recon.shape == snap.originals.shape == (8, 1, 28, 28) and snap.latent.shape[1] == 2
    import ray

    light = ray.get(run.actor.poll.remote(snap.version))   # nothing new since: only the scalars travel
    assert set(light) == {"status", "epoch", "batches_done", "batches_total", "elapsed_s", "eta_s", "error",
                          "stop_reason", "saved_to"}

    other = cluster.claim(token, "tab-2")                  # another server (or a reload) finds it by name
    assert other is not None and other is not run and cluster.holders(token) == 2
    assert other.model_config == run.model_config and other.train_config == run.train_config
    assert other.snapshot().history == snap.history
    path = other.save("from_ray", tmp_path)                # the record writes, through TrainingJob.save
    model, meta = ae.checkpoint.load(path)
    assert meta["origin"] == "app" and meta["dataset"]["train_size"] == 256 and len(meta["history"]) == 2
    assert other.snapshot().saved_to == str(path) and run.snapshot().saved_to == str(path)
    with pytest.raises(ae.checkpoint.CheckpointExists):    # the record's own error type comes back
        run.save("from_ray", tmp_path)

    cluster.release(token, "tab-1")
    cluster.release(token, "tab-2")
    wait_for(lambda: not cluster.has(token), timeout=GRACE_S + 60)   # nobody came back: it ended
    assert cluster.claim(token, "late") is None and cluster.holders(token) == 0


def test_map_fits_are_ray_tasks(cluster, tmp_path):
    from ae.ray_backend import RayMapFit

    z = np.random.default_rng(0).normal(size=(300, 4)).astype(np.float32)
    service = ae.embed.MapService(cache=ae.embed.Cache(tmp_path), fit=cluster.map_fit)
    fit = service.request("tab", z, "pca", 2, None, {"test": "ray"})
    assert isinstance(fit, RayMapFit)
    m = fit.wait(120)
    np.testing.assert_allclose(m.coords, ae.embed.fit(z, "pca", 2).coords, atol=1e-4)
    assert service.get(fit.key) is not None                # kept for the next session that asks
    bad = service.request("tab", np.full((10, 4), np.nan, np.float32), "pca", 2, None, {"test": "nan"})
    with pytest.raises(ValueError, match="NaN"):           # the task's error, as the page would show it
        bad.wait(120)


def test_a_run_with_two_workers_trains_data_parallel_with_its_cpus_reserved_at_once(cluster):
    """A 2-worker run's ranks get their CPUs together (a placement group of one bundle per rank), so that two
    such runs can never each hold a rank's CPU while their helpers wait for the other's; the group is
    removed when the run ends."""
    import ray

    def groups():
        return [g for g in ray.util.placement_group_table().values() if g["state"] != "REMOVED"]

    assert groups() == []
    run = cluster.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=2, limit=512, batch_size=64), "mnist",
                         workers=2)
    cluster.hold(run, "tab")
    wait_for(lambda: groups() != [], timeout=60)             # made by its record, before its training starts
    (group,) = groups()
    assert list(group["bundles"].values()) == [{"CPU": 1.0}, {"CPU": 1.0}] and group["strategy"] == "PACK"
    assert run.wait(240)
    snap = run.snapshot()
    assert snap.status == jobs.DONE, snap.error
    assert snap.train_size == 512 and len(snap.history) == 2
    assert snap.history[1]["train_loss"] < snap.history[0]["train_loss"]
    assert ray.get(run.actor.helpers.remote()) == [1]      # rank 1 trained beside it, and finished
    wait_for(lambda: groups() == [], timeout=30)           # its CPUs are free again
    cluster.discard(run.token)
