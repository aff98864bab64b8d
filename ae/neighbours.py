"""Nearest neighbours in latent space and in pixel space, and the figures that say whether a code is
good: precision@k by class, cross-validated k-NN accuracy, trustworthiness of a 2-D map.

Image search by meaning (codes z) against search by pixels: a neighbour is "relevant" when it has
the query's class, so precision@k is the share of the k nearest that do. Each quality figure is
measured beside the same figure for PCA of the raw pixels with as many dimensions, the linear
baseline an autoencoder has to beat. Pure numpy/scikit-learn; knows nothing about Streamlit.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .pca import project

KNN_K = 5            # neighbours voting in the k-NN classifier
TRUST_K = 10         # neighbourhood size of trustworthiness
QUALITY_POINTS = 2000  # trustworthiness sorts an N x N distance matrix: measured on a sample this large


def flat(images) -> np.ndarray:
    """Images (N, 1, 28, 28) as a tensor or array -> float32 (N, 784)."""
    a = images.detach().cpu().numpy() if hasattr(images, "detach") else np.asarray(images)
    return np.ascontiguousarray(a.reshape(len(a), -1), dtype=np.float32)


def nearest(points: np.ndarray, query: np.ndarray, k: int, exclude: int | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Indices and Euclidean distances of the k points nearest to one query vector, nearest first.

    `exclude` leaves one index out (the query itself when it is one of the points)."""
    points = np.asarray(points, np.float32)
    query = np.asarray(query, np.float32).reshape(-1)
    if points.ndim != 2 or points.shape[1] != query.shape[0]:
        raise ValueError(f"query has {query.shape[0]} values, the points {points.shape[-1]}")
    d2 = ((points - query) ** 2).sum(1) if points.shape[1] <= 64 else \
        (points ** 2).sum(1) - 2 * points @ query + float(query @ query)
    if exclude is not None and 0 <= exclude < len(points):
        d2[exclude] = np.inf
    k = max(0, min(int(k), len(points) - (exclude is not None and 0 <= exclude < len(points))))
    if k == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.argpartition(d2, k - 1)[:k]
    idx = idx[np.lexsort((idx, d2[idx]))]           # nearest first; ties by index, so it is repeatable
    return idx.astype(np.int64), np.sqrt(np.maximum(d2[idx], 0)).astype(np.float32)


def precision_at_k(labels: np.ndarray, neighbours: np.ndarray, label: int) -> float:
    """Share of the neighbours whose label is `label` (NaN for no neighbours)."""
    neighbours = np.asarray(neighbours)
    if len(neighbours) == 0:
        return float("nan")
    return float((np.asarray(labels)[neighbours] == label).mean())


@dataclass(frozen=True)
class Search:
    """One query's k nearest neighbours by code and by pixels, and the share of each with its class."""
    by_code: np.ndarray        # indices into the points, nearest first
    by_pixels: np.ndarray
    precision_code: float
    precision_pixels: float


def search_both(codes: np.ndarray, pixels: np.ndarray, labels: np.ndarray, z: np.ndarray, x: np.ndarray,
                label: int, k: int, exclude: int | None = None) -> Search:
    """Image search by meaning against search by pixels for one query (its code z and pixels x): the k
    nearest of each, and precision@k (how many share the query's class). `exclude` leaves the query out
    when it is one of the points."""
    near_z, _ = nearest(codes, z, k, exclude=exclude)
    near_x, _ = nearest(pixels, np.asarray(x, np.float32).reshape(-1), k, exclude=exclude)
    return Search(near_z, near_x, precision_at_k(labels, near_z, label), precision_at_k(labels, near_x, label))


def precision_by_class(points: np.ndarray, labels: np.ndarray, k: int = 10) -> dict[int, float]:
    """Mean precision@k of every point as a query (itself left out), per class: {class: precision}."""
    from sklearn.neighbors import NearestNeighbors

    points, labels = np.asarray(points, np.float32), np.asarray(labels)
    k = min(k, len(points) - 1)
    if k < 1:
        return {}
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    # drop each point itself (usually column 0; with duplicate points, wherever it is)
    own = idx == np.arange(len(points))[:, None]
    own[~own.any(1), -1] = True
    idx = idx[~own].reshape(len(points), k)
    hits = (labels[idx] == labels[:, None]).mean(1)
    return {int(c): float(hits[labels == c].mean()) for c in np.unique(labels)}


def knn_accuracy(x: np.ndarray, labels: np.ndarray, k: int = KNN_K, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated accuracy of a k-nearest-neighbour classifier on features x: how well the
    classes can be read off the features by proximity alone (stratified folds, shuffled with seed)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    labels = np.asarray(labels)
    counts = np.bincount(labels) if len(labels) else np.zeros(0, int)
    counts = counts[counts > 0]
    folds = min(folds, int(counts.min()) if len(counts) else 0)     # every fold needs each class once
    if folds < 2 or len(counts) < 2:
        raise ValueError("k-NN accuracy needs at least two classes with two points each")
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    clf = KNeighborsClassifier(n_neighbors=max(1, min(k, len(labels) - -(-len(labels) // folds))))
    return float(cross_val_score(clf, np.asarray(x, np.float32), labels, cv=cv).mean())


def trustworthiness(high: np.ndarray, low: np.ndarray, k: int = TRUST_K) -> float:
    """scikit-learn's trustworthiness of the low-dimensional view: 1 when every point's k nearest
    in the view were also among its nearest in the original space, lower for intruders."""
    from sklearn.manifold import trustworthiness as tw

    k = min(k, len(high) // 2 - 1)
    if k < 1:
        raise ValueError("trustworthiness needs at least 4 points")
    return float(tw(np.asarray(high, np.float32), np.asarray(low, np.float32), n_neighbors=k))


def quality(codes: np.ndarray, pixels: np.ndarray, labels: np.ndarray, map_coords: np.ndarray | None = None,
            max_points: int = QUALITY_POINTS, seed: int = 0, k: int = 10) -> dict:
    """Is the code better than PCA of the pixels with as many dimensions? On up to max_points points:

    knn: cross-validated k-NN accuracy of the codes and of PCA(pixels, latent_dim);
    map_knn and trust: k-NN accuracy and trustworthiness (against the pixels, the space both views
        start from) of the map (2-D or 3-D) and of PCA(pixels, as many dimensions), when map_coords is given;
    precision: mean precision@k by class, searching by code and by pixels.
    """
    t0 = time.perf_counter()
    codes, pixels, labels = np.asarray(codes, np.float32), flat(pixels), np.asarray(labels)
    n = len(labels)
    idx = np.arange(n) if n <= max_points else np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
    z, x, y = codes[idx], pixels[idx], labels[idx]
    d = codes.shape[1]
    pca_d = project(x, min(d, *x.shape))
    out = {"points": int(len(idx)), "latent_dim": int(d), "k": int(k),
           "knn": {"codes": knn_accuracy(z, y, seed=seed), "pca": knn_accuracy(pca_d, y, seed=seed)}}
    if map_coords is not None:
        m = np.asarray(map_coords, np.float32)[idx]
        pca_m = pca_d[:, :m.shape[1]] if d >= m.shape[1] else project(x, m.shape[1])
        out["map_dims"] = int(m.shape[1])
        out["map_knn"] = {"map": knn_accuracy(m, y, seed=seed), "pca": knn_accuracy(pca_m, y, seed=seed)}
        out["trust"] = {"map": trustworthiness(x, m), "pca": trustworthiness(x, pca_m)}
    out["precision"] = {"codes": precision_by_class(z, y, k), "pixels": precision_by_class(x, y, k)}
    out["seconds"] = time.perf_counter() - t0
    return out


__all__ = ["nearest", "search_both", "Search", "precision_at_k", "precision_by_class", "knn_accuracy", "trustworthiness",
           "quality", "flat", "KNN_K", "TRUST_K", "QUALITY_POINTS"]
