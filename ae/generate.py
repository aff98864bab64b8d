"""Decoding the latent space: which models can, sliders over z, a plane through z, a decoded grid over
that plane, interpolation between two images, sampling, and "the holes" figures that compare a plain
autoencoder with a VAE.

Everything starts from the training codes, summarised once by `code_stats`; every picture comes from
`ae.infer.decode`. Pure torch/numpy; knows nothing about Streamlit. Plane coordinates are (u, v);
`Plane.to_z` and `Plane.coords` map them to codes z and back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from . import infer, pca, viz
from .classify import CONFIDENT, predict_proba
from .models import MODELS, VAE, Autoencoder

MAX_SLIDERS = 8                   # one slider per dimension up to this many; principal directions above
PERCENTILES = (1.0, 99.0)         # a plain AE's slider range and window: its codes' 1st to 99th percentile
PRIOR_RANGE = 3.0                 # a VAE's range: +-3 standard deviations of its prior N(0, I)
GRID_SIZES = (5, 30)              # n of an n x n decoded grid
GRID_QUANTILES = (0.05, 0.95)     # the Keras VAE example's grid: norm.ppf(np.linspace(0.05, 0.95, n))


# ---------------------------------------------------------------- which models can decode z

class CannotDecode(ValueError):
    """This model's decoder needs more than a code z; the message says why and what to pick instead."""


def _model_class(model_or_kind: Autoencoder | str) -> type[Autoencoder]:
    if isinstance(model_or_kind, str):
        if model_or_kind not in MODELS:
            raise ValueError(f"unknown model kind {model_or_kind!r}; known: {sorted(MODELS)}")
        return MODELS[model_or_kind]
    return type(model_or_kind)


def can_decode(model_or_kind: Autoencoder | str) -> bool:
    """Whether a model (or kind) turns a code z alone into a picture.

    A kind with skip connections (`Autoencoder.skips`: unet, conv_refine) hands its decoder encoder
    feature maps beside z, so without an input image it has nothing to decode from.
    """
    return not _model_class(model_or_kind).skips


def decoding_kinds() -> list[str]:
    """The registered kinds that can decode z on their own."""
    return [kind for kind, cls in MODELS.items() if not cls.skips]


def why_not(model_or_kind: Autoencoder | str) -> str | None:
    """None when the model can decode z alone, else one sentence a page can show."""
    if can_decode(model_or_kind):
        return None
    kind = model_or_kind if isinstance(model_or_kind, str) else model_or_kind.config.kind
    return (f"A {kind} model cannot draw a picture from a code alone: its decoder also takes the encoder's "
            f"feature maps (skip connections), so it needs an input image as well as z. "
            f"Pick a model of kind {', '.join(decoding_kinds())}.")


def require_decoder(model: Autoencoder) -> None:
    reason = why_not(model)
    if reason:
        raise CannotDecode(reason)


def has_prior(model: Autoencoder) -> bool:
    """A VAE was trained towards the prior N(0, I): its codes can be drawn from it."""
    return isinstance(model, VAE)


def decode(model: Autoencoder, z) -> Tensor:
    """Pictures (N, 1, 28, 28) of codes z (N, latent_dim) (or one picture (1, 1, 28, 28) of a code (latent_dim,))."""
    require_decoder(model)
    z = torch.as_tensor(np.asarray(z, np.float32))
    return infer.decode(model, z.reshape(-1, model.config.latent_dim))


# ---------------------------------------------------------------- the training codes, summarised

@dataclass(frozen=True)
class CodeStats:
    """What sliders, planes and samplers need to know about a model's training codes (N, d)."""
    mean: np.ndarray            # (d,)
    cov: np.ndarray             # (d, d)
    median: np.ndarray          # (d,)
    lo: np.ndarray              # (d,) 1st percentile of each dimension
    hi: np.ndarray              # (d,) 99th percentile
    pca: pca.PCA | None         # up to MAX_SLIDERS principal directions of the codes (None for d = 1)
    pc_lo: np.ndarray           # (k,) 1st percentile of the codes along each principal direction
    pc_hi: np.ndarray           # (k,) 99th percentile
    prior: bool                 # a VAE: ranges, planes and sampling follow N(0, I)
    count: int

    @property
    def latent_dim(self) -> int:
        return len(self.mean)


def code_stats(codes, prior: bool = False, percentiles: tuple[float, float] = PERCENTILES) -> CodeStats:
    """Summarise training codes (N, d); `prior` for a VAE (`has_prior(model)`)."""
    z = np.asarray(codes, np.float64)
    if z.ndim != 2 or len(z) < 2:
        raise ValueError("need the codes of at least two training images, as an (N, latent_dim) array")
    if not np.isfinite(z).all():
        raise ValueError("the codes hold NaN or infinite values")
    d = z.shape[1]
    lo, hi = np.percentile(z, percentiles, axis=0)
    fitted = pca.fit(z, min(MAX_SLIDERS, d)) if d > 1 else None
    if fitted is not None:
        along = fitted.transform(z)
        pc_lo, pc_hi = np.percentile(along, percentiles, axis=0)
    else:
        pc_lo = pc_hi = np.zeros(0)
    f32 = lambda a: np.asarray(a, np.float32)   # noqa: E731
    return CodeStats(f32(z.mean(0)), f32(np.cov(z, rowvar=False).reshape(d, d)), f32(np.median(z, 0)), f32(lo),
                     f32(hi), fitted, f32(pc_lo), f32(pc_hi), bool(prior), len(z))


def model_stats(model: Autoencoder, images: Tensor) -> CodeStats:
    """`code_stats` of a model's codes of `images` (its training images)."""
    return code_stats(infer.encode(model, images).numpy(), prior=has_prior(model))


# ---------------------------------------------------------------- sliders

@dataclass(frozen=True)
class Sliders:
    """Slider values s (k,) <-> codes z (d,): z = centre + s @ directions (+ what the sliders do not reach)."""
    centre: np.ndarray          # (d,)
    directions: np.ndarray      # (k, d) orthonormal rows: the axes of z, or principal directions
    lo: np.ndarray              # (k,) slider ranges
    hi: np.ndarray
    default: np.ndarray         # (k,) where the sliders start
    labels: tuple[str, ...]     # "z1".. or "PC1"..
    principal: bool             # sliders move along principal directions (latent_dim > MAX_SLIDERS)

    def values(self, z) -> np.ndarray:
        """Slider values of codes z (d,) or (N, d): "start from this image". Not clipped to the ranges."""
        z = np.asarray(z, np.float32)
        return ((z - self.centre) @ self.directions.T).astype(np.float32)

    def to_z(self, values, start=None) -> np.ndarray:
        """Codes (d,) or (N, d) of slider values (k,) or (N, k). With principal sliders, `start` (a code)
        keeps its part that no slider reaches, so its own values give back exactly `start`."""
        z = self.centre + np.asarray(values, np.float32) @ self.directions
        if start is not None:
            offset = np.asarray(start, np.float32) - self.centre
            z = z + offset - (offset @ self.directions.T) @ self.directions
        return z.astype(np.float32)

    def clip(self, values) -> np.ndarray:
        return np.clip(np.asarray(values, np.float32), self.lo, self.hi)


def sliders(stats: CodeStats) -> Sliders:
    """One slider per dimension for latent_dim <= 8, else 8 along the codes' principal directions.

    Ranges: a plain AE's codes' 1st to 99th percentile (centred on the mean code for principal
    sliders); +-3 for a VAE, whose prior N(0, I) has mean 0 and unit spread along every direction.
    """
    d = stats.latent_dim
    if d <= MAX_SLIDERS:
        eye = np.eye(d, dtype=np.float32)
        if stats.prior:
            return Sliders(np.zeros(d, np.float32), eye, np.full(d, -PRIOR_RANGE, np.float32),
                           np.full(d, PRIOR_RANGE, np.float32), np.zeros(d, np.float32),
                           tuple(f"z{i + 1}" for i in range(d)), False)
        return Sliders(np.zeros(d, np.float32), eye, stats.lo, stats.hi, np.clip(stats.median, stats.lo, stats.hi),
                       tuple(f"z{i + 1}" for i in range(d)), False)
    k = stats.pca.n_components
    labels = tuple(f"PC{i + 1}" for i in range(k))
    if stats.prior:
        return Sliders(np.zeros(d, np.float32), stats.pca.components_, np.full(k, -PRIOR_RANGE, np.float32),
                       np.full(k, PRIOR_RANGE, np.float32), np.zeros(k, np.float32), labels, True)
    return Sliders(stats.pca.mean_, stats.pca.components_, stats.pc_lo, stats.pc_hi, np.zeros(k, np.float32),
                   labels, True)


# ---------------------------------------------------------------- planes

@dataclass(frozen=True)
class Plane:
    """A 2-D plane through z space: z = origin + u * axes[0] + v * axes[1], with orthonormal axes."""
    origin: np.ndarray              # (d,)
    axes: np.ndarray                # (2, d) orthonormal rows
    window: np.ndarray              # (2, 2): [[u_lo, u_hi], [v_lo, v_hi]], what a map and a grid show
    labels: tuple[str, str]
    standard_normal: bool           # (u, v) ~ N(0, I) under a VAE's prior: grids use its quantiles
    marks: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))   # images that define it

    def to_z(self, coords) -> np.ndarray:
        """Codes (d,) or (N, d) of plane coordinates (2,) or (N, 2)."""
        return (self.origin + np.asarray(coords, np.float32) @ self.axes).astype(np.float32)

    def coords(self, z) -> np.ndarray:
        """Plane coordinates (N, 2) of codes (N, d): their orthogonal projection (for the code scatter)."""
        return ((np.asarray(z, np.float32) - self.origin) @ self.axes.T).astype(np.float32)

    def off_plane(self, z) -> np.ndarray:
        """Distance (N,) of codes from the plane (0 for every code when the plane is the whole z space)."""
        z = np.asarray(z, np.float32)
        return np.linalg.norm(z - self.to_z(self.coords(z)), axis=-1).astype(np.float32)


def _window(lo, hi) -> np.ndarray:
    lo, hi = np.asarray(lo, np.float32), np.asarray(hi, np.float32)
    hi = np.where(hi - lo > 1e-6, hi, lo + 1e-3)   # a dimension the codes never use still gets a window
    return np.stack([lo, hi], 1).astype(np.float32)


def _prior_window() -> np.ndarray:
    return np.array([[-PRIOR_RANGE, PRIOR_RANGE]] * 2, np.float32)


def latent_plane(stats: CodeStats) -> Plane:
    """For a 2-D code, the plane is the latent space itself: (u, v) = (z1, z2)."""
    if stats.latent_dim != 2:
        raise ValueError(f"the latent space is a plane only for a 2-D code; this one has {stats.latent_dim} "
                         "dimensions: use a plane through principal directions or through three images")
    window = _prior_window() if stats.prior else _window(stats.lo, stats.hi)
    return Plane(np.zeros(2, np.float32), np.eye(2, dtype=np.float32), window, ("z1", "z2"), stats.prior)


def principal_plane(stats: CodeStats, pcs: tuple[int, int] = (0, 1)) -> Plane:
    """The plane through two principal directions of the codes (0-based), centred on the mean code for a
    plain AE and on the prior's mean 0 for a VAE."""
    if stats.pca is None:
        raise ValueError("a one-dimensional code has no plane: use its slider")
    i, j = (int(p) for p in pcs)
    k = stats.pca.n_components
    if i == j or not (0 <= i < k and 0 <= j < k):
        raise ValueError(f"pick two different principal directions between 1 and {k}")
    axes = stats.pca.components_[[i, j]]
    if stats.prior:
        return Plane(np.zeros(stats.latent_dim, np.float32), axes, _prior_window(), (f"PC{i + 1}", f"PC{j + 1}"), True)
    return Plane(stats.pca.mean_, axes, _window(stats.pc_lo[[i, j]], stats.pc_hi[[i, j]]),
                 (f"PC{i + 1}", f"PC{j + 1}"), False)


def image_plane(codes, margin: float = 0.25) -> Plane:
    """The plane through the codes of three images (3, d): the first at (0, 0), the second on the u axis.

    The window is the three points' bounding box widened by `margin` of its larger side on every edge.
    """
    z = np.asarray(codes, np.float64)
    if z.ndim != 2 or len(z) != 3:
        raise ValueError("a plane through images needs the codes of exactly three images")
    if z.shape[1] < 2:
        raise ValueError("a one-dimensional code has no plane: use its slider")
    a, b = z[1] - z[0], z[2] - z[0]
    scale = max(np.linalg.norm(a), np.linalg.norm(b), 1e-12)
    e1 = a / max(np.linalg.norm(a), 1e-12)
    b_perp = b - (b @ e1) * e1
    if np.linalg.norm(a) < 1e-6 * scale or np.linalg.norm(b_perp) < 1e-3 * scale:
        raise ValueError("the three images' codes lie on one line (or two are the same), so they span no plane: "
                         "pick another image")
    axes = np.stack([e1, b_perp / np.linalg.norm(b_perp)]).astype(np.float32)
    marks = ((z - z[0]) @ axes.T.astype(np.float64)).astype(np.float32)
    lo, hi = marks.min(0), marks.max(0)
    pad = margin * float((hi - lo).max())
    return Plane(z[0].astype(np.float32), axes, _window(lo - pad, hi + pad), ("u", "v"), False, marks)


def default_plane(stats: CodeStats) -> Plane:
    """The latent space itself for a 2-D code, else the plane of the first two principal directions."""
    return latent_plane(stats) if stats.latent_dim == 2 else principal_plane(stats)


# ---------------------------------------------------------------- the decoded grid

def _quantile_values(lo: float, hi: float, n: int) -> np.ndarray:
    # the standard normal's quantiles at evenly spaced probabilities (torch's ndtri: no SciPy needed)
    probs = torch.linspace(GRID_QUANTILES[0], GRID_QUANTILES[1], n, dtype=torch.float64)
    return torch.special.ndtri(probs).numpy().astype(np.float32)


def _range_values(lo: float, hi: float, n: int) -> np.ndarray:
    return np.linspace(lo, hi, n, dtype=np.float32)


# How grid values are spaced along one plane axis, from its window (lo, hi) and n.
SPACINGS: dict[str, Callable[[float, float, int], np.ndarray]] = {
    "quantile": _quantile_values,   # a VAE: equal prior probability between neighbours, inside 5 %..95 %
    "range": _range_values,         # a plain AE: evenly over the window (its codes' 1st..99th percentile)
}


def cell_edges(values) -> np.ndarray:
    """Cell boundaries (n + 1,) around ascending cell centres (n,): midpoints, the ends half a step out."""
    values = np.asarray(values, np.float32)
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5], np.float32)
    mid = (values[1:] + values[:-1]) / 2
    first, last = values[0] - (mid[0] - values[0]), values[-1] + (values[-1] - mid[-1])
    return np.concatenate([[first], mid, [last]]).astype(np.float32)


def cell_counts(u, v, coords) -> np.ndarray:
    """How many codes fall in each cell of a grid with centres u (columns) and v (rows, ascending),
    in drawing order (top row first), from the codes' plane coordinates (N, 2); codes outside the grid
    are not counted. Needs no decoded pictures: a grid drawn elsewhere (the browser's) uses it too."""
    coords = np.asarray(coords, np.float64).reshape(-1, 2)
    counts, _, _ = np.histogram2d(coords[:, 0], coords[:, 1], bins=[cell_edges(u), cell_edges(v)])   # [u, v]
    return counts.T[::-1].ravel().astype(np.int64)


@dataclass(frozen=True)
class DecodedGrid:
    """n x n pictures decoded over a plane, in the order they are drawn: row r (from the top) shows
    v[n - 1 - r], column c shows u[c] (u grows to the right, v upwards, as on the code scatter)."""
    u: np.ndarray               # (n,) ascending
    v: np.ndarray               # (n,) ascending
    z: np.ndarray               # (n * n, d)
    images: Tensor              # (n * n, 1, 28, 28)
    spacing: str

    @property
    def n(self) -> int:
        return len(self.u)

    def coords(self) -> np.ndarray:
        """Plane coordinates (n * n, 2) of each picture, in drawing order."""
        uu, vv = np.meshgrid(self.u, self.v[::-1])
        return np.stack([uu.ravel(), vv.ravel()], 1).astype(np.float32)

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell boundaries along u and v (n + 1 each, ascending): where each picture sits on the scatter's
        axes (cells are unequal under quantile spacing)."""
        return cell_edges(self.u), cell_edges(self.v)

    def codes_per_cell(self, coords) -> np.ndarray:
        """How many codes fall in each picture's cell (n * n,), in drawing order, from the codes' plane
        coordinates (N, 2) (`Plane.coords`); codes outside the grid are not counted."""
        return cell_counts(self.u, self.v, coords)

    def empty_share(self, coords) -> float:
        """The share of cells that no code falls in: the holes of the code distribution itself."""
        return float((self.codes_per_cell(coords) == 0).mean())

    def picture(self, scale: int = 1, pad: int = 0) -> np.ndarray:
        """All pictures as one RGB uint8 image (the Keras example's figure)."""
        return viz.grid(list(self.images.split(self.n)), scale=scale, pad=pad)


def grid_spacing(plane: Plane) -> str:
    """Quantile spacing where the plane's coordinates follow the prior N(0, I) (a VAE), else range."""
    return "quantile" if plane.standard_normal else "range"


def grid_axes(plane: Plane, n: int = 20, spacing: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The grid's plane coordinates without decoding: u (n,) left to right and v (n,) bottom to top, for
    a decoder that runs elsewhere (the browser's). n from 5 to 30; `spacing` defaults to `grid_spacing(plane)`."""
    if not (isinstance(n, (int, np.integer)) and GRID_SIZES[0] <= n <= GRID_SIZES[1]):
        raise ValueError(f"the grid size must be a whole number from {GRID_SIZES[0]} to {GRID_SIZES[1]}, got {n!r}")
    spacing = spacing or grid_spacing(plane)
    if spacing not in SPACINGS:
        raise ValueError(f"unknown grid spacing {spacing!r}; known: {sorted(SPACINGS)}")
    u = SPACINGS[spacing](float(plane.window[0, 0]), float(plane.window[0, 1]), int(n))
    v = SPACINGS[spacing](float(plane.window[1, 0]), float(plane.window[1, 1]), int(n))
    return u, v


def decoded_grid(model: Autoencoder, plane: Plane, n: int = 20, spacing: str | None = None) -> DecodedGrid:
    """Decode an n x n grid over the plane (n from 5 to 30); `spacing` defaults to `grid_spacing(plane)`."""
    require_decoder(model)
    spacing = spacing or grid_spacing(plane)
    u, v = grid_axes(plane, n, spacing)
    uu, vv = np.meshgrid(u, v[::-1])
    z = plane.to_z(np.stack([uu.ravel(), vv.ravel()], 1))
    return DecodedGrid(u, v, z, infer.decode(model, torch.from_numpy(z)), spacing)


# ---------------------------------------------------------------- interpolation

def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    return (1 - t)[:, None] * a + t[:, None] * b


def _slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The direction turns along the great circle while the length changes linearly (White 2016,
    "Sampling generative networks"): the path keeps away from the origin, which is unlikely under a
    many-dimensional prior. Linear when a direction is undefined or the two are (anti)parallel."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-8 or nb < 1e-8:
        return _lerp(a, b, t)
    ua, ub = a / na, b / nb
    omega = np.arccos(np.clip(ua @ ub, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return _lerp(a, b, t)
    direction = (np.sin((1 - t) * omega)[:, None] * ua + np.sin(t * omega)[:, None] * ub) / np.sin(omega)
    return ((1 - t) * na + t * nb)[:, None] * direction


PATHS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "linear": _lerp,
    "spherical": _slerp,
}


def latent_path(z_a, z_b, steps: int = 10, path: str = "linear") -> np.ndarray:
    """Codes (steps, d) from z_a to z_b, both ends included."""
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}; known: {sorted(PATHS)}")
    if not (isinstance(steps, (int, np.integer)) and 2 <= steps <= 64):
        raise ValueError(f"steps must be a whole number from 2 to 64, got {steps!r}")
    t = np.linspace(0.0, 1.0, int(steps))
    a, b = np.asarray(z_a, np.float64).ravel(), np.asarray(z_b, np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError("the two codes differ in length")
    return PATHS[path](a, b, t).astype(np.float32)


@dataclass(frozen=True)
class Interpolation:
    t: np.ndarray               # (steps,) 0 .. 1
    z: np.ndarray               # (steps, d) the latent path
    latent: Tensor              # (steps, 1, 28, 28) its decoded pictures: blending meanings
    pixels: Tensor              # (steps, 1, 28, 28) the cross-fade (1 - t) a + t b: blending pixels
    path: str

    def picture(self, scale: int = 2, pad: int = 2) -> np.ndarray:
        """Two rows as one RGB image: the latent path above, the cross-fade below."""
        return viz.grid([self.latent, self.pixels], scale=scale, pad=pad)


def default_path(model: Autoencoder) -> str:
    return "spherical" if has_prior(model) else "linear"


def interpolate(model: Autoencoder, x_a: Tensor, x_b: Tensor, steps: int = 10, path: str | None = None) -> Interpolation:
    """From image a to image b (each (1, 28, 28) or (1, 1, 28, 28)): through latent space (linear for a
    plain AE, spherical for a VAE by default) and by cross-fading pixels."""
    require_decoder(model)
    a, b = (torch.as_tensor(x, dtype=torch.float32).reshape(1, 1, 28, 28) for x in (x_a, x_b))
    path = path or default_path(model)
    z = infer.encode(model, torch.cat([a, b])).numpy()
    codes = latent_path(z[0], z[1], steps, path)
    t = np.linspace(0.0, 1.0, len(codes), dtype=np.float32)
    tt = torch.from_numpy(t).reshape(-1, 1, 1, 1)
    return Interpolation(t, codes, infer.decode(model, torch.from_numpy(codes)), (1 - tt) * a + tt * b, path)


# ---------------------------------------------------------------- sampling

def _from_prior(stats: CodeStats, n: int, g: torch.Generator | None) -> np.ndarray:
    return torch.randn(n, stats.latent_dim, generator=g, dtype=torch.float64).numpy()


def _from_gaussian(stats: CodeStats, n: int, g: torch.Generator | None) -> np.ndarray:
    d = stats.latent_dim
    cov = stats.cov.astype(np.float64)
    jitter = 1e-6 * max(float(np.trace(cov)) / d, 1e-12)   # codes confined to a subspace have a singular covariance
    chol = np.linalg.cholesky(cov + jitter * np.eye(d))
    return stats.mean + torch.randn(n, d, generator=g, dtype=torch.float64).numpy() @ chol.T


def _from_box(stats: CodeStats, n: int, g: torch.Generator | None) -> np.ndarray:
    u = torch.rand(n, stats.latent_dim, generator=g, dtype=torch.float64).numpy()
    return stats.lo + u * (stats.hi - stats.lo)


@dataclass(frozen=True)
class Sampler:
    fn: Callable[[CodeStats, int, torch.Generator | None], np.ndarray]
    needs_prior: bool       # only a VAE was trained towards N(0, I)
    label: str              # key in the strings table


# Where random codes come from. The box is the codes' 1st to 99th percentile in every dimension (the
# sliders' ranges) rather than their min..max, which a single stray code would stretch.
SAMPLERS: dict[str, Sampler] = {
    "prior": Sampler(_from_prior, True, "generate.sample.prior"),
    "gaussian": Sampler(_from_gaussian, False, "generate.sample.gaussian"),
    "box": Sampler(_from_box, False, "generate.sample.box"),
}


def sample_sources(model: Autoencoder) -> list[str]:
    """The SAMPLERS a model can use, its default first: the prior for a VAE, the fitted Gaussian otherwise."""
    return [name for name, s in SAMPLERS.items() if has_prior(model) or not s.needs_prior]


@dataclass(frozen=True)
class Samples:
    z: np.ndarray               # (n, d)
    images: Tensor              # (n, 1, 28, 28)
    source: str


def sample_codes(stats: CodeStats, n: int = 16, source: str = "prior",
                 generator: torch.Generator | None = None) -> np.ndarray:
    """n random codes (n, d) from one of SAMPLERS; the same generator state gives the same codes."""
    if source not in SAMPLERS:
        raise ValueError(f"unknown sampling source {source!r}; known: {sorted(SAMPLERS)}")
    if SAMPLERS[source].needs_prior and not stats.prior:
        raise ValueError("a plain autoencoder has no prior to sample from: draw from a Gaussian fitted to its "
                         "codes or from their box instead")
    if not (isinstance(n, (int, np.integer)) and 1 <= n <= 1024):
        raise ValueError(f"the number of samples must be a whole number from 1 to 1024, got {n!r}")
    return SAMPLERS[source].fn(stats, int(n), generator).astype(np.float32)


def sample(model: Autoencoder, stats: CodeStats, n: int = 16, source: str | None = None,
           generator: torch.Generator | None = None) -> Samples:
    """n pictures decoded from random codes; `source` defaults to the model's first `sample_sources`."""
    require_decoder(model)
    source = source or sample_sources(model)[0]
    z = sample_codes(stats, n, source, generator)
    return Samples(z, infer.decode(model, torch.from_numpy(z)), source)


# ---------------------------------------------------------------- the holes

def holes_pair(infos, dataset: str, latent_dim: int = 2) -> tuple | None:
    """A plain AE and a VAE with a `latent_dim` code trained on `dataset`, from
    `ae.checkpoint.list_checkpoints(...)`: (plain info, vae info), the first of each by name, or None."""
    plain, vae = [], []
    for info in infos:
        meta = info.meta if info.ok else None
        if not meta or (meta.get("dataset") or {}).get("name") != dataset:
            continue
        kind, dim = meta["model"].get("kind"), meta["model"].get("latent_dim")
        if dim != latent_dim or kind not in MODELS or not can_decode(kind):
            continue
        (vae if issubclass(MODELS[kind], VAE) else plain).append(info)
    if not plain or not vae:
        return None
    return min(plain, key=lambda i: i.name), min(vae, key=lambda i: i.name)


def _flat(images) -> Tensor:
    x = images if isinstance(images, Tensor) else torch.as_tensor(np.asarray(images))
    return x.detach().float().cpu().reshape(len(x), 28 * 28)


def nearest_distance(pictures, real, chunk: int = 512) -> np.ndarray:
    """Euclidean distance in pixel space (784 values in [0, 1]) from each picture (N, 1, 28, 28) to its
    nearest real image (M, 1, 28, 28): 0 for a copy, about 9-10 between two different digits."""
    p, r = _flat(pictures), _flat(real)
    if not len(r):
        raise ValueError("need at least one real image to compare with")
    r2 = (r * r).sum(1)
    out = []
    for block in p.split(chunk):
        best = torch.full((len(block),), float("inf"))
        b2 = (block * block).sum(1, keepdim=True)
        for part, part2 in zip(r.split(8192), r2.split(8192)):
            # |p - r|^2 = |p|^2 - 2 p.r + |r|^2, one matrix product per chunk
            best = torch.minimum(best, (b2 - 2 * block @ part.T + part2).min(1).values)
        out.append(best.clamp_min(0).sqrt())
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


@dataclass(frozen=True)
class Holes:
    """How much of a set of decoded pictures looks real, picture by picture."""
    confidence: np.ndarray      # (N,) the classifier's top probability
    predicted: np.ndarray       # (N,) its class
    distance: np.ndarray        # (N,) Euclidean pixel distance to the nearest real training image
    threshold: float

    @property
    def recognised(self) -> np.ndarray:
        return self.confidence >= self.threshold

    @property
    def recognised_share(self) -> float:
        return float(self.recognised.mean()) if len(self.confidence) else float("nan")

    @property
    def mean_distance(self) -> float:
        return float(self.distance.mean()) if len(self.distance) else float("nan")

    def summary(self) -> dict:
        return {"pictures": int(len(self.confidence)), "threshold": self.threshold,
                "recognised_share": self.recognised_share, "mean_distance": self.mean_distance,
                "median_distance": float(np.median(self.distance)) if len(self.distance) else float("nan")}


def holes(pictures: Tensor, classifier: torch.nn.Module, real: Tensor, threshold: float = CONFIDENT) -> Holes:
    """The holes figures of decoded pictures (N, 1, 28, 28) (usually `decoded_grid(...).images`): which
    ones a classifier trained on real images recognises with confidence >= threshold, and how far each
    is from its nearest real image."""
    p = predict_proba(classifier, pictures)
    return Holes(p.max(1).astype(np.float32), p.argmax(1), nearest_distance(pictures, real), float(threshold))


__all__ = ["MAX_SLIDERS", "PERCENTILES", "PRIOR_RANGE", "GRID_SIZES", "GRID_QUANTILES", "CONFIDENT", "CannotDecode",
           "can_decode", "decoding_kinds", "why_not", "require_decoder", "has_prior", "decode", "CodeStats",
           "code_stats", "model_stats", "Sliders", "sliders", "Plane", "latent_plane", "principal_plane",
           "image_plane", "default_plane", "SPACINGS", "cell_edges", "cell_counts", "DecodedGrid", "grid_spacing",
           "grid_axes", "decoded_grid",
           "PATHS", "latent_path", "Interpolation", "default_path", "interpolate", "Sampler", "SAMPLERS",
           "sample_sources", "Samples", "sample_codes", "sample", "holes_pair", "nearest_distance", "Holes", "holes"]
