"""The browser decoder: pictures decoded from latent codes in the learner's browser, so they follow a
slider or the pointer without a server round trip (about 150 ms on a Streamlit rerun).

A Streamlit component (`st.components.v2`, inline JavaScript in `_decoder.js` beside this file, no
iframe) runs the model's decoder, exported to ONNX by `ae.export`, with onnxruntime-web. The runtime's
files are vendored under `static/vendor/onnxruntime-web/` (see VENDORED.json there, refreshed by `make
vendor`) and served by the app itself through Streamlit's static file serving
(`server.enableStaticServing` in .streamlit/config.toml, at /app/static/): nothing comes from a CDN,
and the app needs no Node.js at run time.

One call draws one view; the page feeds it plain numbers (from `ae.generate` or anything else):

    plane = Plane(origin=[0, 0], u=[1, 0], v=[0, 1], x_range=(-3, 3), y_range=(-3, 3),
                  points=codes_2d, classes=labels, class_names=names)
    got = decoder(model, plane, key="gen.plane")      # the picture follows the pointer
    if got.z is not None: ...                         # the code the learner clicked
    decoder(model, Grid(plane, xs, ys), key="gen.grid")
    decoder(model, Sliders(values=[0, 0], ranges=[(-3, 3)] * 2), key="gen.sliders")

The model's decoder is exported once per set of weights (`decoder_onnx`, kept on disk by
ae.export.cached); a kind that cannot decode z alone (unet, conv_refine) raises ae.export.ExportError,
so a page checks `ae.generate.can_decode(model)` first and explains instead.

Where WebAssembly (or the runtime) cannot start, the component says so and reports it; this module
then decodes on the server with `ae.infer.decode` and the component paints those pictures, updated on
a click or a slider's release instead of on every move.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st
import torch

import ae
from ae.figures import PALETTE
from pages._common import t

HERE = Path(__file__).resolve().parent
ASSETS = "app/static/vendor/onnxruntime-web/"   # under the app's URL; the folder static/vendor/onnxruntime-web/
_COMPONENT = st.components.v2.component(
    "ae_decoder", js=(HERE / "_decoder.js").read_text(), css=(HERE / "_decoder.css").read_text(),
    isolate_styles=True)


def _floats(values, name: str, length: int | None = None) -> list[float]:
    out = [float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    if length is not None and len(out) != length:
        raise ValueError(f"{name} has {len(out)} numbers, expected {length}")
    if not all(np.isfinite(out)):
        raise ValueError(f"{name} has a number that is not finite")
    return out


def _window(r, name: str) -> tuple[float, float]:
    lo, hi = _floats(r, name, 2)
    if not hi > lo:
        raise ValueError(f"{name} must go from a smaller number to a larger one, got {r!r}")
    return lo, hi


@dataclass(frozen=True)
class Sliders:
    """One slider per direction: z = origin + sum_i values[i] * directions[i].

    For a small z the directions are the axes (the default) and the origin 0; for a larger one, e.g.
    the first principal directions of the codes with their mean as the origin.
    """
    values: Sequence[float]                        # where the sliders start
    ranges: Sequence[tuple[float, float]]          # (low, high) of each slider
    origin: Sequence[float] | None = None          # None: zeros (length: the number of sliders)
    directions: Sequence[Sequence[float]] | None = None   # None: the axes
    labels: Sequence[str] | None = None            # None: z1, z2, ...

    def resolved(self, latent_dim: int) -> dict:
        n = len(self.values)
        values = _floats(self.values, "values")
        ranges = [_window(r, f"slider {i + 1}'s range") for i, r in enumerate(self.ranges)]
        if len(ranges) != n:
            raise ValueError(f"{n} slider values but {len(ranges)} ranges")
        dirs = (np.eye(n, latent_dim) if self.directions is None
                else np.asarray(self.directions, dtype=np.float64).reshape(n, -1))
        if dirs.shape != (n, latent_dim):
            raise ValueError(f"the directions must be {n} x {latent_dim} (sliders x latent size), got {dirs.shape}")
        origin = np.zeros(latent_dim) if self.origin is None else np.asarray(self.origin, dtype=np.float64)
        labels = list(self.labels) if self.labels is not None else [f"z{i + 1}" for i in range(n)]
        return {"values": values, "ranges": ranges, "origin": _floats(origin, "origin", latent_dim),
                "directions": [_floats(d, f"direction {i + 1}") for i, d in enumerate(dirs)],
                "labels": [str(s) for s in labels], "step": [(hi - lo) / 200 for lo, hi in ranges]}

    def z(self, latent_dim: int, values: Sequence[float] | None = None) -> np.ndarray:
        spec = self.resolved(latent_dim)
        v = np.asarray(spec["values"] if values is None else values, dtype=np.float64)
        return np.asarray(spec["origin"]) + v @ np.asarray(spec["directions"])


@dataclass(frozen=True)
class Plane:
    """A 2-D plane of the latent space: z = origin + a * u + b * v for plane coordinates (a, b), shown
    over the window x_range x y_range, with real codes (already in plane coordinates) as points."""
    origin: Sequence[float]
    u: Sequence[float]
    v: Sequence[float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    points: Sequence[Sequence[float]] | np.ndarray = ()    # (N, 2) plane coordinates of real codes
    classes: Sequence[int] | np.ndarray = ()               # (N,) class index of each point (colour)
    class_names: Sequence[str] = ()
    marker: tuple[float, float] | None = None              # a point to mark and decode first

    def resolved(self, latent_dim: int) -> dict:
        points = np.asarray(self.points, dtype=np.float64).reshape(-1, 2) if len(self.points) else np.zeros((0, 2))
        classes = np.asarray(self.classes, dtype=np.int64).reshape(-1) if len(self.classes) else np.zeros(len(points), np.int64)
        if len(classes) != len(points):
            raise ValueError(f"{len(points)} points but {len(classes)} classes")
        return {"origin": _floats(self.origin, "origin", latent_dim), "u": _floats(self.u, "u", latent_dim),
                "v": _floats(self.v, "v", latent_dim), "x_range": _window(self.x_range, "x_range"),
                "y_range": _window(self.y_range, "y_range"),
                "points": np.round(points, 4).tolist(), "classes": classes.tolist(),
                "class_names": [str(s) for s in self.class_names]}

    def z(self, a: float, b: float) -> np.ndarray:
        return (np.asarray(self.origin, dtype=np.float64) + a * np.asarray(self.u, dtype=np.float64)
                + b * np.asarray(self.v, dtype=np.float64))


@dataclass(frozen=True)
class Grid:
    """An n x m grid of pictures decoded over a plane: column c at a = xs[c] (left to right), row r
    at b = ys[r] with ys listed bottom to top, as on the plane (so the top row is the largest b).

    sizes: other grids the learner may switch to inside the component, without a rerun, as
    {n: (xs, ys)}: a slider over the keys appears above the grid, starting at n = len(xs) (which must
    be one of them). The learner's choice comes back as Pointed.size.
    """
    plane: Plane
    xs: Sequence[float]
    ys: Sequence[float]
    sizes: Mapping[int, tuple[Sequence[float], Sequence[float]]] | None = None

    def axes(self, n: int | None = None) -> tuple[list[float], list[float]]:
        """(xs, ys) of the grid of size n (a key of `sizes`), or of the starting grid."""
        if n is not None and self.sizes and n in self.sizes:
            xs, ys = self.sizes[n]
            return _floats(xs, f"size {n}'s xs"), _floats(ys, f"size {n}'s ys")
        return _floats(self.xs, "xs"), _floats(self.ys, "ys")

    def codes(self, n: int | None = None) -> np.ndarray:
        """(len(ys) * len(xs), latent_dim): the codes in drawing order, top row first."""
        xs, ys = self.axes(n)
        return np.stack([self.plane.z(a, b) for b in ys[::-1] for a in xs])

    def resolved(self) -> dict:
        xs, ys = self.axes()
        sizes = None
        if self.sizes:
            if len(xs) not in self.sizes:
                raise ValueError(f"the starting grid has {len(xs)} columns, not one of the sizes {sorted(self.sizes)}")
            sizes = [[int(n), *self.axes(int(n))] for n in sorted(self.sizes)]
        return {"xs": xs, "ys": ys, "sizes": sizes}


@dataclass(frozen=True)
class Pointed:
    """What a decoder view reports back."""
    engine: str                        # "browser", "server" (the fallback) or "starting"
    reason: str = ""                   # why the browser could not decode, for "server"
    z: np.ndarray | None = None        # the code the learner last clicked (plane, grid) or released (sliders)
    at: tuple | None = None            # plane (a, b), the slider values, or the grid cell (row, col)
    size: int | None = None            # the grid size the learner chose (Grid.sizes), None until then
    extra: dict = field(default_factory=dict)


@st.cache_data(max_entries=16, show_spinner=False)
def _onnx(fingerprint: str, _model) -> bytes:
    return ae.export.cached(_model, "decoder")


def decoder_onnx(model) -> bytes:
    """The model's decoder as ONNX bytes: exported once per set of weights (kept on disk by
    ae.export.cached, and in memory here under the weights' fingerprint)."""
    return _onnx(ae.export.fingerprint(model, "decoder"), model)


def assets_url() -> str:
    """Where the vendored runtime is served, from the app's root (honours server.baseUrlPath)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{ASSETS}" if base else f"/{ASSETS}"


def _server_pixels(model, z: np.ndarray) -> str:
    """Pictures decoded here (the fallback) as base64 bytes, 784 per picture, rounded as the browser rounds."""
    pictures = ae.infer.decode(model, torch.as_tensor(np.asarray(z, dtype=np.float32).reshape(len(z), -1)))
    return base64.b64encode(ae.viz.to_uint8(pictures).tobytes()).decode("ascii")


def decoder(model, view: Sliders | Plane | Grid, *, key: str, onnx: bytes | None = None, size: int = 168,
            plane_px: int = 320, grid_px: int = 560) -> Pointed:
    """Draw one decoder view and return what the learner pointed at.

    model: the Autoencoder (its latent size, and the fallback's decoder); key: a unique, stable widget
    key; onnx: its decoder as ONNX bytes (default: `decoder_onnx(model)`); size: the picture's width in
    CSS pixels; plane_px, grid_px: the plane's and the grid's widths.
    """
    onnx = decoder_onnx(model) if onnx is None else onnx
    latent_dim = model.config.latent_dim
    kind = {Sliders: "sliders", Plane: "plane", Grid: "grid"}.get(type(view))
    if kind is None:
        raise TypeError(f"view must be Sliders, Plane or Grid, not {type(view).__name__}")
    digest = hashlib.sha256(onnx).hexdigest()[:16]
    ss = st.session_state
    has_key = f"{key}.__has_model"   # the browser told us it holds this model: no need to send it again
    # What the browser reported since the last run is in session_state before the component is drawn:
    # the engine's status (so a fallback or a resend happens in this very run) and the last click.
    state = ss.get(key)
    state = state if isinstance(state, dict) else {}
    engine, pointed = (v if isinstance(v, dict) else {} for v in (state.get("engine"), state.get("pointed")))
    chosen = state.get("size")
    chosen = chosen if isinstance(view, Grid) and view.sizes and isinstance(chosen, int) and chosen in view.sizes else None
    served = st.get_option("server.enableStaticServing")
    if not served:
        engine = {"status": "unavailable", "reason": "the app does not serve static files (server.enableStaticServing)"}
    status = engine.get("status")
    if status == "ready" and engine.get("model") == digest:
        ss[has_key] = digest
    elif status in ("missing", "unavailable"):
        ss.pop(has_key, None)
    send_model = ss.get(has_key) != digest and status != "unavailable"

    data = {"view": kind, "latent_dim": latent_dim, "assets": assets_url(), "size": size, "plane_px": plane_px,
            "grid_px": grid_px, "colors": PALETTE,
            "text": {"unavailable": t("decoder.unavailable"), "grid_size": t("decoder.grid_size")},
            "model": {"hash": digest, "b64": base64.b64encode(onnx).decode("ascii") if send_model else None}}
    if kind == "sliders":
        data["sliders"] = view.resolved(latent_dim)
    elif kind == "plane":
        data["plane"] = view.resolved(latent_dim)
        data["marker"] = list(_floats(view.marker, "marker", 2)) if view.marker is not None else None
    else:
        data["plane"] = view.plane.resolved(latent_dim)
        data["grid"] = view.resolved()
    if status == "unavailable":
        data["server"] = _server_pixels(model, _fallback_codes(view, latent_dim, pointed, chosen))
        data["server_size"] = chosen

    _COMPONENT(key=key, data=data, default={"engine": None, "pointed": None, "size": None},
               on_engine_change=lambda: None, on_pointed_change=lambda: None, on_size_change=lambda: None)
    z, at = _decoded_point(view, latent_dim, pointed)
    return Pointed(engine={"ready": "browser", "unavailable": "server"}.get(status, "starting"),
                   reason=str(engine.get("reason", ""))[:300] if status == "unavailable" else "",
                   z=z, at=at, size=chosen, extra={"sent_model": send_model})


def _decoded_point(view, latent_dim: int, pointed: dict) -> tuple[np.ndarray | None, tuple | None]:
    """(z, at) of the learner's last click or slider release, or (None, None)."""
    try:
        if isinstance(view, Sliders) and pointed.get("values") is not None:
            values = _floats(pointed["values"], "values", len(view.values))
            return view.z(latent_dim, values), tuple(values)
        if isinstance(view, Plane) and pointed.get("at") is not None:
            a, b = _floats(pointed["at"], "at", 2)
            return view.z(a, b), (a, b)
        if isinstance(view, Grid) and pointed.get("cell") is not None:
            row, col = (int(v) for v in pointed["cell"])
            n = pointed.get("size")
            xs, ys = view.axes(n if isinstance(n, int) else None)
            if 0 <= row < len(ys) and 0 <= col < len(xs):
                return view.plane.z(xs[col], ys[::-1][row]), (row, col)
    except (TypeError, ValueError):   # a report from an older view: ignore it
        pass
    return None, None


def _fallback_codes(view, latent_dim: int, pointed: dict, size: int | None = None) -> np.ndarray:
    """The codes the server decodes when the browser cannot: the grid (of the size the learner chose),
    or the clicked point / slider position (the marker or the window's centre / the starting values
    until then)."""
    if isinstance(view, Grid):
        return view.codes(size)
    z, _ = _decoded_point(view, latent_dim, pointed)
    if z is None:
        if isinstance(view, Sliders):
            z = view.z(latent_dim)
        else:
            a, b = view.marker if view.marker is not None else (sum(view.x_range) / 2, sum(view.y_range) / 2)
            z = view.z(a, b)
    return np.asarray(z, dtype=np.float64).reshape(1, latent_dim)


__all__ = ["Sliders", "Plane", "Grid", "Pointed", "decoder", "decoder_onnx", "assets_url"]
