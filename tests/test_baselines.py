"""ae.baselines: every classical restorer keeps shape and range and helps on noisy images."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ae import baselines, denoise, metrics
from ae.baselines import BASELINES


@pytest.fixture(scope="module")
def clean():
    """Smooth blobs: natural-image-like content that local filters can restore."""
    g = torch.Generator().manual_seed(3)
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    centres = torch.rand(24, 2, generator=g) * 12 + 8
    r2 = (yy - centres[:, :1, None]) ** 2 + (xx - centres[:, 1:, None]) ** 2
    return torch.exp(-r2 / 30.0)[:, None].clamp(0, 1)


@pytest.mark.parametrize("name", list(BASELINES))
def test_shape_range_and_input_untouched(name, clean):
    noisy = denoise.damage(clean, "gaussian", 0.3, seed=1)
    before = noisy.clone()
    out = BASELINES[name](noisy)
    assert out.shape == noisy.shape and out.dtype == torch.float32
    assert float(out.min()) >= 0 and float(out.max()) <= 1
    assert torch.equal(noisy, before)
    assert BASELINES[name](noisy[:0]).shape == (0, 1, 28, 28)


@pytest.mark.parametrize("name", [n for n in BASELINES if n != "none"])
@pytest.mark.parametrize("kind, level", [("gaussian", 0.3), ("salt_and_pepper", 0.1)])
def test_improves_psnr_on_noisy_images(name, kind, level, clean):
    noisy = denoise.damage(clean, kind, level, seed=2)
    before = float(metrics.psnr(noisy, clean).mean())
    after = float(metrics.psnr(BASELINES[name](noisy), clean).mean())
    assert after > before + 1.0, (name, kind, before, after)


def test_none_is_the_damaged_input(clean):
    noisy = denoise.damage(clean, "mask", 0.4, seed=0)
    assert torch.equal(BASELINES["none"](noisy), noisy)


def test_median_removes_isolated_specks():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 5, 5] = 1.0
    x[0, 0, 20, 10] = 1.0
    assert float(baselines.median3(x).max()) == 0.0


def test_median_matches_scipy(clean):
    """The sorting network gives exactly SciPy's 3x3 median (edges replicated: mode "nearest")."""
    from scipy.ndimage import median_filter

    noisy = denoise.damage(clean[:8], "salt_and_pepper", 0.3, seed=2)
    ref = median_filter(noisy.numpy(), size=(1, 1, 3, 3), mode="nearest")
    assert np.array_equal(baselines.median3(noisy).numpy(), ref)
    ties = torch.randint(0, 3, (4, 1, 28, 28), generator=torch.Generator().manual_seed(0)).float() / 2
    assert np.array_equal(baselines.median3(ties).numpy(), median_filter(ties.numpy(), size=(1, 1, 3, 3), mode="nearest"))


def test_total_variation_matches_scikit_image(clean):
    """The batched numpy version is the same algorithm as scikit-image's, image by image."""
    from skimage.restoration import denoise_tv_chambolle

    noisy = denoise.damage(clean[:8], "gaussian", 0.4, seed=5)
    ours = baselines.total_variation(noisy, weight=0.15)
    ref = np.stack([denoise_tv_chambolle(im[0].numpy(), weight=0.15)[None] for im in noisy])
    assert np.abs(ours.numpy() - np.clip(ref, 0, 1)).max() < 2e-3


def test_pca_projection_fits_and_restores(clean):
    train = denoise.damage(clean, "gaussian", 0.0)   # clean training images
    project = baselines.pca_projection(train, n_components=8)
    noisy = denoise.damage(clean, "gaussian", 0.3, seed=4)
    out = project(noisy)
    assert out.shape == noisy.shape and float(out.min()) >= 0 and float(out.max()) <= 1
    assert float(metrics.psnr(out, clean).mean()) > float(metrics.psnr(noisy, clean).mean()) + 3
    with pytest.raises(ValueError, match="n_components"):
        baselines.pca_projection(train, n_components=0)
