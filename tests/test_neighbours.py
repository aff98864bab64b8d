"""ae.neighbours on toy sets whose answers are known: nearest points, precision@k, k-NN accuracy,
PCA, trustworthiness, and the quality summary of a code against PCA of the pixels."""
from __future__ import annotations

import numpy as np
import pytest

import ae
import ae.neighbours as N


def test_nearest_on_a_line():
    points = np.arange(10, dtype=np.float32)[:, None] * np.array([[1.0, 0.0]], np.float32)
    idx, dist = N.nearest(points, np.array([4.2, 0.0]), 3)
    assert idx.tolist() == [4, 5, 3]
    np.testing.assert_allclose(dist, [0.2, 0.8, 1.2], atol=1e-5)
    idx, _ = N.nearest(points, points[4], 2, exclude=4)           # the query itself is left out
    assert sorted(idx.tolist()) == [3, 5] and idx[0] == 3           # a tie goes to the lower index
    assert len(N.nearest(points, points[0], 50, exclude=0)[0]) == 9
    with pytest.raises(ValueError):
        N.nearest(points, np.zeros(3), 2)


def test_nearest_in_many_dimensions_matches_brute_force():
    rng = np.random.default_rng(0)
    points = rng.random((200, 784), dtype=np.float32)
    q = rng.random(784, dtype=np.float32)
    idx, dist = N.nearest(points, q, 5)
    brute = np.argsort(((points - q) ** 2).sum(1))[:5]
    assert idx.tolist() == brute.tolist()
    np.testing.assert_allclose(dist, np.linalg.norm(points[brute] - q, axis=1), rtol=1e-4)


def test_precision_at_k():
    labels = np.array([0, 0, 1, 1, 1])
    assert N.precision_at_k(labels, np.array([0, 1, 2, 3]), 1) == 0.5
    assert N.precision_at_k(labels, np.array([2, 3, 4]), 1) == 1.0
    assert np.isnan(N.precision_at_k(labels, np.array([], int), 0))


def test_precision_by_class():
    rng = np.random.default_rng(0)
    apart = np.concatenate([rng.normal(0, 1, (30, 2)), rng.normal(50, 1, (30, 2))])
    labels = np.repeat([0, 1], 30)
    assert N.precision_by_class(apart, labels, k=5) == {0: 1.0, 1: 1.0}
    mixed = N.precision_by_class(rng.normal(size=(60, 2)), labels, k=5)
    assert set(mixed) == {0, 1} and all(0.2 < v < 0.8 for v in mixed.values())
    dup = np.zeros((6, 2))                                        # identical points: never its own neighbour
    assert N.precision_by_class(dup, np.array([0, 0, 0, 1, 1, 1]), k=2)[0] <= 1.0


def test_knn_accuracy():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 40)
    separable = rng.normal(size=(120, 3)) + labels[:, None] * 20
    assert N.knn_accuracy(separable, labels) == 1.0
    noise = N.knn_accuracy(rng.normal(size=(120, 3)), labels)
    assert noise < 0.6
    with pytest.raises(ValueError):
        N.knn_accuracy(np.zeros((3, 2)), np.array([0, 0, 0]))


def test_trustworthiness():
    rng = np.random.default_rng(0)
    high = rng.normal(size=(80, 10))
    assert N.trustworthiness(high, high) == pytest.approx(1.0)
    assert N.trustworthiness(high, rng.normal(size=(80, 2))) < 0.75
    with pytest.raises(ValueError):
        N.trustworthiness(high[:3], high[:3])


def test_quality_summary():
    split = ae.data.synthetic(120)
    pixels = N.flat(split.images)
    labels = split.labels.numpy()
    codes = ae.pca.project(pixels, 4) + np.random.default_rng(0).normal(scale=0.01, size=(120, 4)).astype(np.float32)
    q = N.quality(codes, split.images, labels, codes[:, :2], max_points=100)
    assert q["points"] == 100 and q["latent_dim"] == 4 and q["map_dims"] == 2
    for group in ("knn", "map_knn", "trust"):
        assert all(0 <= v <= 1 for v in q[group].values())
    # a code that IS the PCA of the pixels scores like PCA
    assert q["knn"]["codes"] == pytest.approx(q["knn"]["pca"], abs=0.05)
    assert set(q["precision"]["codes"]) == set(np.unique(labels).tolist())
    assert "trust" not in N.quality(codes, pixels, labels)


def test_search_both_finds_the_class_by_code_where_pixels_miss():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    codes = (labels[:, None] * 10 + rng.normal(size=(60, 2))).astype(np.float32)   # codes sorted by class
    pixels = rng.normal(size=(60, 16)).astype(np.float32)                        # pixels say nothing
    found = N.search_both(codes, pixels, labels, codes[4], pixels[4], int(labels[4]), k=5, exclude=4)
    assert len(found.by_code) == len(found.by_pixels) == 5 and 4 not in found.by_code and 4 not in found.by_pixels
    assert found.precision_code == 1.0 and found.precision_pixels < 1.0
    assert found.precision_code == N.precision_at_k(labels, found.by_code, int(labels[4]))
