"""Classical restorers to measure the autoencoders against: f(noisy) -> restored, batches in [0, 1].

One registry, `BASELINES`. All run on the CPU on (B, 1, 28, 28) tensors.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from . import pca


def identity(x: Tensor) -> Tensor:
    """Doing nothing: the damaged image itself."""
    return x.clone()


# Devillard's median-of-9 network ("opt_med9"): 19 compare-exchanges leave the median in slot 4.
_MED9 = ((1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8), (0, 3), (5, 8), (4, 7),
         (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2))


def median3(x: Tensor) -> Tensor:
    """Median of each 3x3 neighbourhood (edges replicated).

    A sorting network over the 9 shifted images instead of torch.median over unfolded patches:
    the same values, 5-10x faster on a 16-image batch (the Denoising page runs it on every slider move).
    """
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    h, w = x.shape[-2:]
    p = [padded[..., i:i + h, j:j + w] for i in range(3) for j in range(3)]
    for a, b in _MED9:
        p[a], p[b] = torch.minimum(p[a], p[b]), torch.maximum(p[a], p[b])
    return p[4].contiguous()


def gaussian_blur(x: Tensor, sigma: float = 1.0) -> Tensor:
    """Separable Gaussian blur, 5x5 kernel."""
    r = torch.arange(-2, 3, dtype=x.dtype)
    k = torch.exp(-(r**2) / (2 * sigma**2))
    k = k / k.sum()
    y = F.conv2d(F.pad(x, (2, 2, 0, 0), mode="replicate"), k.view(1, 1, 1, 5))
    return F.conv2d(F.pad(y, (0, 0, 2, 2), mode="replicate"), k.view(1, 1, 5, 1))


def total_variation(x: Tensor, weight: float = 0.15, eps: float = 2e-4, max_num_iter: int = 200) -> Tensor:
    """Chambolle's total-variation denoising: scikit-image's `denoise_tv_chambolle` algorithm (same
    steps, defaults and stopping rule, per image) run on the whole batch at once in numpy. About 25x
    faster than scikit-image image by image, and numpy stays on one core: torch's two-thread small
    ops were 10-25x slower than one thread while training ran on the other core."""
    img = x.detach().float().cpu().reshape(-1, *x.shape[-2:]).numpy()
    if len(img) == 0:
        return x.clone()
    n_img, h, w = img.shape
    p = np.zeros((2, n_img, h, w), np.float32)
    g = np.zeros((2, n_img, h, w), np.float32)
    d = np.zeros((n_img, h, w), np.float32)
    out, final = img, img.copy()
    running = np.ones(n_img, bool)
    tau = np.float32(0.25)                       # 1 / (2 * ndim), as in scikit-image
    e_init = e_prev = None
    for i in range(max_num_iter):
        if i > 0:
            d = -p.sum(0)                        # minus the divergence of p
            d[:, 1:, :] += p[0, :, :-1, :]
            d[:, :, 1:] += p[1, :, :, :-1]
            out = img + d
        np.subtract(out[:, 1:, :], out[:, :-1, :], out=g[0, :, :-1, :])
        np.subtract(out[:, :, 1:], out[:, :, :-1], out=g[1, :, :, :-1])
        norm = np.sqrt((g * g).sum(0))
        energy = ((d * d).reshape(n_img, -1).sum(1) + weight * norm.reshape(n_img, -1).sum(1)) / (h * w)
        p -= tau * g
        p /= 1.0 + norm * np.float32(tau / weight)
        if i == 0:
            e_init = e_prev = energy
            continue
        done = running & (np.abs(e_prev - energy) < eps * e_init)   # each image stops on its own
        final[done] = out[done]
        running &= ~done
        e_prev = energy
        if not running.any():
            break
    final[running] = out[running]
    return torch.from_numpy(final).reshape(x.shape).clamp(0, 1)


BASELINES: dict[str, Callable[[Tensor], Tensor]] = {
    "none": identity,
    "median3": median3,
    "gaussian_blur": gaussian_blur,
    "total_variation": total_variation,
}


def pca_projection(train_x: Tensor, n_components: int = 32) -> Callable[[Tensor], Tensor]:
    """A linear "autoencoder" fitted on clean images: project onto the top `n_components` principal
    components of `train_x` and back. Not in BASELINES because it has to be fitted first."""
    fitted = pca.fit(train_x, n_components)
    mean, basis = torch.from_numpy(fitted.mean_), torch.from_numpy(fitted.components_).T

    def project(x: Tensor) -> Tensor:
        z = (x.float().flatten(1) - mean) @ basis
        return (z @ basis.T + mean).reshape(x.shape).clamp(0, 1)

    return project
