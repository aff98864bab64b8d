"""Classical restorers to measure the autoencoders against: f(noisy) -> restored, batches in [0, 1].

One registry, `BASELINES`. All run on the CPU on (B, 1, 28, 28) tensors.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def identity(x: Tensor) -> Tensor:
    """Doing nothing: the damaged image itself."""
    return x.clone()


def median3(x: Tensor) -> Tensor:
    """Median of each 3x3 neighbourhood (edges replicated)."""
    patches = F.unfold(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3)   # (B, 9, H*W)
    return patches.median(dim=1).values.reshape(x.shape)


def gaussian_blur(x: Tensor, sigma: float = 1.0) -> Tensor:
    """Separable Gaussian blur, 5x5 kernel."""
    r = torch.arange(-2, 3, dtype=x.dtype)
    k = torch.exp(-(r**2) / (2 * sigma**2))
    k = k / k.sum()
    y = F.conv2d(F.pad(x, (2, 2, 0, 0), mode="replicate"), k.view(1, 1, 1, 5))
    return F.conv2d(F.pad(y, (0, 0, 2, 2), mode="replicate"), k.view(1, 1, 5, 1))


def total_variation(x: Tensor, weight: float = 0.15) -> Tensor:
    """Chambolle's total-variation denoising (scikit-image), image by image."""
    from skimage.restoration import denoise_tv_chambolle

    a = x.detach().float().cpu().numpy()
    out = np.stack([denoise_tv_chambolle(im[0], weight=weight)[None] for im in a]) if len(a) else a
    return torch.from_numpy(out.astype(np.float32)).clamp(0, 1)


BASELINES: dict[str, Callable[[Tensor], Tensor]] = {
    "none": identity,
    "median3": median3,
    "gaussian_blur": gaussian_blur,
    "total_variation": total_variation,
}
