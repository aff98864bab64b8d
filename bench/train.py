"""Benchmark 1: our training loop (ae.train) against the lesson's loop on Fashion-MNIST.

The lesson's loop: a torchvision FashionMNIST dataset with ToTensor, a DataLoader (batch 64, shuffled,
two worker processes, as in the lesson), the dense 784-128-64-12-3 autoencoder, Adam 0.005, MSE.
Ours: ae.train.train, which slices batches from in-memory tensors. Both start from the same initial
weights, use the same images, epochs and torch threads; only the loop differs. Goal: at least 4x the
samples per second at batch 64 and a final test loss within 2%.

Thread settings, each measured in the same run: all cores (torch's default, which the lesson's code
gets without asking and ae.train asks for; the headline), then 1 torch thread for both loops.

    python -m bench.train [--epochs 2] [--seeds 3] [--limit N] [--workers 2] [--threads 0,1] [--quick]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import torch
from torch import nn

import ae.data
import ae.train
from ae.models import ModelConfig, build_model
from bench.common import machine, torch_threads, write_result

LESSON_LR = 0.005
LESSON_BATCH = 64
LESSON_WORKERS = 2   # the lesson's DataLoader(num_workers=2)
ALL_CORES = 0                                           # a thread count meaning "as many as cores"
QUICK = {"epochs": 1, "limit": 10_000, "seeds": (0,)}   # `python -m bench --quick`


def lesson_dataset(split: str = "train"):
    """torchvision's FashionMNIST with ToTensor, on the files ae.data already unpacked (no download)."""
    import torchvision.datasets as tvd
    import torchvision.transforms as T

    ae.data.load("fashion-mnist", split)            # makes sure the IDX files are on disk
    for root in (ae.data.data_dir(), ae.data.data_dir() / "debian"):
        try:
            return tvd.FashionMNIST(str(root), train=(split == "train"), download=False, transform=T.ToTensor())
        except RuntimeError:                        # "Dataset not found" at this root; try the next
            continue
    raise RuntimeError("no FashionMNIST files for torchvision under the data folder")


def lesson_train(model: nn.Module, loader, epochs: int, lr: float = LESSON_LR) -> list[float]:
    """The lesson's loop, as written there (flatten, forward, MSE, step); seconds per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.MSELoss()
    seconds = []
    for _ in range(epochs):
        model.train()
        t0 = time.perf_counter()
        for step, (x, label) in enumerate(loader):
            x = x.view(-1, 28 * 28)
            y = x.view(-1, 28 * 28)
            decoded = model.decode(model.encode(x)).view(-1, 28 * 28)
            loss = criterion(decoded, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - t0)
    return seconds


class SameOrder(torch.utils.data.Sampler):
    """Shuffles as DataLoader(shuffle=True) does, one random permutation per epoch, but drawn from a
    generator seeded like ae.train's: both loops then see the same batches in the same order, so a
    difference in test loss comes from the loop itself, not from a luckier shuffle (the dense z=3
    model's loss after a few epochs varies by 10-40% from one shuffle to another)."""

    def __init__(self, n: int, seed: int):
        self.n = n
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(torch.randperm(self.n, generator=self.generator).tolist())


def new_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)                         # the same initial weights for both loops
    return build_model(ModelConfig(kind="dense", latent_dim=3, hidden=(128, 64, 12)))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the DataLoader's workers are joined at
    the end of each epoch). Less disturbed than wall time by other work on a shared machine."""
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


def run_pair(train_x: torch.Tensor, trainset, test_x: torch.Tensor, epochs: int, workers: int, seed: int,
             same_order: bool = True) -> dict:
    """One seed: the lesson's loop, then ours, from the same initial weights on the same images
    (in the same order unless same_order is False)."""
    n = len(train_x)
    lesson = new_model(seed)
    torch.manual_seed(seed)
    order = {"sampler": SameOrder(n, seed)} if same_order else {"shuffle": True}
    loader = torch.utils.data.DataLoader(trainset, batch_size=LESSON_BATCH, num_workers=workers, **order)
    c0 = cpu_seconds()
    lesson_s = lesson_train(lesson, loader, epochs)
    lesson_cpu = cpu_seconds() - c0
    ours = new_model(seed)
    c0 = cpu_seconds()
    history = ae.train.train(ours, train_x, ae.train.TrainConfig(epochs=epochs, batch_size=LESSON_BATCH,
                                                                 lr=LESSON_LR, seed=seed))
    ours_cpu = cpu_seconds() - c0
    ours_s = [r.seconds for r in history]
    return {"seed": seed,
            "lesson": {"epoch_seconds": lesson_s, "samples_per_s": n * epochs / sum(lesson_s), "cpu_s": lesson_cpu,
                       "samples_per_cpu_s": n * epochs / max(lesson_cpu, 1e-9),
                       "test_loss": ae.train.evaluate(lesson, test_x)["mse"]},
            "ours": {"epoch_seconds": ours_s, "samples_per_s": n * epochs / sum(ours_s), "cpu_s": ours_cpu,
                     "samples_per_cpu_s": n * epochs / max(ours_cpu, 1e-9),
                     "test_loss": ae.train.evaluate(ours, test_x)["mse"]}}


def main(epochs: int = 2, limit: int | None = None, test_limit: int | None = None, workers: int = LESSON_WORKERS,
         seeds: tuple[int, ...] = (0, 1, 2), threads: tuple[int, ...] = (ALL_CORES, 1), same_order: bool = True,
         write: bool = True, out_dir=None) -> dict:
    """Each seed runs both loops back to back, so a burst of other work on the machine hits one pair,
    not one side: the speed-up is the median of the per-seed ratios; the test losses are compared
    by their mean over seeds (a dense z=3 model's final loss varies by several % from seed to seed).
    Every thread count in `threads` is measured; the first one gives the headline and the goals."""
    data = load_data(limit, test_limit)
    settings = []
    for n in threads:
        n = n or os.cpu_count() or 1
        with torch_threads(n):
            settings.append(_measure(data, epochs, workers, seeds, n, same_order))
    result = {**settings[0], "figures": dict(settings[0]["figures"])}
    for other in settings[1:]:
        t = other["settings"]["torch_threads"]
        result["figures"][f"speed-up with {t} torch thread(s) for both loops"] = (
            f"{other['ratio']['samples_per_s']:.1f}x (ours {other['ours']['samples_per_s']:,.0f}/s vs lesson "
            f"{other['lesson']['samples_per_s']:,.0f}/s; {other['ratio']['samples_per_cpu_s']:.1f}x per CPU-second)")
        result["headline"] += f"; with {t} thread(s): {other['ratio']['samples_per_s']:.1f}x"
    result["by_threads"] = settings
    result["machine"] = machine()
    if write:
        write_result("train", result, out_dir)
    return result


def load_data(limit: int | None, test_limit: int | None) -> dict:
    """The same images for both loops: in-memory tensors for ours, torchvision's dataset for the lesson."""
    t0 = time.perf_counter()
    train_split = ae.data.load("fashion-mnist", "train")
    test_x = ae.data.load("fashion-mnist", "test").subset(test_limit, seed=1).images
    ours_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    trainset = lesson_dataset("train")
    lesson_setup = time.perf_counter() - t0
    n = len(train_split) if limit is None else min(limit, len(train_split))
    idx = torch.randperm(len(train_split), generator=torch.Generator().manual_seed(0))[:n].sort().values
    if n < len(trainset):
        trainset = torch.utils.data.Subset(trainset, idx.tolist())
    return {"train_x": train_split.images[idx], "trainset": trainset, "test_x": test_x,
            "ours_setup": ours_setup, "lesson_setup": lesson_setup}


def _measure(data: dict, epochs, workers, seeds, threads, same_order) -> dict:
    train_x, test_x = data["train_x"], data["test_x"]
    n = len(train_x)
    runs = [run_pair(train_x, data["trainset"], test_x, epochs, workers, seed, same_order) for seed in seeds]
    ratios = [r["ours"]["samples_per_s"] / r["lesson"]["samples_per_s"] for r in runs]
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(r["ours"]["samples_per_cpu_s"] / r["lesson"]["samples_per_cpu_s"] for r in runs)
    ours_rate = statistics.median(r["ours"]["samples_per_s"] for r in runs)
    lesson_rate = statistics.median(r["lesson"]["samples_per_s"] for r in runs)
    ours_test = statistics.fmean(r["ours"]["test_loss"] for r in runs)
    lesson_test = statistics.fmean(r["lesson"]["test_loss"] for r in runs)
    loss_diff = (ours_test - lesson_test) / lesson_test
    headline = (f"train: {ratio:.1f}x samples/s (ours {ours_rate:,.0f}/s vs lesson {lesson_rate:,.0f}/s; "
                f"{cpu_ratio:.1f}x per CPU-second), "
                f"test loss ours {ours_test:.4f} vs lesson {lesson_test:.4f} ({100 * loss_diff:+.1f}%); "
                f"{epochs} epoch(s) x {n:,} images, batch {LESSON_BATCH}, {len(runs)} seed(s), "
                f"{threads} torch thread(s)")
    return {
        "headline": headline,
        "settings": {"epochs": epochs, "train_images": n, "test_images": len(test_x), "batch_size": LESSON_BATCH,
                     "lr": LESSON_LR, "model": "dense 784-128-64-12-3", "lesson_workers": workers,
                     "torch_threads": threads, "threads_in_effect": torch.get_num_threads(),
                     "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
                     "seeds": list(seeds), "same_batch_order": same_order},
        "ours": {"samples_per_s": ours_rate, "test_loss": ours_test, "setup_s": data["ours_setup"]},
        "lesson": {"samples_per_s": lesson_rate, "test_loss": lesson_test, "setup_s": data["lesson_setup"]},
        "ratio": {"samples_per_s": ratio, "samples_per_s_per_seed": ratios, "samples_per_cpu_s": cpu_ratio,
                  "test_loss": ours_test / lesson_test},
        "runs": runs,
        "goals": {"samples_per_s_ratio": 4.0, "test_loss_within": 0.02,
                  "speed_met": ratio >= 4.0, "loss_met": abs(loss_diff) <= 0.02},
        "figures": {f"speed-up (samples/s, {threads} torch thread(s))": f"{ratio:.1f}x (goal 4x)",
                    "speed-up (samples per CPU-second, workers included)": f"{cpu_ratio:.1f}x",
                    "test loss ours vs lesson": f"{ours_test:.4f} vs {lesson_test:.4f} ({100 * loss_diff:+.1f}%, goal 2%)"},
    }


def cli(argv=None) -> dict:
    p = argparse.ArgumentParser(prog="python -m bench.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="training images (default: all 60,000)")
    p.add_argument("--test-limit", type=int, default=None, help="test images (default: all 10,000)")
    p.add_argument("--workers", type=int, default=LESSON_WORKERS, help="the lesson DataLoader's num_workers")
    p.add_argument("--seeds", type=int, default=3, help="repeats with seeds 0..N-1 (default 3)")
    p.add_argument("--threads", default="0,1",
                   help="torch thread counts to measure, the first gives the headline; 0 = all cores (default 0,1)")
    p.add_argument("--own-shuffle", action="store_true",
                   help="let the lesson's DataLoader shuffle on its own (shuffle=True) instead of in ours' order")
    p.add_argument("--quick", action="store_true", help="1 epoch on 10,000 images, one seed")
    a = p.parse_args(argv)
    if a.quick:
        a.epochs, a.limit, a.seeds = 1, a.limit or 10_000, 1
    threads = tuple(int(t) for t in a.threads.split(","))
    result = main(a.epochs, a.limit, a.test_limit, a.workers, tuple(range(a.seeds)), threads, not a.own_shuffle)
    print(machine())
    print(result["headline"])
    return result


if __name__ == "__main__":
    cli()
