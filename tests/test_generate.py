"""ae.generate: which kinds decode z, slider ranges and the image -> sliders -> z round trip, planes,
decoded-grid spacing, interpolation paths, sampling, and the holes figures, on tiny untrained models."""
from __future__ import annotations

from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest
import torch

import ae
from ae import generate as G
from ae.classify import ClassifierConfig, SmallCNN
from ae.models import ModelConfig, build_model


def tiny(kind: str, latent_dim: int = 2):
    return build_model(ModelConfig(kind=kind, latent_dim=latent_dim, hidden=(4, 8))).eval()


def spread_codes(d: int, n: int = 500, seed: int = 0) -> np.ndarray:
    """Codes with a different scale and offset per dimension and some correlation."""
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(d, d)) * 0.3 + np.diag(np.arange(1, d + 1))
    return (rng.normal(size=(n, d)) @ mix + np.arange(d) * 0.5).astype(np.float32)


# ---------------------------------------------------------------- which kinds decode z

@pytest.mark.parametrize("kind", sorted(ae.MODELS))
def test_can_decode_says_what_decode_does(kind):
    hidden = {"conv_refine": (4, 8, 4)}.get(kind, (4, 8) if kind != "dense" else (16, 8))
    model = build_model(ModelConfig(kind=kind, latent_dim=2, hidden=hidden)).eval()
    try:
        model.decode(torch.zeros(1, 2))
        decodes = True
    except NotImplementedError:
        decodes = False
    assert G.can_decode(model) == G.can_decode(kind) == decodes
    assert (kind in G.decoding_kinds()) == decodes
    reason = G.why_not(model)
    if decodes:
        assert reason is None
    else:
        assert kind in reason and all(k in reason for k in G.decoding_kinds())
        stats = G.code_stats(spread_codes(2))
        with pytest.raises(G.CannotDecode, match="skip connections"):
            G.decoded_grid(model, G.latent_plane(stats), 5)
        with pytest.raises(G.CannotDecode):
            G.sample(model, stats, 4, "gaussian")


@pytest.mark.parametrize("kind", sorted(ae.MODELS))
def test_can_decode_agrees_with_the_onnx_export(kind):
    hidden = {"conv_refine": (4, 8, 4), "dense": (16, 8)}.get(kind, (4, 8))
    model = build_model(ModelConfig(kind=kind, latent_dim=2, hidden=hidden))
    assert G.can_decode(model) == ("decoder" in ae.export.parts(model))   # one answer for both


def test_unet_and_refine_cannot_decode_and_vae_has_a_prior():
    assert not G.can_decode("unet") and not G.can_decode("conv_refine")
    assert {"dense", "conv", "vae"} <= set(G.decoding_kinds())
    assert G.has_prior(tiny("vae")) and not G.has_prior(tiny("conv"))
    with pytest.raises(ValueError, match="unknown model kind"):
        G.can_decode("gan")


# ---------------------------------------------------------------- statistics and sliders

def test_code_stats_and_their_errors():
    z = spread_codes(3)
    s = G.code_stats(z)
    assert np.allclose(s.lo, np.percentile(z, 1, axis=0), atol=1e-5)
    assert np.allclose(s.hi, np.percentile(z, 99, axis=0), atol=1e-5)
    assert np.allclose(s.mean, z.mean(0), atol=1e-5) and s.cov.shape == (3, 3) and s.count == 500
    assert np.all(s.pc_lo < 0) and np.all(s.pc_hi > 0)        # principal coordinates are centred on the mean
    with pytest.raises(ValueError, match="at least two"):
        G.code_stats(z[:1])
    with pytest.raises(ValueError, match="NaN"):
        G.code_stats(np.full((4, 2), np.nan))


def test_sliders_per_dimension_for_a_plain_ae():
    z = spread_codes(4)
    sl = G.sliders(G.code_stats(z))
    assert not sl.principal and sl.labels == ("z1", "z2", "z3", "z4")
    assert np.allclose(sl.lo, np.percentile(z, 1, axis=0), atol=1e-5)
    assert np.allclose(sl.hi, np.percentile(z, 99, axis=0), atol=1e-5)
    assert np.all((sl.lo <= sl.default) & (sl.default <= sl.hi))
    # image -> sliders -> z is exact: the slider values are the code itself
    assert np.allclose(sl.to_z(sl.values(z[:10])), z[:10], atol=1e-5)
    assert np.allclose(sl.values(z[3]), z[3], atol=1e-6)


def test_sliders_of_a_vae_span_its_prior():
    sl = G.sliders(G.code_stats(spread_codes(2), prior=True))
    assert np.all(sl.lo == -3) and np.all(sl.hi == 3) and np.all(sl.default == 0)
    assert np.allclose(sl.to_z([1.5, -2.0]), [1.5, -2.0])
    sl16 = G.sliders(G.code_stats(spread_codes(16), prior=True))
    assert sl16.principal and len(sl16.lo) == 8 and np.all(sl16.hi == 3) and np.allclose(sl16.centre, 0)


def test_principal_sliders_for_a_large_code_and_the_round_trip():
    z = spread_codes(16, n=800)
    stats = G.code_stats(z)
    sl = G.sliders(stats)
    assert sl.principal and sl.labels[0] == "PC1" and len(sl.labels) == 8
    assert np.allclose(sl.directions @ sl.directions.T, np.eye(8), atol=1e-5)   # orthonormal
    assert np.allclose(sl.centre, z.mean(0), atol=1e-4)                         # centred on the mean code
    along = (z - z.mean(0)) @ sl.directions.T
    assert np.allclose(sl.lo, np.percentile(along, 1, axis=0), atol=1e-3)
    assert np.allclose(sl.hi, np.percentile(along, 99, axis=0), atol=1e-3)
    assert np.all(np.diff(sl.hi - sl.lo) <= 1e-4)     # the first direction spreads the codes most
    assert np.allclose(sl.to_z(sl.default), z.mean(0), atol=1e-4)
    # slider values -> z -> slider values is exact
    s = np.linspace(sl.lo, sl.hi, 5)
    assert np.allclose(sl.values(sl.to_z(s)), s, atol=1e-4)
    # start from an image: its values, with the part no slider reaches kept, give back its code
    start = z[7]
    assert np.allclose(sl.to_z(sl.values(start), start=start), start, atol=1e-4)
    # without the start, the code's projection onto the 8 directions, which is nearer the centre
    proj = sl.to_z(sl.values(start))
    assert np.linalg.norm(proj - sl.centre) < np.linalg.norm(start - sl.centre)
    # moving one slider from the start moves z along that direction only
    moved = sl.values(start)
    moved[2] += 1.0
    assert np.allclose(sl.to_z(moved, start=start) - start, sl.directions[2], atol=1e-4)
    assert np.all(sl.clip(sl.lo - 5) == sl.lo)


# ---------------------------------------------------------------- planes

def test_latent_plane_is_z_itself_for_a_2d_code():
    z = spread_codes(2)
    ae_plane = G.latent_plane(G.code_stats(z))
    assert np.allclose(ae_plane.coords(z), z) and np.allclose(ae_plane.to_z(z[:5]), z[:5])
    assert np.allclose(ae_plane.window[:, 0], np.percentile(z, 1, axis=0), atol=1e-5)
    assert np.allclose(ae_plane.off_plane(z), 0) and not ae_plane.standard_normal
    vae_plane = G.latent_plane(G.code_stats(z, prior=True))
    assert vae_plane.standard_normal and np.all(vae_plane.window == [[-3, 3], [-3, 3]])
    with pytest.raises(ValueError, match="2-D code"):
        G.latent_plane(G.code_stats(spread_codes(3)))
    assert G.default_plane(G.code_stats(z)).labels == ("z1", "z2")
    assert G.default_plane(G.code_stats(spread_codes(5))).labels == ("PC1", "PC2")


def test_principal_plane_maps_coordinates_and_projects_codes():
    z = spread_codes(6)
    stats = G.code_stats(z)
    plane = G.principal_plane(stats, (0, 2))
    assert plane.labels == ("PC1", "PC3")
    assert np.allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-5)
    uv = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 0.5]], np.float32)
    assert np.allclose(plane.coords(plane.to_z(uv)), uv, atol=1e-4)      # plane coordinates <-> z
    assert np.allclose(plane.off_plane(plane.to_z(uv)), 0, atol=1e-4)
    assert np.allclose(plane.to_z([0, 0]), z.mean(0), atol=1e-4)         # centred on the mean code
    coords = plane.coords(z)                                              # the scatter: projections
    assert coords.shape == (500, 2)
    assert np.allclose(plane.window[0], np.percentile(coords[:, 0], [1, 99]), atol=1e-3)
    # the residual of each code is orthogonal to the plane
    resid = z - plane.to_z(coords)
    assert np.allclose(resid @ plane.axes.T, 0, atol=1e-3)
    assert np.allclose(np.linalg.norm(resid, axis=1), plane.off_plane(z), atol=1e-4)
    vae = G.principal_plane(G.code_stats(z, prior=True))
    assert vae.standard_normal and np.allclose(vae.origin, 0)
    for bad in [(0, 0), (0, 9)]:
        with pytest.raises(ValueError, match="two different"):
            G.principal_plane(stats, bad)
    with pytest.raises(ValueError, match="one-dimensional"):
        G.principal_plane(G.code_stats(spread_codes(1)))


def test_plane_through_three_images():
    rng = np.random.default_rng(1)
    three = rng.normal(size=(3, 10)).astype(np.float32)
    plane = G.image_plane(three)
    assert np.allclose(plane.to_z(plane.marks), three, atol=1e-4)        # each image sits on the plane
    assert np.allclose(plane.marks[0], 0) and abs(plane.marks[1, 1]) < 1e-5 and plane.marks[1, 0] > 0
    assert np.allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-5)
    lo, hi = plane.marks.min(0), plane.marks.max(0)
    assert np.all(plane.window[:, 0] < lo) and np.all(plane.window[:, 1] > hi)   # with a margin
    assert not plane.standard_normal
    line = np.stack([three[0], three[0] + three[1], three[0] + 2 * three[1]])
    with pytest.raises(ValueError, match="one line"):
        G.image_plane(line)
    with pytest.raises(ValueError, match="exactly three"):
        G.image_plane(three[:2])


# ---------------------------------------------------------------- the decoded grid

def test_vae_grid_is_spaced_by_normal_quantiles():
    model = tiny("vae")
    plane = G.latent_plane(G.code_stats(spread_codes(2), prior=True))
    grid = G.decoded_grid(model, plane, 7)
    expected = [NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, 7)]   # the Keras example's norm.ppf
    assert grid.spacing == "quantile"
    assert np.allclose(grid.u, expected, atol=1e-5) and np.allclose(grid.v, expected, atol=1e-5)
    steps = np.diff(grid.u)
    assert steps[0] > steps[3] and np.allclose(steps, steps[::-1], atol=1e-5)   # wider at the tails, symmetric
    # drawing order: top-left is (u min, v max), bottom-right is (u max, v min)
    assert np.allclose(grid.z[0], [grid.u[0], grid.v[-1]]) and np.allclose(grid.z[-1], [grid.u[-1], grid.v[0]])
    assert np.allclose(grid.coords(), grid.z)
    assert torch.allclose(grid.images, ae.infer.decode(model, torch.from_numpy(grid.z)))
    u_edges, v_edges = grid.edges()
    assert len(u_edges) == 8 and np.all((u_edges[:-1] < grid.u) & (grid.u < u_edges[1:]))
    assert grid.picture().shape == (7 * 28, 7 * 28, 3)


def test_ae_grid_spans_the_codes_range():
    z = spread_codes(2)
    model = tiny("conv")
    plane = G.latent_plane(G.code_stats(z))
    grid = G.decoded_grid(model, plane, 5)
    assert grid.spacing == "range" and grid.images.shape == (25, 1, 28, 28)
    assert np.isclose(grid.u[0], np.percentile(z[:, 0], 1), atol=1e-4)
    assert np.isclose(grid.u[-1], np.percentile(z[:, 0], 99), atol=1e-4)
    assert np.isclose(grid.v[-1], np.percentile(z[:, 1], 99), atol=1e-4)
    assert np.allclose(np.diff(grid.u), np.diff(grid.u)[0], atol=1e-5)           # evenly spaced
    # a 12-D model's grid lies in its principal plane
    big = tiny("conv", 12)
    plane12 = G.principal_plane(G.code_stats(spread_codes(12)))
    g12 = G.decoded_grid(big, plane12, 5)
    assert g12.z.shape == (25, 12) and np.allclose(plane12.coords(g12.z), g12.coords(), atol=1e-4)
    # the same axes without decoding, for the browser's decoder
    u, v = G.grid_axes(plane, 5)
    assert np.array_equal(u, grid.u) and np.array_equal(v, grid.v)
    assert np.array_equal(G.grid_axes(plane, 5, "quantile")[0], G.decoded_grid(model, plane, 5, "quantile").u)
    # spacing can be asked for, and sizes are checked
    assert G.decoded_grid(model, plane, 5, spacing="quantile").spacing == "quantile"
    for n in (4, 31, 5.5):
        with pytest.raises(ValueError, match="grid size"):
            G.decoded_grid(model, plane, n)
    with pytest.raises(ValueError, match="unknown grid spacing"):
        G.decoded_grid(model, plane, 5, spacing="log")


def test_codes_per_cell_counts_in_drawing_order():
    model = tiny("conv")
    plane = G.Plane(np.zeros(2, np.float32), np.eye(2, dtype=np.float32), np.array([[0, 4], [0, 4]], np.float32),
                    ("z1", "z2"), False)
    grid = G.decoded_grid(model, plane, 5)                     # centres 0, 1, .., 4; cells 1 wide
    coords = np.array([[0.1, 3.9], [0.2, 4.1], [3.8, 0.2], [2.0, 2.0], [9.0, 9.0]])
    counts = grid.codes_per_cell(coords).reshape(5, 5)
    assert counts[0, 0] == 2 and counts[4, 4] == 1 and counts[2, 2] == 1 and counts.sum() == 4   # (9, 9) is outside
    assert grid.empty_share(coords) == pytest.approx(22 / 25)
    # a grid cell's own centre falls in that cell
    assert np.all(grid.codes_per_cell(grid.coords()) == 1) and grid.empty_share(grid.coords()) == 0
    # the same counts from the grid's axes alone (a grid the browser decodes), under quantile spacing too
    np.testing.assert_array_equal(G.cell_counts(*G.grid_axes(plane, 5), coords), grid.codes_per_cell(coords))
    u, v = G.grid_axes(replace(plane, standard_normal=True), 6)
    edges = G.cell_edges(u)
    assert len(edges) == 7 and np.all((edges[:-1] < u) & (u < edges[1:]))
    inside = np.stack([u, v[::-1]], 1)                          # one code in each cell of the falling diagonal
    counts = G.cell_counts(u, v, inside).reshape(6, 6)
    np.testing.assert_array_equal(counts, np.eye(6, dtype=np.int64))


# ---------------------------------------------------------------- interpolation

def test_linear_path_ends_at_the_codes():
    a, b = np.array([1.0, -2.0, 0.5]), np.array([-3.0, 4.0, 2.0])
    path = G.latent_path(a, b, 9, "linear")
    assert path.shape == (9, 3) and np.allclose(path[0], a) and np.allclose(path[-1], b)
    assert np.allclose(path[4], (a + b) / 2)
    assert np.allclose(np.diff(path, axis=0), (b - a) / 8, atol=1e-6)
    with pytest.raises(ValueError, match="steps"):
        G.latent_path(a, b, 1)
    with pytest.raises(ValueError, match="unknown path"):
        G.latent_path(a, b, 8, "zigzag")


def test_spherical_path_keeps_its_norm_and_plane():
    a, b = np.array([3.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.0])
    path = G.latent_path(a, b, 11, "spherical")
    assert np.allclose(path[0], a, atol=1e-6) and np.allclose(path[-1], b, atol=1e-6)
    assert np.allclose(np.linalg.norm(path, axis=1), 3.0, atol=1e-5)   # on the circle, not through the inside
    assert np.allclose(path[5], 3 * np.array([1, 1, 0]) / np.sqrt(2), atol=1e-5)
    assert np.linalg.norm(G.latent_path(a, b, 11, "linear")[5]) < 2.2
    # unequal lengths: the length changes linearly, the angle evenly
    c, d = np.array([1.0, 0.0]), np.array([0.0, 4.0])
    p = G.latent_path(c, d, 5, "spherical")
    assert np.allclose(np.linalg.norm(p, axis=1), np.linspace(1, 4, 5), atol=1e-5)
    assert np.allclose(np.diff(np.arctan2(p[:, 1], p[:, 0])), np.pi / 8, atol=1e-5)
    # parallel codes, or a zero code: a straight line
    assert np.allclose(G.latent_path(c, 2 * c, 3, "spherical")[1], 1.5 * c)
    assert np.allclose(G.latent_path(np.zeros(2), d, 3, "spherical")[1], d / 2)


def test_interpolate_between_two_images(batch):
    vae, conv = tiny("vae"), tiny("conv")
    a, b = batch[0], batch[5]
    it = G.interpolate(vae, a, b, 8)
    za, zb = ae.infer.encode(vae, torch.stack([a, b])).numpy()
    assert it.path == "spherical" and G.interpolate(conv, a, b, 8).path == "linear"
    assert it.z.shape == (8, 2) and np.allclose(it.z[0], za, atol=1e-5) and np.allclose(it.z[-1], zb, atol=1e-5)
    assert it.latent.shape == it.pixels.shape == (8, 1, 28, 28)
    assert torch.allclose(it.latent, ae.infer.decode(vae, torch.from_numpy(it.z)))
    assert torch.allclose(it.pixels[0, 0], a[0]) and torch.allclose(it.pixels[-1, 0], b[0])
    assert torch.allclose(it.pixels[4], (1 - it.t[4]) * a + it.t[4] * b, atol=1e-6)
    assert it.picture(scale=1, pad=0).shape == (2 * 28, 8 * 28, 3)
    lin = G.interpolate(vae, a, b, 16, path="linear")
    assert lin.path == "linear" and len(lin.t) == 16


# ---------------------------------------------------------------- sampling

def test_sampling_shapes_sources_and_determinism():
    vae, conv = tiny("vae"), tiny("conv")
    stats_vae = G.code_stats(spread_codes(2), prior=True)
    stats_ae = G.code_stats(spread_codes(2))
    assert G.sample_sources(vae)[0] == "prior" and "prior" not in G.sample_sources(conv)
    s = G.sample(vae, stats_vae, 16, generator=torch.Generator().manual_seed(3))
    assert s.source == "prior" and s.images.shape == (16, 1, 28, 28) and s.z.shape == (16, 2)
    again = G.sample(vae, stats_vae, 16, generator=torch.Generator().manual_seed(3))
    other = G.sample(vae, stats_vae, 16, generator=torch.Generator().manual_seed(4))
    assert np.array_equal(s.z, again.z) and torch.equal(s.images, again.images)
    assert not np.allclose(s.z, other.z)
    assert np.allclose(s.z, torch.randn(16, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64))
    for source in ("gaussian", "box"):
        one = G.sample(conv, stats_ae, 16, source, torch.Generator().manual_seed(0))
        two = G.sample(conv, stats_ae, 16, source, torch.Generator().manual_seed(0))
        assert one.images.shape == (16, 1, 28, 28) and np.array_equal(one.z, two.z)
    assert G.sample(conv, stats_ae, 4).source == "gaussian"
    with pytest.raises(ValueError, match="no prior"):
        G.sample(conv, stats_ae, 4, "prior")
    with pytest.raises(ValueError, match="unknown sampling"):
        G.sample_codes(stats_ae, 4, "gan")


def test_gaussian_and_box_samples_follow_the_codes():
    z = spread_codes(3, n=4000)
    stats = G.code_stats(z)
    g = torch.Generator().manual_seed(0)
    gauss = np.concatenate([G.sample_codes(stats, 1024, "gaussian", g) for _ in range(4)])
    assert np.allclose(gauss.mean(0), z.mean(0), atol=0.15)
    assert np.allclose(np.cov(gauss, rowvar=False), np.cov(z, rowvar=False), atol=0.1 * np.abs(stats.cov).max())
    box = G.sample_codes(stats, 1024, "box", g)
    assert np.all(box >= stats.lo) and np.all(box <= stats.hi)
    assert np.allclose(box.min(0), stats.lo, atol=0.05 * (stats.hi - stats.lo).max())
    # codes on a line (a singular covariance) still sample
    flat = np.stack([np.linspace(0, 1, 50)] * 2, 1)
    assert np.isfinite(G.sample_codes(G.code_stats(flat), 8, "gaussian", g)).all()


# ---------------------------------------------------------------- the holes

def constant_classifier(probs: list[float]) -> SmallCNN:
    """A classifier that gives every picture the same class probabilities."""
    clf = SmallCNN(ClassifierConfig(n_classes=len(probs)))
    with torch.no_grad():
        clf.head[-1].weight.zero_()
        clf.head[-1].bias.copy_(torch.log(torch.tensor(probs)))
    return clf.eval()


def test_nearest_distance_is_euclidean_in_pixels():
    real = torch.zeros(3, 1, 28, 28)
    real[1] = 1.0
    real[2, 0, :14] = 1.0
    pictures = torch.stack([real[1], torch.full((1, 28, 28), 0.5), real[2] * 0.5])
    d = G.nearest_distance(pictures, real, chunk=2)
    assert np.allclose(d, [0.0, 14.0, np.sqrt(392 * 0.25)], atol=1e-3)   # copy; 0.5 from 0 or 1; half the top
    brute = torch.cdist(pictures.reshape(3, -1), real.reshape(3, -1)).min(1).values.numpy()
    assert np.allclose(d, brute, atol=1e-3)
    with pytest.raises(ValueError, match="real image"):
        G.nearest_distance(pictures, real[:0])


def test_holes_figures_on_small_data(batch):
    sure = G.holes(batch[:6], constant_classifier([0.95] + [0.05 / 9] * 9), batch)
    assert sure.recognised_share == 1.0 and np.all(sure.predicted == 0)
    assert sure.mean_distance == pytest.approx(0.0, abs=1e-3)             # the real images themselves
    unsure = G.holes(batch[:6], constant_classifier([0.5, 0.5] + [0.0 + 1e-9] * 8), batch)
    assert unsure.recognised_share == 0.0
    half = G.holes(batch[:6], constant_classifier([0.5, 0.5] + [1e-9] * 8), batch, threshold=0.5)
    assert half.recognised_share == 1.0                                   # the threshold is honoured
    noise = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    far = G.holes(noise, constant_classifier([0.95] + [0.05 / 9] * 9), batch)
    assert far.mean_distance > 5 and far.distance.shape == (6,)
    s = far.summary()
    assert s["pictures"] == 6 and s["recognised_share"] == 1.0 and s["mean_distance"] == pytest.approx(far.mean_distance)


def test_holes_over_a_decoded_grid(batch):
    model = tiny("conv")
    stats = G.model_stats(model, batch)
    grid = G.decoded_grid(model, G.default_plane(stats), 5)
    h = G.holes(grid.images, constant_classifier([0.2] * 5), batch)
    assert h.confidence.shape == (25,) and h.recognised_share == 0.0
    assert np.allclose(h.distance, G.nearest_distance(grid.images, batch))


def test_holes_pair_finds_a_plain_ae_and_a_vae(tmp_path):
    ds = {"name": "mnist"}
    for name, kind, dim, dataset in [("b_conv", "conv", 2, ds), ("a_dense", "dense", 2, ds), ("vae2", "vae", 2, ds),
                                     ("vae3", "vae", 3, ds), ("fvae", "vae", 2, {"name": "fashion-mnist"}),
                                     ("unet2", "unet", 2, ds)]:
        hidden = (16, 8) if kind == "dense" else (4, 8)
        ae.checkpoint.save(tmp_path / name, build_model(ModelConfig(kind=kind, latent_dim=dim, hidden=hidden)),
                           dataset=dataset)
    infos = ae.checkpoint.list_checkpoints(tmp_path)
    plain, vae = G.holes_pair(infos, "mnist")
    assert (plain.name, vae.name) == ("a_dense", "vae2")
    assert G.holes_pair(infos, "fashion-mnist") is None          # a VAE but no plain AE
    assert G.holes_pair(infos, "mnist", latent_dim=3) is None
