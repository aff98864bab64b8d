"""Image quality figures as pure functions over batches (B, 1, 28, 28) in [0, 1].

SSIM is scikit-image's `structural_similarity` (maintained, documented, the reference people compare
against; Wang et al.'s Gaussian window settings), computed for a whole batch at once with SciPy's
`gaussian_filter` because the per-image call was too slow for the interactive pages. The tests check
every image against scikit-image itself.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def mse(recon: Tensor, target: Tensor) -> Tensor:
    """Mean squared error per image, shape (B,)."""
    return (recon.float() - target.float()).pow(2).flatten(1).mean(1)


def psnr(recon: Tensor, target: Tensor) -> Tensor:
    """Peak signal-to-noise ratio in dB per image, for data range 1; capped at 100 dB for exact copies."""
    return 10 * torch.log10(1.0 / mse(recon, target).clamp_min(1e-10))


def ssim(recon: Tensor, target: Tensor) -> Tensor:
    """Structural similarity per image, shape (B,), Gaussian window sigma 1.5 (Wang et al. 2004).

    scikit-image's `structural_similarity` formula and settings, vectorised over the batch: its
    channel_axis loops over images in Python, which cost about 1.5 ms per image.
    """
    from scipy.ndimage import gaussian_filter

    a = recon.detach().float().cpu().reshape(-1, *recon.shape[-2:]).clamp(0, 1).numpy()
    b = target.detach().float().cpu().reshape(-1, *target.shape[-2:]).numpy()
    if len(a) == 0:
        return torch.zeros(0)

    def blur(v: np.ndarray) -> np.ndarray:   # skimage: gaussian, sigma 1.5, truncate 3.5, reflect; not across images
        return gaussian_filter(v, sigma=(0, 1.5, 1.5), truncate=3.5, mode="reflect")

    ux, uy = blur(a), blur(b)
    vx, vy, vxy = blur(a * a) - ux * ux, blur(b * b) - uy * uy, blur(a * b) - ux * uy   # population covariance
    c1, c2 = 0.01**2, 0.03**2                                                           # K1, K2 for data range 1
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux**2 + uy**2 + c1) * (vx + vy + c2))
    pad = (11 - 1) // 2   # the 11-wide window: skimage averages the map without its border
    return torch.from_numpy(np.ascontiguousarray(s[:, pad:-pad, pad:-pad].mean(axis=(1, 2), dtype=np.float64))).float()


def summary(recon: Tensor, target: Tensor, with_ssim: bool = True) -> dict[str, float]:
    """Averages over the batch: {"mse", "psnr", "ssim"} (mean of per-image values)."""
    out = {"mse": float(mse(recon, target).mean()), "psnr": float(psnr(recon, target).mean())}
    if with_ssim:
        out["ssim"] = float(ssim(recon, target).mean())
    return out
