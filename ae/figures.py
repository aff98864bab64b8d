"""Plotly figures (and one SVG diagram) built from plain data: pure functions, so they are tested without
Streamlit."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from .models import Autoencoder

PALETTE = ["#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A",
           "#19D3F3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"]


def architecture(model: Autoencoder, encoder: str = "encoder", decoder: str = "decoder") -> str:
    """An hourglass of the model's real layers as an SVG picture: bar height ~ log of the numbers passing
    through, the shape above each bar, the layer's name below, skip connections as dotted arcs.

    SVG, not Plotly: the diagram is the Home page's only chart, and a visitor's browser that must load
    Plotly for it spends about a second more on its first page (1.6 s against 2.6 s, measured)."""
    from html import escape

    stages = model.layer_sizes()
    names = ["x"] + [n for n, _ in stages[1:]] + ["z"] + [n for n, _ in reversed(stages[1:])] + ["x̂"]
    shapes = [s for _, s in stages] + [(model.config.latent_dim,)] + [s for _, s in reversed(stages)]
    sizes = [math.prod(s) for s in shapes]
    labels = ["×".join(map(str, s)) for s in shapes]
    mid = len(stages)
    colors = ["#4C78A8"] * mid + ["#E45756"] + ["#54A24B"] * mid
    # a bar's slot fits its label at 13 px in Arial's metrics (digits 7.2 px, "×" 7.6 px), so labels never
    # shrink or overlap; Korean words fall back to a font that has them
    step = max(52, 7.5 * max(len(t) for t in labels) + 4)
    width, height, bar = round(step * len(sizes)), 300, 0.55 * 52
    axis_y, top_pad = 135, 44                   # the bars' middle line; room above them for the texts
    heights = [math.log10(n) + 0.4 for n in sizes]
    unit = (axis_y - top_pad) / max(heights)
    xs = [step * (i + 0.5) for i in range(len(sizes))]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ae-architecture" viewBox="0 0 {width} {height}" '
           f'width="100%" style="max-width: {max(width, 420)}px; font-family: Arial, \'Liberation Sans\', '
           f'Helvetica, sans-serif" role="img">']
    for i in model.skips:   # skip connections: dotted arcs under the bars, from a stage to its mirror
        j = len(sizes) - 1 - i
        # the longer the arc, the lower it dips, so nested arcs do not run into each other
        y0, y1 = axis_y + heights[i] * unit, axis_y + heights[j] * unit
        low = axis_y + (axis_y - top_pad) + 12 + 40 * (j - i) / len(sizes)
        out.append(f'<path class="skip" data-from="{i}" data-to="{j}" d="M {xs[i]:.1f},{y0:.1f} C {xs[i]:.1f},{low} '
                   f'{xs[j]:.1f},{low} {xs[j]:.1f},{y1:.1f}" fill="none" stroke="#888" stroke-width="2" '
                   f'stroke-dasharray="3 4"/>')
    for x, h, color, name, label, n in zip(xs, heights, colors, names, labels, sizes):
        y = axis_y - h * unit
        out.append(f'<rect class="layer" data-size="{n}" x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                   f'height="{2 * h * unit:.1f}" fill="{color}"><title>{escape(name)}: {escape(label)} = {n:,}'
                   f'</title></rect>')
        out.append(f'<text class="size" x="{x:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="13" '
                   f'fill="#333">{escape(label)}</text>')
        out.append(f'<text class="name" x="{x:.1f}" y="{height - 8}" text-anchor="middle" font-size="13" '
                   f'fill="#444">{escape(name)}</text>')
    # each part's name centred over its bars (the encoder's are 0 .. mid - 1, the decoder's mid + 1 ..)
    for cls, text, x, color in (("part encoder", encoder, step * mid / 2, "#4C78A8"),
                                ("part decoder", decoder, step * (mid + 1 + mid / 2), "#54A24B")):
        out.append(f'<text class="{cls}" x="{x:.1f}" y="16" text-anchor="middle" font-size="13" '
                   f'fill="{color}">← {escape(text)} →</text>')
    out.append("</svg>")
    return "".join(out)


def psnr_curve(curve: dict[str, list[float]], marker: float | None = None, labels: dict[str, str] | None = None,
               x_title: str = "noise level", y_title: str = "PSNR (dB)", marker_text: str = "") -> go.Figure:
    """PSNR against noise level, one line per restorer, from `ae.denoise.psnr_curve`'s dict.

    `labels` maps names to legend text (and fixes the order); `marker` draws the slider's position.
    Exact copies score 100 dB, so the y axis stops a little above the best finite figure.
    Built from a plain spec without plotly's validation: it is redrawn on every slider move, where
    validating took about two thirds of this figure's cost (20 of 30 ms). Tests validate the spec.
    """
    xs = list(curve["x"])
    names = [n for n in (labels or curve) if n != "x" and n in curve]
    dashed = {"none", "median3", "gaussian_blur", "total_variation"}   # classical baselines: thin, dashed
    data = []
    for i, name in enumerate(names):
        base = name in dashed
        data.append(dict(
            type="scatter", x=xs, y=[float(v) for v in curve[name]], mode="lines+markers",
            name=(labels or {}).get(name, name),
            line=dict(width=1.5 if base else 3, dash="dot" if base else "solid",
                      color="#888888" if name == "none" else PALETTE[i % len(PALETTE)]),
            marker=dict(size=4 if base else 7), hovertemplate="%{x:g}: %{y:.1f} dB<extra>%{fullData.name}</extra>"))
    finite = [v for n in names for v in curve[n] if v < 60]
    top = (max(finite) if finite else 40) + 3
    bottom = (min(finite) if finite else 0) - 1
    layout = dict(height=440, margin=dict(l=10, r=10, t=30, b=10), xaxis=dict(title=dict(text=x_title)),
                  yaxis=dict(title=dict(text=y_title), range=[bottom, top]), hovermode="x unified",
                  legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    if marker is not None:   # what fig.add_vline draws, written out: add_vline alone cost about 8 ms
        layout["shapes"] = [dict(type="line", x0=marker, x1=marker, xref="x", y0=0, y1=1, yref="y domain",
                                 line=dict(color="#E45756", width=2, dash="dash"))]
        layout["annotations"] = [dict(text=marker_text, x=marker, xref="x", y=1, yref="y domain",
                                      showarrow=False, xanchor="center", yanchor="bottom")]
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def training_curves(history: list[dict], epochs: int | None = None, labels: dict[str, str] | None = None,
                    previous: list[dict] | None = None) -> go.Figure:
    """Train and test loss per epoch of a run in progress, on an x axis fixed to the planned epochs so
    the curves grow across it; `previous` (another run's history) is drawn dotted for comparison.
    `labels` may name the traces and axes, and give a note ("empty") shown before the first epoch."""
    labels = labels or {}
    fig = go.Figure()
    runs = [(previous, "dot", labels.get("previous", "previous run") + " · "), (history, "solid", "")] if previous else \
        [(history, "solid", "")]
    for run, dash, prefix in runs:
        xs = [h["epoch"] for h in run]
        for key, color in (("train_loss", PALETTE[0]), ("test_loss", PALETTE[1])):
            ys = [h.get(key) for h in run]
            if any(y is not None for y in ys):
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=prefix + labels.get(key, key),
                                         line=dict(color=color, dash=dash, width=1.5 if dash == "dot" else 2.5),
                                         hovertemplate="%{x}: %{y:.4f}<extra>%{fullData.name}</extra>"))
    if not history and labels.get("empty"):
        fig.add_annotation(text=labels["empty"], x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           font=dict(color="#888888"))
        fig.update_yaxes(showticklabels=False)
    top = max([epochs or 1] + [h["epoch"] for h in history + (previous or [])])
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10), uirevision="loss",
                      xaxis=dict(title=labels.get("epoch", "epoch"), range=[0.5, top + 0.5], dtick=max(1, top // 10)),
                      yaxis_title=labels.get("loss", "loss"), legend=dict(orientation="h", y=1.18))
    return fig


def latent_preview(points, labels, class_names: tuple[str, ...] | list[str], method: str = "raw",
                   height: int = 380) -> go.Figure:
    """Latent codes coloured by class: a strip per class for 1-D z, a plane for 2-D z or PCA, a cloud
    for 3-D z. `points` (N, d) and `labels` (N,) are arrays; `method` is "raw" or "pca" (axis names)."""
    import numpy as np

    points, labels = np.asarray(points), np.asarray(labels)
    d = points.shape[1] if points.ndim == 2 else 0
    axes = [f"PC {i + 1}" for i in range(d)] if method == "pca" else [f"z{'₁₂₃'[i]}" for i in range(d)]
    fig = go.Figure()
    for c, name in enumerate(class_names):
        p = points[labels == c]
        if not len(p):
            continue
        color = PALETTE[c % len(PALETTE)]
        if d == 3:
            fig.add_trace(go.Scatter3d(x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name=name,
                                       marker=dict(size=2.5, color=color)))
        else:
            y = p[:, 1] if d == 2 else [name] * len(p)
            fig.add_trace(go.Scatter(x=p[:, 0], y=y, mode="markers", name=name,
                                       marker=dict(size=5, color=color, opacity=0.8)))
    # Ranges from the points themselves (a kept view would hold on to an earlier epoch's scale).
    ranges = []
    for i in range(d):
        lo, hi = (float(v) for v in np.percentile(points[:, i], [0.5, 99.5])) if len(points) else (0.0, 1.0)
        pad = 0.08 * (hi - lo) + 1e-6
        ranges.append([lo - pad, hi + pad])
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=10, b=0), uirevision="latent",
                      legend=dict(itemsizing="constant", font=dict(size=11)))
    if d == 3:
        fig.update_layout(scene=dict(aspectmode="cube", **{f"{a}axis": dict(title=title, range=r)
                                                           for a, title, r in zip("xyz", axes, ranges)}))
    elif d:
        fig.update_layout(xaxis=dict(title=axes[0], range=ranges[0]),
                          yaxis=dict(title=axes[1], range=ranges[1]) if d == 2 else dict(title=""))
    return fig


# ---------------------------------------------------------------- latent space explorer

def _marker_size(n: int, dims: int) -> float:
    """Smaller dots for more points, so that a 10,000-point map still shows its structure."""
    if dims == 3:
        return 3.0 if n <= 2000 else 2.2 if n <= 10_000 else 1.5
    return 7.0 if n <= 1000 else 5.0 if n <= 5000 else 3.5 if n <= 20_000 else 2.5


def thumbnail_mosaic(coords, images, labels, side: int = 720, thumb: int = 28, limit: int = 300,
                     colors: list[str] | None = None, gap: float = 1.15):
    """A sample of points drawn as their own small images, pasted into ONE transparent picture that
    covers the map's data rectangle (one layout image is far lighter than one per point).

    Points are picked one per cell of a grid as large as a thumbnail, the one nearest the cell's
    centre, so thumbnails do not overlap and sparse regions are shown as well as dense ones. `side`
    is the picture's width in pixels, about the map's width on screen, so thumbnails show near 1:1.
    Ink is drawn in its class colour, transparent where there is none.
    Returns (PIL RGBA image, [x0, x1, y0, y1], chosen row indices)."""
    import numpy as np
    from PIL import Image

    colors = colors or PALETTE
    xy = np.asarray(coords, dtype=np.float64)[:, :2]
    ink = np.asarray(images)
    ink = ink.reshape(len(ink), ink.shape[-2], ink.shape[-1])
    if ink.dtype != np.uint8:
        ink = (np.clip(ink, 0, 1) * 255 + 0.5).astype(np.uint8)
    lo, hi = xy.min(0), xy.max(0)
    span = np.maximum(hi - lo, 1e-9)
    pad = span * 0.04
    lo, hi = lo - pad, hi + pad
    span = hi - lo
    width = side
    height = max(thumb * 2, int(round(side * span[1] / span[0]))) if span[0] > 0 else side
    height = min(height, side * 3)
    # top-left pixel of each thumbnail (y grows downwards in the picture, upwards on the map)
    px = ((xy[:, 0] - lo[0]) / span[0] * width - thumb / 2)
    py = ((hi[1] - xy[:, 1]) / span[1] * height - thumb / 2)
    cell = thumb * gap
    cell_x, cell_y = np.floor((px + thumb / 2) / cell), np.floor((py + thumb / 2) / cell)
    centre_dx = (px + thumb / 2) - (cell_x + 0.5) * cell
    centre_dy = (py + thumb / 2) - (cell_y + 0.5) * cell
    order = np.lexsort((centre_dx ** 2 + centre_dy ** 2, cell_y, cell_x))
    cells = np.stack([cell_x[order], cell_y[order]], 1)
    first = np.ones(len(order), bool)
    first[1:] = (cells[1:] != cells[:-1]).any(1)
    chosen = order[first]
    if len(chosen) > limit:   # keep an even spread: every k-th cell
        chosen = chosen[np.linspace(0, len(chosen) - 1, limit).round().astype(int)]
    canvas = np.zeros((height, width, 4), np.uint8)
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colors]
    for i in chosen:
        x0, y0 = int(round(px[i])), int(round(py[i]))
        x0, y0 = min(max(x0, 0), width - thumb), min(max(y0, 0), height - thumb)
        tile = ink[i]
        if tile.shape != (thumb, thumb):
            tile = np.asarray(Image.fromarray(tile).resize((thumb, thumb), Image.BILINEAR))
        color = rgb[int(labels[i]) % len(rgb)]
        region = canvas[y0:y0 + thumb, x0:x0 + thumb]
        # the image's brightness becomes opacity: a silhouette in the class colour on the white map
        alpha = tile
        keep = alpha >= region[..., 3]
        region[keep, :3] = color
        region[keep, 3] = alpha[keep]
    return Image.fromarray(canvas, "RGBA"), [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])], chosen


def latent_map(coords, labels, class_names, hover: list[str] | None = None, rows=None,
               axes: tuple[str, ...] | None = None, thumbnails=None, overlays: list[dict] | None = None,
               highlight=None, height: int = 620, marker_size: float | None = None,
               highlight_name: str = "selected") -> go.Figure:
    """The latent space explorer's map: one trace per class (legend of class names), a 2-D WebGL
    plane or a 3-D cloud. `rows` (default 0..N-1) go into customdata as one number per point, which
    Streamlit's selection hands back; `hover` is each point's text. `thumbnails` is
    `thumbnail_mosaic`'s (image, extent, rows); `overlays` are extra traces of new points, dicts
    with "name", "coords" (M, dims), "text" and optionally "mode", "symbol", "color";
    `highlight` marks rows (the selection shown in a linked view)."""
    import numpy as np

    coords, labels = np.asarray(coords), np.asarray(labels)
    n, dims = coords.shape
    rows = np.arange(n) if rows is None else np.asarray(rows)
    axes = axes or tuple(f"{i + 1}" for i in range(dims))
    size = marker_size or _marker_size(n, dims)
    fig = go.Figure()
    for c, name in enumerate(class_names):
        mask = labels == c
        if not mask.any():
            continue
        p = coords[mask]
        common = dict(name=name, customdata=rows[mask].tolist(), legendgroup=str(c),
                      text=[hover[i] for i in np.flatnonzero(mask)] if hover is not None else None,
                      hovertemplate="%{text}<extra></extra>" if hover is not None else None)
        color = PALETTE[c % len(PALETTE)]
        if dims == 3:
            fig.add_trace(go.Scatter3d(x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers",
                                       marker=dict(size=size, color=color, opacity=0.85), **common))
        else:
            fig.add_trace(go.Scattergl(x=p[:, 0], y=p[:, 1], mode="markers",
                                       marker=dict(size=size, color=color, opacity=0.35 if thumbnails else 0.8),
                                       **common))
    if highlight is not None and len(highlight):
        h = np.asarray(highlight)
        p = coords[h]
        ring = dict(size=size * 2.2 + 2, color="rgba(0,0,0,0)", line=dict(color="#111111", width=2))
        if dims == 3:
            fig.add_trace(go.Scatter3d(x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name=highlight_name,
                                       marker=dict(size=size * 2 + 2, color="#111111", opacity=0.9),
                                       hoverinfo="skip"))
        else:
            fig.add_trace(go.Scattergl(x=p[:, 0], y=p[:, 1], mode="markers", name=highlight_name,
                                       marker=ring, hoverinfo="skip"))
    for o in overlays or []:
        p = np.atleast_2d(np.asarray(o["coords"]))
        # "labels" are written beside the markers (a noise path's levels); "text" shows on hover
        style = dict(mode=o.get("mode", "markers") + ("+text" if o.get("labels") else ""), name=o["name"],
                     hovertext=o.get("text"), text=o.get("labels"),
                     hovertemplate="%{hovertext}<extra></extra>" if o.get("text") is not None else None)
        color = o.get("color", "#111111")
        if dims == 3:
            fig.add_trace(go.Scatter3d(x=p[:, 0], y=p[:, 1], z=p[:, 2], line=dict(color=color, width=5),
                                       marker=dict(size=7, color=color, symbol=o.get("symbol3d", "diamond")),
                                       textposition="top center", **style))
        else:
            fig.add_trace(go.Scatter(x=p[:, 0], y=p[:, 1], line=dict(color=color, width=2.5),
                                     marker=dict(size=o.get("size", 15), color=color, symbol=o.get("symbol", "star"),
                                                 line=dict(color="white", width=1.5)),
                                     textposition="top center", textfont=dict(color=color, size=12), **style))
    # the top margin keeps Plotly's toolbar off the legend
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=36, b=0), dragmode="pan" if dims == 2 else None,
                      legend=dict(itemsizing="constant", font=dict(size=12)), plot_bgcolor="white")
    if dims == 3:
        fig.update_layout(scene=dict(aspectmode="cube", xaxis_title=axes[0], yaxis_title=axes[1], zaxis_title=axes[2]))
    else:
        # equal scales: distances on a map mean the same across and along it (and thumbnails keep their shape)
        fig.update_layout(xaxis=dict(title=axes[0], showgrid=True, gridcolor="#eeeeee", zeroline=False),
                          yaxis=dict(title=axes[1], showgrid=True, gridcolor="#eeeeee", zeroline=False,
                                     scaleanchor="x", scaleratio=1))
        if thumbnails is not None:
            image, (x0, x1, y0, y1), _ = thumbnails
            fig.add_layout_image(source=image, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                                 sizing="stretch", layer="above", opacity=1.0)
            fig.update_xaxes(range=[x0, x1])
            fig.update_yaxes(range=[y0, y1])
    return fig


def rate_distortion(points, labels: dict[str, str] | None = None, amortised: bool = False,
                    x_title: str = "bytes per image", y_title: str = "PSNR (dB)",
                    exact_text: str = "exact copy", amortise_over: int | None = None,
                    y_max: float | None = None) -> go.Figure:
    """PSNR against bytes per image (log axis), one line per family, from `ae.compress.RDPoint`s.

    Autoencoder and PCA points are joined in order of bytes within each bit width ("conv · 8 bits");
    codecs along their quality. Exact copies (infinite PSNR) are drawn as dotted vertical lines at their
    bytes. `amortised` puts every point at its bytes plus its shared bytes spread over the measured images,
    or over `amortise_over` images (the whole test split when a part of it was measured). `y_max` cuts the
    PSNR axis there (codecs at top quality reach 60 dB and would squash the low-byte region). `labels` maps family names (and "8 bits", ...) to legend text and fixes the order of the families.
    """
    from .compress import family as family_of

    labels = labels or {}
    cost = (lambda p: p.total_bytes(amortise_over)) if amortised else (lambda p: p.bytes)
    lines: dict[tuple[str, int | None], list] = {}
    for p in points:
        if p.exact:
            continue
        lines.setdefault((p.family, p.extra.get("bits") if family_of(p.family).method in ("ae", "pca") else None),
                         []).append(p)
    order = {name: i for i, name in enumerate(labels)}
    fig = go.Figure()
    for i, ((name, bits), pts) in enumerate(sorted(lines.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][0],
                                                                                  -(kv[0][1] or 0)))):
        method = family_of(name).method
        pts = sorted(pts, key=cost)
        text = labels.get(name, name) + (f" · {labels.get(f'{bits} bits', f'{bits} bits')}" if bits else "")
        dash = {32: "solid", 16: "dash", 8: "dot"}.get(bits, "solid")
        color = PALETTE[(order.get(name, i)) % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=[cost(p) for p in pts], y=[p.psnr for p in pts], mode="lines+markers", name=text,
            text=[p.setting for p in pts], line=dict(color=color, dash=dash, width=3 if method == "ae" else 1.8),
            marker=dict(size=8 if method == "ae" else 5, symbol="circle" if method in ("ae", "pca") else "square"),
            hovertemplate="%{text}: %{x:.1f} B, %{y:.2f} dB<extra>%{fullData.name}</extra>"))
    exact = [p for p in points if p.exact]   # vertical lines written out: add_vline costs ~8 ms each
    fig.update_layout(
        shapes=[dict(type="line", x0=cost(p), x1=cost(p), xref="x", y0=0, y1=1, yref="y domain",
                     line=dict(color="#888888", dash="dot", width=1)) for p in exact],
        annotations=[dict(text=f"{labels.get(p.family, p.family)}: {exact_text}", x=math.log10(cost(p)), xref="x",
                          y=0.02 + 0.3 * (i % 3), yref="y domain", textangle=-90, showarrow=False, xanchor="right",
                          yanchor="bottom", font=dict(color="#888888")) for i, p in enumerate(exact)])
    fig.update_layout(height=480, margin=dict(l=10, r=10, t=30, b=10), hovermode="closest",
                      xaxis=dict(title=x_title, type="log"),
                      yaxis=dict(title=y_title, **({} if y_max is None else {"range": [
                          min([p.psnr for p in points if not p.exact] + [y_max]) - 1, y_max]})),
                      legend=dict(orientation="v", x=1.02, y=1))
    return fig


def sweep_curves(curves: dict[str, dict[str, list]], what: str = "psnr", labels: dict[str, str] | None = None,
                 x_title: str = "z (numbers in the code)", y_title: str | None = None) -> go.Figure:
    """A quality figure against z (log axis), one line per family, from `ae.compress.curves_by_family`;
    PCA (k = z) drawn dashed as the linear anchor. A family's colour is its place in `labels` (the same
    colour in every figure given the same labels), else its place in `curves`."""
    labels = labels or {}
    order = {name: k for k, name in enumerate(labels)}
    fig = go.Figure()
    for i, (name, d) in enumerate(curves.items()):
        linear = name == "pca"
        colour = PALETTE[order.get(name, i) % len(PALETTE)]
        fig.add_trace(go.Scatter(x=d["z"], y=d[what], mode="lines+markers", name=labels.get(name, name),
                                 line=dict(color="#888888" if linear else colour,
                                           dash="dash" if linear else "solid", width=2 if linear else 3),
                                 hovertemplate="z=%{x}: %{y:.3f}<extra>%{fullData.name}</extra>"))
    zs = sorted({z for d in curves.values() for z in d["z"]})
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10), hovermode="x unified",
                      xaxis=dict(title=x_title, type="log", tickvals=zs, ticktext=[str(z) for z in zs]),
                      yaxis=dict(title=y_title or what), legend=dict(orientation="h", y=1.15))
    return fig


def per_class_psnr(latent_dims, class_names, table, x_title: str = "z", colour_title: str = "PSNR (dB)",
                   height: int = 380) -> go.Figure:
    """A heatmap of one family's PSNR per class (rows) and z (columns), from `ae.compress.per_class`:
    which classes lose first as z shrinks. Each cell is labelled with its value."""
    import numpy as np

    table = np.asarray(table, np.float64)
    x = [str(z) for z in latent_dims]
    fig = go.Figure(go.Heatmap(z=table, x=x, y=list(class_names), colorscale="Viridis",
                               text=[[f"{v:.1f}" for v in row] for row in table], texttemplate="%{text}",
                               textfont=dict(size=10), colorbar=dict(title=colour_title),
                               hovertemplate="%{y}, z=%{x}: %{z:.2f}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis=dict(title=x_title, type="category"), yaxis=dict(autorange="reversed"))
    return fig


def code_grid(coords, labels, class_names, u, v, counts, axes: tuple[str, str] = ("z1", "z2"),
              empty_name: str = "no code", height: int = 480, ticks: int = 7) -> go.Figure:
    """Codes on a decoded grid's own axes, to draw beside the grid's picture.

    u (n,) and v (m,) are the grid's ascending cell centres; each cell, from the midpoint before its
    centre to the one after (`ae.generate.cell_edges`), is stretched to a unit square, so square (i, j)
    here is the picture in column i, row j from the bottom, even where cells are unequal (a VAE's grid,
    spaced by the normal's quantiles). Ticks name the cells' centres. `coords` (N, 2) are the codes'
    plane coordinates, `labels` their classes; codes outside the grid are left out. `counts` are the
    codes per cell in drawing order (top row first, `ae.generate.cell_counts`): cells with none are shaded.
    """
    import numpy as np

    from .generate import cell_edges

    u, v = np.asarray(u, np.float64), np.asarray(v, np.float64)
    n, m = len(u), len(v)
    u_edges, v_edges = cell_edges(u).astype(np.float64), cell_edges(v).astype(np.float64)
    coords, labels = np.asarray(coords, np.float64).reshape(-1, 2), np.asarray(labels)
    inside = ((coords[:, 0] >= u_edges[0]) & (coords[:, 0] <= u_edges[-1])
              & (coords[:, 1] >= v_edges[0]) & (coords[:, 1] <= v_edges[-1]))
    # piecewise linear within each cell: cell i of the grid spans [i, i + 1] here
    x = np.interp(coords[inside, 0], u_edges, np.arange(n + 1))
    y = np.interp(coords[inside, 1], v_edges, np.arange(m + 1))
    labels = labels[inside]
    empty = (np.asarray(counts).reshape(m, n)[::-1] == 0).astype(float)   # rows bottom to top, as y grows
    fig = go.Figure(go.Heatmap(x=np.arange(n) + 0.5, y=np.arange(m) + 0.5, z=np.where(empty > 0, 1.0, np.nan),
                               colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]], showscale=False, hoverinfo="skip",
                               zmin=0, zmax=1))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=empty_name,
                             marker=dict(symbol="square", size=12, color="#d9d9d9")))
    size = 4 if len(x) < 3000 else 3
    for c, name in enumerate(class_names):
        mask = labels == c
        if mask.any():
            fig.add_trace(go.Scattergl(x=x[mask], y=y[mask], mode="markers", name=name, hoverinfo="name",
                                       marker=dict(size=size, color=PALETTE[c % len(PALETTE)], opacity=0.75)))

    def axis(centres, count, title):
        step = max(1, math.ceil(count / ticks))
        shown = list(range(0, count, step))
        # constrain="domain": the square plot shrinks to fit instead of showing more than the grid
        return dict(title=dict(text=title, standoff=4), range=[0, count], tickvals=[i + 0.5 for i in shown],
                    ticktext=[f"{centres[i]:.2g}" for i in shown], showgrid=False, zeroline=False,
                    constrain="domain", minor=dict(tickvals=list(range(count + 1)), showgrid=True, gridcolor="#eeeeee"))

    # the legend below the plot, so the plot is as wide as the grid's picture beside it
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=4, b=0), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0,
                                  itemsizing="constant", font=dict(size=11)),
                      xaxis=axis(u, n, axes[0]), yaxis={**axis(v, m, axes[1]), "scaleanchor": "x", "scaleratio": 1})
    return fig


# ---------------------------------------------------------------- anomaly detection (ae.anomaly)

NORMAL_COLOUR, ANOMALY_COLOUR, MARK_COLOUR = "#4C78A8", "#E45756", "#2CA02C"


def score_histogram(edges, normal, anomalous, names: tuple[str, str] = ("normal", "anomalous"),
                    threshold: float | None = None, marks: list[tuple[float, str]] = (), log: bool = False,
                    x_title: str = "score", y_title: str = "images", height: int = 340,
                    share: bool = True) -> go.Figure:
    """Normal and anomalous scores on shared bins (ae.anomaly.histogram), overlaid: each group's share
    in percent (`share`; 9,000 anomalies would dwarf 1,000 normal images), or the counts. The threshold as
    a dashed line and `marks` (value, label) as solid lines (an uploaded image's score)."""
    import numpy as np

    edges = np.asarray(edges, np.float64)
    if share:
        normal, anomalous = (100 * np.asarray(c, np.float64) / max(np.sum(c), 1) for c in (normal, anomalous))
    centres = np.sqrt(edges[1:] * edges[:-1]) if log else (edges[1:] + edges[:-1]) / 2
    fig = go.Figure()
    for counts, name, colour in ((normal, names[0], NORMAL_COLOUR), (anomalous, names[1], ANOMALY_COLOUR)):
        fig.add_trace(go.Bar(x=centres, y=np.asarray(counts), width=np.diff(edges), name=name, marker_color=colour,
                             opacity=0.6, hovertemplate="%{x:.4g}: %{y:.3g}" + ("%" if share else "") + "<extra>" + name + "</extra>"))

    def at(value: float) -> float:   # shapes and annotations on a log axis are placed in log10 units
        return math.log10(max(value, edges[0])) if log else value

    if threshold is not None:
        fig.add_vline(x=at(threshold), line=dict(color="#333333", dash="dash", width=2))
    for value, label in marks:
        fig.add_vline(x=at(value), line=dict(color=MARK_COLOUR, width=3))
        fig.add_annotation(x=at(value), y=1, yref="paper", text=label, showarrow=False, yanchor="bottom",
                           font=dict(color=MARK_COLOUR))
    fig.update_layout(barmode="overlay", height=height, margin=dict(l=0, r=0, t=24, b=0), bargap=0,
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
                      xaxis=dict(title=x_title, type="log" if log else "linear"), yaxis=dict(title=y_title))
    return fig


def anomaly_curve(x, y, point: tuple[float, float] | None = None, x_title: str = "", y_title: str = "",
                  name: str = "", diagonal: bool = False, point_name: str = "threshold", height: int = 320) -> go.Figure:
    """An ROC or precision-recall curve (ae.anomaly.roc / pr) with the current threshold's point."""
    fig = go.Figure(go.Scatter(x=list(x), y=list(y), mode="lines", name=name, line=dict(color=ANOMALY_COLOUR, width=2),
                               hovertemplate="%{x:.3f}, %{y:.3f}<extra></extra>"))
    if diagonal:
        fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#aaaaaa", dash="dot"),
                                 hoverinfo="skip", showlegend=False))
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=point_name,
                                 marker=dict(size=12, color="#333333", symbol="circle-open", line=dict(width=3))))
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=24, b=0), showlegend=True,
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
                      xaxis=dict(title=x_title, range=[-0.01, 1.01]), yaxis=dict(title=y_title, range=[-0.01, 1.01]))
    return fig
