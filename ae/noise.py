"""Corruptions for the denoising autoencoder: pure functions and one registry, `NOISES`.

Every noise is `f(x, level, generator=None, **options) -> Tensor`: x is a batch (B, 1, 28, 28) in
[0, 1] and is never modified; level 0 returns x unchanged; the same generator state gives the same
noise. torchvision's GaussianNoise and RandomErasing draw from the global RNG and cannot take a
generator, so the slider could not give the same picture twice: hence these small functions.
"""
from __future__ import annotations

import math
from typing import Callable

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


NOISES: dict[str, Callable[..., Tensor]] = {
    "gaussian": gaussian,
    "salt_and_pepper": salt_and_pepper,
    "mask": mask,
    "block": block,
}

# The slider range of each kind, and what its level means, for pages and the CLI.
LEVEL_RANGE: dict[str, tuple[float, float]] = {
    "gaussian": (0.0, 1.0), "salt_and_pepper": (0.0, 0.8), "mask": (0.0, 0.9), "block": (0.0, 0.6),
}


def corrupt(x: Tensor, kind: str, level: float, generator: torch.Generator | None = None, **options) -> Tensor:
    """Apply the noise `kind` by name; unknown names raise with the list of known ones."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; known: {sorted(NOISES)}")
    return NOISES[kind](x, level, generator, **options)
