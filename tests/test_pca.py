"""ae.pca: one PCA for every baseline and map, checked against scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA as SkPCA

import ae
from ae import pca


def data(n=300, d=20, seed=0):
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(4, d))
    return (rng.normal(size=(n, 4)) * [5, 3, 2, 1]) @ basis + 0.05 * rng.normal(size=(n, d))


def test_matches_scikit_learn_up_to_sign():
    x = data()
    ours = pca.fit(x, 3)
    ref = SkPCA(3).fit(x)
    for a, b in zip(ours.components_, ref.components_):
        assert abs(abs(float(a @ b)) - 1) < 1e-4
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-3)
    np.testing.assert_allclose(np.abs(ours.transform(x)), np.abs(ref.transform(x)), atol=1e-3)


def test_reconstruction_error_falls_with_more_components_and_is_exact_at_full_rank():
    x = data(d=8)
    errors = [float(((pca.fit(x, k).reconstruct(x) - x) ** 2).mean()) for k in range(1, 9)]
    assert all(a >= b - 1e-9 for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 1e-8


def test_signs_are_fixed_so_a_refit_does_not_flip_the_projection():
    x = data()
    a = pca.fit(x, 2).transform(x)
    b = pca.fit(x + 1e-4 * np.random.default_rng(1).normal(size=x.shape), 2).transform(x)
    assert np.corrcoef(a[:, 0], b[:, 0])[0, 1] > 0.99 and np.corrcoef(a[:, 1], b[:, 1])[0, 1] > 0.99


def test_images_are_flattened_and_few_points_still_fit():
    images = ae.data.synthetic(12).images
    fitted = pca.fit(images, 20)        # more components than points: the extra ones carry nothing
    assert fitted.components_.shape == (20, 784)
    assert pca.project(images, 5).shape == (12, 5)


@pytest.mark.parametrize("k", [0, 21])
def test_bad_component_counts_raise(k):
    with pytest.raises(ValueError, match="components"):
        pca.fit(data(), k)
