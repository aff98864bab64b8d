"""ae.executor: the embedded backend behind the interface the pages use (submit, hold, claim, release,
discard, holders, map fits), and the choice of backend from the environment. The Ray backend's tests
are in test_ray_backend.py."""
from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

import ae
from ae import executor, jobs
from ae.pool import QueueFull, TrainingPool
from ae.shelf import JobShelf


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def embedded(grace_s=30.0, waiting=None) -> executor.EmbeddedExecutor:
    return executor.EmbeddedExecutor(TrainingPool(1, max_waiting=waiting), JobShelf(grace_s))


def test_the_default_is_embedded_and_a_bad_address_is_refused(monkeypatch):
    monkeypatch.delenv("AE_RAY_ADDRESS", raising=False)
    assert executor.make_executor().name == "embedded"
    monkeypatch.setenv("AE_RAY_ADDRESS", "  ")   # empty counts as unset
    assert isinstance(executor.make_executor(), executor.EmbeddedExecutor)
    monkeypatch.setenv("AE_RAY_ADDRESS", "http://head:6379")
    with pytest.raises(ValueError, match="AE_RAY_ADDRESS"):
        executor.make_executor()


def test_importing_the_library_and_the_ray_backend_does_not_import_ray():
    code = "import sys, ae, ae.ray_backend, ae.executor; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ray_workers_get_the_servers_settings_with_its_folders_spelled_out(monkeypatch, tmp_path):
    """A worker's copy of ae lives in a folder of Ray's: relative folders would point there."""
    from pathlib import Path

    from ae.ray_backend import runtime_env

    monkeypatch.chdir(tmp_path)
    for name in ("AE_CACHE_DIR", "AE_USER_DATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AE_DATA_DIR", "somewhere")
    monkeypatch.setenv("AE_OFFLINE", "1")
    monkeypatch.setenv("AE_RAY_ADDRESS", "local")
    got = runtime_env()
    sent = got["env_vars"]
    assert sent["AE_DATA_DIR"] == str(tmp_path / "somewhere") and sent["AE_OFFLINE"] == "1"
    assert sent["AE_USER_DATA"] == str(tmp_path / "somewhere" / "user")
    assert Path(sent["AE_CACHE_DIR"]).is_absolute() and "AE_RAY_ADDRESS" not in sent   # the cluster's own
    assert got["py_modules"] == [str(Path(ae.__file__).resolve().parent)]


def test_submit_hold_claim_and_save_through_the_interface(tmp_path):
    ex = embedded()
    run = ex.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=1, limit=128, batch_size=32), "mnist")
    assert isinstance(run, executor.RunHandle) and isinstance(run, jobs.TrainingJob)
    token = ex.hold(run, "tab-1")
    assert ex.holders(token) == 1
    assert ex.claim(token, "tab-2") is run and ex.holders(token) == 2   # a reload, or a second tab
    assert run.wait(120)
    snap = run.snapshot()
    assert snap.status == jobs.DONE and snap.train_size == 128 and snap.can_save
    path = run.save("through_executor", tmp_path)
    assert run.snapshot().saved_to == str(path)
    assert ae.checkpoint.read_meta(path)["origin"] == "app"
    assert ex.has(token)
    ex.discard(token)
    assert not ex.has(token) and ex.claim(token, "tab-3") is None and ex.holders(token) == 0


def test_bad_settings_fail_at_submit_and_a_full_queue_says_so():
    ex = embedded(waiting=0)
    with pytest.raises(ValueError, match="learning rate"):
        ex.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(lr=5.0), "mnist")
    with pytest.raises(ValueError, match="unknown dataset"):
        executor.check(ae.ModelConfig("dense", 2), ae.TrainConfig(), "no-such-data")
    blocker = ex.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=1000, limit=256), "mnist")
    try:
        wait_for(lambda: blocker.snapshot().status == jobs.RUNNING)
        assert ex.max_running == 1
        with pytest.raises(QueueFull):
            ex.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=1), "mnist")
    finally:
        blocker.stop()
        blocker.wait(60)


def test_a_released_run_is_stopped_after_the_grace():
    ex = embedded(grace_s=0.3)
    run = ex.submit(ae.ModelConfig("dense", 2), ae.TrainConfig(epochs=1000, limit=256), "mnist")
    token = ex.hold(run, "tab")
    wait_for(lambda: run.snapshot().batches_done > 0)
    ex.release(token, "tab")
    assert run.wait(60)
    assert run.snapshot().stop_reason == "disconnected" and ex.claim(token, "late") is None


def test_map_fits_run_through_the_executor(tmp_path):
    z = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    service = ae.embed.MapService(cache=ae.embed.Cache(tmp_path), fit=embedded().map_fit)
    got = service.request("tab", z, "pca", 2, None, {"test": "executor"})
    m = got if isinstance(got, ae.embed.LatentMap) else got.wait(60)
    assert m.coords.shape == (200, 2)
    np.testing.assert_allclose(m.coords, ae.embed.fit(z, "pca", 2).coords, atol=1e-5)
