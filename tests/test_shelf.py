"""ae.shelf: runs that outlive a page reload, and go when their tab is gone for good."""
from __future__ import annotations

import time


import ae
from ae import jobs
from ae.pool import TrainingPool
from ae.shelf import JobShelf

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


def test_shelf_reload_takes_the_run_back_within_grace():
    shelf = JobShelf(grace_s=0.3)
    j = job(epochs=1000).start()                     # long enough to be running throughout
    token = shelf.add(j, owner="tab-1")
    assert len(token) >= 16 and token in shelf and shelf.add(j, "tab-1") != token
    shelf.release(token, "tab-1")                    # the page reloads: the old session ends...
    assert shelf.claim(token, "tab-2") is j          # ...and the new one brings the token back
    time.sleep(0.6)                                  # past the grace: claimed, so it must still run
    assert j.snapshot().status in jobs.ACTIVE and not j.stop_requested and token in shelf
    shelf.release(token, "tab-1")                    # a late goodbye from the old session changes nothing
    assert shelf.claim(token, "tab-3") is j          # a second tab opens the same address
    shelf.release(token, "tab-2")                    # one of the two closes: the other still shows it
    time.sleep(0.6)
    assert not j.stop_requested
    shelf.release(token, "tab-3")                    # now the last holder leaves for good
    wait_for(lambda: token not in shelf, timeout=5)
    assert j.wait(30) and j.snapshot().stop_reason == "disconnected" and j.snapshot().can_save
    assert shelf.claim(token, "tab-4") is None       # gone: the page says so


def test_shelf_keeps_a_finished_run_until_grace_and_discard_forgets_now():
    shelf = JobShelf(grace_s=0.2)
    done = job().start()
    assert done.wait(60)
    token = shelf.add(done, "tab-1")
    shelf.release(token, "tab-1")
    assert shelf.claim(token, "tab-2") is done and done.snapshot().status == jobs.DONE  # still saveable
    shelf.release(token, "tab-2")
    wait_for(lambda: token not in shelf, timeout=5)
    assert done.snapshot().status == jobs.DONE      # stopping a finished run changes nothing
    other = shelf.add(done, "tab-1")
    shelf.discard(other)
    assert other not in shelf and len(shelf) == 0 and shelf.claim(other, "tab-1") is None
