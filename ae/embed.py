"""Maps of latent codes: the raw code, PCA and t-SNE, in 2-D or 3-D, with an on-disk cache.

Every embedder in `EMBEDDERS` turns codes z (N, latent_dim) into map coordinates (N, dims) and
returns a `LatentMap` that can place NEW codes on the same map without refitting it:

    raw            the code itself (latent_dim 2 or 3, as the lesson plots it); new points: their code
    pca            principal components of the codes; new points: the same projection
    tsne           openTSNE with FFT-accelerated gradients (Linderman et al. 2019), PCA initialisation
                   and a shortened schedule; new points: openTSNE's `transform` (each new point is
                   optimised against the fixed map)
    tsne_sklearn   scikit-learn's TSNE, the reference (and the benchmark's baseline); it has no
                   transform, so new points are interpolated from their nearest codes' positions

Maps are cached on disk (`.cache/embeddings`, or $AE_CACHE_DIR) as .npz files loaded with
allow_pickle=False, keyed by everything that changes the result: the checkpoint's weights hash,
dataset, split, number and choice of points, method, dims and settings. Knows nothing about Streamlit.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from . import infer, pca
from .env import lower_this_threads_priority, tsne_threads

ROOT = Path(__file__).resolve().parents[1]
CACHE_VERSION = 2                 # bump when a method's output changes for the same settings
TSNE_MAX_POINTS = 10_000          # t-SNE beyond this is minutes on 2 cores; PCA and raw take the whole split

# on_progress(fraction done 0..1, current coordinates or None); returning True stops early.
Progress = Callable[[float, "np.ndarray | None"], "bool | None"]


# ---------------------------------------------------------------- points and codes

def sample_indices(total: int, n: int | None, seed: int = 0) -> np.ndarray:
    """Sorted indices of a deterministic random subset of n out of `total` (all when n is None or
    too large); the same choice as `ae.data.Split.subset(n, seed)`."""
    if n is None or n >= total:
        return np.arange(total)
    if n < 1:
        raise ValueError(f"number of points must be at least 1, got {n}")
    idx = torch.randperm(total, generator=torch.Generator().manual_seed(seed))[:n]
    return idx.sort().values.numpy()


# ---------------------------------------------------------------- the fitted map

def interpolate(source: np.ndarray, coords: np.ndarray, z_new: np.ndarray, k: int = 10) -> np.ndarray:
    """Place new codes at the weighted mean of the map positions of their k nearest codes.

    Weights fall off as exp(-(d / d_median)^2) with the distance d in latent space, so a code that
    sits on a reference code lands (almost) on it, and one between two clusters is not dragged
    half-way by its farthest neighbours."""
    source = np.asarray(source, np.float32)
    z_new = np.atleast_2d(np.asarray(z_new, np.float32))
    k = max(1, min(k, len(source)))
    # squared distances by the expansion |a|^2 - 2ab + |b|^2: one matrix product, no (M, N, d) array
    d2 = (z_new ** 2).sum(1)[:, None] - 2 * z_new @ source.T + (source ** 2).sum(1)[None]
    nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
    d = np.sqrt(np.maximum(np.take_along_axis(d2, nearest, 1), 0))
    scale = np.median(d, axis=1, keepdims=True) + 1e-12
    w = np.exp(-(d / scale) ** 2)
    w /= w.sum(1, keepdims=True)
    return (w[..., None] * coords[nearest]).sum(1).astype(np.float32)


@dataclass
class LatentMap:
    """Coordinates (N, dims) of N codes on a map, and what it takes to place new codes on it."""
    coords: np.ndarray                  # (N, dims) float32
    method: str
    dims: int
    settings: dict
    state: dict[str, np.ndarray] = field(default_factory=dict)   # arrays `place` needs (all numeric)
    seconds: float = 0.0               # time to compute the map (the fit, not a cache load)
    cached: bool = False               # loaded from the disk cache
    cancelled: bool = False            # its fit was stopped before the end (never cached)
    _fitted: object = field(default=None, repr=False)           # openTSNE's affinities, while in memory

    @property
    def placement(self) -> str:
        """How new points are placed: "code" (raw), "projection" (pca), "transform" (openTSNE's
        optimisation against the fixed map) or "neighbours" (interpolated from nearest codes)."""
        return EMBEDDERS[self.method].placement

    def place(self, z_new: np.ndarray) -> np.ndarray:
        """Map coordinates (M, dims) of new codes z_new (M, latent_dim); the map itself is unchanged."""
        z_new = np.atleast_2d(np.asarray(z_new, np.float32))
        if len(z_new) == 0:
            return np.zeros((0, self.dims), np.float32)
        return EMBEDDERS[self.method].place(self, z_new).astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        info = json.dumps({"method": self.method, "dims": self.dims, "settings": self.settings,
                           "seconds": self.seconds})
        return {"coords": self.coords, "info": np.array(info), **{f"state.{k}": v for k, v in self.state.items()}}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "LatentMap":
        info = json.loads(str(arrays["info"]))
        state = {k[len("state."):]: v for k, v in arrays.items() if k.startswith("state.")}
        return cls(np.asarray(arrays["coords"], np.float32), info["method"], int(info["dims"]), info["settings"],
                   state, float(info.get("seconds", 0.0)), cached=True)


# ---------------------------------------------------------------- embedders

@dataclass(frozen=True)
class Knob:
    """A setting a page offers for a method: a slider over [low, high], or a choice among `choices`."""
    low: float
    high: float
    step: float = 1
    choices: tuple = ()


@dataclass(frozen=True)
class Embedder:
    """A map method and everything a page needs to offer it. Strings (both languages, `pages/_text`) by
    convention from the registry key K: "latent.method.K" names it, "latent.engine.K" says how it runs."""
    name: str
    fit: Callable[..., LatentMap]       # fit(z, dims, settings, on_progress) -> LatentMap
    place: Callable[[LatentMap, np.ndarray], np.ndarray]
    placement: str                      # how new points are placed: "code", "projection", "transform", "neighbours"
    defaults: dict                      # the settings it takes, with their default values
    max_points: int | None              # None: the whole split
    axis: str = "{n}"                   # axis names: {n} is 1, 2, 3 and {sub} ₁, ₂, ₃
    latent: tuple[int, int | None] = (1, None)   # the code sizes it draws (None: any)
    dims_up_to_latent: bool = False     # draws at most as many map dimensions as the code has
    slow: bool = False                  # fitted in the background, with a quick PCA view meanwhile
    progress: bool = False              # reports how far it is, and the forming map
    knobs: dict[str, Knob] = field(default_factory=dict)   # the settings a page offers, by name

    def available(self, latent_dim: int, dims: int) -> bool:
        """Whether this method can draw codes of latent_dim as a dims-dimensional map."""
        low, high = self.latent
        return low <= latent_dim <= (high or latent_dim) and (not self.dims_up_to_latent or dims <= latent_dim)

    def axes(self, dims: int) -> tuple[str, ...]:
        return tuple(self.axis.format(n=i + 1, sub="₁₂₃"[i]) for i in range(dims))


def available(latent_dim: int, dims: int) -> list[str]:
    """The methods that can draw codes of latent_dim in dims dimensions, in the registry's order (the
    first is the natural default: the code itself when it can be drawn as it is)."""
    return [name for name, e in EMBEDDERS.items() if e.available(latent_dim, dims)]


def _fit_raw(z: np.ndarray, dims: int, settings: dict, on_progress: Progress | None = None) -> LatentMap:
    return LatentMap(np.ascontiguousarray(z[:, :dims], np.float32), "raw", dims, {})


def _place_raw(m: LatentMap, z_new: np.ndarray) -> np.ndarray:
    return z_new[:, :m.dims]


def _fit_pca(z: np.ndarray, dims: int, settings: dict, on_progress: Progress | None = None) -> LatentMap:
    fitted = pca.fit(z, dims)
    state = {"mean": fitted.mean_, "components": fitted.components_}
    return LatentMap(fitted.transform(z), "pca", dims, {}, state)


def _place_pca(m: LatentMap, z_new: np.ndarray) -> np.ndarray:
    return (z_new - m.state["mean"]) @ m.state["components"].T


def _tsne_schedule(iterations: int) -> tuple[int, int]:
    """(early exaggeration, normal) iterations of a t-SNE run of `iterations` in all: a quarter, at
    most 250 (the usual length), exaggerates; openTSNE's defaults are 250 + 500."""
    early = min(250, iterations // 4)
    return early, iterations - early


def _gradient(n: int, dims: int) -> dict:
    """How the repulsive forces are approximated. FFT interpolation (Linderman et al. 2019) on a
    coarser grid than openTSNE's default (1.5 map units per interval, at least 20 intervals, instead
    of 1 and 50): measured on 5,000 Fashion-MNIST codes, 300 iterations took 2.8 s instead of 8.8 s
    with the map's k-NN accuracy 0.717 against 0.716 (scikit-learn's defaults: 0.719 in 45 s).
    Barnes-Hut below 1,500 points, where the grid's fixed cost dominates, and for 3-D maps (FFT
    gradients exist for 1-D and 2-D maps only)."""
    if n < 1500 or dims > 2:
        return {"negative_gradient_method": "bh"}
    return {"negative_gradient_method": "fft", "ints_in_interval": 1.5, "min_num_intervals": 20}


def _affinities(z: np.ndarray, perplexity: float, seed: int):
    from openTSNE import affinity

    # Exact neighbours (scikit-learn's trees): codes have few dimensions, where they beat Annoy's
    # index by far, and they make the map depend on the settings only.
    perplexity = min(float(perplexity), (len(z) - 1) / 3)
    return affinity.PerplexityBasedNN(z, perplexity=perplexity, method="exact", n_jobs=tsne_threads(),
                                      random_state=seed, verbose=False)


def _fit_tsne(z: np.ndarray, dims: int, settings: dict, on_progress: Progress | None = None) -> LatentMap:
    from openTSNE import TSNEEmbedding, initialization

    z = np.ascontiguousarray(z, np.float32)
    if len(z) < 4:
        raise ValueError(f"t-SNE needs at least 4 points, got {len(z)}")
    seed = int(settings["seed"])
    iterations = int(settings["iterations"])
    t0 = time.perf_counter()
    aff = _affinities(z, settings["perplexity"], seed)
    fraction_aff = 0.1                  # how much of the bar the neighbour search fills
    stopped = [bool(on_progress and on_progress(fraction_aff, None))]
    init = initialization.pca(z, n_components=dims, random_state=seed) if z.shape[1] >= dims else \
        initialization.random(len(z), n_components=dims, random_state=seed)
    emb = TSNEEmbedding(init, aff, **_gradient(len(z), dims), n_jobs=tsne_threads(),
                        random_state=seed, verbose=False)
    early, normal = _tsne_schedule(iterations)
    every = max(10, iterations // 20)

    def callback(done_before: int):
        def report(iteration, error, embedding):
            done = done_before + iteration
            stopped[0] = bool(on_progress(fraction_aff + (1 - fraction_aff) * done / iterations,
                                          np.asarray(embedding)))
            return stopped[0]
        return report

    kwargs = dict(callbacks_every_iters=every) if on_progress else {}
    if early and not stopped[0]:
        emb = emb.optimize(early, exaggeration=12, momentum=0.5,
                           callbacks=callback(0) if on_progress else None, **kwargs)
    if normal and not stopped[0]:
        emb = emb.optimize(normal, momentum=0.8, callbacks=callback(early) if on_progress else None, **kwargs)
    coords = np.asarray(emb, np.float32)
    coords = coords - (coords.max(0) + coords.min(0)) / 2   # centred, as openTSNE's transform expects
    m = LatentMap(coords, "tsne", dims, dict(settings), {"source": z}, time.perf_counter() - t0,
                  cancelled=stopped[0])
    m._fitted = aff
    return m


def _place_tsne(m: LatentMap, z_new: np.ndarray) -> np.ndarray:
    from openTSNE import TSNEEmbedding

    seed = int(m.settings["seed"])
    if m._fitted is None:   # a map from the disk cache: rebuild the neighbour index from its codes
        m._fitted = _affinities(m.state["source"], m.settings["perplexity"], seed)
    # a fresh embedding object around a copy of the map: transform re-centres its reference in place
    ref = TSNEEmbedding(m.coords, m._fitted, **_gradient(len(m.coords), m.dims),
                        n_jobs=tsne_threads(), random_state=seed, verbose=False)
    # openTSNE's defaults for adding points (perplexity 5, 250 small steps with clipped gradients)
    return np.asarray(ref.transform(np.ascontiguousarray(z_new, np.float32),
                                    perplexity=min(5.0, (len(m.coords) - 1) / 3)))


def _fit_tsne_sklearn(z: np.ndarray, dims: int, settings: dict, on_progress: Progress | None = None) -> LatentMap:
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    z = np.ascontiguousarray(z, np.float32)
    if len(z) < 4:
        raise ValueError(f"t-SNE needs at least 4 points, got {len(z)}")
    if dims > 3:
        raise ValueError("scikit-learn's t-SNE draws 2-D or 3-D maps only")
    t0 = time.perf_counter()
    # scikit-learn's defaults except what the settings name (max_iter must be at least 250)
    tsne = TSNE(n_components=dims, perplexity=min(float(settings["perplexity"]), len(z) - 1.0),
                max_iter=max(250, int(settings["iterations"])), random_state=int(settings["seed"]))
    with threadpool_limits(limits=tsne_threads()):   # its OpenMP gradient: as many threads as ours
        coords = tsne.fit_transform(z).astype(np.float32)
    if on_progress:
        on_progress(1.0, coords)
    return LatentMap(coords, "tsne_sklearn", dims, dict(settings), {"source": z}, time.perf_counter() - t0)


def _place_neighbours(m: LatentMap, z_new: np.ndarray) -> np.ndarray:
    return interpolate(m.state["source"], m.coords, z_new)


# 300 iterations (75 exaggerated): on 5,000 Fashion-MNIST codes the 2-D map's k-NN accuracy is within
# 0.005 of scikit-learn's 1,000 (bench/latent.py measures both on every run).
TSNE_DEFAULTS = {"perplexity": 30.0, "iterations": 300, "seed": 0}
TSNE_KNOBS = {"perplexity": Knob(5, 50), "iterations": Knob(250, 1000, choices=(250, 300, 400, 500, 750, 1000))}
# In the order a page offers them: the code as it is first (where it can be drawn), then t-SNE.
EMBEDDERS: dict[str, Embedder] = {
    "raw": Embedder("raw", _fit_raw, _place_raw, "code", {}, None, axis="z{sub}", latent=(2, 3),
                    dims_up_to_latent=True),
    "tsne": Embedder("tsne", _fit_tsne, _place_tsne, "transform", dict(TSNE_DEFAULTS), TSNE_MAX_POINTS,
                     axis="t-SNE {n}", slow=True, progress=True, knobs=TSNE_KNOBS),
    "pca": Embedder("pca", _fit_pca, _place_pca, "projection", {}, None, axis="PC {n}", dims_up_to_latent=True),
    "tsne_sklearn": Embedder("tsne_sklearn", _fit_tsne_sklearn, _place_neighbours, "neighbours",
                             {"perplexity": 30.0, "iterations": 1000, "seed": 0}, TSNE_MAX_POINTS,
                             axis="t-SNE {n}", slow=True, knobs=TSNE_KNOBS),
}


def settings_for(method: str, settings: dict | None = None) -> dict:
    """The method's settings: its defaults overridden by `settings`, checked; unknown keys refused."""
    if method not in EMBEDDERS:
        raise ValueError(f"unknown map method {method!r}; known: {sorted(EMBEDDERS)}")
    defaults = EMBEDDERS[method].defaults
    settings = dict(settings or {})
    unknown = set(settings) - set(defaults)
    if unknown:
        raise ValueError(f"{method} takes no settings {sorted(unknown)}; it takes {sorted(defaults) or 'none'}")
    out = {**defaults, **settings}
    if "perplexity" in out:
        p = float(out["perplexity"])
        if not (np.isfinite(p) and 2 <= p <= 100):
            raise ValueError(f"perplexity must be between 2 and 100, got {out['perplexity']}")
        out["perplexity"] = p
    if "iterations" in out:
        it = out["iterations"]
        if isinstance(it, bool) or int(it) != it or not 50 <= int(it) <= 5000:
            raise ValueError(f"iterations must be a whole number from 50 to 5000, got {it}")
        out["iterations"] = int(it)
    if "seed" in out:
        out["seed"] = int(out["seed"])
    return out


def fit(z: np.ndarray, method: str, dims: int = 2, settings: dict | None = None,
        on_progress: Progress | None = None) -> LatentMap:
    """A map of codes z (N, latent_dim) by `method` in `dims` (2 or 3) dimensions."""
    z = np.asarray(z, np.float32)
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(f"codes must be a non-empty (N, latent_dim) array, got shape {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("codes hold NaN or infinite values")
    if dims not in (2, 3):
        raise ValueError(f"a map has 2 or 3 dimensions, not {dims}")
    settings = settings_for(method, settings)
    embedder = EMBEDDERS[method]
    if not embedder.available(z.shape[1], dims):
        raise ValueError(f"{method} cannot draw {z.shape[1]}-dimensional codes in {dims}-D")
    if embedder.max_points is not None and len(z) > embedder.max_points:
        raise ValueError(f"{method} takes at most {embedder.max_points:,} points, got {len(z):,}")
    t0 = time.perf_counter()
    m = embedder.fit(z, dims, settings, on_progress)
    m.seconds = time.perf_counter() - t0
    return m


# ---------------------------------------------------------------- the disk cache

def cache_dir() -> Path:
    """$AE_CACHE_DIR, else .cache/embeddings beside the project (git-ignored)."""
    return Path(os.environ.get("AE_CACHE_DIR") or ROOT / ".cache" / "embeddings")


def cache_key(**parts) -> str:
    """A file name from everything that decides an array: JSON of the parts, hashed."""
    text = json.dumps({"v": CACHE_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


CACHE_MAX_BYTES = 200_000_000   # a map of 70,000 points with its codes is a few MB; anything far larger is not ours


class Cache:
    """Arrays stored as .npz files by key; loading never unpickles (allow_pickle=False). An entry that
    cannot be read for any reason is a miss and is deleted, so the next fit replaces it."""

    def __init__(self, folder: str | os.PathLike | None = None, max_bytes: int = CACHE_MAX_BYTES):
        self.folder = Path(folder) if folder is not None else cache_dir()
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        path = self.path(key)
        try:
            if path.stat().st_size > self.max_bytes:
                raise ValueError("cache entry too large")
            with zipfile.ZipFile(path) as z:   # sizes from the directory, before anything is inflated
                if sum(i.file_size for i in z.infolist()) > self.max_bytes:
                    raise ValueError("cache entry inflates too far")
            with np.load(path, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None
        except Exception:   # truncated, foreign, a bomb, a pickle: compute afresh, and let the next put replace it
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            return None

    def put(self, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Write atomically (temporary file, then rename); a cache that cannot be written is skipped."""
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, self.path(key))
        except OSError:   # a read-only or full disk: the map is still returned, only not kept
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


def cached_codes(model, images: torch.Tensor, key_parts: dict, cache: Cache | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """`codes_and_errors`, kept on disk under key_parts (weights hash, dataset, split, points)."""
    cache = cache or Cache()
    key = cache_key(kind="codes", **key_parts)
    hit = cache.get(key)
    if hit is not None and len(hit.get("codes", ())) == len(images):
        return hit["codes"], hit["errors"]
    codes, errors = infer.codes_and_errors(model, images)
    cache.put(key, {"codes": codes, "errors": errors})
    return codes, errors


def cached_encode(model, images: torch.Tensor, key_parts: dict, cache: Cache | None = None) -> np.ndarray:
    """The codes (N, latent_dim) of `images`, kept on disk under key_parts (weights hash, dataset, split,
    points): what a page needs of a whole training split, at the cost of encoding it once."""
    cache = cache or Cache()
    key = cache_key(kind="encode", **key_parts)
    hit = cache.get(key)
    if hit is not None and hit.get("codes") is not None and hit["codes"].shape == (len(images), model.config.latent_dim):
        return hit["codes"]
    codes = infer.encode(model, images).numpy()
    cache.put(key, {"codes": codes})
    return codes


def cached_map(z: np.ndarray, method: str, dims: int, settings: dict | None, key_parts: dict,
               cache: Cache | None = None, on_progress: Progress | None = None) -> LatentMap:
    """`fit`, or the same map from the disk cache when it was computed before for the same key parts
    (checkpoint weights hash, dataset, split, points) and the same method, dims and settings."""
    cache = cache or Cache()
    settings = settings_for(method, settings)
    key = map_key(key_parts, method, dims, settings)
    hit = cache.get(key)
    if hit is not None:
        try:
            m = LatentMap.from_arrays(hit)
            if len(m.coords) == len(z) and m.coords.shape[1] == dims and np.isfinite(m.coords).all():
                return m
        except Exception:   # readable arrays that are not a map of ours: fitted afresh below, and replaced
            pass
    m = fit(z, method, dims, settings, on_progress)
    if not m.cancelled:      # a fit stopped half-way is no map to keep
        cache.put(key, m.to_arrays())
    return m


class MapFit:
    """`cached_map` on a thread of its own. A Streamlit page stops its script when the user clicks
    anything; a t-SNE computed inside the script died with it and started again from 0 on the rerun.
    Here the fit runs on while the page comes and goes: each run reads `fraction` and the forming
    `coords`, and waits for `result` (or `error`). `cancel()` stops it at its next progress report."""

    def __init__(self, z: np.ndarray, method: str, dims: int, settings: dict | None, key_parts: dict,
                 cache: Cache | None = None, on_done: Callable[["MapFit"], None] | None = None):
        self.fraction = 0.0
        self.coords: np.ndarray | None = None          # the forming map, when the method reports one
        self.result: LatentMap | None = None
        self.error: BaseException | None = None
        self.started = time.perf_counter()
        self.key = map_key(key_parts, method, dims, settings)
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._on_done = on_done
        self._start(z, method, dims, settings, key_parts, cache)

    def _start(self, z, method, dims, settings, key_parts, cache) -> None:
        """Begin the fit: here on a thread of this process (ae.ray_backend's RayMapFit: a Ray task)."""
        args = (z, method, dims, settings, key_parts, cache)
        threading.Thread(target=self._run, args=args, name=f"map-{method}", daemon=True).start()

    def _run(self, z, method, dims, settings, key_parts, cache) -> None:
        lower_this_threads_priority()   # the pages of every session come first
        try:
            self.result = cached_map(z, method, dims, settings, key_parts, cache, on_progress=self._progress)
        except Exception as e:     # kept for the page to show; a thread's exception would go nowhere
            self.error = e
        finally:
            self._finish()

    def _finish(self) -> None:
        self.fraction = 1.0
        try:
            if self._on_done is not None:   # first: whoever waits for it finds the map already kept
                self._on_done(self)
        finally:
            self._done.set()

    def _progress(self, fraction: float, coords: np.ndarray | None) -> bool:
        if coords is not None:
            self.coords = np.array(coords, np.float32)   # a copy: openTSNE keeps changing its array
        self.fraction = fraction
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop at the next progress report (openTSNE reports every few iterations; scikit-learn's
        t-SNE never does, so it runs to its end)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> LatentMap | None:
        """The map once it is ready (None if `timeout` seconds passed first); raises the fit's error."""
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.result


class MapService:
    """Maps for every browser session of a server: the fitted ones in memory (least recently used
    dropped past `keep`; openTSNE's neighbour index stays with them, so placing a new point needs no
    rebuild), and the fits under way, shared by whoever asks for the same map. Each asker (a session)
    has one fit it waits for: a newer request of its own supersedes the older and stops it, unless
    another session still waits for that one (ten nudges of a slider used to start ten fits).

    `fit`: what runs a fit, called like MapFit (ae.executor's map_fit: a thread here, or a Ray task)."""

    def __init__(self, keep: int = 12, cache: Cache | None = None, fit: Callable[..., MapFit] | None = None):
        self.keep = keep
        self.cache = cache
        self._fit = fit or MapFit
        self._lock = threading.Lock()
        self._maps: OrderedDict[str, LatentMap] = OrderedDict()
        self._fits: dict[str, MapFit] = {}
        self._wanted: dict[str, str] = {}          # asker -> the key of the fit it waits for

    def get(self, key: str) -> LatentMap | None:
        with self._lock:
            m = self._maps.get(key)
            if m is not None:
                self._maps.move_to_end(key)
            return m

    def request(self, asker: str, z: np.ndarray, method: str, dims: int, settings: dict | None,
                key_parts: dict) -> LatentMap | MapFit:
        """The map if it is ready; else the fit that makes it (started now, or already under way)."""
        key = map_key(key_parts, method, dims, settings)
        with self._lock:
            if key in self._maps:
                self._maps.move_to_end(key)
                return self._maps[key]
            old = self._wanted.get(asker)
            self._wanted[asker] = key
            if old is not None and old != key and old in self._fits \
                    and old not in {k for a, k in self._wanted.items() if a != asker}:
                self._fits.pop(old).cancel()
            fit = self._fits.get(key)
            if fit is None or fit.cancelled:
                fit = self._fits[key] = self._fit(z, method, dims, settings, key_parts, self.cache,
                                                  on_done=self._finish)
            return fit

    def _finish(self, fit: MapFit) -> None:
        with self._lock:
            if self._fits.get(fit.key) is fit:
                del self._fits[fit.key]
            if fit.result is not None and not fit.result.cancelled:
                self._maps[fit.key] = fit.result
                self._maps.move_to_end(fit.key)
                while len(self._maps) > self.keep:
                    self._maps.popitem(last=False)

    def release(self, asker: str) -> None:
        """`asker` waits for nothing any more (its session ended)."""
        with self._lock:
            self._wanted.pop(asker, None)

    @property
    def running(self) -> int:
        with self._lock:
            return sum(not f.done for f in self._fits.values())


def noise_path(model, image: torch.Tensor, kind: str, steps: int = 7, seed: int = 0
               ) -> tuple[np.ndarray, torch.Tensor, np.ndarray, np.ndarray]:
    """One image (1, 28, 28) under rising noise of `kind`, from clean to the kind's heaviest level:
    (levels (steps,), damaged images (steps, 1, 28, 28), their codes, their reconstruction errors).
    One seed for every level: the same noise pattern, growing, so the path on a map is smooth."""
    from .noise import NOISES, corrupt

    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; known: {sorted(NOISES)}")
    record = NOISES[kind]
    levels = np.linspace(record.level.low, record.level.high, steps)
    clean = image.reshape(1, 1, *image.shape[-2:])
    noisy = torch.cat([corrupt(clean, kind, float(lv), torch.Generator().manual_seed(seed)) for lv in levels])
    codes, errors = infer.codes_and_errors(model, noisy)
    return levels, noisy, codes, errors


def map_key(key_parts: dict, method: str, dims: int, settings: dict | None = None) -> str:
    return cache_key(kind="map", method=method, dims=dims, settings=settings_for(method, settings), **key_parts)


def is_cached(key_parts: dict, method: str, dims: int, settings: dict | None = None, cache: Cache | None = None) -> bool:
    return (cache or Cache()).path(map_key(key_parts, method, dims, settings)).exists()


__all__ = ["EMBEDDERS", "Embedder", "Knob", "available", "LatentMap", "Cache", "TSNE_MAX_POINTS", "fit", "cached_map",
           "MapFit", "MapService", "cached_codes", "cached_encode", "noise_path",
           "sample_indices", "interpolate", "settings_for", "cache_dir", "cache_key",
           "map_key", "is_cached"]
