"""ae.figures: the Plotly builders (and the SVG diagram) draw what they are given, with the labels they are given."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import plotly.graph_objects as go
import pytest

from ae import figures
from ae.models import ModelConfig, build_model

SVG = "{http://www.w3.org/2000/svg}"
HISTORY = [{"epoch": e, "train_loss": 0.1 / e, "test_loss": 0.12 / e, "test_psnr": 10 + e} for e in (1, 2, 3)]


def svg(model, *parts) -> ET.Element:
    return ET.fromstring(figures.architecture(model, *parts))


def texts(root: ET.Element, cls: str) -> list[str]:
    return [e.text for e in root.iter(f"{SVG}text") if e.get("class") == cls]


def test_architecture_follows_the_real_layers():
    root = svg(build_model(ModelConfig()), "인코더", "디코더")   # the lesson's 784-128-64-12-3
    names = texts(root, "name")
    assert names[0] == "x" and names[-1] == "x̂" and names[len(names) // 2] == "z"
    assert texts(root, "size") == ["784", "128", "64", "12", "3", "12", "64", "128", "784"]
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "layer"]
    heights = [float(b.get("height")) for b in bars]
    assert heights == heights[::-1] and min(heights) == heights[4]   # an hourglass, narrowest at z
    assert [b.get("data-size") for b in bars] == texts(root, "size")
    assert texts(root, "part encoder") == ["← 인코더 →"] and texts(root, "part decoder") == ["← 디코더 →"]
    assert "dense 1: 128 = 128" in [b.find(f"{SVG}title").text for b in bars]   # the hover text


@pytest.mark.parametrize("config", [ModelConfig(kind="conv", latent_dim=16, hidden=(8, 16, 16)),
                                    ModelConfig(kind="vae", latent_dim=2)])
def test_architecture_of_conv_models(config):
    sizes = texts(svg(build_model(config)), "size")
    assert sizes[0] == "1×28×28" and str(config.latent_dim) in sizes


def test_architecture_draws_skip_connections():
    root = svg(build_model(ModelConfig(kind="unet", latent_dim=8, hidden=(4, 8))))
    names = texts(root, "name")   # x, conv 1, conv 2, conv 3, z, conv 3, conv 2, conv 1, x̂
    arcs = [(int(e.get("data-from")), int(e.get("data-to"))) for e in root.iter(f"{SVG}path")]
    assert names[1] == "conv 1" and names[-2] == "conv 1"
    assert arcs == [(1, 7), (2, 6)]              # conv 1 to its mirror in the decoder, then conv 2
    assert not list(svg(build_model(ModelConfig(kind="conv"))).iter(f"{SVG}path"))
    # layer labels keep their size (Plotly shrank a U-Net's to about 6 px), and each bar's slot fits its label
    sizes = [e for e in root.iter(f"{SVG}text") if e.get("class") == "size"]
    assert all(float(e.get("font-size")) >= 11 for e in sizes)
    xs = [float(e.get("x")) for e in sizes]
    assert min(b - a for a, b in zip(xs, xs[1:])) >= 7 * max(len(e.text) for e in sizes)
    refine = svg(build_model(ModelConfig(kind="conv_refine", latent_dim=8, hidden=(4, 8, 6))))
    names = texts(refine, "name")   # x, conv 1, conv 2, z, conv 2, conv 1, x̂
    arcs = [(int(e.get("data-from")), int(e.get("data-to"))) for e in refine.iter(f"{SVG}path")]
    assert arcs == [(0, len(names) - 1)]         # x on to x̂


def test_architecture_escapes_its_words():
    root = svg(build_model(ModelConfig()), "<en>", "a & b")
    assert texts(root, "part encoder") == ["← <en> →"] and texts(root, "part decoder") == ["← a & b →"]


def test_training_curves_fix_the_axis_and_compare_with_a_previous_run():
    fig = figures.training_curves(HISTORY[:1], epochs=10)
    assert tuple(fig.layout.xaxis.range) == (0.5, 10.5)        # the axis is the planned run, not the done part
    assert len(fig.data) == 2 and list(fig.data[0].x) == [1]
    both = figures.training_curves(HISTORY[:2], epochs=3, previous=HISTORY, labels={"previous": "이전"})
    assert len(both.data) == 4
    dotted = [t for t in both.data if t.line.dash == "dot"]
    assert len(dotted) == 2 and all(t.name.startswith("이전") for t in dotted)
    assert list(dotted[0].x) == [1, 2, 3]


def test_psnr_curve_orders_labels_and_marks_the_slider():
    curve = {"x": [0.0, 0.2, 0.4], "none": [100.0, 14.0, 9.0], "median3": [30.0, 20.0, 15.0],
             "model": [28.0, 24.0, 20.0]}
    fig = figures.psnr_curve(curve, marker=0.2, labels={"model": "모델", "none": "손상된 입력"})
    assert [t.name for t in fig.data] == ["모델", "손상된 입력"]     # labels fix which lines and their order
    assert fig.data[0].line.dash == "solid" and fig.data[1].line.dash == "dot"
    lo, hi = fig.layout.yaxis.range
    assert hi < 100 and hi >= 28 and lo <= 9                       # the 100 dB exact copy does not squash the plot
    assert any(s.type == "line" and s.x0 == 0.2 for s in fig.layout.shapes)
    assert len(figures.psnr_curve(curve).data) == 3
    # built without plotly's checks for speed, so check here that plotly accepts every property
    checked = go.Figure(fig.to_dict())
    assert checked.to_dict() == fig.to_dict()


@pytest.mark.parametrize("d, kind", [(1, go.Scatter), (2, go.Scatter), (3, go.Scatter3d)])
def test_latent_preview_by_dimension(d, kind):
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(60, d)), np.arange(60) % 3
    fig = figures.latent_preview(points, labels, ("a", "b", "c", "empty"))
    assert [t.name for t in fig.data] == ["a", "b", "c"]            # a class with no points gets no trace
    assert all(isinstance(t, kind) for t in fig.data)
    assert sum(len(t.x) for t in fig.data) == 60
    if d == 3:
        assert fig.layout.scene.xaxis.title.text == "z₁"
    elif d == 2:
        assert fig.layout.yaxis.title.text == "z₂"


def test_latent_preview_names_pca_axes():
    fig = figures.latent_preview(np.zeros((4, 2)), np.array([0, 0, 1, 1]), ("a", "b"), method="pca")
    assert fig.layout.xaxis.title.text == "PC 1" and fig.layout.yaxis.title.text == "PC 2"


def test_figures_serialise_to_json():
    # st.plotly_chart sends the figure as JSON
    for fig in (figures.training_curves(HISTORY, 3), figures.latent_preview(np.zeros((4, 3)), np.arange(4) % 2, "ab")):
        assert len(json.loads(fig.to_json())["data"]) == len(fig.data) > 0


def test_latent_map_one_trace_per_class_with_row_ids_and_overlays():
    rng = np.random.default_rng(0)
    coords, labels = rng.normal(size=(60, 2)), np.arange(60) % 3
    hover = [f"#{i}" for i in range(60)]
    overlay = {"name": "path", "coords": rng.normal(size=(4, 2)), "text": list("abcd"), "labels": list("1234"),
               "mode": "lines+markers"}
    fig = figures.latent_map(coords, labels, ["a", "b", "c"], hover=hover, rows=np.arange(100, 160),
                             overlays=[overlay])
    names = [t.name for t in fig.data]
    assert names == ["a", "b", "c", "path"]
    first = fig.data[0]
    assert list(first.customdata) == [100 + i for i in range(0, 60, 3)]     # one flat id per point: selections return it
    assert first.text[1] == "#3" and fig.data[3].mode == "lines+markers+text"
    assert fig.layout.yaxis.scaleanchor == "x"                            # a map: equal scales
    cloud = figures.latent_map(rng.normal(size=(30, 3)), np.arange(30) % 2, ["a", "b"], highlight=np.array([0, 1]))
    assert {t.type for t in cloud.data} == {"scatter3d"} and cloud.data[-1].name == "selected"
    json.loads(cloud.to_json())


def test_thumbnail_mosaic_places_images_without_overlap():
    rng = np.random.default_rng(1)
    coords = rng.uniform(0, 10, size=(500, 2))
    images = np.full((500, 28, 28), 200, np.uint8)
    labels = np.arange(500) % 10
    picture, (x0, x1, y0, y1), chosen = figures.thumbnail_mosaic(coords, images, labels, side=300, limit=1000)
    assert picture.mode == "RGBA" and picture.width == 300
    assert x0 < coords[:, 0].min() and x1 > coords[:, 0].max() and y0 < coords[:, 1].min() and y1 > coords[:, 1].max()
    assert 0 < len(chosen) <= (300 // 28 + 1) * (picture.height // 28 + 1)  # at most one per thumbnail-sized cell
    alpha = np.asarray(picture)[..., 3]
    assert 0.3 < (alpha > 0).mean() < 1.0
    fig = figures.latent_map(coords, labels, [str(i) for i in range(10)],
                             thumbnails=figures.thumbnail_mosaic(coords, images, labels, limit=20))
    assert len(fig.layout.images) == 1 and list(fig.layout.xaxis.range) == pytest.approx([x0, x1])


def test_rate_distortion_and_sweep_figures():
    import math

    from ae.compress import CurvePoint, RDPoint, curves_by_family

    pts = [RDPoint("conv", f"z={z}, {b} bits", z * b / 8, 15 + z / 8 + b / 100, 0.01, 40_000, 100,
                   {"bits": b, "latent_dim": z}) for z in (8, 32) for b in (32, 8)]
    pts += [RDPoint("jpeg", f"q={q}", 100 + q, 18 + q / 10, 0.01, 0, 100, {"quality": q}) for q in (10, 50)]
    pts.append(RDPoint("png", "lossless", 400.0, math.inf, 0.0, 0, 100))
    fig = figures.rate_distortion(pts, labels={"jpeg": "JPEG", "conv": "conv AE"})
    names = [t.name for t in fig.data]
    assert names == ["JPEG", "conv AE · 32 bits", "conv AE · 8 bits"]
    eight = fig.data[2]
    assert list(eight.x) == [8.0, 32.0] and eight.line.dash == "dot"
    assert fig.layout.xaxis.type == "log" and len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 400
    moved = figures.rate_distortion(pts, amortised=True)
    assert min(min(t.x) for t in moved.data if "conv" in t.name) == pytest.approx(8 + 400)
    spread = figures.rate_distortion(pts, amortised=True, amortise_over=10_000)   # the whole split, not 100
    cut = figures.rate_distortion(pts, y_max=19.0)
    assert cut.layout.yaxis.range == pytest.approx((min(p.psnr for p in pts) - 1, 19.0))
    assert min(min(t.x) for t in spread.data if "conv" in t.name) == pytest.approx(8 + 4)
    curves = curves_by_family([CurvePoint(f, z, 10 + z, 0.1, 0.5, {}, 10) for f in ("pca", "dense") for z in (1, 4)])
    fig = figures.sweep_curves(curves, "psnr", labels={"pca": "PCA (k = z)"})
    assert [t.name for t in fig.data] == ["dense", "PCA (k = z)"] and fig.data[1].line.dash == "dash"
    assert list(fig.data[0].y) == [11, 14]
    again = figures.sweep_curves(curves, "psnr", labels={"conv": "conv", "dense": "dense", "pca": "PCA"})
    assert again.data[0].line.color == figures.PALETTE[1] != fig.data[0].line.color   # dense: its place in labels


def test_per_class_psnr_heatmap():
    table = np.array([[10.0, 12.0, 15.0], [11.0, 11.5, 20.0]])
    fig = figures.per_class_psnr([1, 4, 16], ["T-shirt", "Bag"], table, x_title="z")
    heat = fig.data[0]
    assert list(heat.x) == ["1", "4", "16"] and list(heat.y) == ["T-shirt", "Bag"]
    np.testing.assert_array_equal(np.asarray(heat.z), table)
    assert heat.text[1][2] == "20.0" and fig.layout.xaxis.title.text == "z"


def test_code_grid_puts_each_code_in_its_pictures_square():
    """Square (i, j) of the figure is the grid's picture in column i, row j from the bottom, also where
    the cells are unequal (quantile spacing); empty cells are shaded, codes outside are left out."""
    from ae import generate as G

    u = np.array([-1.0, 0.0, 3.0])                   # unequal cells: edges -1.5, -0.5, 1.5, 4.5
    v = np.array([0.0, 1.0])                         # edges -0.5, 0.5, 1.5
    coords = np.array([[-1.0, 0.0], [1.0, 1.2], [4.0, 0.4], [9.0, 0.0]])   # the last is outside
    counts = G.cell_counts(u, v, coords)
    fig = figures.code_grid(coords, [0, 1, 2, 1], ["a", "b", "c"], u, v, counts, axes=("PC1", "PC2"),
                            empty_name="empty")
    points = {t.name: (list(t.x), list(t.y)) for t in fig.data if t.type == "scattergl"}
    assert points["a"] == ([0.5], [0.5])                    # the centre of the bottom-left cell
    assert points["b"][0] == [pytest.approx(1.75)] and points["b"][1] == [pytest.approx(1.7)]
    assert points["c"][0] == [pytest.approx(2 + 2.5 / 3)]   # 4.0 in the wide cell 1.5 .. 4.5
    heat = fig.data[0]
    shaded = ~np.isnan(np.asarray(heat.z, float))           # rows bottom to top
    np.testing.assert_array_equal(shaded, [[False, True, False], [True, False, True]])
    assert fig.layout.xaxis.range == (0, 3) and fig.layout.xaxis.title.text == "PC1"
    assert list(fig.layout.xaxis.ticktext) == ["-1", "0", "3"]
    assert "empty" in [t.name for t in fig.data]
