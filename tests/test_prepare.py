"""ae.prepare: uploads and drawings become MNIST-like 28x28 inputs; hostile files get a clear ImageError.

Every file is made here with Pillow (or by hand for broken ones), so nothing is downloaded.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from ae import prepare
from ae.prepare import ImageError


def digit(h: int = 120, w: int = 90, ink: int = 0, paper: int = 255, thick: int = 10) -> np.ndarray:
    """A hand-made '7'-like shape: a bar at the top and a slanted stroke, ink on paper (uint8)."""
    a = np.full((h, w), paper, np.uint8)
    top = h // 5
    a[top:top + thick, w // 6:w - w // 6] = ink
    for y in range(top, h - h // 8):
        x = int(w - w // 6 - (y - top) * (w // 2) / (h - top))
        a[y, max(0, x - thick // 2):x + thick // 2] = ink
    return a


def encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def check_mnist_like(x: torch.Tensor, box: int = 20) -> None:
    """Shape, range, light ink on black, content within the box, centre of mass near the middle."""
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert float(x.min()) >= 0 and float(x.max()) == pytest.approx(1.0, abs=0.05)
    a = x[0].numpy()
    rows, cols = np.nonzero(a > 0)
    assert rows.max() - rows.min() < box + 1 and cols.max() - cols.min() < box + 1
    ys, xs = np.indices(a.shape)
    cy, cx = (a * (ys + 0.5)).sum() / a.sum(), (a * (xs + 0.5)).sum() / a.sum()
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    assert a.mean() < 0.35                      # mostly background


def test_dark_ink_on_light_paper_is_inverted():
    x, notes = prepare.from_bytes(encode(Image.fromarray(digit())))
    check_mnist_like(x)
    assert "inverted" in notes


def test_light_ink_on_dark_background_is_kept():
    dark, _ = prepare.from_bytes(encode(Image.fromarray(digit(ink=255, paper=0))))
    light, notes = prepare.from_bytes(encode(Image.fromarray(digit())))
    check_mnist_like(dark)
    assert "inverted" not in prepare.from_bytes(encode(Image.fromarray(digit(ink=255, paper=0))))[1]
    assert torch.allclose(dark, light, atol=1e-5)     # the same digit either way round


@pytest.mark.parametrize("size", [(9, 7), (28, 28), (300, 41), (1000, 1500)])
def test_any_size(size):
    h, w = size
    x, notes = prepare.from_bytes(encode(Image.fromarray(digit(h, w, thick=max(2, min(h, w) // 8)))))
    check_mnist_like(x)
    if max(h, w) > prepare.WORK_SIDE:
        assert "shrunk" in notes


def test_fashion_style_fills_the_frame():
    x, _ = prepare.from_bytes(encode(Image.fromarray(digit())), box=28, centre="box")
    rows, cols = np.nonzero(x[0].numpy() > 0)
    assert rows.max() - rows.min() >= 26    # the long side now spans the 28 pixels


def test_colour_photo_on_coloured_background():
    rgb = np.zeros((80, 80, 3), np.uint8)
    rgb[:] = (250, 240, 200)                                  # cream paper
    rgb[20:60, 30:45] = (20, 30, 140)                         # a dark blue stroke
    x, notes = prepare.from_bytes(encode(Image.fromarray(rgb), "JPEG", quality=85))
    check_mnist_like(x)
    assert {"colour", "inverted"} <= set(notes)


@pytest.mark.parametrize("ink", [0, 255])
def test_transparent_background_either_ink(ink):
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[10:54, 28:36, 3] = 255                               # only the stroke is opaque
    x, notes = prepare.from_bytes(encode(Image.fromarray(rgba)))
    check_mnist_like(x)
    assert "alpha" in notes


def test_grayscale_with_alpha_and_palette():
    la = Image.fromarray(digit()).convert("LA")
    check_mnist_like(prepare.from_bytes(encode(la))[0])
    pal = Image.fromarray(digit()).convert("P")
    x, notes = prepare.from_bytes(encode(pal))
    check_mnist_like(x)
    assert "colour" not in notes                               # a palette of grays


def test_sixteen_bit_png_is_scaled_not_saturated():
    a16 = (digit().astype(np.uint16) * 257)
    im = Image.fromarray(a16)
    assert im.mode.startswith("I")
    x, notes = prepare.from_bytes(encode(im))
    check_mnist_like(x)
    assert "sixteen_bit" in notes
    x8, _ = prepare.from_bytes(encode(Image.fromarray(digit())))
    assert torch.allclose(x, x8, atol=0.02)


def test_cmyk_jpeg():
    cmyk = Image.fromarray(digit()).convert("CMYK")
    data = encode(cmyk, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    x, notes = prepare.from_bytes(data)
    check_mnist_like(x)
    assert "cmyk" in notes


def test_animated_gif_uses_the_first_frame():
    first = Image.fromarray(digit()).convert("P")
    second = Image.fromarray(np.full((120, 90), 255, np.uint8)).convert("P")   # blank
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    x, notes = prepare.from_bytes(data)
    check_mnist_like(x)
    assert "first_frame" in notes


def test_one_pixel_and_uniform_images_are_refused_clearly():
    for im in (Image.new("L", (1, 1), 255), Image.new("RGB", (50, 50), (30, 90, 10))):
        with pytest.raises(ImageError, match="shows nothing") as e:
            prepare.from_bytes(encode(im))
        assert e.value.code == "blank"


def png_with_size(width: int, height: int) -> bytes:
    """A valid PNG header claiming width x height, with a few bytes of pixels: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"this is not an image, it is text" * 10, "not_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "not_image"),
    (png_with_size(30_000, 30_000), "too_many_pixels"),
    (png_with_size(100_000, 1), "too_many_pixels"),
    (b"x" * (prepare.MAX_BYTES + 1), "too_large"),
])
def test_hostile_bytes(data, code):
    with pytest.raises(ImageError) as e:
        prepare.from_bytes(data)
    assert e.value.code == code and isinstance(e.value, ValueError)
    assert 5 < len(str(e.value)) < 120


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_truncated_files(fmt):
    data = encode(Image.fromarray(digit(400, 400)).convert("L" if fmt != "GIF" else "P"), fmt)
    with pytest.raises(ImageError) as e:
        prepare.from_bytes(data[: len(data) // 2])
    assert e.value.code in ("broken", "not_image")


def test_canvas_rgba_arrays():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255                                      # opaque black background
    canvas[60:220, 130:150, :3] = 255                         # a white stroke
    x, notes = prepare.from_array(canvas)
    check_mnist_like(x)
    assert notes == []
    floats = canvas.astype(np.float64) / 255                 # floats in [0, 1] are accepted too
    assert torch.allclose(prepare.from_array(floats)[0], x, atol=1e-2)
    with pytest.raises(ImageError, match="nothing"):
        prepare.from_array(np.zeros((280, 280, 4), np.uint8))
    with pytest.raises(ImageError):
        prepare.from_array(np.zeros((5, 5, 7), np.uint8))


def test_prepared_image_survives_a_second_preparation():
    """A prepared digit, enlarged 5x and printed dark on white, prepares back to nearly itself."""
    x, _ = prepare.from_bytes(encode(Image.fromarray(digit())))
    printed = Image.fromarray((255 - x[0].numpy() * 255).round().astype(np.uint8)).resize((140, 140), Image.Resampling.BILINEAR)
    y, notes = prepare.from_bytes(encode(printed))
    assert "inverted" in notes
    assert float((x - y).pow(2).mean()) < 0.01


def test_exif_rotation_is_applied():
    upright, _ = prepare.from_bytes(encode(Image.fromarray(digit())))
    exif = Image.Exif()
    exif[0x0112] = 6                                          # "rotate 90° clockwise to display"
    stored = Image.fromarray(digit()).rotate(90, expand=True)  # the camera stored it sideways
    y, _ = prepare.from_bytes(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    assert float((y - upright).pow(2).mean()) < 0.01


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"])
def test_corrupted_bytes_give_an_image_or_image_error(fmt):
    """Random byte damage anywhere in a file: a prepared image or an ImageError, never anything else."""
    good = encode(Image.fromarray(digit(60, 50)).convert("L" if fmt != "GIF" else "P"), fmt)
    rng = np.random.default_rng(0)
    for _ in range(40):
        data = bytearray(good)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 6)):
            data[pos] = int(rng.integers(0, 256))
        try:
            x, _ = prepare.from_bytes(bytes(data))
        except ImageError:
            continue
        assert x.shape == (1, 28, 28) and bool(torch.isfinite(x).all())
