"""ae.models: every kind's shapes, gradients, named loss terms; the lesson's default; config checks."""
from __future__ import annotations

import math

import pytest
import torch

from ae.models import MODELS, ModelConfig, build_model, register, resolve

KINDS = sorted(MODELS)
SMALL_HIDDEN = {"dense": (16, 8), "conv_refine": (8, 6, 4)}   # conv_refine: the conv channels, then its width
CONFIGS = [ModelConfig(kind=k, latent_dim=d, hidden=h)
           for k in KINDS for d, h in ((2, None), (5, SMALL_HIDDEN.get(k, (8, 6))))]
CONFIGS.append(ModelConfig(kind="conv", latent_dim=4, hidden=(4, 8, 8)))   # the optional third channel count


def test_registry_has_the_three_kinds():
    assert {"dense", "conv", "vae"} <= set(MODELS)


def test_lesson_default_is_784_128_64_12_3():
    model = build_model(ModelConfig())
    assert model.config.kind == "dense" and model.config.latent_dim == 3 and model.config.hidden == (128, 64, 12)
    linears = [m for m in model.encoder.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 128), (128, 64), (64, 12), (12, 3)]
    assert not isinstance(list(model.encoder.children())[-1], torch.nn.ReLU)   # no activation on z
    assert isinstance(list(model.decoder.children())[-1], torch.nn.Sigmoid)
    assert [s for _, s in model.layer_sizes()] == [(784,), (128,), (64,), (12,)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.kind}-z{c.latent_dim}-{c.hidden}")
def test_shapes(config, batch):
    model = build_model(config).eval()
    x = batch[:6]
    with torch.no_grad():
        z = model.encode(x)
        assert z.shape == (6, config.latent_dim)
        z2, recon = model.encode_and_reconstruct(x)
        assert torch.equal(z2, z)
        if not model.skips:   # with skips the decoder needs more than z (unet's features, conv_refine's input)
            assert torch.allclose(model.decode(z), recon)
        assert recon.shape == (6, 1, 28, 28)
        assert float(recon.min()) >= 0 and float(recon.max()) <= 1   # sigmoid output
        assert torch.allclose(model(x), recon)
    sizes = model.layer_sizes()
    assert sizes[0][0] == "input" and all(isinstance(s, tuple) for _, s in sizes)


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.kind}-z{c.latent_dim}-{c.hidden}")
def test_loss_has_named_terms_and_backpropagates(config, batch):
    model = build_model(config).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(2):   # after one step: a layer that starts at zero (conv_refine's correction) passes no gradient back at first
        opt.zero_grad()
        terms = model.loss(batch[:8], target=batch[:8])
        terms["loss"].backward()
        opt.step()
    assert "loss" in terms and "mse" in terms
    assert all(t.ndim == 0 and math.isfinite(float(t.detach())) for t in terms.values())
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert all(float(g.abs().sum()) > 0 for g in grads)   # every layer learns something


def test_unet_uses_its_skips_and_refuses_to_decode_z_alone(batch):
    model = build_model(ModelConfig(kind="unet", latent_dim=4, hidden=(4, 8))).eval()
    a, b = batch[:1], batch[1:2]
    with torch.no_grad():
        same_code = model.encode_and_reconstruct(a)[0]
        # the same z with another image's skip features gives another picture: detail bypasses z
        # (compared unclipped, in training mode: an untrained model's clipped output can be all 0)
        model.train()
        _, h1, h2 = model._encode(b)
        crossed = model._decode(same_code, h1, h2)
        assert not torch.allclose(crossed, model(a))
    with pytest.raises(NotImplementedError, match="skip"):
        model.decode(same_code)
    with pytest.raises(ValueError, match="two channel counts"):
        build_model(ModelConfig(kind="unet", hidden=(4, 8, 8)))


def test_conv_refine_starts_as_its_conv_body_and_corrects_with_the_input(batch):
    torch.manual_seed(0)
    model = build_model(ModelConfig(kind="conv_refine", latent_dim=4, hidden=(4, 8, 6))).eval()
    a, b = batch[:2], batch[2:4]
    with torch.no_grad():
        z, recon = model.encode_and_reconstruct(a)
        picture = model.body.decode(z)
        assert torch.equal(recon, picture)   # the correction's last layer starts at zero
        torch.nn.init.normal_(model.refine[-1].weight, std=0.5)
        # the same code with another input beside it gives another picture: the input reaches the output
        crossed = (picture + model.refine(torch.cat([picture, b], 1))).clamp(0, 1)
        assert not torch.allclose(crossed, model(a))
        assert torch.allclose(model(a), (picture + model.refine(torch.cat([picture, a], 1))).clamp(0, 1))
    assert model.skips == (0,) and [n for n, _ in model.layer_sizes()] == ["input", "conv 1", "conv 2"]
    with pytest.raises(NotImplementedError, match="input"):
        model.decode(z)
    with pytest.raises(ValueError, match="refinement's width"):
        build_model(ModelConfig(kind="conv_refine", hidden=(4, 8)))


def test_vae_encode_returns_the_mean(batch):
    model = build_model(ModelConfig(kind="vae", latent_dim=2)).train()   # even in train mode: no sampling
    x = batch[:4]
    with torch.no_grad():
        mu, logvar = model.encode_stats(x)
        assert torch.equal(model.encode(x), mu)
        assert torch.equal(model.encode(x), model.encode(x))
        assert float(logvar.min()) >= -10 and float(logvar.max()) <= 10
    terms = {k: v.detach() for k, v in model.loss(x, x).items()}
    assert {"loss", "recon", "kl", "mse"} <= set(terms)
    assert float(terms["kl"]) >= 0
    assert torch.isclose(terms["loss"], terms["recon"] + model.config.beta * terms["kl"] / x[0].numel())
    assert model.sample(3, torch.Generator().manual_seed(0)).shape == (3, 1, 28, 28)


@torch.no_grad()
def test_vae_eval_loss_is_deterministic_and_beta_weighs_kl(batch):
    x = batch[:4]
    torch.manual_seed(0)
    m1 = build_model(ModelConfig(kind="vae", latent_dim=2, beta=1.0)).eval()
    torch.manual_seed(0)
    m4 = build_model(ModelConfig(kind="vae", latent_dim=2, beta=4.0)).eval()
    a, b = m1.loss(x, x), m1.loss(x, x)
    assert torch.equal(a["loss"], b["loss"])          # eval decodes the mean, no sampling
    c = m4.loss(x, x)
    assert torch.isclose(c["kl"], a["kl"]) and float(c["loss"]) > float(a["loss"])


def test_dense_loss_is_mse_against_the_given_target(batch):
    model = build_model(ModelConfig(latent_dim=2)).eval()
    x, other = batch[:4], batch[4:8]
    with torch.no_grad():
        assert torch.isclose(model.loss(x, other)["loss"], ((model(x) - other) ** 2).mean())


def test_configs_round_trip_through_dicts():
    for config in CONFIGS:
        resolved = build_model(config).config
        assert ModelConfig.from_dict(resolved.to_dict()) == resolved
    with pytest.raises(ValueError, match="unknown model config keys"):
        ModelConfig.from_dict({"kind": "dense", "layers": 3})


@pytest.mark.parametrize("bad, message", [
    (dict(kind="transformer"), "unknown model kind"),
    (dict(kind=["dense"]), "unknown model kind"),
    (dict(latent_dim=0), "latent_dim"),
    (dict(latent_dim=513), "latent_dim"),
    (dict(latent_dim=math.nan), "latent_dim"),
    (dict(latent_dim=2.5), "latent_dim"),
    (dict(latent_dim=None), "latent_dim"),
    (dict(latent_dim="3"), "latent_dim"),
    (dict(hidden=()), "hidden"),
    (dict(hidden=(0, 4)), "hidden"),
    (dict(hidden=(math.nan,)), "hidden"),
    (dict(hidden=(10_000,)), "hidden"),
    (dict(hidden="abc"), "hidden"),
    (dict(beta=-1.0), "beta"),
    (dict(beta=math.nan), "beta"),
    (dict(beta=math.inf), "beta"),
    (dict(beta="1"), "beta"),
    (dict(kind="conv", hidden=(8,)), "two or three channel counts"),
])
def test_bad_configs_raise_clear_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        build_model(ModelConfig(**bad))


def test_whole_floats_are_accepted():
    assert resolve(ModelConfig(latent_dim=4.0, hidden=(8.0, 4))).latent_dim == 4


def test_register_rejects_duplicates_and_adds_kinds(batch):
    with pytest.raises(ValueError, match="registered twice"):
        register("dense")(type("Again", (), {}))

    @register("_test_tiny")
    class Tiny(MODELS["dense"]):
        default_hidden = (4,)

    try:
        model = build_model(ModelConfig(kind="_test_tiny", latent_dim=2))
        assert isinstance(model, Tiny) and model.config.hidden == (4,)
        assert model(batch[:2]).shape == (2, 1, 28, 28)
    finally:
        del MODELS["_test_tiny"]
