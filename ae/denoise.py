"""Denoising comparisons: damage clean images, restore them with models and classical baselines,
and measure each restorer against the clean images on exactly the same damage.

Pure torch/numpy; the Denoising page and `bench/denoise.py` both call these functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import torch
from torch import Tensor

from . import metrics
from .baselines import BASELINES
from .checkpoint import ModelRecord, noises_of
from .models import Autoencoder
from .noise import NOISES, corrupt
from .infer import reconstruct

Restorer = Callable[[Tensor], Tensor]
METRICS = ("mse", "psnr", "ssim")


def damage(x: Tensor, kind: str, level: float, seed: int = 0, **options) -> Tensor:
    """`x` corrupted by noise `kind` at `level` with its own seeded generator: the same arguments
    always give the same picture. Block noise takes `size` and `count` options (count wins over level)."""
    return corrupt(x, kind, level, torch.Generator().manual_seed(int(seed)), **options)


def trained_noises(meta: Mapping) -> tuple[str, ...]:
    """The noise kinds a checkpoint was trained on (its train.noise), in order, without repeats."""
    return noises_of(meta.get("train"))


def is_denoiser(meta: Mapping) -> bool:
    """A checkpoint trained on damaged inputs."""
    return bool(trained_noises(meta))


def _restorers(models: Mapping[str, Autoencoder], baselines: Mapping[str, Restorer] | list[str] | None
               ) -> dict[str, Restorer]:
    if baselines is None:
        baselines = BASELINES
    elif not isinstance(baselines, Mapping):
        unknown = [b for b in baselines if b not in BASELINES]
        if unknown:
            raise ValueError(f"unknown baseline(s) {unknown}; known: {sorted(BASELINES)}")
        baselines = {b: BASELINES[b] for b in baselines}
    out: dict[str, Restorer] = dict(baselines)
    for name, model in models.items():
        if name in out:
            raise ValueError(f"model name {name!r} is also a baseline's name")
        out[name] = lambda x, m=model: reconstruct(m, x)
    return out


@dataclass
class Comparison:
    """Every restorer's output and figures on the same damaged batch.

    restored[name]: (B, 1, 28, 28); per_image[name][metric]: (B,) tensor; mean[name][metric]: float.
    Names: the baselines' keys ("none" is the damaged input itself), then the models' keys.
    """
    restored: dict[str, Tensor]
    per_image: dict[str, dict[str, Tensor]]
    mean: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.restored)

    def rows(self) -> list[dict]:
        """One dict per restorer: {"name", "mse", "psnr", "ssim"} of the means, for tables."""
        return [{"name": n, **self.mean[n]} for n in self.names]


def compare(clean: Tensor, damaged: Tensor, models: Mapping[str, Autoencoder] | None = None,
            baselines: Mapping[str, Restorer] | list[str] | None = None, with_ssim: bool = True) -> Comparison:
    """Restore `damaged` with each baseline and each model and measure against `clean`.

    Args:
        clean, damaged: (B, 1, 28, 28) in [0, 1], the same images.
        models: name -> autoencoder, e.g. {"plain": ..., "denoiser": ...}.
        baselines: BASELINES names or name -> function; None means all of BASELINES.
        with_ssim: SSIM is the slow figure (a few ms per restorer for 16 images).
    """
    if clean.shape != damaged.shape:
        raise ValueError(f"clean {tuple(clean.shape)} and damaged {tuple(damaged.shape)} differ in shape")
    restored = {name: restore(damaged).clamp(0, 1) for name, restore in _restorers(models or {}, baselines).items()}
    per_image = {name: {"mse": metrics.mse(out, clean), "psnr": metrics.psnr(out, clean)}
                 for name, out in restored.items()}
    if with_ssim and restored:   # one call for every restorer: SSIM is the costly figure
        every = metrics.ssim(torch.cat(list(restored.values())), clean.repeat(len(restored), 1, 1, 1))
        for name, part in zip(restored, every.split(len(clean))):
            per_image[name]["ssim"] = part
    mean = {name: {k: float(v.mean()) if len(v) else float("nan") for k, v in figures.items()}
            for name, figures in per_image.items()}
    return Comparison(restored, per_image, mean)


def levels(kind: str, step: float = 0.1) -> list[float]:
    """Noise levels from clean (0) to the kind's heaviest (its record's level range), `step` apart."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; known: {sorted(NOISES)}")
    level = NOISES[kind].level
    return [round(float(v), 4) for v in np.arange(level.low, level.high + step / 2, step)]


def default_pair(active: str, records: Mapping[str, ModelRecord]) -> tuple[str | None, str | None]:
    """Sensible (plain autoencoder, denoiser) keys among `records` (key -> ModelRecord, one dataset).

    The active model keeps its role. A denoiser partner is the strongest one: trained on the most noise
    kinds, then restoring best in its recorded figures (a weak partner made the autoencoders look worse
    than a median filter). A plain partner is the closest to the active denoiser: the same kind first,
    then a name that extends the other's (fmnist_dense_z3 -> fmnist_dense_z3_denoise), then not a VAE,
    then the nearest latent size. None where a role has no checkpoint.
    """
    def name(k: str) -> str:
        return records[k].name

    def closeness(k: str, ref: str) -> tuple:
        a, b = records[k].config, records[ref].config
        related = name(k).startswith(name(ref)) or name(ref).startswith(name(k))
        return (a.kind == b.kind, related, a.kind != "vae", -abs(np.log(a.latent_dim / b.latent_dim)), name(k))

    def strength(k: str) -> tuple:
        restored = [f["psnr"] for f in records[k].denoise.values() if f.get("psnr") is not None]
        return len(records[k].noises), float(np.mean(restored)) if restored else 0.0

    plain = [k for k in records if not records[k].is_denoiser]
    noisy = [k for k in records if records[k].is_denoiser]
    if active in records and active in noisy:
        return (max(plain, key=lambda k: closeness(k, active)) if plain else None), active
    first = active if active in records else (min(plain, key=name) if plain else None)
    if not noisy:
        return first, None
    return first, max(noisy, key=lambda k: (strength(k), closeness(k, first) if first else ()))


def psnr_curve(clean: Tensor, kind: str, xs: list[float], models: Mapping[str, Autoencoder] | None = None,
               baselines: Mapping[str, Restorer] | list[str] | None = None, *, seed: int = 0,
               vary: str = "level", **options) -> dict[str, list[float]]:
    """Mean PSNR (dB) of every restorer at each x: {"x": xs, name: [psnr per x], ...}.

    `vary` names what the xs set: the noise level, or a noise option such as block's "count"
    (then the other options, e.g. size, stay fixed). PSNR of an exact copy is capped at 100 dB.
    """
    restorers = _restorers(models or {}, baselines)
    out: dict[str, list[float]] = {"x": [float(v) for v in xs], **{n: [] for n in restorers}}
    for v in xs:
        if vary == "level":
            damaged = damage(clean, kind, v, seed, **options)
        else:
            damaged = damage(clean, kind, 0.0, seed, **{**options, vary: int(v) if float(v).is_integer() else v})
        for name, restore in restorers.items():
            out[name].append(float(metrics.psnr(restore(damaged).clamp(0, 1), clean).mean()))
    return out


__all__ = ["damage", "trained_noises", "is_denoiser", "default_pair", "compare", "Comparison", "levels", "psnr_curve", "METRICS"]
