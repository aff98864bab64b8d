"""ae.viz: uint8 conversion, error heatmaps and the composed grid picture."""
from __future__ import annotations

import numpy as np
import torch

from ae import viz


def test_to_uint8_rounds_and_clips():
    x = torch.tensor([0.0, 1.0, 0.5, -0.3, 1.7, 0.002, 0.998]).reshape(1, 1, 1, 7)
    out = viz.to_uint8(x)
    assert out.dtype == np.uint8 and out.shape == (1, 1, 7)
    assert out.ravel().tolist() == [0, 255, 128, 0, 255, 1, 254]
    assert viz.to_uint8(torch.rand(3, 1, 28, 28)).shape == (3, 28, 28)


def test_heatmap_colours_black_to_yellow():
    err = torch.tensor([0.0, 0.25, 0.5, 1.0]).reshape(1, 1, 1, 4)
    rgb = viz.heatmap(err, vmax=1.0)
    assert rgb.shape == (1, 1, 4, 3) and rgb.dtype == np.uint8
    black, quarter, half, top = rgb[0, 0]
    assert black.tolist() == [0, 0, 0]
    assert quarter[0] == 128 and quarter[1] == 0                    # dark red
    assert half[0] == 255 and half[1] == 0                          # red
    assert top[0] == 255 and top[1] == 255 and 0 < top[2] < 255     # yellow
    # signs do not matter, values above vmax saturate, numpy input works
    assert np.array_equal(viz.heatmap(-err, vmax=1.0), rgb)
    assert np.array_equal(viz.heatmap(np.array([[[2.0]]]), vmax=1.0)[0, 0, 0], top)
    # without vmax the largest error is the top of the scale
    assert np.array_equal(viz.heatmap(err * 0.1), rgb)
    assert viz.heatmap(torch.zeros(2, 28, 28)).max() == 0           # no division by zero


def test_grid_layout():
    a = torch.zeros(3, 1, 28, 28)
    b = torch.ones(2, 1, 28, 28)
    pic = viz.grid([a, b], scale=2, pad=4, background=40)
    assert pic.dtype == np.uint8 and pic.shape == (2 * (56 + 4) + 4, 3 * (56 + 4) + 4, 3)
    assert pic[4:60, 4:60].max() == 0                   # first row, first tile: black image
    assert pic[64:120, 4:60].min() == 255               # second row: white tiles
    assert (pic[64:120, 124:180] == 40).all()           # the row is shorter: background shows
    assert (pic[:4] == 40).all() and (pic[:, :4] == 40).all()


def test_grid_mixes_images_and_heatmaps():
    imgs = torch.rand(2, 1, 28, 28)
    heat = viz.heatmap(imgs - imgs.flip(0))
    pic = viz.grid([imgs, heat], scale=1, pad=0)
    assert pic.shape == (56, 56, 3)
    assert np.array_equal(pic[28:, :28], heat[0])
    assert np.array_equal(pic[:28, :28, 0], viz.to_uint8(imgs)[0])
