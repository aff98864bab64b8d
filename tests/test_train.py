"""ae.train: the loop learns, the denoising target is the clean image, seeds reproduce, callbacks stop,
divergence is caught, and configs reject bad values."""
from __future__ import annotations

import math

import pytest
import torch

from ae import data
from ae.models import ModelConfig, build_model
from ae.noise import corrupt
from ae.infer import reconstruct
from ae.train import SCHEDULES, EpochReport, TrainConfig, TrainingDiverged, evaluate, make_input, shift_images, train

TRAIN = data.synthetic(256, seed=0).images
TEST = data.synthetic(64, seed=1).images
SMALL = ModelConfig(kind="dense", latent_dim=4, hidden=(64, 16))


def small_model(seed: int = 0, config: ModelConfig = SMALL):
    torch.manual_seed(seed)
    return build_model(config)


def record_loss_calls(model) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Wrap model.loss so that every (input, target) the loop hands it is kept."""
    calls = []
    original = model.loss

    def spy(x_in, target):
        calls.append((x_in.detach().clone(), target.detach().clone()))
        return original(x_in, target=target)

    model.loss = spy
    return calls


def rows_of(batch: torch.Tensor, pool: torch.Tensor) -> torch.Tensor:
    """For each image of batch: is it exactly one of the images in pool?"""
    return (batch.flatten(1)[:, None, :] == pool.flatten(1)[None, :, :]).all(-1).any(1)


def test_loss_falls_and_reports_are_complete():
    model = small_model()
    history = train(model, TRAIN, TrainConfig(epochs=4, batch_size=32, lr=0.005), test_x=TEST)
    assert [r.epoch for r in history] == [1, 2, 3, 4]
    assert all(isinstance(r, EpochReport) for r in history)
    assert history[-1].train_loss < 0.6 * history[0].train_loss
    assert history[-1].test_loss < history[0].test_loss
    assert history[-1].test_psnr > history[0].test_psnr > 0
    r = history[-1]
    assert r.seconds > 0 and r.samples_per_s > 0 and math.isclose(r.test_loss, r.test_mse, rel_tol=1e-4)
    assert set(r.to_dict()) >= {"epoch", "train_loss", "test_loss", "test_mse", "test_psnr", "seconds", "terms"}
    # without test images, the test figures are None rather than made up
    assert train(small_model(), TRAIN[:64], TrainConfig(epochs=1, batch_size=32))[0].test_loss is None


@pytest.mark.parametrize("kind", ["conv", "vae"])
def test_every_kind_trains_with_the_same_loop(kind):
    model = small_model(config=ModelConfig(kind=kind, latent_dim=2, hidden=(4, 8)))
    history = train(model, TRAIN[:128], TrainConfig(epochs=2, batch_size=32, lr=0.01), test_x=TEST[:32])
    assert len(history) == 2 and all(math.isfinite(r.train_loss) for r in history)
    assert history[1].train_loss < history[0].train_loss
    if kind == "vae":
        assert set(history[0].terms) == {"recon", "kl"}


def test_denoising_target_is_the_clean_image():
    """The guard: this fails if the loop ever trains towards the damaged input."""
    model = small_model()
    calls = record_loss_calls(model)
    train(model, TRAIN[:96], TrainConfig(epochs=1, batch_size=32, noise=("mask", "salt_and_pepper", "gaussian"),
                                        noise_level=0.4))
    assert len(calls) == 3
    for x_in, target in calls:
        assert rows_of(target, TRAIN[:96]).all()          # each target is a clean training image...
        assert not rows_of(x_in, TRAIN[:96]).any()         # ...while each input was damaged
        assert not torch.equal(x_in, target)


def test_noisy_target_switch_uses_the_noisy_image():
    model = small_model()
    calls = record_loss_calls(model)
    train(model, TRAIN[:64], TrainConfig(epochs=1, batch_size=32, noise=("gaussian",), noise_level=0.2,
                                        noise_clip=False, noisy_target=True))
    assert len(calls) == 2
    for x_in, target in calls:
        assert torch.equal(target, x_in)                   # the lesson's first printing
        assert not rows_of(target, TRAIN[:64]).any()


def test_clean_target_model_removes_noise_noisy_target_model_copies_it():
    """The same guard seen from outside. Salt-and-pepper at 0.3 turns a dark background pixel into 1
    with chance 0.15: a model trained towards noisy images learns a grey background (about 0.15), one
    trained towards clean images a black one. Even a model that has only learned the mean image shows it."""
    background = torch.ones(28, 28, dtype=torch.bool)
    background[2:23, 4:24] = False                     # where data.synthetic never draws a bar
    config = dict(epochs=3, batch_size=32, lr=0.005, noise=("salt_and_pepper",), noise_level=0.3)
    damaged = corrupt(TEST, "salt_and_pepper", 0.3, torch.Generator().manual_seed(1))
    level = {}
    for noisy_target in (False, True):
        model = small_model()
        train(model, TRAIN, TrainConfig(**config, noisy_target=noisy_target))
        level[noisy_target] = float(reconstruct(model, damaged)[:, 0][:, background].mean())
    assert level[False] < 0.05 and level[True] > 0.1, level


def test_plain_training_passes_images_through():
    model = small_model()
    calls = record_loss_calls(model)
    train(model, TRAIN[:64], TrainConfig(epochs=1, batch_size=64))
    (x_in, target), = calls
    assert torch.equal(x_in, target) and rows_of(target, TRAIN[:64]).all()


def test_same_seed_same_run_other_seed_other_run():
    config = TrainConfig(epochs=2, batch_size=32, noise=("gaussian", "block"), noise_level=0.3, random_level=True)

    def run(seed, config=config):
        model = small_model(seed=99)     # same start; only the config's seed differs between runs
        torch.manual_seed(12345)         # the global RNG before the call must not matter
        history = train(model, TRAIN[:128], TrainConfig(**{**config.to_dict(), "seed": seed}), test_x=TEST[:32])
        return model.state_dict(), [r.train_loss for r in history]

    (a, la), (b, lb), (c, lc) = run(0), run(0), run(1)
    assert la == lb and all(torch.equal(a[k], b[k]) for k in a)
    assert la != lc and any(not torch.equal(a[k], c[k]) for k in a)


def test_vae_training_is_deterministic_too():
    def run():
        model = small_model(seed=3, config=ModelConfig(kind="vae", latent_dim=2, hidden=(4, 8)))
        train(model, TRAIN[:64], TrainConfig(epochs=1, batch_size=32, seed=5))
        return model.state_dict()

    a, b = run(), run()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_epoch_callback_stops_the_run():
    seen = []
    history = train(small_model(), TRAIN[:64], TrainConfig(epochs=5, batch_size=32), test_x=TEST[:16],
                    on_epoch_end=lambda r: seen.append(r.epoch) or r.epoch == 2)
    assert seen == [1, 2] and len(history) == 2


def test_batch_callback_stops_mid_epoch_and_keeps_what_was_learned():
    model = small_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    calls = record_loss_calls(model)
    progress = []
    history = train(model, TRAIN, TrainConfig(epochs=3, batch_size=32),
                    on_batch=lambda done, total: progress.append((done, total)) or done == 3)
    assert progress == [(1, 24), (2, 24), (3, 24)] and len(calls) == 3
    assert len(history) == 1 and history[0].epoch == 1
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_limit_trains_on_a_subset():
    calls = []
    model = small_model()
    record = record_loss_calls(model)
    train(model, TRAIN, TrainConfig(epochs=1, batch_size=16, limit=40),
          on_batch=lambda done, total: calls.append(total))
    assert calls[-1] == 3 and sum(len(x) for x, _ in record) == 40


def test_nan_loss_raises_training_diverged_and_keeps_weights_finite():
    x = TRAIN[:64].clone()
    x[40] = math.nan
    model = small_model()
    with pytest.raises(TrainingDiverged, match="diverged.*learning rate"):
        train(model, x, TrainConfig(epochs=1, batch_size=64))
    assert all(torch.isfinite(p).all() for p in model.parameters())   # the NaN step was never taken


def test_exploding_loss_raises_training_diverged():
    model = small_model()
    original = model.loss
    step = {"n": 0}

    def exploding(x_in, target):
        step["n"] += 1
        terms = original(x_in, target=target)
        return {**terms, "loss": terms["loss"] * (1.0 if step["n"] < 3 else 1e6)}

    model.loss = exploding
    with pytest.raises(TrainingDiverged, match="diverged at epoch 1"):
        train(model, TRAIN[:128], TrainConfig(epochs=2, batch_size=32))
    assert step["n"] == 3


def test_evaluate_uses_fixed_noise_and_clean_targets():
    model = small_model()
    a = evaluate(model, TEST, noise="mask", level=0.5)
    b = evaluate(model, TEST, noise="mask", level=0.5)
    clean = evaluate(model, TEST)
    assert a == b and a["mse"] != clean["mse"]
    assert set(evaluate(model, TEST[:8], with_ssim=True)) == {"loss", "mse", "psnr", "ssim"}
    # a denoiser's config: evaluated on its first noise at its level, against clean images
    config = TrainConfig(noise=("mask",), noise_level=0.5)
    assert evaluate(model, TEST, config) == a


def test_make_input_draws_kinds_and_levels_from_the_generator():
    x = torch.full((4, 1, 28, 28), 0.5)
    config = TrainConfig(noise=("mask", "salt_and_pepper"), noise_level=0.6, random_level=True)
    g = torch.Generator().manual_seed(0)
    outs = [make_input(x, config, g) for _ in range(40)]
    kinds = {("mask" if set(o.unique().tolist()) <= {0.0, 0.5} else "salt_and_pepper") for o in outs}
    assert kinds == {"mask", "salt_and_pepper"}
    damage = [float((o != x).float().mean()) for o in outs]
    assert max(damage) - min(damage) > 0.2 and max(damage) <= 0.6 + 0.05
    assert make_input(x, TrainConfig(), g) is x


def test_heavy_level_draw_spends_more_batches_near_the_top_level():
    x = torch.full((2, 1, 64, 64), 0.5)   # masking: the damaged fraction reads the drawn level
    damage = {}
    for draw in ("uniform", "heavy"):
        config = TrainConfig(noise=("mask",), noise_level=0.6, random_level=True, level_draw=draw)
        g = torch.Generator().manual_seed(0)
        damage[draw] = torch.tensor([float((make_input(x, config, g) == 0).float().mean()) for _ in range(300)])
    # E[level] = 0.6 * E[u] = 0.3 against 0.6 * E[sqrt(u)] = 0.4; above 0.4: a third of draws against 5/9
    assert abs(float(damage["uniform"].mean()) - 0.3) < 0.03 and abs(float(damage["heavy"].mean()) - 0.4) < 0.03
    assert float((damage["heavy"] > 0.4).float().mean()) > float((damage["uniform"] > 0.4).float().mean()) + 0.12
    assert float(damage["heavy"].max()) <= 0.6 + 0.03


@pytest.mark.parametrize("bad, message", [
    (dict(epochs=0), "epochs"), (dict(epochs=1001), "epochs"), (dict(epochs=2.5), "epochs"),
    (dict(batch_size=0), "batch size"), (dict(batch_size=math.nan), "batch size"),
    (dict(lr=0.0), "learning rate"), (dict(lr=-1e-3), "learning rate"), (dict(lr=2.0), "learning rate"),
    (dict(lr=math.nan), "learning rate"), (dict(lr=math.inf), "learning rate"), (dict(lr="0.1"), "learning rate"),
    (dict(noise_level=-0.1), "noise level"), (dict(noise_level=math.nan), "noise level"),
    (dict(noise_level=1.5), "noise level"),
    (dict(noise=("speckle",)), "unknown noise"),
    (dict(limit=0), "subset size"), (dict(limit=-5), "subset size"),
    (dict(noisy_target=True), "noisy_target needs a noise"),
    (dict(seed=-1), "seed"), (dict(seed=2**64), "seed"), (dict(seed=math.nan), "seed"),
    (dict(lr_schedule="step"), "learning-rate schedule"), (dict(shift=-1), "shift"), (dict(shift=9), "shift"),
    (dict(shift=1.5), "shift"), (dict(level_draw="steep", random_level=True), "unknown level draw"),
    (dict(level_draw="heavy", noise=("mask",)), "needs random levels"), (dict(init=3), "init must be"),
])
def test_bad_train_configs_raise_clear_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**bad).validate()
    with pytest.raises(ValueError, match=message):     # train() checks before touching the model
        train(small_model(), TRAIN[:8], TrainConfig(**bad))


def test_train_config_round_trips_through_json_dicts():
    config = TrainConfig(noise=("gaussian", "mask"), noise_level=0.3, random_level=True)
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig.from_dict({"noise": "gaussian"}).noise == ("gaussian",)
    assert TrainConfig.from_dict({"noise": None}).noise == ()
    with pytest.raises(ValueError, match="unknown train config keys"):
        TrainConfig.from_dict({"epochz": 3})


def test_evaluate_loss_is_each_kinds_own_criterion():
    x = TEST[:16]
    for config in (SMALL, ModelConfig(kind="vae", latent_dim=2, hidden=(4, 8))):
        model = small_model(config=config).eval()
        with torch.no_grad():
            expected = float(model.loss(x, x)["loss"])
        figures = evaluate(model, x)
        assert math.isclose(figures["loss"], expected, rel_tol=1e-5)
        same = math.isclose(figures["loss"], figures["mse"], rel_tol=1e-5)
        assert same == (config.kind == "dense")   # the VAE's criterion is BCE + KL, not MSE


def test_cosine_schedule_lowers_the_rate_to_near_zero_and_constant_keeps_it(monkeypatch):
    lrs = []                                  # the learning rate each optimizer step used
    original = torch.optim.Adam.step

    def step(self, *args, **kwargs):
        lrs.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step)
    steps = 3 * math.ceil(len(TRAIN) / 32)
    train(small_model(), TRAIN, TrainConfig(epochs=3, batch_size=32, lr=0.004))
    constant, lrs[:] = list(lrs), []
    assert constant == [0.004] * steps
    train(small_model(), TRAIN, TrainConfig(epochs=3, batch_size=32, lr=0.004, lr_schedule="cosine"))
    cosine = lrs
    assert len(cosine) == steps and cosine[0] == pytest.approx(0.004)
    assert all(a > b for a, b in zip(cosine, cosine[1:]))            # falls at every step
    assert cosine[steps // 2] == pytest.approx(0.002, rel=0.05)      # half way: half the rate
    assert cosine[-1] < 0.004 * 0.01
    assert SCHEDULES["cosine"](1.0) == pytest.approx(0.0) and SCHEDULES["constant"](0.7) == 1.0


def test_shift_images_moves_each_image_by_its_own_whole_pixel_offset():
    x = torch.zeros(200, 1, 28, 28)
    x[:, 0, 10:14, 12:15] = torch.rand(200, 1, 1) + 0.5             # one block per image, away from the edges
    moved = shift_images(x, 2, torch.Generator().manual_seed(0))
    assert moved.shape == x.shape and shift_images(x, 0, torch.Generator()) is x
    offsets = set()
    for before, after in zip(x, moved):
        (y0, x0), (y1, x1) = before[0].nonzero()[0].tolist(), after[0].nonzero()[0].tolist()
        dy, dx = y1 - y0, x1 - x0
        assert torch.equal(torch.roll(before, (dy, dx), dims=(1, 2)), after)   # the same block, moved
        offsets.add((dy, dx))
    assert offsets == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}   # all 25 offsets occur
    again = shift_images(x, 2, torch.Generator().manual_seed(0))
    assert torch.equal(again, moved)                                  # the generator decides


def test_shift_moves_what_the_model_sees_and_keeps_the_clean_target_aligned():
    model = small_model()
    calls = record_loss_calls(model)
    train(model, TRAIN[:64], TrainConfig(epochs=1, batch_size=64, noise=("mask",), noise_level=0.3, shift=3))
    (x_in, target), = calls
    assert not rows_of(target, TRAIN[:64]).all()                     # the targets were moved ...
    kept = x_in != 0                                                 # ... and the input is the moved target, masked
    assert torch.equal(x_in[kept], target[kept]) and (target[~kept] != 0).any()
