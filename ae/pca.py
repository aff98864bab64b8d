"""Principal component analysis: the linear autoencoder every model here is measured against.

One implementation for every user: the latent map's PCA view, the Train page's latent preview, the
PCA-of-pixels baselines (k-NN quality, denoising, anomaly scores, compression). scikit-learn's
fit / transform / inverse_transform names. Pure numpy; knows nothing about Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PCA:
    """A fitted projection: codes c = (x - mean_) @ components_.T, and back x̂ = c @ components_ + mean_."""
    mean_: np.ndarray                 # (D,) float32
    components_: np.ndarray           # (k, D) float32, orthonormal rows, largest variance first
    explained_variance_: np.ndarray   # (k,) variance along each component

    @property
    def n_components(self) -> int:
        return len(self.components_)

    def transform(self, x) -> np.ndarray:
        """(N, D) or images (N, 1, 28, 28) -> codes (N, k) float32."""
        x = _flat(x)
        return ((x - self.mean_) @ self.components_.T).astype(np.float32)

    def inverse_transform(self, codes) -> np.ndarray:
        """Codes (N, k) -> points (N, D) float32."""
        return (np.asarray(codes, np.float32) @ self.components_ + self.mean_).astype(np.float32)

    def reconstruct(self, x) -> np.ndarray:
        """Project onto the k components and back: the linear autoencoder's x̂, (N, D)."""
        return self.inverse_transform(self.transform(x))


def _flat(x) -> np.ndarray:
    a = x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)
    return np.ascontiguousarray(a.reshape(len(a), -1), dtype=np.float32)


def fit(x, k: int) -> PCA:
    """The top k principal components of x (N, D) (images are flattened).

    Signs are fixed (each component's largest loading is positive), so the same data always gives the
    same projection, and a map drawn from it does not flip between two fits of similar data.
    """
    x = _flat(x)
    n, d = x.shape
    if n < 1:
        raise ValueError("PCA needs at least one point")
    if not 1 <= int(k) <= d:
        raise ValueError(f"n_components must be between 1 and {d}, got {k}")
    k = int(k)
    mean = x.mean(0, dtype=np.float64)
    centred = x.astype(np.float64) - mean
    if d <= 1024:
        # the D x D covariance (784 x 784 is quick) instead of an SVD of the N x D data
        values, vectors = np.linalg.eigh(centred.T @ centred / max(n - 1, 1))
        order = np.argsort(values)[::-1][:k]
        values, components = np.clip(values[order], 0, None), vectors[:, order].T
    else:
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        values, components = s[:k] ** 2 / max(n - 1, 1), vt[:k]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(1)])
    components = components * np.where(signs == 0, 1, signs)[:, None]
    if len(components) < k:   # fewer points than components: the rest carry no variance
        pad = np.zeros((k - len(components), d))
        components, values = np.vstack([components, pad]), np.concatenate([values, np.zeros(k - len(values))])
    return PCA(mean.astype(np.float32), np.ascontiguousarray(components, np.float32), values.astype(np.float32))


def project(x, k: int) -> np.ndarray:
    """Codes (N, k) of x on its own top k components: fit and transform in one call."""
    return fit(x, k).transform(x)


__all__ = ["PCA", "fit", "project"]
