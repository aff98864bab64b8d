"""ae.form: the Train page's settings as one typed object, mapped to the configs in one place."""
from __future__ import annotations

import pytest

import ae
from ae.form import LESSON, LESSON_DENOISE, SizesError, TrainForm, parse_sizes
from ae.models import TooLarge


def test_parse_sizes():
    assert parse_sizes("128,64,12") == (128, 64, 12)
    assert parse_sizes(" 32 , 64 ") == (32, 64)
    assert parse_sizes("  ") is None
    for bad in ["128,,12", "a,b", "0,5", "1.5", "99999"]:
        with pytest.raises(ValueError, match="hidden size"):
            parse_sizes(bad)



def test_bad_sizes_are_their_own_error():
    with pytest.raises(SizesError):
        TrainForm(hidden="64,,8").configs()


def test_the_lesson_form_is_the_lessons_setup():
    model, train = LESSON.configs()
    assert model == ae.ModelConfig("dense", 3, (128, 64, 12))
    assert (train.epochs, train.batch_size, train.lr, train.limit, train.noise) == (10, 64, 0.005, None, ())
    model, train = LESSON_DENOISE.configs()
    assert train.noise == ("gaussian",) and train.noise_level == 0.2 and train.noise_clip is False


@pytest.mark.parametrize("form", [
    TrainForm(),
    TrainForm(dataset="mnist", kind="conv", latent=16, hidden="32,64", quick=False, cosine=True),
    TrainForm(denoise=True, noise="block", level=0.4, noisy_target=True, seed=7),
    TrainForm(denoise=True, noise="gaussian", clip=False, init=True),
])
def test_configs_and_back_are_the_same_form(form):
    init = "checkpoints/fmnist_dense_z3" if form.init else None
    model, train = form.configs(init)
    assert TrainForm.of(model, train, form.dataset) == form
    assert train.init == init
    if form.noise == "block" and form.denoise:
        assert train.noise_clip is True               # only Gaussian noise takes the clip flag


def test_kind_and_noise_changes_keep_the_form_consistent():
    assert TrainForm().with_kind("conv").hidden == "32,64"
    assert TrainForm(level=0.9).with_noise("block").level == ae.NOISES["block"].level.high
    values = TrainForm(epochs=3).values() | {"unknown": 1}
    assert TrainForm.from_values(values) == TrainForm(epochs=3)


def test_a_model_over_the_budget_is_refused_before_anything_is_built():
    with pytest.raises(TooLarge) as e:
        ae.jobs.TrainingJob(*TrainForm(hidden=",".join(["4096"] * 12)).configs(), train_split=ae.data.synthetic(8),
                            test_split=ae.data.synthetic(8), pool=ae.pool.TrainingPool(1))
    assert e.value.parameters > e.value.limit
