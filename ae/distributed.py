"""Data-parallel training with torch DistributedDataParallel (DDP): N processes ("ranks") train one
model, each on its share of every batch, and average their gradients after each backward pass.

`ae.train.train(..., group=Group)` does the rest. Every rank draws the same shuffled order, the same
shifts and the same noise for the whole batch from the run's seed (one generator, advanced alike on
every rank) and keeps its slice of it; DDP averages the slices' gradients, which is the gradient of
the whole batch. So N ranks with batch size B follow the path of one process with batch size B (up
to the order of floating-point sums; a VAE's sampling noise differs), and `--batch-size` keeps its
meaning: it is the global batch. Rank 0 evaluates, reports and saves.

Processes come from `torchrun --nproc-per-node N python -m ae train ...` (`from_env`), or from Ray
workers that call `join` with an address (ae.ray_backend). Backends: gloo on the CPU, NCCL on GPUs.
Knows nothing about Streamlit.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import torch
import torch.distributed as dist
from torch import Tensor, nn

TIMEOUT = timedelta(minutes=10)   # a rank that is gone fails the others' next collective, not this


class _Loss(nn.Module):
    """The model's loss as a forward pass: DDP synchronises gradients only for what runs in forward()."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x_in: Tensor, target: Tensor) -> dict[str, Tensor]:
        return self.model.loss(x_in, target=target)


@dataclass
class Group:
    """This process's place among the ranks of one data-parallel training (the process group is set up)."""
    rank: int
    world: int
    backend: str
    local_rank: int = 0

    @property
    def leader(self) -> bool:
        """Rank 0: the one that evaluates, reports progress and saves."""
        return self.rank == 0

    @property
    def device(self) -> torch.device:
        return torch.device("cuda", torch.cuda.current_device()) if self.backend == "nccl" else torch.device("cpu")

    def wrap(self, model: nn.Module) -> Callable[..., dict[str, Tensor]]:
        """The model's loss behind DDP (rank 0's weights are copied to every rank here)."""
        ids = [self.device.index] if self.backend == "nccl" else None
        return nn.parallel.DistributedDataParallel(_Loss(model), device_ids=ids)

    def part(self, x: Tensor) -> Tensor:
        """This rank's slice of a batch every rank holds whole."""
        return x.tensor_split(self.world)[self.rank]

    def _reduce(self, values: list[float], op) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        dist.all_reduce(t, op=op)
        return t.tolist()

    def agree(self, loss: float, stop: bool) -> tuple[float, bool]:
        """Every rank's view of this batch: the largest loss (NaN counts as infinite), and whether any
        rank was asked to stop. Ranks must decide alike, or one would wait for the others for ever."""
        worst, stop_any = self._reduce([loss if math.isfinite(loss) else math.inf, float(stop)], dist.ReduceOp.MAX)
        return worst, stop_any > 0

    def any(self, flag: bool) -> bool:
        return self._reduce([float(flag)], dist.ReduceOp.MAX)[0] > 0

    def total(self, sums: dict[str, float], seen: int) -> tuple[dict[str, float], int]:
        """Sums of the loss terms and image counts over every rank (each rank has the same keys)."""
        keys = sorted(sums)
        out = self._reduce([sums[k] for k in keys] + [float(seen)], dist.ReduceOp.SUM)
        return dict(zip(keys, out[:-1])), int(out[-1])

    def close(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()


def backend() -> str:
    """NCCL when this machine has a GPU for torch, else gloo."""
    return "nccl" if torch.cuda.is_available() else "gloo"


def _threads_per_rank(local_world: int) -> None:
    """Ranks on one machine share its cores: without AE_TORCH_THREADS each would take them all."""
    if not os.environ.get("AE_TORCH_THREADS"):
        os.environ["AE_TORCH_THREADS"] = str(max(1, (os.cpu_count() or 1) // max(1, local_world)))


def from_env() -> Group | None:
    """The group torchrun describes in the environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
    MASTER_PORT), set up now; None when this process is not one of several."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return None
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    _threads_per_rank(int(os.environ.get("LOCAL_WORLD_SIZE", str(world))))
    kind = backend()
    if kind == "nccl":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(kind, timeout=TIMEOUT)
    return Group(rank, world, kind, local_rank)


def join(address: str, rank: int, world: int, kind: str | None = None, local_rank: int = 0,
         local_world: int = 1) -> Group:
    """Join the group that meets at `address` ("tcp://HOST:PORT", served by rank 0); blocks until every
    rank has joined."""
    kind = kind or backend()
    _threads_per_rank(local_world)
    if kind == "nccl":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(kind, init_method=address, rank=rank, world_size=world, timeout=TIMEOUT)
    return Group(rank, world, kind, local_rank)


__all__ = ["Group", "backend", "from_env", "join"]
