"""Training loop shared by every model kind, plus evaluation. Knows nothing about Streamlit.

Batches are sliced from in-memory tensors (no per-sample DataLoader), which is what makes it fast.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from . import metrics
from .env import torch_threads
from .models import Autoencoder
from .noise import NOISES, corrupt


# Learning-rate factor by the fraction of the run done (0 at the first batch, 1 after the last).
# A constant rate leaves the last epochs jumping around the minimum (a denoiser's test PSNR moved by
# 0.3-0.5 dB from one epoch to the next); a cosine decay lets them settle.
SCHEDULES: dict[str, Callable[[float], float]] = {
    "constant": lambda done: 1.0,
    "cosine": lambda done: 0.5 * (1.0 + math.cos(math.pi * done)),
}


# How a batch's level is drawn when random_level is on, as a fraction of noise_level from u ~ U(0, 1).
# "heavy" (density rising linearly towards the top level) spends more batches where restoring is hard;
# a model with skips gets light damage right from the input itself.
LEVEL_DRAWS: dict[str, Callable[[float], float]] = {
    "uniform": lambda u: u,
    "heavy": math.sqrt,
}


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.005                   # the lesson's Adam learning rate
    noise: tuple[str, ...] = ()         # NOISES keys; empty trains a plain autoencoder
    noise_level: float = 0.2            # the lesson's sigma; the upper bound when random_level
    random_level: bool = False          # each batch draws its level from U(0, noise_level) (see level_draw)
    noise_clip: bool = True             # clip Gaussian noise to [0, 1]; the lesson does not (False)
    noisy_target: bool = False          # the lesson's first printing: target = noisy image (a known bug)
    seed: int = 0
    limit: int | None = None            # train on a random subset of this many images
    lr_schedule: str = "constant"       # SCHEDULES key; "cosine" lowers lr to 0 by the last batch
    shift: int = 0                      # move each training image by up to this many pixels (0: off)
    level_draw: str = "uniform"         # LEVEL_DRAWS key, with random_level
    init: str | None = None             # checkpoint folder the weights started from (recorded; the caller loads it)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown train config keys: {sorted(unknown)}")
        d = dict(d)
        if isinstance(d.get("noise"), str):
            d["noise"] = (d["noise"],)
        d["noise"] = tuple(d.get("noise") or ())
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)

    def validate(self) -> "TrainConfig":
        """Raise ValueError with a readable sentence for any out-of-range value."""
        checks = [
            (isinstance(self.epochs, int) and 1 <= self.epochs <= 1000, f"epochs must be 1..1000, got {self.epochs}"),
            (isinstance(self.batch_size, int) and 1 <= self.batch_size <= 8192,
             f"batch size must be 1..8192, got {self.batch_size}"),
            (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and 0 < self.lr <= 1.0,
             f"learning rate must be in (0, 1], got {self.lr}"),
            (isinstance(self.noise_level, (int, float)) and math.isfinite(self.noise_level)
             and 0 <= self.noise_level <= 1.0, f"noise level must be in [0, 1], got {self.noise_level}"),
            (all(n in NOISES for n in self.noise), f"unknown noise in {self.noise}; known: {sorted(NOISES)}"),
            (self.limit is None or (isinstance(self.limit, int) and self.limit >= 1),
             f"subset size must be a positive whole number, got {self.limit}"),
            (self.lr_schedule in SCHEDULES, f"unknown learning-rate schedule {self.lr_schedule!r}; "
                                            f"known: {sorted(SCHEDULES)}"),
            (isinstance(self.shift, int) and 0 <= self.shift <= 8, f"shift must be 0..8 pixels, got {self.shift}"),
            (not self.noisy_target or bool(self.noise), "noisy_target needs a noise kind"),
            (self.level_draw in LEVEL_DRAWS, f"unknown level draw {self.level_draw!r}; known: {sorted(LEVEL_DRAWS)}"),
            (self.level_draw == "uniform" or self.random_level, "a level draw other than uniform needs random levels"),
            (self.init is None or isinstance(self.init, str), f"init must be a checkpoint folder, got {self.init!r}"),
            # torch seeds are unsigned 64-bit; NaN or a huge seed would fail deep inside torch
            (isinstance(self.seed, int) and not isinstance(self.seed, bool) and 0 <= self.seed < 2**63,
             f"seed must be a whole number from 0 to 2**63-1, got {self.seed}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        return self


@dataclass(frozen=True)
class EpochReport:
    epoch: int                      # 1-based
    train_loss: float               # mean of model.loss()["loss"] over the epoch
    test_loss: float | None         # the same criterion on the test images
    test_mse: float | None          # plain MSE against the clean test images
    test_psnr: float | None         # dB, mean per image
    seconds: float
    samples_per_s: float
    terms: dict[str, float] = field(default_factory=dict)   # other named loss terms (vae: recon, kl)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> dict:
        """to_dict with NaN and infinities as None: JSON has no NaN (a checkpoint's history is JSON)."""
        def finite(v):
            return None if isinstance(v, float) and not math.isfinite(v) else v
        d = {k: finite(v) for k, v in self.to_dict().items()}
        d["terms"] = {k: finite(v) for k, v in d["terms"].items()}
        return d


class TrainingDiverged(RuntimeError):
    """The loss became NaN, infinite or exploded; the weights are not worth keeping."""


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def use_all_cores() -> None:
    """Set torch's thread count to what ae.env.torch_threads says (one per core unless overridden)."""
    n = torch_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def make_input(x: Tensor, config: TrainConfig, generator: torch.Generator) -> Tensor:
    """The corrupted input of one batch: one noise kind per batch, chosen by the generator."""
    if not config.noise:
        return x
    kind = config.noise[int(torch.randint(len(config.noise), (1,), generator=generator))]
    level = config.noise_level
    if config.random_level:
        level = LEVEL_DRAWS[config.level_draw](float(torch.rand((), generator=generator))) * config.noise_level
    return corrupt(x, kind, level, generator, **NOISES[kind].extra(config.noise_clip))


def shift_images(x: Tensor, max_shift: int, generator: torch.Generator) -> Tensor:
    """Each image moved by its own whole-pixel offset in [-max_shift, max_shift] on both axes, with
    zeros coming in at the edges: more positions of the same digits for a small training set. (On the
    MNIST U-Net it cost 0.5-0.8 dB, see the README: the test digits are centred like the training ones.)"""
    if max_shift == 0:
        return x
    n, _, h, w = x.shape
    span = 2 * max_shift + 1
    dy = torch.randint(span, (n, 1), generator=generator)
    dx = torch.randint(span, (n, 1), generator=generator)
    padded = F.pad(x, (max_shift,) * 4).permute(0, 2, 3, 1)              # (n, h+2s, w+2s, c)
    rows = (dy + torch.arange(h)).to(x.device)[:, :, None]
    cols = (dx + torch.arange(w)).to(x.device)[:, None, :]
    picked = padded[torch.arange(n, device=x.device)[:, None, None], rows, cols]   # (n, h, w, c)
    return picked.permute(0, 3, 1, 2).contiguous()


def batches(n: int, batch_size: int, generator: torch.Generator | None) -> list[Tensor]:
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    return list(order.split(batch_size))


def train(model: Autoencoder, train_x: Tensor, config: TrainConfig, *, test_x: Tensor | None = None,
          on_epoch_end: Callable[[EpochReport], bool | None] | None = None,
          on_batch: Callable[[int, int], bool | None] | None = None) -> list[EpochReport]:
    """Fit `model` in place on images (N, 1, 28, 28) in [0, 1]; one report per epoch.

    `on_epoch_end(report)` and `on_batch(done, total)` may return True to stop; what was learned so
    far stays in the model. Raises TrainingDiverged when the loss becomes NaN or explodes.
    """
    config.validate()
    use_all_cores()
    dev = device()
    torch.manual_seed(config.seed)
    g = torch.Generator().manual_seed(config.seed)
    if config.limit is not None and config.limit < len(train_x):
        train_x = train_x[torch.randperm(len(train_x), generator=g)[:config.limit]]
    model.to(dev)
    # fused: one kernel for the whole update instead of a Python loop over parameters; the optimizer
    # step was the largest cost left at batch 64 (bench.train: 3.5x -> 4.5x per CPU-second)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, fused=True)
    history: list[EpochReport] = []
    total = config.epochs * math.ceil(len(train_x) / config.batch_size)
    done = 0
    schedule = SCHEDULES[config.lr_schedule]
    first_loss = None
    for epoch in range(1, config.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        sums: dict[str, float] = {}
        seen = 0
        stop = False
        for idx in batches(len(train_x), config.batch_size, g):
            x = shift_images(train_x[idx].to(dev, non_blocking=True), config.shift, g)
            x_in = make_input(x, config, g)
            target = x_in if config.noisy_target else x  # the target is always the clean image, unless the lesson's bug is asked for
            losses = model.loss(x_in, target=target)
            loss = losses["loss"]
            value = float(loss.detach())
            first_loss = value if first_loss is None else first_loss
            if not math.isfinite(value) or value > 1e4 * max(first_loss, 1e-3):
                raise TrainingDiverged(f"training diverged at epoch {epoch}: loss {value:.3g} "
                                       f"(started at {first_loss:.3g}); try a smaller learning rate")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            for group in opt.param_groups:
                group["lr"] = config.lr * schedule(done / total)
            opt.step()
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach()) * len(idx)
            seen += len(idx)
            done += 1
            if on_batch is not None and on_batch(done, total):
                stop = True
                break
        seconds = time.perf_counter() - t0
        test = evaluate(model, test_x, config) if test_x is not None else {}
        report = EpochReport(
            epoch=epoch, train_loss=sums.get("loss", math.nan) / max(seen, 1),
            test_loss=test.get("loss"), test_mse=test.get("mse"), test_psnr=test.get("psnr"),
            seconds=seconds, samples_per_s=seen / max(seconds, 1e-9),
            terms={k: v / max(seen, 1) for k, v in sums.items() if k not in ("loss", "mse")})
        history.append(report)
        if stop or (on_epoch_end is not None and on_epoch_end(report)):
            break
    return history


@torch.no_grad()
def evaluate(model: Autoencoder, x: Tensor, config: TrainConfig | None = None, *, noise: str | None = None,
             level: float = 0.0, seed: int = 1234, with_ssim: bool = False, batch_size: int = 1024) -> dict[str, float]:
    """Test figures of restoring x: {"loss", "mse", "psnr"[, "ssim"]}.

    The input is corrupted by `noise` at `level` (or by the config's first noise at its level), with a
    fixed seed so that every epoch and every run is measured on the same damaged images.
    """
    model.eval()
    dev = next(model.parameters()).device
    options = {}
    if noise is None and config is not None and config.noise:
        noise, level = config.noise[0], config.noise_level
        options = NOISES[noise].extra(config.noise_clip)
    g = torch.Generator().manual_seed(seed)
    x_in = corrupt(x, noise, level, g, **options) if noise else x
    plain_mse = type(model).loss is Autoencoder.loss   # its loss is the MSE of model(a): one forward pass, not two
    recons, loss_sum = [], 0.0
    for a, b in zip(x_in.split(batch_size), x.split(batch_size)):
        a, b = a.to(dev), b.to(dev)
        recon = model(a)
        loss = F.mse_loss(recon, b) if plain_mse else model.loss(a, b)["loss"]
        loss_sum += float(loss) * len(b)
        recons.append(recon.cpu())
    recon = torch.cat(recons)
    out = {"loss": loss_sum / len(x), **metrics.summary(recon, x, with_ssim=with_ssim)}
    return out
