"""Corruptions for the denoising autoencoder: pure functions and one registry of records, `NOISES`.

Every noise is `f(x, level, generator=None, **options) -> Tensor`: x is a batch (B, 1, 28, 28) in
[0, 1] and is never modified; level 0 returns x unchanged; the same generator state gives the same
noise. torchvision's GaussianNoise and RandomErasing draw from the global RNG and cannot take a
generator, so the slider could not give the same picture twice: hence these small functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import Tensor


def _check(level: float, high: float = 1.0) -> float:
    level = float(level)
    if not (0.0 <= level <= high):  # also rejects NaN
        raise ValueError(f"noise level must be between 0 and {high}, got {level}")
    return level


def gaussian(x: Tensor, level: float, generator: torch.Generator | None = None, clip: bool = True) -> Tensor:
    """Add N(0, level²) to every pixel. The lesson uses level=0.2 without clipping (clip=False)."""
    level = _check(level, 2.0)
    if level == 0:
        return x.clone()
    noisy = x + level * torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    return noisy.clamp(0.0, 1.0) if clip else noisy


def salt_and_pepper(x: Tensor, level: float, generator: torch.Generator | None = None) -> Tensor:
    """Set a fraction `level` of pixels to 0 or 1, half each."""
    level = _check(level)
    u = torch.rand(x.shape, generator=generator, device=x.device)
    out = x.clone()
    out[u < level / 2] = 0.0
    out[(u >= level / 2) & (u < level)] = 1.0
    return out


def mask(x: Tensor, level: float, generator: torch.Generator | None = None) -> Tensor:
    """Zero a fraction `level` of pixels (masking noise, Vincent et al. 2008)."""
    level = _check(level)
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= level
    return x * keep


def block(x: Tensor, level: float, generator: torch.Generator | None = None,
          size: int = 8, count: int | None = None) -> Tensor:
    """Erase `count` squares of side `size` per image (black). Without count, enough squares to
    cover a fraction `level` of the image if they did not overlap."""
    level = _check(level)
    h, w = x.shape[-2:]
    size = max(1, min(int(size), h, w))
    if count is None:
        count = math.ceil(level * h * w / size**2) if level > 0 else 0
    out = x.clone()
    if count <= 0:
        return out
    flat = out.reshape(-1, *x.shape[-3:])
    tops = torch.randint(0, h - size + 1, (flat.shape[0], count), generator=generator)
    lefts = torch.randint(0, w - size + 1, (flat.shape[0], count), generator=generator)
    rows = torch.arange(h).view(1, 1, h, 1)
    cols = torch.arange(w).view(1, 1, 1, w)
    t, l = tops[..., None, None], lefts[..., None, None]
    erased = ((rows >= t) & (rows < t + size) & (cols >= l) & (cols < l + size)).any(1)  # (B, h, w)
    flat[erased.unsqueeze(1).expand_as(flat).to(flat.device)] = 0.0
    return out


@dataclass(frozen=True)
class Setting:
    """A number a page offers as a slider: its range, its default and its step."""
    low: float
    high: float
    default: float
    step: float = 0.05


@dataclass(frozen=True)
class Noise:
    """Everything a page, the trainer and the CLI need to know about one kind of damage.

    Strings (both languages, in `pages/_text`) come by convention from the registry key K:
    "noise.K" names the kind, "noise.K.level" says what its level means, "noise.K.<option>" names an
    option, and "noise.K.axis" labels the PSNR curve's x axis (formatted with the options' values).
    """
    fn: Callable[..., Tensor]                 # (x, level, generator, **options) -> damaged copy
    level: Setting                            # the training and slider range of `level`
    options: dict[str, Setting] = field(default_factory=dict)   # other settings fn takes (block: size, count)
    controls: tuple[str, ...] = ("level",)    # what the Denoising page offers as sliders
    curve: str = "level"                      # what the Denoising page's PSNR curve varies
    clip: bool = False                        # fn takes a `clip` flag (Gaussian: the lesson does not clip)

    def extra(self, clip: bool = True) -> dict:
        """The keyword arguments that carry a training config's clip setting to fn."""
        return {"clip": bool(clip)} if self.clip else {}

    def curve_points(self, step: float = 0.1) -> list[float]:
        """x values of a PSNR curve: levels from clean to the heaviest, or each whole option value."""
        if self.curve == "level":
            return [round(float(v), 4) for v in np.arange(self.level.low, self.level.high + step / 2, step)]
        s = self.options[self.curve]
        return [float(v) for v in range(int(s.low), int(s.high) + 1)]


NOISES: dict[str, Noise] = {
    "gaussian": Noise(gaussian, Setting(0.0, 1.0, 0.3), clip=True),
    "salt_and_pepper": Noise(salt_and_pepper, Setting(0.0, 0.8, 0.2)),
    "mask": Noise(mask, Setting(0.0, 0.9, 0.5)),
    # the page sets blocks by count (count wins over level); training covers a fraction `level`
    "block": Noise(block, Setting(0.0, 0.6, 0.3),
                   options={"size": Setting(2, 14, 8, 1), "count": Setting(0, 10, 3, 1)},
                   controls=("size", "count"), curve="count"),
}


def register(name: str, noise: Noise) -> Noise:
    """Add a kind of damage; pages, the trainer and the CLI find it through NOISES."""
    if name in NOISES:
        raise ValueError(f"noise {name!r} registered twice")
    if noise.curve != "level" and noise.curve not in noise.options:
        raise ValueError(f"noise {name!r}: its curve varies {noise.curve!r}, which is not one of its options")
    NOISES[name] = noise
    return noise


def corrupt(x: Tensor, kind: str, level: float, generator: torch.Generator | None = None, **options) -> Tensor:
    """Apply the noise `kind` by name; unknown names raise with the list of known ones."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; known: {sorted(NOISES)}")
    return NOISES[kind].fn(x, level, generator, **options)
