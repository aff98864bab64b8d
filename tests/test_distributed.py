"""ae.distributed: two gloo ranks on 127.0.0.1 take the same steps as one process on the same batches,
stop together, and `torchrun -m ae train` writes one checkpoint with the loss of a single process (trained here,
with the settings the checkpoint records)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
import torch.multiprocessing as mp

import ae
from ae import distributed
from ae.train import TrainConfig, train
from tests.live import free_port

ROOT = Path(__file__).resolve().parents[1]
CONFIG = TrainConfig(epochs=1, batch_size=64, seed=3)
LOCAL = {"GLOO_SOCKET_IFNAME": "lo", "MASTER_ADDR": "127.0.0.1"}   # gloo on the loopback only


def fresh_model() -> ae.models.Autoencoder:
    torch.manual_seed(0)   # every rank, and the single process, start from the same weights
    return ae.build_model(ae.ModelConfig("dense", 3, hidden=(64, 16)))


def _rank(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(LOCAL, AE_TORCH_THREADS="1")
    group = distributed.join(f"tcp://127.0.0.1:{port}", rank, world, "gloo")
    try:
        x = ae.data.synthetic(200).images
        model = fresh_model()
        history = train(model, x, CONFIG, test_x=x if group.leader else None, group=group)
        # a second run that rank 0 asks to stop at its third batch: every rank must stop there too
        calls = []
        stopped = train(fresh_model(), x, TrainConfig(epochs=5, batch_size=32), group=group,
                        on_batch=(lambda done, total: calls.append(done) or done >= 3) if group.leader else None)
        torch.save({"state": model.state_dict(), "history": [h.to_dict() for h in history],
                    "stopped_epochs": len(stopped)}, f"{out}.{rank}")
    finally:
        group.close()


def test_two_ranks_take_the_same_steps_as_one_process(tmp_path):
    x = ae.data.synthetic(200).images
    alone = fresh_model()
    history = train(alone, x, CONFIG, test_x=x)
    out = str(tmp_path / "rank")
    ctx = mp.spawn(_rank, args=(2, free_port(), out), nprocs=2, join=False)
    while not ctx.join(timeout=120):   # a rank left waiting for the other would hang here: fail instead
        pass
    ranks = [torch.load(f"{out}.{r}", weights_only=True) for r in range(2)]
    # the same global batch of 64, split 32 + 32: the averaged gradient is the whole batch's
    for name, value in alone.state_dict().items():
        torch.testing.assert_close(ranks[0]["state"][name], value, atol=2e-5, rtol=1e-4)
        torch.testing.assert_close(ranks[1]["state"][name], ranks[0]["state"][name])   # DDP keeps ranks equal
    torch.testing.assert_close(ranks[0]["history"][0]["train_loss"], history[0].train_loss, rtol=1e-4, atol=0)
    torch.testing.assert_close(ranks[0]["history"][0]["test_loss"], history[0].test_loss, rtol=1e-4, atol=0)
    assert ranks[1]["history"][0]["test_loss"] is None                 # rank 1 does not evaluate
    assert ranks[0]["stopped_epochs"] == ranks[1]["stopped_epochs"] == 1


def test_torchrun_trains_like_one_process_and_writes_one_checkpoint(tmp_path):
    env = {**os.environ, **LOCAL, "AE_TORCH_THREADS": "1", "OMP_NUM_THREADS": "1"}
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", "2",
                          "--master-addr", "127.0.0.1", "--master-port", str(free_port()), "-m", "ae", "train",
                          "--dataset", "mnist", "--limit", "512", "--epochs", "2", "--batch-size", "64",
                          "--out", str(tmp_path / "two")], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert two.returncode == 0, two.stdout[-2000:] + two.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["two"]
    files = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert len(files) == 2 and files[0] == "config.json" and files[1].endswith(".safetensors"), files
    assert two.stdout.count("saved ") == 1 and "2 ranks (gloo)" in two.stdout   # rank 0 alone speaks and saves
    ddp = json.loads((tmp_path / "two" / "config.json").read_text())
    assert ddp["data_parallel"] == {"ranks": 2, "backend": "gloo"}
    assert ddp["dataset"]["train_size"] == 512 and len(ddp["history"]) == 2

    # one process, here, with the settings the checkpoint records and the CLI's seeding (`python -m ae
    # train` without torchrun: test_cli covers that command): --seed fixes the first weights, and the same
    # batches give the same steps; only the order of floating-point sums differs (measured: 0.08088842
    # against 0.08088843)
    config = TrainConfig.from_dict(ddp["train"])
    torch.manual_seed(config.seed)
    model = ae.build_model(ae.models.ModelConfig.from_dict(ddp["model"]))
    history = train(model, ae.data.load("mnist", "train").images, config, test_x=ae.data.load("mnist", "test").images)
    a, b = history[-1].test_loss, ddp["history"][-1]["test_loss"]
    assert abs(a - b) / a < 0.005, (a, b)
    assert ddp["metrics"]["test"]["mse"] > 0
