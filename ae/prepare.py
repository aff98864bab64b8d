"""Uploaded and drawn images -> one 28x28 input like the training data, refusing hostile files.

MNIST's own recipe (LeCun et al.): grayscale, bright ink on a dark background, cropped to the ink,
fitted into a 20x20 box keeping the aspect ratio, and placed in 28x28 so that its centre of mass
is the centre. Fashion-MNIST instead fits the longest side to 28 and centres the box, so both are
options. Files come from strangers: a byte limit, a pixel limit checked before decoding, and every
decoder error turned into `ImageError` with a short sentence.
"""
from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import Tensor

MAX_BYTES = 5 * 1024 * 1024        # the image uploaders' own cap too (pages/_common.py IMAGE_MB)
MAX_PIXELS = 4096 * 4096           # checked from the header, before any pixel is decoded
WORK_SIDE = 512                    # larger pictures are shrunk first: the result is 28x28 anyway
SIZE = 28

# What `from_bytes` may report in its notes (codes, so that pages can translate them).
NOTES = {
    "inverted": "the background was light, so the image was inverted (MNIST has light ink on black)",
    "alpha": "transparent parts were filled with the background colour",
    "first_frame": "an animated image: only its first frame is used",
    "sixteen_bit": "16-bit pixel values were scaled to 8 bits",
    "cmyk": "CMYK colours were converted to grayscale",
    "colour": "colours were converted to grayscale",
    "shrunk": "the large picture was shrunk before preparation",
    "enlarged": "the small picture was enlarged to fill the box",
}


class ImageError(ValueError):
    """An upload or drawing that cannot be used; `code` names the reason for translated messages."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _open(data: bytes) -> tuple[Image.Image, list[str]]:
    """Decode the first frame of `data` into memory, within the byte and pixel limits."""
    if not data:
        raise ImageError("empty", "the file is empty")
    if len(data) > MAX_BYTES:
        raise ImageError("too_large", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    notes = []
    # Pillow only warns about a decompression bomb up to 2x its own limit; make it an error here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)            # e.g. "Corrupt EXIF data": nothing to act on
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > MAX_PIXELS or w > 50_000 or h > 50_000:
                raise ImageError("too_many_pixels", f"the image is {w}x{h} pixels; the limit is "
                                 f"{MAX_PIXELS // 1_000_000} megapixels")
            if getattr(im, "n_frames", 1) > 1:
                notes.append("first_frame")
                im.seek(0)
            im.draft(None, (WORK_SIDE, WORK_SIDE))   # JPEG decodes at 1/2, 1/4 or 1/8 scale: much faster
            im.load()
            try:   # phone photos are often stored sideways with an EXIF rotation tag
                im = ImageOps.exif_transpose(im)
            except (OSError, ValueError, KeyError, TypeError, SyntaxError):
                pass   # a broken EXIF block: keep the pixels as stored
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("too_many_pixels", "the image has too many pixels (a decompression bomb?)") from None
        except UnidentifiedImageError:
            raise ImageError("not_image", "the file is not an image in a known format "
                             "(PNG, JPEG, GIF, BMP, WebP, TIFF)") from None
        except (OSError, ValueError, EOFError, SyntaxError, IndexError, KeyError, TypeError,
                struct.error, zlib.error, MemoryError) as e:
            raise ImageError("broken", f"the image is damaged or truncated ({type(e).__name__})") from None
    if im.width < 1 or im.height < 1:
        raise ImageError("broken", "the image has no pixels")
    return im, notes


def _gray(im: Image.Image, notes: list[str]) -> np.ndarray:
    """Any Pillow mode -> float32 (H, W) in [0, 1]; transparency filled with the opposite of the ink."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        a = np.asarray(im, dtype=np.float32)
        if mode.startswith("I;16") or (mode == "I" and a.max(initial=0) > 255):
            notes.append("sixteen_bit")
            return np.clip(a / 65535.0, 0, 1)   # convert("L") would clip 16-bit values: nearly all white
        top = 1.0 if mode == "F" and a.max(initial=0) <= 1.0 else 255.0
        return np.clip(a / top, 0, 1)
    if mode == "CMYK":
        notes.append("cmyk")
    elif mode in ("P", "PA"):
        palette = np.asarray(im.getpalette() or [], dtype=np.int16).reshape(-1, 3)
        if (palette != palette[:, :1]).any():   # a palette of grays is no colour to report
            notes.append("colour")
    elif mode not in ("1", "L", "LA", "La"):
        notes.append("colour")
    has_alpha = mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in im.info
    if not has_alpha:
        return np.asarray(im.convert("L"), dtype=np.float32) / 255.0
    rgba = im.convert("RGBA")
    lum = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    if alpha.min() < 1.0:
        notes.append("alpha")
    # Fill transparent parts with the colour opposite to what is drawn, so that dark strokes on a
    # transparent background and light ones both stay visible.
    drawn = alpha > 0.5
    ink = float((lum * alpha).sum() / max(alpha.sum(), 1e-6)) if drawn.any() else 0.0
    background = 1.0 if ink < 0.5 else 0.0
    return lum * alpha + background * (1.0 - alpha)


def _resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Antialiased bilinear resize of a float image (area-averaging when shrinking)."""
    t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))[None, None]
    return F.interpolate(t, size=(h, w), mode="bilinear", antialias=True, align_corners=False)[0, 0].numpy()


def _border(a: np.ndarray) -> np.ndarray:
    if min(a.shape) <= 2:
        return a.ravel()
    return np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]])


def prepare(gray: np.ndarray, box: int = 20, centre: str = "mass", notes: list[str] | None = None) -> tuple[Tensor, list[str]]:
    """A grayscale float image (H, W) in [0, 1] -> ((1, 28, 28) float32 in [0, 1], notes).

    box: the side the content is fitted into (20 for MNIST, 28 for Fashion-MNIST).
    centre: "mass" puts the centre of mass in the middle (MNIST), "box" the bounding box.
    """
    if centre not in ("mass", "box"):
        raise ValueError(f"centre must be 'mass' or 'box', got {centre!r}")
    if not 1 <= int(box) <= SIZE:
        raise ValueError(f"box must be between 1 and {SIZE}, got {box}")
    notes = list(notes or [])
    a = np.nan_to_num(np.asarray(gray, dtype=np.float32), nan=0.0).clip(0, 1)
    if a.ndim != 2 or a.size == 0:
        raise ImageError("broken", f"expected a 2-D grayscale image, got shape {a.shape}")
    if max(a.shape) > WORK_SIDE:
        s = WORK_SIDE / max(a.shape)
        a = _resize(a, max(1, round(a.shape[0] * s)), max(1, round(a.shape[1] * s)))
        notes.append("shrunk")
    # The background is what the border mostly shows; MNIST wants light ink on black.
    background = float(np.median(_border(a)))
    if background > 0.5:
        a, background = 1.0 - a, 1.0 - background
        notes.append("inverted")
    top = float(a.max())
    if top - background < 0.08:
        raise ImageError("blank", "the image shows nothing: all its pixels have about the same brightness")
    ink = np.clip((a - background) / (top - background), 0, 1)
    ink[ink < 0.1] = 0.0                     # paper texture and JPEG ripples are not ink
    rows, cols = np.nonzero(ink > 0.2)
    if len(rows) == 0:
        raise ImageError("blank", "the image shows nothing: all its pixels have about the same brightness")
    ink = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = ink.shape
    s = box / max(h, w)
    nh, nw = max(1, min(box, round(h * s))), max(1, min(box, round(w * s)))
    if s > 1.5:
        notes.append("enlarged")
    fitted = np.clip(_resize(ink, nh, nw), 0, 1)
    fitted /= max(float(fitted.max()), 1e-6)   # thin strokes fade when shrunk; MNIST ink peaks at 1
    if centre == "mass" and fitted.sum() > 0:
        ys, xs = np.indices(fitted.shape)
        cy = float((fitted * (ys + 0.5)).sum() / fitted.sum())
        cx = float((fitted * (xs + 0.5)).sum() / fitted.sum())
        top_, left = round(SIZE / 2 - cy), round(SIZE / 2 - cx)
    else:
        top_, left = (SIZE - nh) // 2, (SIZE - nw) // 2
    top_, left = min(max(top_, 0), SIZE - nh), min(max(left, 0), SIZE - nw)
    out = np.zeros((SIZE, SIZE), np.float32)
    out[top_:top_ + nh, left:left + nw] = fitted
    return torch.from_numpy(out)[None], notes


def from_bytes(data: bytes, box: int = 20, centre: str = "mass") -> tuple[Tensor, list[str]]:
    """An uploaded file -> ((1, 28, 28) float32 in [0, 1], note codes from NOTES).

    Raises ImageError (a ValueError) with a short sentence for anything unusable.
    """
    im, notes = _open(bytes(data))
    try:
        gray = _gray(im, notes)
    except (OSError, ValueError) as e:
        raise ImageError("broken", f"the image could not be converted ({type(e).__name__})") from None
    return prepare(gray, box=box, centre=centre, notes=notes)


def from_array(a: np.ndarray, box: int = 20, centre: str = "mass") -> tuple[Tensor, list[str]]:
    """A drawing: (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA array (uint8 0-255 or floats 0-1)."""
    a = np.asarray(a)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or a.size == 0:
        raise ImageError("broken", f"expected an (H, W), (H, W, 3) or (H, W, 4) array, got shape {a.shape}")
    if max(a.shape[:2]) > 50_000 or a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise ImageError("too_many_pixels", f"the drawing is {a.shape[1]}x{a.shape[0]} pixels; too large")
    if a.dtype != np.uint8:
        f = np.nan_to_num(a.astype(np.float32))
        a = (np.clip(f if f.max(initial=0) > 1.0 else f * 255, 0, 255) + 0.5).astype(np.uint8)
    notes: list[str] = []
    gray = _gray(Image.fromarray(np.ascontiguousarray(a)), notes)   # uint8: L, RGB or RGBA by shape
    notes = [n for n in notes if n != "colour"]   # a canvas is RGBA by nature; nothing to report
    return prepare(gray, box=box, centre=centre, notes=notes)


__all__ = ["ImageError", "NOTES", "MAX_BYTES", "MAX_PIXELS", "from_bytes", "from_array", "prepare"]
