"""ae.metrics: MSE, PSNR and SSIM on known cases; SSIM is scikit-image's, image by image."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ae import metrics


@pytest.fixture
def images():
    return torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 0.8 + 0.1


def test_identical_images(images):
    assert torch.equal(metrics.mse(images, images), torch.zeros(6))
    assert torch.allclose(metrics.psnr(images, images), torch.full((6,), 100.0))   # capped, not infinite
    assert torch.allclose(metrics.ssim(images, images), torch.ones(6), atol=1e-6)


@pytest.mark.parametrize("offset, db", [(0.1, 20.0), (0.01, 40.0), (0.5, 10 * math.log10(4))])
def test_constant_offset(images, offset, db):
    shifted = images + offset
    assert torch.allclose(metrics.mse(shifted, images), torch.full((6,), offset**2), rtol=1e-4)
    assert torch.allclose(metrics.psnr(shifted, images), torch.full((6,), db), atol=1e-3)
    assert torch.allclose(metrics.psnr(images - offset, images), torch.full((6,), db), atol=1e-3)   # symmetric


def test_mse_is_per_image_and_summary_averages(images):
    recon = images.clone()
    recon[0] += 0.2
    recon[1, 0, :14] = 0.0
    per_image = metrics.mse(recon, images)
    assert per_image.shape == (6,)
    assert math.isclose(float(per_image[0]), 0.04, rel_tol=1e-4)
    assert math.isclose(float(per_image[1]), float((images[1, 0, :14] ** 2).sum()) / 784, rel_tol=1e-4)
    assert torch.equal(per_image[2:], torch.zeros(4))
    s = metrics.summary(recon, images)
    assert set(s) == {"mse", "psnr", "ssim"}
    assert math.isclose(s["mse"], float(per_image.mean()), rel_tol=1e-6)
    assert math.isclose(s["psnr"], float(metrics.psnr(recon, images).mean()), rel_tol=1e-6)   # mean of per-image dB
    assert "ssim" not in metrics.summary(recon, images, with_ssim=False)


def test_ssim_is_scikit_image_per_image():
    """The batched call must give exactly what skimage's structural_similarity gives for each image
    alone, with Wang et al.'s settings (Gaussian window sigma 1.5, population covariance)."""
    from skimage.metrics import structural_similarity

    g = torch.Generator().manual_seed(1)
    target = torch.rand(5, 1, 28, 28, generator=g)
    recon = (target + 0.2 * torch.randn(5, 1, 28, 28, generator=g)).clamp(0, 1)
    ours = metrics.ssim(recon, target)
    for i in range(5):
        ref = structural_similarity(recon[i, 0].numpy(), target[i, 0].numpy(), data_range=1.0,
                                    gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
        assert math.isclose(float(ours[i]), ref, abs_tol=1e-5)


def test_ssim_ranks_light_damage_above_heavy_damage(images):
    light, heavy = images + 0.05, images + 0.3 * torch.randn(images.shape, generator=torch.Generator().manual_seed(2))
    assert float(metrics.ssim(light, images).mean()) > float(metrics.ssim(heavy, images).mean())
    assert float(metrics.ssim(heavy, images).max()) < 0.9
    assert torch.all(metrics.ssim(heavy, images) <= 1.0)


def test_ssim_of_an_empty_batch_and_other_dtypes(images):
    assert metrics.ssim(images[:0], images[:0]).shape == (0,)
    assert metrics.ssim(images.double(), images).dtype == torch.float32


def test_metrics_do_not_modify_inputs(images):
    before = images.clone()
    recon = images.flip(-1)
    metrics.summary(recon, images)
    assert torch.equal(images, before)
    assert np.isfinite(metrics.psnr(recon, images).numpy()).all()
