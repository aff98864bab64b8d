"""Image quality figures as pure functions over batches (B, 1, 28, 28) in [0, 1].

SSIM comes from scikit-image (`skimage.metrics.structural_similarity`): maintained, documented, and
the reference implementation people compare against, with Wang et al.'s Gaussian window settings.
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
    """Structural similarity per image, shape (B,), Gaussian window sigma 1.5 (Wang et al. 2004)."""
    from skimage.metrics import structural_similarity

    a = recon.detach().float().cpu().reshape(-1, *recon.shape[-2:]).clamp(0, 1).numpy()
    b = target.detach().float().cpu().reshape(-1, *target.shape[-2:]).numpy()
    if len(a) == 0:
        return torch.zeros(0)
    # The batch goes in as channels: one vectorised call, then per-image means of the SSIM map,
    # cropped as skimage crops it for its own mean.
    _, full = structural_similarity(a, b, channel_axis=0, data_range=1.0, gaussian_weights=True,
                                    sigma=1.5, use_sample_covariance=False, full=True)
    pad = (11 - 1) // 2   # skimage's window for sigma 1.5 is 11 wide
    return torch.from_numpy(np.ascontiguousarray(full[:, pad:-pad, pad:-pad].mean(axis=(1, 2)))).float()


def summary(recon: Tensor, target: Tensor, with_ssim: bool = True) -> dict[str, float]:
    """Averages over the batch: {"mse", "psnr", "ssim"} (mean of per-image values)."""
    out = {"mse": float(mse(recon, target).mean()), "psnr": float(psnr(recon, target).mean())}
    if with_ssim:
        out["ssim"] = float(ssim(recon, target).mean())
    return out
