"""ae.pool: the bounded FIFO pool of background trainings, and its capped queue."""
from __future__ import annotations

import time

import pytest

import ae
from ae import jobs
from ae.pool import QueueFull, TrainingPool

TRAIN = ae.data.synthetic(256)
TEST = ae.data.synthetic(64, seed=1)


def job(pool=None, *, epochs=1, kind="dense", latent_dim=3, **train) -> jobs.TrainingJob:
    return jobs.TrainingJob(ae.ModelConfig(kind=kind, latent_dim=latent_dim),
                            ae.TrainConfig(epochs=epochs, batch_size=32, **train),
                            train_split=TRAIN, test_split=TEST, pool=pool or TrainingPool(1))


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_pool_bound_fifo_and_position():
    pool = TrainingPool(1)
    first = job(pool, epochs=1000).start()
    wait_for(lambda: first.snapshot().status == jobs.RUNNING)
    second, third = job(pool).start(), job(pool).start()
    wait_for(lambda: pool.waiting == 2)
    assert second.snapshot().status == jobs.QUEUED and second.snapshot().position == 1
    assert third.snapshot().position == 2
    assert pool.running == 1
    first.stop()
    assert second.wait(60) and third.wait(60)
    assert second.snapshot().status == third.snapshot().status == jobs.DONE
    assert second.snapshot().position is None and pool.running == 0 and pool.waiting == 0


def test_two_at_once_when_allowed():
    pool = TrainingPool(2)
    a, b = job(pool, epochs=1000).start(), job(pool, epochs=1000).start()
    wait_for(lambda: a.snapshot().status == b.snapshot().status == jobs.RUNNING)
    assert pool.running == 2 and pool.waiting == 0
    a.stop(), b.stop()
    assert a.wait(60) and b.wait(60)



def test_a_full_queue_refuses_at_once_and_frees_its_places():
    pool = TrainingPool(1, max_waiting=2)
    first = job(pool, epochs=1000).start()
    wait_for(lambda: first.snapshot().status == jobs.RUNNING)
    waiting = [job(pool).start(), job(pool).start()]
    extra = job(pool)
    with pytest.raises(QueueFull, match="full"):
        extra.start()
    assert pool.waiting == 2 and extra.snapshot().status == jobs.QUEUED
    waiting[0].stop()
    assert waiting[0].wait(10)
    again = job(pool).start()            # a place came free
    assert again.snapshot().position == 2
    first.stop()
    assert all(j.wait(60) for j in (first, waiting[1], again))


def test_queued_runs_hold_no_model_until_their_turn():
    pool = TrainingPool(1)
    first = job(pool, epochs=1000).start()
    wait_for(lambda: first.snapshot().status == jobs.RUNNING)
    queued = job(pool).start()
    wait_for(lambda: queued.snapshot().position == 1)
    assert queued._model is None and not queued._built     # nothing allocated while it waits
    first.stop()
    assert queued.wait(60) and queued.snapshot().status == jobs.DONE and queued._model is not None
