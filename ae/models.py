"""Autoencoder models: one registry (`MODELS`), one frozen config, one interface.

Every model maps images (B, 1, 28, 28) in [0, 1] to a code z (B, latent_dim) and back.
Adding a kind means writing one class with `@register("name")`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass(frozen=True)
class ModelConfig:
    kind: str = "dense"                      # key in MODELS
    latent_dim: int = 3                      # the lesson uses 3 so z can be plotted as it is
    hidden: tuple[int, ...] | None = None    # encoder widths (dense) or channels (conv); None: the kind's default
    beta: float = 1.0                        # weight of the KL term (vae only)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """Rebuild from JSON, where tuples came back as lists; unknown keys are an error."""
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        d = dict(d)
        if d.get("hidden") is not None:
            d["hidden"] = tuple(int(h) for h in d["hidden"])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


class Autoencoder(nn.Module):
    """What every model offers: encode, decode, forward (= reconstruct) and loss."""

    default_hidden: tuple[int, ...] = ()
    skips: tuple[int, ...] = ()   # layer_sizes() stages whose output also goes straight to the decoder

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config

    def encode(self, x: Tensor) -> Tensor:  # (B, 1, 28, 28) -> (B, latent_dim)
        raise NotImplementedError

    def decode(self, z: Tensor) -> Tensor:  # (B, latent_dim) -> (B, 1, 28, 28)
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        return self.encode_and_reconstruct(x)[1]

    def encode_and_reconstruct(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(z, recon) in one pass; models whose decoder needs more than z override it."""
        z = self.encode(x)
        return z, self.decode(z)

    def loss(self, x_in: Tensor, target: Tensor) -> dict[str, Tensor]:
        """Named loss terms; "loss" is the one to backpropagate."""
        mse = F.mse_loss(self(x_in), target)
        return {"loss": mse, "mse": mse}

    def layer_sizes(self) -> list[tuple[str, tuple[int, ...]]]:
        """(name, shape) of each stage from the input up to (not including) the code z, for diagrams."""
        raise NotImplementedError


MODELS: dict[str, type[Autoencoder]] = {}


def register(kind: str):
    """Class decorator: make a model buildable from ModelConfig(kind=...)."""
    def add(cls):
        if kind in MODELS:
            raise ValueError(f"model kind {kind!r} registered twice")
        MODELS[kind] = cls
        return cls
    return add


def _whole(v) -> bool:
    """A whole number (3 or 3.0), not NaN, not a bool or a string: configs come from JSON and UIs."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and float(v).is_integer()


# One budget for every model, checked before anything is built: 10 M parameters are 40 MB of float32
# weights (80 MB as float64), well below what ae.checkpoint loads (200 MB), and still minutes per epoch
# on two cores. Without it, "4096," typed 200 times built a 6.7 G-parameter model and the server died.
MAX_PARAMETERS = 10_000_000
MAX_LAYERS = 16


class TooLarge(ValueError):
    """A model over the parameter budget; `parameters` and `limit` let pages say it in any language."""

    def __init__(self, parameters: int, limit: int = MAX_PARAMETERS):
        super().__init__(f"this model would have {parameters:,} parameters; the limit is {limit:,}: "
                         "use fewer or narrower layers")
        self.parameters, self.limit = parameters, limit


def count_parameters(config: ModelConfig) -> int:
    """Parameters of the model a (resolved) config builds, counted on the meta device: no memory is
    allocated, so an absurd config costs nothing to refuse."""
    with torch.device("meta"):
        model = MODELS[config.kind](config)
    return sum(p.numel() for p in model.parameters())


def resolve(config: ModelConfig) -> ModelConfig:
    """Check a config (ranges, then the parameter budget) and fill in the kind's default hidden sizes."""
    if not isinstance(config.kind, str) or config.kind not in MODELS:
        raise ValueError(f"unknown model kind {config.kind!r}; known: {sorted(MODELS)}")
    if not (_whole(config.latent_dim) and 1 <= config.latent_dim <= 512):
        raise ValueError(f"latent_dim must be a whole number between 1 and 512, got {config.latent_dim!r}")
    hidden = MODELS[config.kind].default_hidden if config.hidden is None else config.hidden
    if (not isinstance(hidden, (tuple, list)) or not hidden
            or any(not (_whole(h) and 1 <= h <= 4096) for h in hidden)):
        raise ValueError(f"hidden sizes must be whole numbers between 1 and 4096, got {hidden!r}")
    if not (isinstance(config.beta, numbers.Real) and not isinstance(config.beta, bool)
            and 0.0 <= config.beta <= 100.0):   # also rejects NaN
        raise ValueError(f"beta must be between 0 and 100, got {config.beta!r}")
    if len(hidden) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} hidden sizes, got {len(hidden)}")
    config = replace(config, latent_dim=int(config.latent_dim), hidden=tuple(int(h) for h in hidden))
    n = count_parameters(config)
    if n > MAX_PARAMETERS:
        raise TooLarge(n)
    return config


def build_model(config: ModelConfig) -> Autoencoder:
    config = resolve(config)
    return MODELS[config.kind](config)


def mlp(dims: list[int]) -> nn.Sequential:
    """Linear layers with ReLU between them and none after the last."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


@register("dense")
class DenseAE(Autoencoder):
    """The lesson's autoencoder: 784-128-64-12-3, ReLU, no activation on z, sigmoid output."""

    default_hidden = (128, 64, 12)

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        dims = [28 * 28, *config.hidden, config.latent_dim]
        self.encoder = mlp(dims)
        self.decoder = nn.Sequential(mlp(dims[::-1]), nn.Sigmoid())

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x.reshape(len(x), -1))

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z).reshape(len(z), 1, 28, 28)

    def layer_sizes(self):
        return [("input", (784,))] + [(f"dense {i + 1}", (d,)) for i, d in enumerate(self.config.hidden)]


class _ConvBody(nn.Module):
    """Strided 3x3 convolutions down to 7x7 and transposed ones back up: 28 -> 14 -> 7.

    channels = (c1, c2) or (c1, c2, c3): a third count adds a 3x3 convolution at 7x7 on each side,
    more capacity for denoisers without a larger code.
    """

    def __init__(self, channels: tuple[int, ...], out_dim: int, latent_dim: int):
        super().__init__()
        if len(channels) not in (2, 3):
            raise ValueError(f"conv models take two or three channel counts (28->14->7), got {channels}")
        c1, c2 = channels[:2]
        last = channels[-1]
        self.last = last
        down: list[nn.Module] = [nn.Conv2d(1, c1, 3, stride=2, padding=1), nn.ReLU(),
                                 nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU()]
        up: list[nn.Module] = [nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                               nn.ConvTranspose2d(c1, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid()]
        if len(channels) == 3:
            down += [nn.Conv2d(c2, last, 3, padding=1), nn.ReLU()]
            up = [nn.Conv2d(last, c2, 3, padding=1), nn.ReLU()] + up
        self.down = nn.Sequential(*down, nn.Flatten())
        self.to_code = nn.Linear(last * 7 * 7, out_dim)
        self.from_code = nn.Sequential(nn.Linear(latent_dim, last * 7 * 7), nn.ReLU())
        self.up = nn.Sequential(*up)

    def encode(self, x: Tensor) -> Tensor:
        return self.to_code(self.down(x))

    def decode(self, z: Tensor) -> Tensor:
        return self.up(self.from_code(z).reshape(len(z), self.last, 7, 7))


def conv_sizes(channels: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    sizes = [("input", (1, 28, 28)), ("conv 1", (channels[0], 14, 14)), ("conv 2", (channels[1], 7, 7))]
    return sizes + [("conv 3", (channels[2], 7, 7))] if len(channels) == 3 else sizes


@register("conv")
class ConvAE(Autoencoder):
    """Convolutional autoencoder: two strided convolutions, a linear code, the mirror image back."""

    default_hidden = (32, 64)

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.body = _ConvBody(config.hidden, config.latent_dim, config.latent_dim)

    def encode(self, x: Tensor) -> Tensor:
        return self.body.encode(x)

    def decode(self, z: Tensor) -> Tensor:
        return self.body.decode(z)

    def layer_sizes(self):
        return conv_sizes(self.config.hidden)


@register("conv_refine")
class RefineAE(Autoencoder):
    """The `conv` autoencoder plus one skip connection: its picture is refined with the damaged input.

    Everything passes through the code z as in `conv`; then three 3x3 convolutions at 28x28 look at
    the decoder's picture and the input side by side and add a correction. Undamaged pixels (between
    salt-and-pepper dots, outside erased blocks) are known exactly in the input, and a bottleneck alone
    can only redraw them from z. The refinement costs 2.4-2.9x the `conv` model's training time per
    image, against 6x for a `unet` whose skips carry 32 and 64 feature maps. Its `body` has the same layers
    as a `conv` model, so one can start from a trained `conv` checkpoint (`ae.checkpoint.init_from`).

    hidden = the conv channels (two or three counts) and the refinement's width last. The correction's
    last layer starts at zero, so an untrained refinement passes the decoder's picture through; the
    output is clipped to [0, 1] in eval mode.
    """

    default_hidden = (32, 64, 32)
    skips = (0,)   # the input, straight to the output

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        if len(config.hidden) not in (3, 4):
            raise ValueError(f"conv_refine models take the conv channels (two or three counts) and the "
                             f"refinement's width, got {config.hidden}")
        *channels, width = config.hidden
        self.body = _ConvBody(tuple(channels), config.latent_dim, config.latent_dim)
        self.refine = nn.Sequential(nn.Conv2d(2, width, 3, padding=1), nn.ReLU(),
                                    nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
                                    nn.Conv2d(width, 1, 3, padding=1))
        nn.init.zeros_(self.refine[-1].weight)
        nn.init.zeros_(self.refine[-1].bias)

    def encode(self, x: Tensor) -> Tensor:
        return self.body.encode(x)

    def decode(self, z: Tensor) -> Tensor:
        raise NotImplementedError("a conv_refine model refines its picture with the input: "
                                  "use model(x) or encode_and_reconstruct(x)")

    def encode_and_reconstruct(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = self.body.encode(x)
        picture = self.body.decode(z)
        out = picture + self.refine(torch.cat([picture, x], 1))
        return z, out if self.training else out.clamp(0, 1)

    def layer_sizes(self):
        return conv_sizes(self.config.hidden[:-1])


@register("unet")
class SkipAE(Autoencoder):
    """Convolutional autoencoder with skip connections (U-Net style), for denoising.

    A linear code z sits in the middle as in `conv`, and the decoder also receives the encoder's
    feature maps at 28x28 and 14x14. Those carry the exact positions of edges and of undamaged pixels
    past the code, which a bottleneck alone must squeeze through z. Such a model could learn to copy
    its input, so it only makes sense trained on damaged inputs (a denoiser): the damage, not a narrow
    code, is what it learns to remove. Because of the skips it cannot decode z on its own.

    The output layer is linear while training and clipped to [0, 1] in eval mode. A sigmoid there
    saturated within the first epoch on MNIST (mostly black pixels): every output went to 0 and the
    gradient with it, at learning rates from 0.0003 to 0.002.
    """

    default_hidden = (32, 64)
    skips = (1, 2)   # conv 1 (28x28) and conv 2 (14x14)

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        if len(config.hidden) != 2:
            raise ValueError(f"unet models take two channel counts (28x28, then 14x14 and 7x7), got {config.hidden}")
        a, b = config.hidden
        self.c1 = nn.Sequential(nn.Conv2d(1, a, 3, padding=1), nn.ReLU())                       # 28x28
        self.c2 = nn.Sequential(nn.Conv2d(a, b, 3, stride=2, padding=1), nn.ReLU())             # 14x14
        self.c3 = nn.Sequential(nn.Conv2d(b, b, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten())  # 7x7
        self.to_code = nn.Linear(b * 7 * 7, config.latent_dim)
        self.from_code = nn.Sequential(nn.Linear(config.latent_dim, b * 7 * 7), nn.ReLU())
        self.up2 = nn.Sequential(nn.ConvTranspose2d(b, b, 3, stride=2, padding=1, output_padding=1), nn.ReLU())
        self.merge2 = nn.Sequential(nn.Conv2d(2 * b, b, 3, padding=1), nn.ReLU())
        self.up1 = nn.Sequential(nn.ConvTranspose2d(b, a, 3, stride=2, padding=1, output_padding=1), nn.ReLU())
        self.merge1 = nn.Sequential(nn.Conv2d(2 * a, a, 3, padding=1), nn.ReLU(), nn.Conv2d(a, 1, 3, padding=1))

    def _encode(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        h1 = self.c1(x)
        h2 = self.c2(h1)
        return self.to_code(self.c3(h2)), h1, h2

    def encode(self, x: Tensor) -> Tensor:
        return self._encode(x)[0]

    def decode(self, z: Tensor) -> Tensor:
        raise NotImplementedError("a unet model decodes z together with the encoder's skip features: "
                                  "use model(x) or encode_and_reconstruct(x)")

    def _decode(self, z: Tensor, h1: Tensor, h2: Tensor) -> Tensor:
        d = self.up2(self.from_code(z).reshape(len(z), -1, 7, 7))
        d = self.up1(self.merge2(torch.cat([d, h2], 1)))
        out = self.merge1(torch.cat([d, h1], 1))
        return out if self.training else out.clamp(0, 1)

    def encode_and_reconstruct(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, h1, h2 = self._encode(x)
        return z, self._decode(z, h1, h2)

    def layer_sizes(self):
        a, b = self.config.hidden
        return [("input", (1, 28, 28)), ("conv 1", (a, 28, 28)), ("conv 2", (b, 14, 14)), ("conv 3", (b, 7, 7))]


@register("vae")
class VAE(Autoencoder):
    """Variational autoencoder on the conv body; `encode` returns the mean of q(z|x)."""

    default_hidden = (32, 64)

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.body = _ConvBody(config.hidden, 2 * config.latent_dim, config.latent_dim)

    def encode_stats(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = self.body.encode(x).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)   # keeps exp(logvar) finite early in training

    def encode(self, x: Tensor) -> Tensor:
        return self.encode_stats(x)[0]

    def decode(self, z: Tensor) -> Tensor:
        return self.body.decode(z)

    @staticmethod
    def reparameterize(mu: Tensor, logvar: Tensor) -> Tensor:
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def loss(self, x_in: Tensor, target: Tensor) -> dict[str, Tensor]:
        mu, logvar = self.encode_stats(x_in)
        recon = self.decode(self.reparameterize(mu, logvar) if self.training else mu)
        pixels = target[0].numel()
        bce = F.binary_cross_entropy(recon, target, reduction="sum") / len(target)
        # KL(q(z|x) || N(0, I)), Kingma & Welling 2014, appendix B
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(target)
        loss = (bce + self.config.beta * kl) / pixels   # per pixel, so the scale is near the other kinds'
        return {"loss": loss, "recon": bce / pixels, "kl": kl, "mse": F.mse_loss(recon, target)}

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Decode n codes drawn from the prior N(0, I)."""
        z = torch.randn(n, self.config.latent_dim, generator=generator)
        return self.decode(z.to(next(self.parameters()).device))

    def layer_sizes(self):
        return conv_sizes(self.config.hidden) + [("μ, log σ²", (2, self.config.latent_dim))]
