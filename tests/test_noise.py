"""ae.noise: every kind keeps [0, 1], is reproducible with a generator, leaves level 0 alone, rejects bad levels."""
from __future__ import annotations

import math

import pytest
import torch

from ae import noise
from ae.noise import NOISES, corrupt

KINDS = sorted(NOISES)


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_registry_and_ranges_agree():
    assert set(NOISES) == {"gaussian", "salt_and_pepper", "mask", "block"}
    for record in NOISES.values():
        lo, hi = record.level.low, record.level.high
        assert 0.0 == lo < hi <= 1.0 and lo <= record.level.default <= hi
        for name in record.controls:
            assert name == "level" or name in record.options
        for s in record.options.values():
            assert s.low <= s.default <= s.high


@pytest.mark.parametrize("kind", KINDS)
def test_range_shape_and_input_untouched(kind, batch):
    before = batch.clone()
    for level in (0.1, NOISES[kind].level.high):
        out = corrupt(batch, kind, level, gen())
        assert out.shape == batch.shape and out.dtype == batch.dtype
        assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
        assert not torch.equal(out, batch)             # something was damaged
    assert torch.equal(batch, before)                  # the input is never modified


@pytest.mark.parametrize("kind", KINDS)
def test_same_generator_same_noise(kind, batch):
    a = corrupt(batch, kind, 0.3, gen(7))
    b = corrupt(batch, kind, 0.3, gen(7))
    c = corrupt(batch, kind, 0.3, gen(8))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    # the global RNG plays no part: drawing from it in between changes nothing
    torch.rand(100)
    assert torch.equal(a, corrupt(batch, kind, 0.3, gen(7)))


@pytest.mark.parametrize("kind", KINDS)
def test_level_zero_returns_input(kind, batch):
    out = corrupt(batch, kind, 0.0, gen())
    assert torch.equal(out, batch)
    assert out is not batch   # a copy, so callers may modify it


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("level", [-0.1, 2.5, math.nan, math.inf])
def test_bad_levels_raise(kind, level, batch):
    with pytest.raises(ValueError, match="noise level"):
        corrupt(batch, kind, level, gen())


def test_unknown_kind_lists_known(batch):
    with pytest.raises(ValueError, match="known"):
        corrupt(batch, "speckle", 0.1)


@pytest.mark.parametrize("kind", KINDS)
def test_more_level_more_damage(kind):
    x = torch.full((16, 1, 28, 28), 0.5)
    errs = [float((corrupt(x, kind, level, gen()) - x).abs().mean()) for level in (0.1, 0.3, 0.6)]
    assert errs[0] < errs[1] < errs[2]


def test_gaussian_clip_flag():
    x = torch.full((8, 1, 28, 28), 0.5)
    raw = noise.gaussian(x, 0.2, gen(), clip=False)           # the lesson's unclipped sigma 0.2
    assert float(raw.min()) < 0.0 or float(raw.max()) > 1.0
    assert abs(float((raw - x).std()) - 0.2) < 0.01
    clipped = noise.gaussian(x, 0.2, gen(), clip=True)
    assert torch.equal(clipped, raw.clamp(0, 1))


def test_salt_and_pepper_fraction():
    x = torch.full((32, 1, 28, 28), 0.5)
    out = noise.salt_and_pepper(x, 0.4, gen())
    changed = out != x
    assert abs(float(changed.float().mean()) - 0.4) < 0.02
    assert abs(float((out == 0).float().mean()) - 0.2) < 0.02 and abs(float((out == 1).float().mean()) - 0.2) < 0.02


def test_mask_zeroes_a_fraction():
    x = torch.full((32, 1, 28, 28), 0.5)
    out = noise.mask(x, 0.3, gen())
    assert set(out.unique().tolist()) == {0.0, 0.5}
    assert abs(float((out == 0).float().mean()) - 0.3) < 0.02


def test_block_squares():
    x = torch.ones(4, 1, 28, 28)
    out = noise.block(x, 0.5, gen(), size=6, count=1)
    for img in out[:, 0]:
        rows, cols = torch.nonzero(img == 0, as_tuple=True)
        assert len(rows) == 36                                 # one 6x6 square, inside the image
        assert int(rows.max() - rows.min()) == 5 and int(cols.max() - cols.min()) == 5
    # without count, the level sets how much is covered (squares may overlap, so at most the level)
    covered = float((noise.block(x, 0.3, gen(), size=4) == 0).float().mean())
    assert 0.15 < covered <= 0.3 + 1e-6
    assert torch.equal(noise.block(x, 0.5, gen(), count=0), x)


def test_works_on_a_single_image_batch_and_other_shapes():
    x = torch.rand(1, 1, 28, 28)
    for kind in KINDS:
        assert corrupt(x, kind, 0.2, gen()).shape == (1, 1, 28, 28)


@pytest.mark.parametrize("kind", ["salt_and_pepper", "mask", "block"])
def test_fractions_above_one_raise(kind, batch):
    with pytest.raises(ValueError, match="between 0 and 1"):
        corrupt(batch, kind, 1.01, gen())
