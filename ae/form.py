"""The Train page's settings as one typed object, and its one mapping to the configs that train.

`TrainForm` holds what a learner chooses (sizes as typed text, toggles); `configs()` turns it into a
`ModelConfig` and a `TrainConfig`, `of_job()` back again (a reloaded page shows a run's settings).
Knows nothing about Streamlit.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .models import MODELS, ModelConfig
from .noise import NOISES
from .train import TrainConfig


class SizesError(ValueError):
    """Hidden sizes typed in a form that are not whole numbers from 1 to 4096."""


def parse_sizes(text: str) -> tuple[int, ...] | None:
    """'128, 64,12' -> (128, 64, 12); an empty text -> None (the kind's default sizes)."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    if not any(parts):
        return None
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise SizesError(f"hidden sizes must be whole numbers separated by commas, like 128,64,12; got {text!r}") from None
    if any(not 1 <= s <= 4096 for s in sizes):
        raise SizesError(f"each hidden size must be between 1 and 4096, got {text!r}")
    return sizes


@dataclass(frozen=True)
class TrainForm:
    """What the Train page asks for. Defaults: the lesson's model (Fashion-MNIST, dense 784-128-64-12-3,
    Adam 0.005, batch 64), a quick run on 5,000 images for 5 epochs."""
    dataset: str = "fashion-mnist"
    kind: str = "dense"
    latent: int = 3
    hidden: str = "128,64,12"        # as typed; empty means the kind's default
    epochs: int = 5
    batch: int = 64
    lr: float = 0.005
    seed: int = 0
    quick: bool = True               # train on a random subset of `subset` images
    subset: int = 5000
    denoise: bool = False
    noise: str = "gaussian"
    level: float = 0.2
    clip: bool = True                # Gaussian noise only
    noisy_target: bool = False       # the lesson's first-printing bug
    cosine: bool = False             # lower the learning rate along a cosine
    init: bool = False               # start from the active model's weights

    def configs(self, init: str | None = None) -> tuple[ModelConfig, TrainConfig]:
        """The configs this form asks for; `init` is the checkpoint folder a warm start begins from.
        Raises SizesError for bad hidden sizes, ValueError for other bad settings."""
        model = ModelConfig(kind=self.kind, latent_dim=int(self.latent), hidden=parse_sizes(self.hidden))
        noise = NOISES[self.noise] if self.denoise else None
        train = TrainConfig(
            epochs=int(self.epochs), batch_size=int(self.batch), lr=float(self.lr), seed=int(self.seed),
            limit=int(self.subset) if self.quick else None,
            noise=(self.noise,) if noise else (), noise_level=float(self.level),
            noise_clip=bool(self.clip) if noise is not None and noise.clip else True,
            noisy_target=bool(noise) and bool(self.noisy_target),
            lr_schedule="cosine" if self.cosine else "constant",
            init=init if self.init else None)
        return model, train.validate()

    @classmethod
    def of(cls, model: ModelConfig, train: TrainConfig, dataset: str) -> "TrainForm":
        """The form that asks for these configs (a reloaded page shows a run's settings)."""
        base = cls()
        return cls(dataset=dataset, kind=model.kind, latent=model.latent_dim,
                   hidden=",".join(str(h) for h in model.hidden or ()), epochs=train.epochs,
                   batch=train.batch_size, lr=train.lr, seed=train.seed, quick=train.limit is not None,
                   subset=train.limit or base.subset, denoise=bool(train.noise),
                   noise=train.noise[0] if train.noise else base.noise, level=train.noise_level,
                   clip=train.noise_clip, noisy_target=train.noisy_target,
                   cosine=train.lr_schedule == "cosine", init=train.init is not None)

    def with_kind(self, kind: str) -> "TrainForm":
        """Another model kind, with that kind's own default sizes (each kind reads "hidden" its own way)."""
        return replace(self, kind=kind, hidden=",".join(map(str, MODELS[kind].default_hidden)))

    def with_noise(self, noise: str) -> "TrainForm":
        """Another noise kind, its level kept inside the new kind's range."""
        return replace(self, noise=noise, level=min(self.level, NOISES[noise].level.high))

    def values(self) -> dict:
        return asdict(self)

    @classmethod
    def from_values(cls, values: dict) -> "TrainForm":
        """From a page's stored values; unknown keys are ignored, missing ones take the defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


LESSON = replace(TrainForm(), epochs=10, quick=False)
# the same, as a denoiser: Gaussian sigma 0.2, not clipped, as the lesson
LESSON_DENOISE = replace(LESSON, denoise=True, noise="gaussian", level=0.2, clip=False)

__all__ = ["TrainForm", "LESSON", "LESSON_DENOISE", "parse_sizes", "SizesError"]
