"""ae.infer: reconstructions, codes, decoded pictures and per-image errors, batched, in eval mode."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ae
from ae.infer import codes_and_errors, decode, encode, reconstruct


def small_model(kind: str = "dense"):
    torch.manual_seed(0)
    hidden = (16,) if kind == "dense" else None
    return ae.build_model(ae.ModelConfig(kind=kind, latent_dim=3, hidden=hidden)).train()


def test_reconstruct_and_encode_batches():
    model = small_model()
    x = ae.data.synthetic(50).images
    r = reconstruct(model, x, batch_size=16)
    z = encode(model, x, batch_size=16)
    assert r.shape == x.shape and z.shape == (50, 3) and not model.training
    with torch.no_grad():
        assert torch.allclose(r, model(x), atol=1e-6) and torch.allclose(z, model.encode(x), atol=1e-6)
    assert reconstruct(model, x[:0]).shape == (0, 1, 28, 28)
    assert encode(model, x[:0]).shape == (0, 3)


def test_codes_and_errors_match_encode_and_reconstruct():
    model = small_model()
    x = ae.data.synthetic(40).images
    codes, errors = codes_and_errors(model, x, batch_size=16)
    np.testing.assert_allclose(codes, encode(model, x).numpy(), atol=1e-6)
    expected = ((reconstruct(model, x) - x) ** 2).flatten(1).mean(1).numpy()
    np.testing.assert_allclose(errors, expected, rtol=1e-5)
    empty_codes, empty_errors = codes_and_errors(model, x[:0])
    assert empty_codes.shape == (0, 3) and empty_errors.shape == (0,)


@pytest.mark.parametrize("kind", ["dense", "conv", "vae"])
def test_decode_gives_the_reconstruction_of_a_code(kind):
    model = small_model(kind)
    x = ae.data.synthetic(20).images
    z = encode(model, x)
    pictures = decode(model, z, batch_size=7)
    assert pictures.shape == x.shape and pictures.min() >= 0 and pictures.max() <= 1
    torch.testing.assert_close(pictures, reconstruct(model, x), atol=1e-5, rtol=0)


@pytest.mark.parametrize("kind", ["unet", "conv_refine"])
def test_decode_refuses_kinds_that_need_the_input(kind):
    model = small_model(kind)
    with pytest.raises(NotImplementedError):
        decode(model, torch.zeros(2, 3))
