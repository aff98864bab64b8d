"""Compression lab: what a narrowing code keeps, and what it costs in bytes beside PCA, JPEG, WebP, PNG
and gzip on the same 28x28 images.

Quantised codes (32, 16 and 8 bits), codec byte counts, rate-distortion points and their frontiers,
the sweep's curves against z, "what goes first" pictures, and a small sweep trainer (with a background
job) for a page. Pure numpy/torch/Pillow; knows nothing about Streamlit.

Bytes are counted per image, and what many images share is set aside and said: the decoder's weights
(and the 8-bit ranges) for an autoencoder, the basis for PCA, the tables for JPEG.
"""
from __future__ import annotations

import gzip
import io
import math
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import Tensor

from . import checkpoint, infer, metrics, neighbours, viz
from . import pca as pca_mod
from .models import Autoencoder, ModelConfig, build_model
from .train import TrainConfig, train

LATENT_DIMS = (1, 2, 3, 4, 8, 16, 32, 64)   # the shipped sweep's z (and PCA's k)
BITS = (32, 16, 8)                          # how many bits each number of a code is stored in
PIXELS = 28 * 28
JPEG_QUALITIES = (1, 5, 10, 20, 30, 50, 70, 85, 95, 100)
WEBP_QUALITIES = (0, 5, 10, 20, 30, 50, 70, 85, 95, 100)
WEBP_METHOD = 6          # libwebp's slowest, smallest setting: the codec at its best
RIFF_HEADER = 20         # "RIFF" size "WEBP" + the "VP8 " chunk's tag and size, before the VP8 frame


# ---------------------------------------------------------------- quantising codes

@dataclass(frozen=True)
class Quantiser:
    """How the numbers of a code are stored: float32, float16, or 8-bit integers on a per-dimension
    range [lo_, hi_] learned on the training codes (shared by every image, like the decoder's weights;
    a test code outside the range is clipped to it)."""
    bits: int
    lo_: np.ndarray | None = None    # (D,) float32, 8 bits only
    hi_: np.ndarray | None = None

    @property
    def dtype(self) -> np.dtype:
        return np.dtype({32: np.float32, 16: np.float16, 8: np.uint8}[self.bits])

    def bytes_per_code(self, latent_dim: int) -> float:
        """Bytes one image's code takes: z numbers x bits / 8."""
        return latent_dim * self.bits / 8

    @property
    def shared_bytes(self) -> int:
        """Bytes every image shares: the 8-bit ranges, two float32 per dimension."""
        return 0 if self.lo_ is None else 2 * 4 * len(self.lo_)

    def encode(self, codes) -> np.ndarray:
        """Codes (N, D) -> the stored numbers (N, D) in `dtype`."""
        c = _numpy(codes)
        if self.bits != 8:
            return c.astype(self.dtype)
        if self.lo_ is None or c.shape[1] != len(self.lo_):
            raise ValueError(f"this 8-bit quantiser was fitted on {0 if self.lo_ is None else len(self.lo_)}-number "
                             f"codes, not {c.shape[1]}")
        scale = 255.0 / np.maximum(self.hi_ - self.lo_, 1e-12)
        return np.clip(np.rint((c - self.lo_) * scale), 0, 255).astype(np.uint8)

    def decode(self, stored: np.ndarray) -> np.ndarray:
        """Stored numbers (N, D) -> codes (N, D) float32."""
        s = np.asarray(stored)
        if self.bits != 8:
            return s.astype(np.float32)
        return (self.lo_ + s.astype(np.float32) * ((self.hi_ - self.lo_) / 255.0)).astype(np.float32)

    def roundtrip(self, codes) -> np.ndarray:
        """What the decoder gets after storing: decode(encode(codes))."""
        return self.decode(self.encode(codes))

    def to_bytes(self, codes) -> bytes:
        """The codes as they would be written to a file, one image after another (little-endian)."""
        return np.ascontiguousarray(self.encode(codes).astype(self.dtype.newbyteorder("<"))).tobytes()


def _numpy(codes) -> np.ndarray:
    a = codes.detach().float().cpu().numpy() if isinstance(codes, Tensor) else np.asarray(codes, np.float32)
    if a.ndim != 2:
        raise ValueError(f"codes must be a 2-D array (images x numbers), got shape {a.shape}")
    return a.astype(np.float32, copy=False)


def fit_quantiser(train_codes, bits: int) -> Quantiser:
    """A quantiser for `bits` (32, 16 or 8); the 8-bit one learns each dimension's range on train_codes."""
    if bits not in BITS:
        raise ValueError(f"codes are stored in {', '.join(map(str, BITS))} bits, not {bits}")
    if bits != 8:
        return Quantiser(bits)
    c = _numpy(train_codes)
    if not len(c):
        raise ValueError("an 8-bit quantiser needs training codes to learn its range")
    return Quantiser(8, c.min(0).astype(np.float32), c.max(0).astype(np.float32))


# ---------------------------------------------------------------- codecs on 28x28 images

def to_uint8(images: Tensor) -> np.ndarray:
    """(N, 1, 28, 28) floats in [0, 1] -> (N, 28, 28) uint8, what an image file stores."""
    return viz.to_uint8(images)


def from_uint8(pixels: np.ndarray) -> Tensor:
    return torch.from_numpy(np.asarray(pixels, np.float32) / 255.0).reshape(-1, 1, *np.shape(pixels)[-2:])


def _save(img, **options) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, **options)
    return buf.getvalue()


def _open(blob: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(blob)) as im:
        return np.asarray(im.convert("L"))


def jpeg_tables(quality: int) -> bytes:
    """The tables-only JPEG stream (quantisation and Huffman tables) a decoder needs once for all images
    written at `quality` with `jpeg_streams(..., quality)["image"]` (Pillow's streamtype=1)."""
    return _save(np.zeros((28, 28), np.uint8), format="JPEG", quality=quality, streamtype=1)


def scan_bytes(stream: bytes) -> int:
    """Bytes of a JPEG stream's entropy-coded data: the stream after its start-of-scan header, without
    the end marker. Every 28x28 grey image at one quality has the same headers (JFIF, frame, scan); only
    this part differs from image to image."""
    i = 2   # after SOI
    while i + 4 <= len(stream):
        if stream[i] != 0xFF:
            raise ValueError("not a JPEG stream: a marker was expected")
        marker, length = stream[i + 1], int.from_bytes(stream[i + 2:i + 4], "big")
        if marker == 0xDA:   # start of scan: the data runs to EOI (FF D9) at the end
            return len(stream) - (i + 2 + length) - 2
        i += 2 + length
    raise ValueError("not a JPEG stream: no start of scan")


def jpeg_streams(img: np.ndarray, quality: int) -> dict[str, bytes]:
    """One 28x28 uint8 image as JPEG: "file", the whole interchange file with Huffman tables optimised for
    this image (the smallest complete file), and "image", the abbreviated stream without tables
    (streamtype=2, the standard tables, which `jpeg_tables(quality)` carries once for all images).
    Both decode to the same pixels."""
    return {"file": _save(img, format="JPEG", quality=quality, optimize=True),
            "image": _save(img, format="JPEG", quality=quality, streamtype=2)}


def decode_abbreviated(tables: bytes, image: bytes) -> np.ndarray:
    """Decode an abbreviated JPEG stream with its tables: the tables stream up to its end marker, then
    the image stream after its start marker, read as one interchange file."""
    return _open(tables[:-2] + image[2:])


def webp_file(img: np.ndarray, quality: int) -> bytes:
    """One 28x28 uint8 image as a lossy WebP file at `quality` (0..100)."""
    return _save(img, format="WEBP", quality=quality, method=WEBP_METHOD)


def png_file(img: np.ndarray) -> bytes:
    return _save(img, format="PNG", optimize=True)


def gzip_bytes(raw: bytes) -> bytes:
    """gzip at its strongest level, with no time stamp, so the same bytes give the same file."""
    return gzip.compress(raw, compresslevel=9, mtime=0)


# ---------------------------------------------------------------- rate-distortion points

@dataclass(frozen=True)
class Family:
    """One line of the rate-distortion chart: a method and what its byte count leaves out."""
    method: str          # "ae", "pca", "jpeg", "webp", "exact"
    counts: str          # what is counted per image, in plain words
    set_aside: str       # what is shared by every image and not counted per image


FAMILIES: dict[str, Family] = {
    "pca": Family("pca", "k coefficients x bits / 8", "the basis and mean (and the 8-bit ranges)"),
    "jpeg": Family("jpeg", "the whole .jpg file, Huffman tables optimised per image", "nothing"),
    "jpeg-image": Family("jpeg", "the abbreviated image stream (Pillow streamtype=2)",
                         "the quantisation and Huffman tables, one tables stream per quality"),
    "jpeg-scan": Family("jpeg", "the entropy-coded data only",
                        "the tables and the headers every 28x28 grey image shares (JFIF, frame, scan)"),
    "webp": Family("webp", "the whole .webp file", "nothing"),
    "webp-vp8": Family("webp", "the VP8 frame", f"the {RIFF_HEADER}-byte RIFF container"),
    "png": Family("exact", "the whole .png file (exact copy)", "nothing"),
    "gzip": Family("exact", "gzip of the 784 raw bytes (exact copy)", "nothing"),
    "gzip-split": Family("exact", "gzip of the whole split's raw bytes, divided by its images (exact copy)",
                         "nothing; images share one stream"),
    "raw": Family("exact", "784 bytes, one per pixel (exact copy)", "nothing"),
}
AE_FAMILY = Family("ae", "z numbers x bits / 8", "the decoder's weights (and the 8-bit ranges)")


def family(name: str) -> Family:
    """The record of a family name; any name not in FAMILIES is an autoencoder family (e.g. "conv")."""
    return FAMILIES.get(name, AE_FAMILY)


@dataclass(frozen=True)
class RDPoint:
    """One setting of one method on a set of test images: mean bytes per image against mean PSNR."""
    family: str                  # key of FAMILIES, or an autoencoder family ("dense", "conv", "yours", ...)
    setting: str                 # "z=8, 8 bits", "k=8, 16 bits", "q=50", "lossless"
    bytes: float                 # mean bytes per image
    psnr: float                  # mean per-image PSNR (dB) against the originals; inf for exact copies
    mse: float                   # mean per-image MSE
    shared_bytes: int = 0        # bytes set aside for all images (decoder weights, basis, tables, ranges)
    images: int = 0              # how many test images were measured
    extra: dict = field(default_factory=dict)   # latent_dim / k, bits, quality, quant_psnr, quant_loss_db, ...

    @property
    def exact(self) -> bool:
        return math.isinf(self.psnr)

    def total_bytes(self, images: int | None = None) -> float:
        """Bytes per image with the shared part spread over `images` (the measured ones by default)."""
        n = images or self.images or 1
        return self.bytes + self.shared_bytes / n

    def to_dict(self) -> dict:
        return asdict(self)


def _psnr_mse(recon: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
    return metrics.psnr(recon, x), metrics.mse(recon, x)


def exact_points(images: Tensor) -> list[RDPoint]:
    """The exact references (infinite PSNR): raw pixels, PNG and gzip per image, gzip of the whole split.

    The datasets' pixels are 8-bit values, which these files keep exactly; images with finer values (a
    drawing, an upload) lose only their rounding to 8 bits, which every codec here starts from."""
    u8 = to_uint8(images)
    n = len(u8)
    png = [len(png_file(im)) for im in u8]
    gz = [len(gzip_bytes(im.tobytes())) for im in u8]
    whole = len(gzip_bytes(u8.tobytes()))

    def point(name, b):
        return RDPoint(name, "lossless", float(b), math.inf, 0.0, 0, n)
    return [point("raw", PIXELS), point("png", np.mean(png)), point("gzip", np.mean(gz)),
            point("gzip-split", whole / n)]


def jpeg_points(images: Tensor, qualities: Sequence[int] = JPEG_QUALITIES) -> list[RDPoint]:
    """JPEG at each quality, counted three ways (families "jpeg", "jpeg-image", "jpeg-scan"); the same
    decoded pixels, so the same PSNR (against `images`, as for every method), for all three."""
    u8 = to_uint8(images)
    x = images.float()
    out = []
    for q in qualities:
        tables = jpeg_tables(q)
        files, streams, scans, decoded = [], [], [], []
        for im in u8:
            s = jpeg_streams(im, q)
            files.append(len(s["file"]))
            streams.append(len(s["image"]))
            scans.append(scan_bytes(s["image"]))
            decoded.append(_open(s["file"]))
        psnr, mse = _psnr_mse(from_uint8(np.stack(decoded)), x)
        common = dict(setting=f"q={q}", psnr=float(psnr.mean()), mse=float(mse.mean()), images=len(u8),
                      extra={"quality": q})
        header = int(np.mean(streams) - np.mean(scans))
        out += [RDPoint("jpeg", bytes=float(np.mean(files)), **common),
                RDPoint("jpeg-image", bytes=float(np.mean(streams)), shared_bytes=len(tables), **common),
                RDPoint("jpeg-scan", bytes=float(np.mean(scans)), shared_bytes=len(tables) + header, **common)]
    return out


def webp_points(images: Tensor, qualities: Sequence[int] = WEBP_QUALITIES) -> list[RDPoint]:
    """Lossy WebP at each quality: the whole file ("webp") and the VP8 frame without its container ("webp-vp8")."""
    u8 = to_uint8(images)
    x = images.float()
    out = []
    for q in qualities:
        sizes, decoded = [], []
        for im in u8:
            blob = webp_file(im, q)
            sizes.append(len(blob))
            decoded.append(_open(blob))
        psnr, mse = _psnr_mse(from_uint8(np.stack(decoded)), x)
        common = dict(setting=f"q={q}", psnr=float(psnr.mean()), mse=float(mse.mean()), images=len(u8),
                      extra={"quality": q})
        out += [RDPoint("webp", bytes=float(np.mean(sizes)), **common),
                RDPoint("webp-vp8", bytes=float(np.mean(sizes)) - RIFF_HEADER, shared_bytes=RIFF_HEADER, **common)]
    return out


def codec_points(images: Tensor, jpeg_qualities: Sequence[int] = JPEG_QUALITIES,
                 webp_qualities: Sequence[int] = WEBP_QUALITIES, cache=None) -> list[RDPoint]:
    """JPEG, WebP and the exact references on `images`: what does not depend on any model.

    They cost about 30 ms per image on a busy core (WebP at its slowest setting most of it), so with an
    `ae.embed.Cache` they are kept on disk under a hash of the pixels, the settings and Pillow's version:
    a page computes them once per set of images."""
    import hashlib

    import PIL

    key = None
    if cache is not None:
        from .embed import cache_key

        digest = hashlib.sha256(to_uint8(images).tobytes()).hexdigest()
        key = cache_key(what="codec_points", images=digest, jpeg=list(jpeg_qualities), webp=list(webp_qualities),
                        pillow=PIL.__version__, webp_method=WEBP_METHOD)
        stored = cache.get(key)
        if stored is not None:
            return [RDPoint(str(f), str(s), float(b), float(p), float(m), int(sh), int(n),
                            {} if q < 0 else {"quality": int(q)})
                    for f, s, b, p, m, sh, n, q in zip(*(stored[k] for k in _CODEC_ARRAYS))]
    points = jpeg_points(images, jpeg_qualities) + webp_points(images, webp_qualities) + exact_points(images)
    if cache is not None:
        cache.put(key, {"family": np.array([p.family for p in points]),
                        "setting": np.array([p.setting for p in points]),
                        "bytes": np.array([p.bytes for p in points]), "psnr": np.array([p.psnr for p in points]),
                        "mse": np.array([p.mse for p in points]), "shared": np.array([p.shared_bytes for p in points]),
                        "images": np.array([p.images for p in points]),
                        "quality": np.array([p.extra.get("quality", -1) for p in points])})
    return points


_CODEC_ARRAYS = ("family", "setting", "bytes", "psnr", "mse", "shared", "images", "quality")


def decoder_bytes(model: Autoencoder) -> int:
    """Bytes of the weights `decode` uses (the part of the model a receiver of codes needs), found by
    running the decoder once and keeping the parameters that get a gradient."""
    params = list(model.parameters())
    saved = [p.grad for p in params]
    was_training = model.training
    try:
        for p in params:
            p.grad = None
        model.eval()
        with torch.enable_grad():
            z = torch.randn(2, model.config.latent_dim, device=params[0].device)
            model.decode(z).sum().backward()
        return int(sum(p.numel() * p.element_size() for p in params if p.grad is not None))
    finally:
        for p, g in zip(params, saved):
            p.grad = g
        model.train(was_training)


def _quantised_points(name: str, label: str, dim: int, train_codes, test_codes, decode: Callable,
                      x: Tensor, plain: Tensor, shared: int, bits: Sequence[int], extra: dict) -> list[RDPoint]:
    out = []
    for b in bits:
        q = fit_quantiser(train_codes, b)
        recon = decode(q.roundtrip(test_codes))
        psnr, mse = _psnr_mse(recon, x)
        quant_psnr = metrics.psnr(recon, plain)      # the quantisation's own loss: against unquantised decoding
        out.append(RDPoint(name, f"{label}={dim}, {b} bits", q.bytes_per_code(dim), float(psnr.mean()),
                           float(mse.mean()), shared + q.shared_bytes, len(x),
                           {**extra, "bits": b, "quant_psnr": float(quant_psnr.mean()),
                            "quant_loss_db": float(metrics.psnr(plain, x).mean() - psnr.mean())}))
    return out


def code_points(model: Autoencoder, train_x: Tensor, test_x: Tensor, family_name: str,
                bits: Sequence[int] = BITS) -> list[RDPoint]:
    """An autoencoder's codes of test_x stored at each of `bits`: bytes per image, PSNR of decoding the
    stored codes against the originals, and the quantisation's own loss (PSNR of decoding the stored
    codes against decoding the unquantised ones, quant_psnr; and the PSNR it costs, quant_loss_db).
    The 8-bit ranges are learned on the codes of train_x."""
    z_test = infer.encode(model, test_x)
    z_train = infer.encode(model, train_x) if 8 in bits else z_test[:0]
    plain = infer.decode(model, z_test)
    d, weights = model.config.latent_dim, decoder_bytes(model)
    return _quantised_points(family_name, "z", d, z_train, z_test, lambda c: infer.decode(model, c), test_x,
                             plain, weights, bits, {"latent_dim": d, "decoder_bytes": weights})


def fit_pca(train_x: Tensor, k: int) -> pca_mod.PCA:
    return pca_mod.fit(train_x, k)


def truncate(p: pca_mod.PCA, k: int) -> pca_mod.PCA:
    """The first k components of a fitted PCA: the same as fitting with k (components come largest first)."""
    if not 1 <= k <= p.n_components:
        raise ValueError(f"this PCA has {p.n_components} components, not {k}")
    return pca_mod.PCA(p.mean_, p.components_[:k], p.explained_variance_[:k])


def _pca_decode(p: pca_mod.PCA) -> Callable[[np.ndarray], Tensor]:
    # PCA's x̂ can leave [0, 1]; an image can not, so clip as the autoencoder's sigmoid does
    return lambda c: torch.from_numpy(p.inverse_transform(c)).reshape(-1, 1, 28, 28).clamp(0, 1)


def pca_points(train_x: Tensor, test_x: Tensor, ks: Sequence[int] = LATENT_DIMS, bits: Sequence[int] = BITS,
               fitted: pca_mod.PCA | None = None) -> list[RDPoint]:
    """PCA with k components (fitted on train_x) at each k and each of `bits`, like `code_points`; the
    shared bytes are the basis and the mean in float32."""
    fitted = fitted if fitted is not None else fit_pca(train_x, max(ks))
    out = []
    for k in ks:
        p = truncate(fitted, k)
        c_test, c_train = p.transform(test_x), (p.transform(train_x) if 8 in bits else np.zeros((0, k), np.float32))
        decode = _pca_decode(p)
        out += _quantised_points("pca", "k", k, c_train, c_test, decode, test_x, decode(c_test),
                                 (k + 1) * PIXELS * 4, bits, {"latent_dim": k})
    return out


def rate_distortion(families: Mapping[str, Mapping[int, Autoencoder]], train_x: Tensor, test_x: Tensor, *,
                    bits: Sequence[int] = BITS, pca_ks: Sequence[int] | None = None,
                    jpeg_qualities: Sequence[int] = JPEG_QUALITIES, webp_qualities: Sequence[int] = WEBP_QUALITIES,
                    on_step: Callable[[str], None] | None = None, cache=None,
                    pca: pca_mod.PCA | None = None) -> list[RDPoint]:
    """Every method's points on the same test images: each family's models ({family: {z: model}}) and
    PCA (k = the same z values, unless pca_ks) at each of `bits`, JPEG, WebP and the exact references.
    train_x gives PCA's basis (unless `pca`, already fitted on it) and the 8-bit ranges. `on_step(what)`
    is called before each part; `cache` (an `ae.embed.Cache`) keeps the codecs' points, see `codec_points`."""
    step = on_step or (lambda what: None)
    out: list[RDPoint] = []
    for name, models in families.items():
        for z, model in sorted(models.items()):
            step(f"{name} z={z}")
            out += code_points(model, train_x, test_x, name, bits)
    ks = sorted(pca_ks or {z for models in families.values() for z in models} or LATENT_DIMS)
    step("pca")
    out += pca_points(train_x, test_x, ks, bits, fitted=pca)
    step("jpeg, webp, png, gzip")
    return out + codec_points(test_x, jpeg_qualities, webp_qualities, cache)


def quantisation_table(points: Sequence[RDPoint], family_name: str) -> list[dict]:
    """One family's codes at each z and bit width: {"z", bits: {"bytes", "psnr", "loss_db", "quant_psnr"}}
    per z, smallest z first, from its points (what storing in fewer bits costs)."""
    rows: dict[int, dict] = {}
    for p in points:
        if p.family == family_name and "bits" in p.extra:
            z = int(p.extra["latent_dim"])
            rows.setdefault(z, {"z": z})[int(p.extra["bits"])] = {
                "bytes": p.bytes, "psnr": p.psnr, "loss_db": p.extra["quant_loss_db"],
                "quant_psnr": p.extra["quant_psnr"]}
    return [rows[z] for z in sorted(rows)]


def best_within(points: Sequence[RDPoint], families: Sequence[str], budget: float,
                amortised: bool = False) -> RDPoint | None:
    """The point of `families` with the highest PSNR among those costing at most `budget` bytes per image
    (with the shared bytes spread over the measured images when `amortised`); None when none fits."""
    fits = [p for p in points if p.family in families
            and (p.total_bytes() if amortised else p.bytes) <= budget + 1e-9]
    return max(fits, key=lambda p: (p.psnr, -p.bytes), default=None)


def frontier(points: Sequence[RDPoint], families: Sequence[str], amortised: bool = False) -> list[RDPoint]:
    """The points of `families` that no cheaper point beats: PSNR rising with bytes (the upper envelope)."""
    cost = (lambda p: p.total_bytes()) if amortised else (lambda p: p.bytes)
    out, best = [], -math.inf
    for p in sorted((p for p in points if p.family in families), key=lambda p: (cost(p), -p.psnr)):
        if p.psnr > best:
            out.append(p)
            best = p.psnr
    return out


def overtake_budget(points: Sequence[RDPoint], challenger: Sequence[str], incumbent: Sequence[str],
                    amortised: bool = False) -> float | None:
    """The smallest budget (bytes per image) from which the challenger's best setting within the budget is
    at least as good as the incumbent's at every larger budget: where e.g. JPEG overtakes the autoencoder.
    None when it never does on the measured points."""
    cost = (lambda p: p.total_bytes()) if amortised else (lambda p: p.bytes)
    budgets = sorted({cost(p) for p in points if p.family in (*challenger, *incumbent)})
    answer = None
    for b in reversed(budgets):
        c, i = best_within(points, challenger, b, amortised), best_within(points, incumbent, b, amortised)
        if c is None or (i is not None and c.psnr < i.psnr):
            break
        answer = b
    return answer


def margins(points: Sequence[RDPoint], mine: Sequence[str], others: Mapping[str, Sequence[str]],
            budgets: Sequence[float]) -> list[dict]:
    """At each budget: the best of `mine` and of each group in `others` (e.g. {"pca": ["pca"], "codecs":
    ["jpeg-scan", "webp-vp8"]}) within it, and mine's margin in dB over each (None where a group has no
    setting that cheap: it cannot compete there at all)."""
    rows = []
    for b in budgets:
        best = best_within(points, mine, b)
        row = {"budget": b, "best": best.to_dict() if best else None, "over": {}}
        for group, fams in others.items():
            theirs = best_within(points, fams, b)
            row["over"][group] = {"best": theirs.to_dict() if theirs else None,
                                  "margin_db": (best.psnr - theirs.psnr) if best and theirs else None}
        rows.append(row)
    return rows


def amortised_line(model: Autoencoder, test_images: int) -> dict:
    """What an autoencoder's byte count sets aside: its decoder's weights, spread over the test split."""
    b = decoder_bytes(model)
    return {"decoder_bytes": b, "images": int(test_images), "per_image": b / max(int(test_images), 1)}


def set_aside(points: Sequence[RDPoint], images: int) -> dict[str, dict]:
    """What each autoencoder family's byte counts leave out, from its points: the smallest and largest
    decoder (bytes) and each spread over `images` (e.g. the whole test split), per image."""
    out: dict[str, dict] = {}
    for p in points:
        if family(p.family).method == "ae" and "decoder_bytes" in p.extra:
            d = out.setdefault(p.family, {"min": math.inf, "max": 0})
            d["min"], d["max"] = min(d["min"], p.extra["decoder_bytes"]), max(d["max"], p.extra["decoder_bytes"])
    n = max(int(images), 1)
    return {k: {**d, "images": n, "min_per_image": d["min"] / n, "max_per_image": d["max"] / n}
            for k, d in out.items()}


# ---------------------------------------------------------------- the sweep's curves

Reconstructor = Autoencoder | pca_mod.PCA


def reconstruct(m: Reconstructor, x: Tensor) -> Tensor:
    """x̂ (N, 1, 28, 28) of an autoencoder or of a PCA (clipped to [0, 1] as an image is)."""
    if isinstance(m, pca_mod.PCA):
        return torch.from_numpy(m.reconstruct(x)).reshape(-1, 1, 28, 28).clamp(0, 1)
    return infer.reconstruct(m, x)


def _codes(m: Reconstructor, x: Tensor) -> np.ndarray:
    return m.transform(x) if isinstance(m, pca_mod.PCA) else infer.encode(m, x).numpy()


@dataclass(frozen=True)
class CurvePoint:
    """One model of a sweep on the test images: quality against the code's size z."""
    family: str                          # "dense", "conv", "pca", "yours", ...
    latent_dim: int
    psnr: float                          # mean per-image PSNR (dB)
    mse: float                           # mean per-image MSE
    knn: float | None                    # cross-validated k-NN accuracy of the codes (None: too few points)
    per_class_psnr: dict[int, float]     # class index -> mean PSNR of its test images
    images: int

    def to_dict(self) -> dict:
        return asdict(self)


def curve_point(m: Reconstructor, family_name: str, x: Tensor, labels, knn_points: int | None = 2000,
                seed: int = 0) -> CurvePoint:
    """PSNR, MSE, per-class PSNR on x and the k-NN accuracy of the codes of up to knn_points of them."""
    labels = np.asarray(labels.numpy() if isinstance(labels, Tensor) else labels)
    recon = reconstruct(m, x)
    psnr, mse = (v.numpy() for v in _psnr_mse(recon, x))
    per_class = {int(c): float(psnr[labels == c].mean()) for c in np.unique(labels)}
    idx = np.arange(len(x))
    if knn_points is not None and len(x) > knn_points:
        idx = np.sort(np.random.default_rng(seed).choice(len(x), knn_points, replace=False))
    try:
        knn = neighbours.knn_accuracy(_codes(m, x[torch.from_numpy(idx)]), labels[idx], seed=seed)
    except ValueError:   # too few points of some class to cross-validate
        knn = None
    dim = m.n_components if isinstance(m, pca_mod.PCA) else m.config.latent_dim
    return CurvePoint(family_name, int(dim), float(psnr.mean()), float(mse.mean()), knn, per_class, len(x))


def sweep_curves(families: Mapping[str, Mapping[int, Autoencoder]], test_x: Tensor, test_labels,
                 train_x: Tensor | None = None, pca_ks: Sequence[int] | None = None, knn_points: int | None = 2000,
                 on_step: Callable[[str], None] | None = None, pca: pca_mod.PCA | None = None) -> list[CurvePoint]:
    """The curves against z: one point per model of each family ({family: {z: model}}), and PCA with
    k = the same z values fitted on train_x (family "pca"; left out when train_x and pca are None). `pca`:
    one already fitted on train_x with at least max(k) components, to fit it once for several uses."""
    step = on_step or (lambda what: None)
    out = []
    for name, models in families.items():
        for z, model in sorted(models.items()):
            step(f"{name} z={z}")
            out.append(curve_point(model, name, test_x, test_labels, knn_points))
    if train_x is not None or pca is not None:
        ks = sorted(pca_ks or {z for models in families.values() for z in models} or LATENT_DIMS)
        fitted = pca if pca is not None else fit_pca(train_x, max(ks))
        for k in ks:
            step(f"pca k={k}")
            out.append(curve_point(truncate(fitted, k), "pca", test_x, test_labels, knn_points))
    return out


def curves_by_family(points: Sequence[CurvePoint], what: str = "psnr") -> dict[str, dict[str, list]]:
    """{family: {"z": [...], what: [...]}} sorted by z, for a chart (what: "psnr", "mse" or "knn")."""
    out: dict[str, dict[str, list]] = {}
    for p in sorted(points, key=lambda p: (p.family, p.latent_dim)):
        d = out.setdefault(p.family, {"z": [], what: []})
        d["z"].append(p.latent_dim)
        d[what].append(getattr(p, what))
    return out


def gain_over_pca(points: Sequence[CurvePoint], family_name: str) -> dict:
    """Where a family stops paying: its PSNR minus PCA's at each z both have ("gains", {z: dB}), the z of
    the largest gain ("best_z") and the smallest z from which PCA is at least as good ("caught_z", None
    when it never is). Empty gains when they share no z."""
    pca = {p.latent_dim: p.psnr for p in points if p.family == "pca"}
    gains = {p.latent_dim: p.psnr - pca[p.latent_dim] for p in sorted(points, key=lambda p: p.latent_dim)
             if p.family == family_name and p.latent_dim in pca}
    caught = [z for z in gains if all(g <= 0 for y, g in gains.items() if y >= z)]
    return {"gains": gains, "best_z": max(gains, key=gains.get) if gains else None,
            "caught_z": caught[0] if caught else None}


def per_class(points: Sequence[CurvePoint], family_name: str) -> tuple[list[int], list[int], np.ndarray]:
    """One family's per-class PSNR as a table: (z values, class indices, PSNR (classes, z values)), for a
    heatmap of which classes lose first as z shrinks."""
    pts = sorted((p for p in points if p.family == family_name), key=lambda p: p.latent_dim)
    classes = sorted({c for p in pts for c in p.per_class_psnr})
    table = np.array([[p.per_class_psnr.get(c, np.nan) for p in pts] for c in classes], np.float64)
    return [p.latent_dim for p in pts], classes, table.reshape(len(classes), len(pts))


# ---------------------------------------------------------------- what goes first

@dataclass(frozen=True)
class WhatGoesFirst:
    """The same images reconstructed at every z: which details vanish first as the code narrows."""
    latent_dims: list[int]
    images: Tensor          # (n, 1, 28, 28) the originals
    recons: Tensor          # (len(latent_dims), n, 1, 28, 28)
    psnr: np.ndarray        # (len(latent_dims), n) dB

    def errors(self) -> Tensor:
        """|x̂ - x| per pixel, (len(latent_dims), n, 1, 28, 28)."""
        return (self.recons - self.images[None]).abs()

    def rows(self, heatmaps: bool = True) -> list[np.ndarray]:
        """RGB rows (uint8) for one picture: the originals, then one row per z (narrowest first) with its
        reconstructions and, to their right, their error heatmaps on one colour scale for all z (black:
        exact; yellow: the largest error anywhere in the picture)."""
        errors = self.errors()
        top = max(float(errors.max()), 1e-6)
        out = [_rgb(self.images)]
        for i in range(len(self.latent_dims)):
            row = _rgb(self.recons[i])
            out.append(np.concatenate([row, viz.heatmap(errors[i], vmax=top)]) if heatmaps else row)
        return out

    def picture(self, scale: int = 3, heatmaps: bool = True) -> np.ndarray:
        """`rows` as one RGB picture."""
        return viz.grid(self.rows(heatmaps), scale=scale)

    def at(self, latent_dim: int) -> tuple[Tensor, Tensor, np.ndarray]:
        """One z: (reconstructions (n, 1, 28, 28), error heatmaps (n, 28, 28, 3) on the same colour scale
        as `rows`, PSNR (n,))."""
        if latent_dim not in self.latent_dims:
            raise ValueError(f"no reconstruction at z = {latent_dim}; there are {self.latent_dims}")
        i = self.latent_dims.index(latent_dim)
        errors = self.errors()
        return self.recons[i], viz.heatmap(errors[i], vmax=max(float(errors.max()), 1e-6)), self.psnr[i]


def _rgb(images: Tensor) -> np.ndarray:
    return np.repeat(viz.to_uint8(images)[..., None], 3, axis=-1)


def pick_images(labels, n: int = 8, seed: int | None = None) -> np.ndarray:
    """Indices of n test images to follow through the sweep: the first image of each of the first n
    classes, in class order (the first n images when there are fewer classes), or n at random (sorted)
    with `seed`."""
    labels = np.asarray(labels.numpy() if isinstance(labels, Tensor) else labels)
    if len(labels) < n:
        raise ValueError(f"there are only {len(labels)} images, not {n}")
    if seed is not None:
        return np.sort(np.random.default_rng(seed).choice(len(labels), n, replace=False))
    firsts = np.unique(labels, return_index=True)[1]
    return firsts[:n] if len(firsts) >= n else np.arange(n)   # np.unique: classes in order


def what_goes_first(models: Mapping[int, Reconstructor], images: Tensor) -> WhatGoesFirst:
    """Reconstruct `images` (n, 1, 28, 28) with each model of {z: model} (autoencoders or PCAs)."""
    if not models:
        raise ValueError("what goes first needs at least one model")
    dims = sorted(models)
    recons = torch.stack([reconstruct(models[z], images) for z in dims])
    psnr = torch.stack([metrics.psnr(r, images) for r in recons]).numpy()
    return WhatGoesFirst(dims, images, recons, psnr)


# ---------------------------------------------------------------- keeping measurements on disk

def kept(cache, parts: Mapping, compute: Callable[[], list]) -> list:
    """`compute()`'s list of RDPoints and CurvePoints, kept in `cache` (an `ae.embed.Cache`) as JSON under
    a key of `parts` (say everything the points depend on: dataset, its version, the sweep's fingerprint,
    the images). A page's first visit after a restart then reads them instead of measuring again."""
    import json

    from .embed import cache_key

    key = cache_key(what="compress.kept", **parts)
    hit = cache.get(key)
    if hit is not None:
        try:
            return [_point(d) for d in json.loads(hit["json"].tobytes().decode())]
        except (KeyError, TypeError, ValueError):   # an older layout: measure again, and replace it
            pass
    points = compute()
    blob = json.dumps([{"type": type(p).__name__, **p.to_dict()} for p in points]).encode()
    cache.put(key, {"json": np.frombuffer(blob, np.uint8)})
    return points


def _point(d: dict) -> RDPoint | CurvePoint:
    kind = d.pop("type")
    if kind == "CurvePoint":
        return CurvePoint(**{**d, "per_class_psnr": {int(c): v for c, v in d["per_class_psnr"].items()}})
    if kind == "RDPoint":
        return RDPoint(**d)
    raise ValueError(f"not a point: {kind}")


# ---------------------------------------------------------------- the shipped family

def sweep_name(dataset: str, kind: str, latent_dim: int) -> str:
    """The folder name of one sweep checkpoint, e.g. fmnist_dense_z8."""
    short = {"fashion-mnist": "fmnist"}.get(dataset, dataset)
    return f"{short}_{kind}_z{latent_dim}"


@dataclass(frozen=True)
class SweepIndex:
    """The sweep checkpoints under a folder, from one listing: by dataset, {model kind: {z: folder}}, and
    for each dataset a short hash of its kinds, z and weights (a cache key that changes when a model is
    added, retrained or removed). Broken folders are left out (ae.checkpoint.list_checkpoints says why)."""
    folders: dict[str, dict[str, dict[int, Path]]]
    fingerprints: dict[str, str]

    def of(self, dataset: str) -> dict[str, dict[int, Path]]:
        return self.folders.get(dataset, {})

    def fingerprint(self, dataset: str) -> str:
        return self.fingerprints.get(dataset, _fingerprint([]))


def _fingerprint(parts: list) -> str:
    import hashlib

    return hashlib.sha256(repr(sorted(parts)).encode()).hexdigest()[:16]


def sweep_index(root: str | Path) -> SweepIndex:
    """Index the sweep checkpoints under root (one listing of the folder)."""
    folders: dict[str, dict[str, dict[int, Path]]] = {}
    parts: dict[str, list] = {}
    for info in checkpoint.list_checkpoints(Path(root)):
        dataset = (info.meta.get("dataset") or {}).get("name") if info.ok else None
        if dataset:
            cfg = info.meta["model_config"]
            folders.setdefault(dataset, {}).setdefault(cfg.kind, {})[cfg.latent_dim] = info.path
            parts.setdefault(dataset, []).append((cfg.kind, cfg.latent_dim, info.path.name,
                                                  info.record.weights_sha256))
    return SweepIndex({d: {k: dict(sorted(v.items())) for k, v in sorted(kinds.items())}
                       for d, kinds in folders.items()}, {d: _fingerprint(p) for d, p in parts.items()})


def find_sweep(root: str | Path, dataset: str) -> dict[str, dict[int, Path]]:
    """The sweep checkpoints under root trained on `dataset`: {model kind: {z: folder}}."""
    return sweep_index(root).of(dataset)


def sweep_fingerprint(root: str | Path, dataset: str) -> str:
    """A short hash of the sweep checkpoints under root for `dataset`: see `SweepIndex`."""
    return sweep_index(root).fingerprint(dataset)


def load_sweep(root: str | Path, dataset: str) -> dict[str, dict[int, Autoencoder]]:
    """Like `find_sweep`, with the models loaded (eval mode, CPU)."""
    return {kind: {z: checkpoint.load(path)[0] for z, path in folders.items()}
            for kind, folders in find_sweep(root, dataset).items()}


# ---------------------------------------------------------------- your own sweep

@dataclass(frozen=True)
class SweepProgress:
    latent_dim: int          # the model being trained
    index: int               # 0-based place of that model in the sweep
    count: int               # models in the sweep
    batches_done: int        # batches of the whole sweep done so far
    batches_total: int

    @property
    def fraction(self) -> float:
        return self.batches_done / self.batches_total if self.batches_total else 0.0


SWEEP_TRAIN = TrainConfig(epochs=5, batch_size=128, lr=0.002, limit=5000)   # about 10 s per dense model on one core


def train_sweep(train_x: Tensor, latent_dims: Sequence[int], *, kind: str = "dense",
                hidden: tuple[int, ...] | None = None, config: TrainConfig = SWEEP_TRAIN,
                on_progress: Callable[[SweepProgress], bool | None] | None = None,
                on_model: Callable[[int, Autoencoder, list], None] | None = None) -> dict[int, Autoencoder]:
    """Train one model per z on train_x (config.limit images of it), smallest z first.

    `on_progress(progress)` is called after every batch and may return True to stop: the models already
    finished are returned, the one in progress is dropped. `on_model(z, model, history)` is called as each
    one finishes (for pictures that fill in as the sweep goes). Returns {z: model} in eval mode.
    """
    dims = sorted({int(z) for z in latent_dims})
    if not dims:
        raise ValueError("choose at least one code size z")
    config.validate()
    models = [build_model(ModelConfig(kind=kind, latent_dim=z, hidden=hidden)) for z in dims]
    n = min(len(train_x), config.limit or len(train_x))
    per_model = config.epochs * math.ceil(n / config.batch_size)
    total = per_model * len(dims)
    out: dict[int, Autoencoder] = {}
    for i, (z, model) in enumerate(zip(dims, models)):
        stopped = [False]

        def on_batch(done: int, _total: int, i=i, z=z) -> bool:
            if on_progress is not None and on_progress(SweepProgress(z, i, len(dims), i * per_model + done, total)):
                stopped[0] = True
            return stopped[0]

        history = train(model, train_x, replace(config, seed=config.seed + i), on_batch=on_batch)
        if stopped[0]:
            break
        out[z] = model.eval()
        if on_model is not None:
            on_model(z, model, [r.to_dict() for r in history])
    return out


class SweepJob:
    """`train_sweep` in a background thread, taking its turn in an `ae.jobs.TrainingPool` like any training;
    a page polls `snapshot()` and may `stop()` it. Finished models are available as they come."""

    def __init__(self, train_x: Tensor, latent_dims: Sequence[int], *, kind: str = "dense",
                 hidden: tuple[int, ...] | None = None, config: TrainConfig = SWEEP_TRAIN, pool=None):
        from .pool import default_pool

        config.validate()
        for z in latent_dims:   # bad settings fail here, before any thread starts
            build_model(ModelConfig(kind=kind, latent_dim=z, hidden=hidden))
        self.args = (train_x, tuple(latent_dims))
        self.kind, self.hidden, self.config = kind, hidden, config
        self.pool = pool if pool is not None else default_pool()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state: dict = {"status": "queued", "progress": None, "models": {}, "histories": {}, "error": None,
                             "started": None, "elapsed_s": 0.0}

    @property
    def stop_requested(self) -> bool:   # the pool asks this while the job waits
        return self._stop.is_set()

    def start(self) -> "SweepJob":
        if self._thread is not None:
            raise RuntimeError("this sweep has already been started")
        self.pool.admit(self)   # raises ae.pool.QueueFull when the queue is full, before any thread starts
        self._thread = threading.Thread(target=self._run, name="ae-sweep", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.pool.wake()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def snapshot(self) -> dict:
        """{"status": queued|running|stopped|done|failed, "progress": SweepProgress | None,
        "models": {z: model} finished so far, "histories": {z: [epoch dicts]}, "error", "elapsed_s"}."""
        with self._lock:
            s = dict(self._state)
            s["models"], s["histories"] = dict(s["models"]), dict(s["histories"])
        return s

    def _set(self, **kw) -> None:
        with self._lock:
            self._state.update(kw)

    def position(self) -> int | None:
        """Place in the training queue while waiting (1: next), else None."""
        return self.pool.position(self)

    def _run(self) -> None:
        from .env import lower_this_threads_priority

        lower_this_threads_priority()   # the pages of every session come first
        if not self.pool.enter(self):
            self._set(status="stopped")
            return
        t0 = time.perf_counter()
        try:
            self._set(status="running", started=time.time())

            def on_progress(p: SweepProgress) -> bool:
                self._set(progress=p, elapsed_s=time.perf_counter() - t0)
                return self._stop.is_set()

            def on_model(z, model, history):
                with self._lock:
                    self._state["models"] = {**self._state["models"], z: model}
                    self._state["histories"] = {**self._state["histories"], z: history}

            train_sweep(*self.args, kind=self.kind, hidden=self.hidden, config=self.config,
                        on_progress=on_progress, on_model=on_model)
        except Exception as e:   # a worker thread must not die silently: the page shows the message
            self._set(status="failed", error=f"{type(e).__name__}: {e}")
        else:
            self._set(status="stopped" if self._stop.is_set() else "done")
        finally:
            self._set(elapsed_s=time.perf_counter() - t0)
            self.pool.leave(self)


__all__ = ["Quantiser", "fit_quantiser", "BITS", "LATENT_DIMS", "JPEG_QUALITIES", "WEBP_QUALITIES",
           "jpeg_tables", "jpeg_streams", "decode_abbreviated", "scan_bytes", "webp_file", "png_file", "gzip_bytes",
           "Family", "FAMILIES", "family", "RDPoint", "exact_points", "jpeg_points", "webp_points", "codec_points",
           "code_points", "pca_points", "rate_distortion", "decoder_bytes", "amortised_line", "set_aside",
           "quantisation_table", "best_within", "frontier", "overtake_budget", "margins", "fit_pca", "truncate",
           "reconstruct", "CurvePoint", "curve_point", "sweep_curves", "curves_by_family", "gain_over_pca", "per_class",
           "WhatGoesFirst", "pick_images", "what_goes_first", "kept", "sweep_name", "SweepIndex", "sweep_index", "find_sweep",
           "sweep_fingerprint", "load_sweep", "SweepProgress", "SWEEP_TRAIN", "train_sweep", "SweepJob"]
