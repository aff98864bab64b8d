"""Pictures as arrays: image grids and error heatmaps, composed once so a page draws one image.

Pure numpy/torch; pages hand the result to st.image.
"""
from __future__ import annotations

import numpy as np
from torch import Tensor


def to_uint8(images: Tensor) -> np.ndarray:
    """(N, 1, 28, 28) floats in [0, 1] (values outside are clipped) -> (N, 28, 28) uint8."""
    a = images.detach().float().cpu().reshape(-1, *images.shape[-2:]).clamp(0, 1).numpy()
    return (a * 255 + 0.5).astype(np.uint8)


def heatmap(err: Tensor | np.ndarray, vmax: float | None = None) -> np.ndarray:
    """Absolute error maps (N, H, W) or (N, 1, H, W) -> RGB uint8 (N, H, W, 3), black -> red -> yellow."""
    e = err.detach().float().cpu().numpy() if isinstance(err, Tensor) else np.asarray(err, dtype=np.float32)
    e = np.abs(e.reshape(-1, *e.shape[-2:]))
    top = vmax if vmax is not None else max(float(e.max()), 1e-6)
    v = np.clip(e / top, 0, 1)
    rgb = np.stack([np.clip(2 * v, 0, 1), np.clip(2 * v - 1, 0, 1), np.clip(4 * v - 3, 0, 1) * 0.6], -1)
    return (rgb * 255 + 0.5).astype(np.uint8)


def grid(rows: list[Tensor | np.ndarray], scale: int = 3, pad: int = 2, background: int = 40) -> np.ndarray:
    """Rows of images side by side -> one RGB uint8 picture. Each row is (N, 1, 28, 28) floats in
    [0, 1] or an RGB uint8 array (N, H, W, 3) from `heatmap`; rows may differ in length."""
    tiles = []
    for row in rows:
        if isinstance(row, Tensor):
            gray = to_uint8(row)
            row = np.repeat(gray[..., None], 3, axis=-1)
        tiles.append(np.asarray(row, dtype=np.uint8))
    h, w = max(r.shape[1] for r in tiles), max(r.shape[2] for r in tiles)
    ncols = max(len(r) for r in tiles)
    out = np.full((len(tiles) * (h * scale + pad) + pad, ncols * (w * scale + pad) + pad, 3), background, np.uint8)
    for i, row in enumerate(tiles):
        for j, im in enumerate(row):
            big = im.repeat(scale, axis=0).repeat(scale, axis=1)
            y, x = pad + i * (h * scale + pad), pad + j * (w * scale + pad)
            out[y:y + big.shape[0], x:x + big.shape[1]] = big
    return out


__all__ = ["to_uint8", "heatmap", "grid"]
