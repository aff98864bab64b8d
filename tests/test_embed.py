"""ae.embed: every map method's shapes and determinism, new points placed near their neighbours,
the disk cache (same arrays, fast, no pickles, survives broken files), and the codes of a model."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

import ae
import ae.embed as E


def blobs(n: int = 240, d: int = 6, classes: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Well separated Gaussian clusters: codes whose map should keep the classes apart."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=8.0, size=(classes, d))
    labels = np.arange(n) % classes
    return (centres[labels] + rng.normal(size=(n, d))).astype(np.float32), labels


FAST = {"iterations": 150, "perplexity": 15}


@pytest.mark.parametrize("method,latent,dims", [("raw", 2, 2), ("raw", 3, 2), ("raw", 3, 3), ("pca", 6, 2),
                                                ("pca", 6, 3), ("tsne", 6, 2), ("tsne", 6, 3)])
def test_shapes_and_determinism(method, latent, dims):
    z, _ = blobs(120, latent)
    settings = FAST if method == "tsne" else None
    a = E.fit(z, method, dims, settings)
    b = E.fit(z, method, dims, settings)
    assert a.coords.shape == (120, dims) and a.coords.dtype == np.float32
    assert np.isfinite(a.coords).all()
    np.testing.assert_array_equal(a.coords, b.coords)          # same codes and settings, same map
    assert a.method == method and a.dims == dims and a.seconds >= 0


def test_raw_is_the_code_and_pca_is_a_projection():
    z, _ = blobs(100, 3)
    np.testing.assert_array_equal(E.fit(z, "raw", 2).coords, z[:, :2])
    m = E.fit(z, "pca", 2)
    centred = z - z.mean(0)
    # the first component carries the most variance, and the components are orthonormal
    assert m.coords[:, 0].var() >= m.coords[:, 1].var()
    comps = m.state["components"]
    np.testing.assert_allclose(comps @ comps.T, np.eye(2), atol=1e-5)
    np.testing.assert_allclose(m.coords, centred @ comps.T, atol=1e-4)


def test_refuses_what_cannot_be_drawn():
    z, _ = blobs(50, 6)
    with pytest.raises(ValueError, match="cannot draw"):
        E.fit(z, "raw", 2)                                       # 6-D codes have no raw picture
    with pytest.raises(ValueError, match="cannot draw"):
        E.fit(z[:, :2], "pca", 3)
    with pytest.raises(ValueError, match="unknown map method"):
        E.fit(z, "umap", 2)
    with pytest.raises(ValueError, match="perplexity"):
        E.fit(z, "tsne", 2, {"perplexity": 500})
    with pytest.raises(ValueError, match="iterations"):
        E.fit(z, "tsne", 2, {"iterations": 2.5})
    with pytest.raises(ValueError, match="takes no settings"):
        E.fit(z, "pca", 2, {"perplexity": 30})
    with pytest.raises(ValueError, match="NaN"):
        E.fit(np.full((10, 3), np.nan, np.float32), "pca", 2)
    with pytest.raises(ValueError, match="at most"):
        E.fit(np.zeros((E.TSNE_MAX_POINTS + 1, 2), np.float32), "tsne", 2)
    assert E.EMBEDDERS["raw"].available(3, 3) and not E.EMBEDDERS["raw"].available(16, 2)


def test_tsne_keeps_clusters_apart():
    z, labels = blobs(200, 6)
    m = E.fit(z, "tsne", 2, FAST)
    centres = np.stack([m.coords[labels == c].mean(0) for c in range(4)])
    nearest_centre = np.argmin(((m.coords[:, None] - centres[None]) ** 2).sum(-1), 1)
    assert (nearest_centre == labels).mean() > 0.95


@pytest.mark.parametrize("method,dims", [("pca", 2), ("tsne", 2), ("tsne", 3)])
def test_new_points_land_near_their_neighbours(method, dims):
    z, labels = blobs(200, 6)
    m = E.fit(z, method, dims, FAST if method == "tsne" else None)
    before = m.coords.copy()
    rng = np.random.default_rng(1)
    new = z[:8] + rng.normal(scale=0.05, size=(8, 6)).astype(np.float32)   # near copies of known codes
    where = m.place(new)
    np.testing.assert_array_equal(m.coords, before)                      # the map does not move
    assert where.shape == (8, dims)
    spread = np.linalg.norm(m.coords.std(0))
    assert np.linalg.norm(where - m.coords[:8], axis=1).max() < 0.25 * spread
    centres = np.stack([m.coords[labels == c].mean(0) for c in range(4)])
    assert (np.argmin(((where[:, None] - centres[None]) ** 2).sum(-1), 1) == labels[:8]).all()


def test_interpolation_recovers_a_smooth_map():
    z, _ = blobs(300, 4)
    coords = z @ np.random.default_rng(2).normal(size=(4, 2)).astype(np.float32)   # a linear "map"
    got = E.interpolate(z, coords, z[:20])
    spread = np.linalg.norm(coords.std(0))
    assert np.linalg.norm(got - coords[:20], axis=1).max() < 0.2 * spread
    assert E.interpolate(z, coords, z[:0]).shape == (0, 2)


def test_placement_says_how():
    assert {k: e.placement for k, e in E.EMBEDDERS.items()} == {
        "raw": "code", "pca": "projection", "tsne": "transform", "tsne_sklearn": "neighbours"}


def test_cache_returns_the_same_map_fast(tmp_path):
    cache = E.Cache(tmp_path)
    z, _ = blobs(150, 6)
    parts = {"weights": "abc", "dataset": "toy", "split": "test", "n": 150, "seed": 0}
    first = E.cached_map(z, "tsne", 2, FAST, parts, cache)
    assert not first.cached and len(list(tmp_path.glob("*.npz"))) == 1
    t0 = time.perf_counter()
    second = E.cached_map(z, "tsne", 2, FAST, parts, cache)
    assert time.perf_counter() - t0 < 0.3
    assert second.cached
    np.testing.assert_array_equal(first.coords, second.coords)
    assert second.settings == first.settings and second.method == "tsne"
    # a map from disk still places new points (its neighbour index is rebuilt from the stored codes)
    np.testing.assert_allclose(second.place(z[:3]), first.place(z[:3]), atol=1e-3 * np.ptp(first.coords))
    # other settings, dims or weights are other entries
    assert E.map_key(parts, "tsne", 2, FAST) != E.map_key(parts, "tsne", 2, {**FAST, "perplexity": 20})
    assert E.map_key(parts, "tsne", 2, FAST) != E.map_key(parts, "tsne", 3, FAST)
    assert E.map_key(parts, "tsne", 2, FAST) != E.map_key({**parts, "weights": "abd"}, "tsne", 2, FAST)
    assert E.is_cached(parts, "tsne", 2, FAST, cache) and not E.is_cached(parts, "pca", 2, None, cache)


def test_cache_files_hold_no_pickles_and_broken_ones_are_recomputed(tmp_path):
    cache = E.Cache(tmp_path)
    z, _ = blobs(60, 3)
    parts = {"weights": "w", "dataset": "toy", "split": "test", "n": 60, "seed": 0}
    m = E.cached_map(z, "pca", 2, None, parts, cache)
    path = cache.path(E.map_key(parts, "pca", 2))
    with np.load(path, allow_pickle=False) as f:                 # loads without unpickling anything
        assert all(f[k].dtype != object for k in f.files)
    path.write_bytes(b"not a zip file")
    again = E.cached_map(z, "pca", 2, None, parts, cache)
    assert not again.cached
    np.testing.assert_allclose(again.coords, m.coords)
    assert E.cache_dir() == E.Cache().folder


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert E.cache_dir() == tmp_path / "elsewhere"


def test_sample_indices_match_split_subset():
    split = ae.data.synthetic(50)
    idx = E.sample_indices(len(split), 20, seed=3)
    np.testing.assert_array_equal(split.images[idx].numpy(), split.subset(20, seed=3).images.numpy())
    assert (np.diff(idx) > 0).all()
    np.testing.assert_array_equal(E.sample_indices(10, None), np.arange(10))


def test_codes_are_cached_on_disk(tmp_path):
    torch.manual_seed(0)
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=3, hidden=(16,)))
    x = ae.data.synthetic(40).images
    parts = {"weights": "m", "dataset": "synthetic", "split": "test", "n": 40, "seed": 0}
    c1, e1 = E.cached_codes(model, x, parts, E.Cache(tmp_path))
    assert len(list(tmp_path.glob("*.npz"))) == 1
    c2, e2 = E.cached_codes(model, x, parts, E.Cache(tmp_path))
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(e1, e2)
    np.testing.assert_allclose(c1, ae.infer.encode(model, x).numpy(), atol=1e-6)


def test_cached_encode_keeps_codes_on_disk_and_recomputes_a_stale_entry(tmp_path, monkeypatch):
    model = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=3, hidden=(16,)))
    x = ae.data.synthetic(40).images
    parts = {"weights": "m", "dataset": "synthetic", "split": "train", "n": 40, "seed": 0}
    codes = E.cached_encode(model, x, parts, E.Cache(tmp_path))
    np.testing.assert_allclose(codes, ae.infer.encode(model, x).numpy(), atol=1e-6)
    calls = []
    monkeypatch.setattr(ae.infer, "encode", lambda *a: calls.append(a) or torch.zeros(40, 3))
    np.testing.assert_array_equal(E.cached_encode(model, x, parts, E.Cache(tmp_path)), codes)   # from disk
    assert not calls
    E.Cache(tmp_path).put(E.cache_key(kind="encode", **parts), {"codes": np.zeros((39, 3), np.float32)})
    assert E.cached_encode(model, x, parts, E.Cache(tmp_path)).shape == (40, 3) and len(calls) == 1


def test_progress_is_reported_and_can_stop():
    z, _ = blobs(100, 6)
    seen = []
    E.fit(z, "tsne", 2, FAST, on_progress=lambda f, c: seen.append(f))
    assert seen and seen == sorted(seen) and 0 < seen[-1] <= 1.0
    stopped = E.fit(z, "tsne", 2, {**FAST, "iterations": 1000}, on_progress=lambda f, c: f > 0.2)
    assert stopped.coords.shape == (100, 2) and np.isfinite(stopped.coords).all()


def test_larger_maps_use_fft_gradients_and_still_place_points():
    z, labels = blobs(1600, 6)
    assert E._gradient(1600, 2)["negative_gradient_method"] == "fft"
    assert E._gradient(1600, 3)["negative_gradient_method"] == "bh"      # FFT has no 3-D version
    m = E.fit(z, "tsne", 2, {"iterations": 100})
    where = m.place(z[:4] + 0.01)
    spread = np.linalg.norm(m.coords.std(0))
    assert np.linalg.norm(where - m.coords[:4], axis=1).max() < 0.25 * spread


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    z, _ = blobs(40, 3)
    m = E.cached_map(z, "pca", 2, None, {"weights": "w", "n": 40}, E.Cache(blocked / "cache"))
    assert m.coords.shape == (40, 2) and not m.cached


def test_map_fit_runs_on_its_own_thread_and_gives_the_same_map(tmp_path):
    z, _ = blobs(150, 6)
    parts = {"weights": "abc", "dataset": "toy", "split": "test", "n": 150, "seed": 0}
    job = E.MapFit(z, "tsne", 2, FAST, parts, E.Cache(tmp_path))
    m = job.wait(timeout=60)
    assert job.done and job.fraction == 1.0 and job.error is None and m is job.result
    np.testing.assert_array_equal(m.coords, E.fit(z, "tsne", 2, FAST).coords)
    assert job.coords is not None and job.coords.shape == (150, 2)      # the forming map was kept
    assert E.is_cached(parts, "tsne", 2, FAST, E.Cache(tmp_path))


def test_map_fit_can_be_polled_while_it_runs_and_raises_its_error(monkeypatch, tmp_path):
    go = threading.Event()

    def slow_map(z, method, dims, settings, key_parts, cache=None, on_progress=None):
        on_progress(0.4, np.zeros((len(z), 2)))
        go.wait(10)
        return E.fit(z, "pca", 2)

    monkeypatch.setattr(E, "cached_map", slow_map)
    z, _ = blobs(40, 6)
    job = E.MapFit(z, "tsne", 2, FAST, {}, E.Cache(tmp_path))
    assert job.wait(timeout=0.2) is None and not job.done          # still running: the caller goes on
    assert job.fraction == 0.4 and job.coords.shape == (40, 2)
    go.set()
    assert job.wait(timeout=10).method == "pca"

    monkeypatch.undo()
    failing = E.MapFit(z[:3], "tsne", 2, FAST, {}, E.Cache(tmp_path))   # the real fit: too few points
    with pytest.raises(ValueError, match="at least 4 points"):
        failing.wait(timeout=10)
    assert failing.done and failing.result is None


# ---------------------------------------------------------------- the registry carries what pages need

def test_registry_order_availability_and_axes():
    assert E.available(2, 2)[0] == "raw" and E.available(3, 3)[0] == "raw"      # drawn as they are
    assert E.available(16, 2)[0] == "tsne" and "raw" not in E.available(16, 2)
    assert "pca" not in E.available(2, 3) and E.available(2, 3) == ["tsne", "tsne_sklearn"]
    assert E.EMBEDDERS["raw"].axes(3) == ("z₁", "z₂", "z₃") and E.EMBEDDERS["pca"].axes(2) == ("PC 1", "PC 2")
    for name, e in E.EMBEDDERS.items():
        assert set(e.knobs) <= set(e.defaults), name          # a page offers only settings the method takes
        assert not e.progress or e.slow, name                   # progress is reported by background fits


def test_a_new_method_is_one_entry(monkeypatch):
    """Adding a map method: one record. Available where it says, fitted and cached like the others."""
    def fit_first(z, dims, settings, on_progress=None):
        return E.LatentMap(np.ascontiguousarray(z[:, :dims] * settings["scale"], np.float32), "first", dims,
                           dict(settings))
    record = E.Embedder("first", fit_first, lambda m, z: z[:, :m.dims] * m.settings["scale"], "code",
                        {"scale": 2.0}, None, axis="first {n}", latent=(2, None), dims_up_to_latent=True,
                        knobs={"scale": E.Knob(1, 4)})
    monkeypatch.setitem(E.EMBEDDERS, "first", record)
    z, _ = blobs(30, 4)
    assert "first" in E.available(4, 3) and "first" not in E.available(1, 2)
    m = E.fit(z, "first", 2, {"scale": 3})
    np.testing.assert_allclose(m.coords, z[:, :2] * 3)
    np.testing.assert_allclose(m.place(z[:2]), z[:2, :2] * 3)


# ---------------------------------------------------------------- a cache that recovers (issue 17, item 6)

def test_unreadable_cache_entries_are_misses_and_are_deleted(tmp_path):
    import io
    import zipfile

    cache = E.Cache(tmp_path, max_bytes=1_000_000)
    z, _ = blobs(60, 3)
    parts = {"weights": "w", "dataset": "toy", "split": "test", "n": 60, "seed": 0}
    good = E.cached_map(z, "pca", 2, None, parts, cache)
    path = cache.path(E.map_key(parts, "pca", 2))
    whole = path.read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("coords.npy", b"\0" * 5_000_000)     # inflates to 5 MB, past this cache's 1 MB
    bad_info = io.BytesIO()
    np.savez(bad_info, coords=good.coords, info=np.array("{not json"))
    wrong_shape = io.BytesIO()
    np.savez(wrong_shape, **{**good.to_arrays(), "coords": np.zeros((60, 3), np.float32)})
    for content in (whole[: len(whole) // 2], b"PK\x03\x04garbage", bomb.getvalue(), bad_info.getvalue(),
                    wrong_shape.getvalue()):
        path.write_bytes(content)
        again = E.cached_map(z, "pca", 2, None, parts, cache)
        assert not again.cached and again.coords.shape == (60, 2)
        np.testing.assert_allclose(again.coords, good.coords)
        assert E.cached_map(z, "pca", 2, None, parts, cache).cached      # replaced by a good entry
    path.write_bytes(bomb.getvalue())
    assert cache.get(E.map_key(parts, "pca", 2)) is None and not path.exists()


# ---------------------------------------------------------------- fits that are superseded (issue 17, item 7)

def test_a_cancelled_fit_stops_early_and_is_not_cached(tmp_path):
    z, _ = blobs(300, 6)
    parts = {"weights": "c", "n": 300}
    fit = E.MapFit(z, "tsne", 2, {"iterations": 1000, "perplexity": 15}, parts, E.Cache(tmp_path))
    fit.cancel()
    m = fit.wait(60)
    assert m.cancelled and not E.is_cached(parts, "tsne", 2, {"iterations": 1000, "perplexity": 15},
                                           E.Cache(tmp_path))


def test_map_service_supersedes_a_sessions_older_fit(tmp_path, monkeypatch):
    """Ten nudges of the perplexity slider: each new request stops the same session's previous fit,
    one fit is left running; a fit another session waits for is not stopped."""
    started, release = [], threading.Event()

    def slow_fit(z, dims, settings, on_progress=None):
        started.append(settings["perplexity"])
        while True:   # reports before it looks at `release`: a fit stopped before its thread ran stops too
            if on_progress(0.5, None):
                return E.LatentMap(np.zeros((len(z), dims), np.float32), "tsne", dims, dict(settings), cancelled=True)
            if release.is_set():
                break
            time.sleep(0.01)
        return E.LatentMap(np.zeros((len(z), dims), np.float32), "tsne", dims, dict(settings))

    monkeypatch.setitem(E.EMBEDDERS, "tsne", E.EMBEDDERS["tsne"].__class__(
        **{**E.EMBEDDERS["tsne"].__dict__, "fit": slow_fit}))
    service = E.MapService(cache=E.Cache(tmp_path))
    z, _ = blobs(40, 6)
    parts = {"weights": "s", "n": 40}
    other = service.request("tab-2", z, "tsne", 2, {"perplexity": 10}, parts)
    fits = [service.request("tab-1", z, "tsne", 2, {"perplexity": 10 + i}, parts) for i in range(10)]
    assert fits[0] is other                                  # the same map: one fit for both sessions
    deadline = time.monotonic() + 10
    while service.running > 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [f.cancelled for f in fits[1:-1]] == [True] * 8 and not fits[-1].cancelled and not other.cancelled
    assert service.running == 2                              # tab-2's map and tab-1's newest
    release.set()
    last = fits[-1].wait(10)
    assert not last.cancelled and service.get(fits[-1].key) is last
    assert service.get(fits[3].key) is None                  # a stopped fit is no map


def test_noise_path_grows_from_the_clean_image():
    model = ae.build_model(ae.ModelConfig("dense", 3, (16,)))
    image = ae.data.synthetic(1).images[0]
    levels, noisy, codes, errors = E.noise_path(model, image, "mask", steps=5)
    assert levels[0] == 0 and levels[-1] == ae.NOISES["mask"].level.high and len(levels) == 5
    assert torch.equal(noisy[0], image) and noisy.shape == (5, 1, 28, 28)
    assert codes.shape == (5, 3) and errors.shape == (5,)
    # the same pattern, growing: every pixel masked at one level stays masked at the next
    masked = [(n == 0) & (image > 0) for n in noisy]
    assert all(bool((a <= b).all()) for a, b in zip(masked, masked[1:]))
