"""Looking at a trained model: reconstructions, codes and per-image errors of a batch, in eval mode,
without gradients, in chunks, returned on the CPU. Pages and labs call these; training lives in
`ae.train`.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .models import Autoencoder


def _device(model: Autoencoder) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def reconstruct(model: Autoencoder, x: Tensor, batch_size: int = 1024) -> Tensor:
    """Reconstructions x̂ (N, 1, 28, 28) of x."""
    model.eval()
    dev = _device(model)
    return torch.cat([model(b.to(dev)).cpu() for b in x.split(batch_size)]) if len(x) else x.clone()


@torch.no_grad()
def encode(model: Autoencoder, x: Tensor, batch_size: int = 1024) -> Tensor:
    """Codes z (N, latent_dim) of x."""
    model.eval()
    dev = _device(model)
    if not len(x):
        return torch.zeros(0, model.config.latent_dim)
    return torch.cat([model.encode(b.to(dev)).cpu() for b in x.split(batch_size)])


@torch.no_grad()
def decode(model: Autoencoder, z: Tensor, batch_size: int = 1024) -> Tensor:
    """Pictures (N, 1, 28, 28) decoded from codes z (N, latent_dim); raises NotImplementedError for
    kinds whose decoder needs more than z (unet, conv_refine)."""
    model.eval()
    dev = _device(model)
    z = torch.as_tensor(z, dtype=torch.float32)
    if not len(z):
        return torch.zeros(0, 1, 28, 28)
    return torch.cat([model.decode(b.to(dev)).clamp(0, 1).cpu() for b in z.split(batch_size)])


@torch.no_grad()
def codes_and_errors(model: Autoencoder, images: Tensor, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Codes z (N, latent_dim) float32 and per-image reconstruction MSE (N,), in one pass per batch."""
    model.eval()
    dev = _device(model)
    if not len(images):
        return np.zeros((0, model.config.latent_dim), np.float32), np.zeros(0, np.float32)
    zs, errs = [], []
    for b in images.split(batch_size):
        b = b.to(dev)
        z, recon = model.encode_and_reconstruct(b)
        zs.append(z.float().cpu())
        errs.append(((recon - b) ** 2).flatten(1).mean(1).float().cpu())
    return torch.cat(zs).numpy(), torch.cat(errs).numpy()


__all__ = ["reconstruct", "encode", "decode", "codes_and_errors"]
