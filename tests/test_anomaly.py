"""ae.anomaly: one-class splits, the autoencoder scores, ROC/PR against scikit-learn, the figures at a
threshold on hand-made data, the baselines on small data, and the one-class training."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

import ae
from ae import anomaly
from ae.data import Split


def split(n: int, seed: int = 0, name: str = "train") -> Split:
    s = ae.data.synthetic(n, seed=seed)
    return Split(s.images, s.labels, s.class_names, s.dataset, name, s.source)


# ---------------------------------------------------------------- one-class data

def test_one_class_keeps_only_normal_training_images_and_labels_the_whole_test_split():
    train, test = split(200), split(100, seed=1, name="test")
    data = anomaly.one_class(train, test, 3)
    assert len(data.train_x) == 20 and data.normal == (3,)
    assert (train.labels[torch.from_numpy(data.train_index)] == 3).all()
    assert torch.equal(data.train_x, train.images[train.labels == 3])
    assert len(data.test_x) == 100 and torch.equal(data.test_x, test.images)
    assert data.anomalous.sum() == 90 and (data.anomalous == (data.test_labels != 3)).all()
    several = anomaly.one_class(train, test, [4, 2, 2])
    assert several.normal == (2, 4) and len(several.train_x) == 40 and several.anomalous.sum() == 80
    small = anomaly.one_class(train, test, 3, test_limit=30)
    assert len(small.test_x) == 30 and torch.equal(small.test_x, test.images[torch.from_numpy(small.test_index)])
    assert "normal=['3']" in repr(data)


@pytest.mark.parametrize("normal, message", [([], "at least one"), (10, "between 0 and 9"),
                                              (range(10), "nothing anomalous")])
def test_one_class_refuses_impossible_choices(normal, message):
    with pytest.raises(anomaly.AnomalyError, match=message):
        anomaly.one_class(split(50), split(50, name="test"), normal)


def test_validation_holds_normal_images_out_and_adds_nine_anomalies_each():
    train = split(1000)
    val = anomaly.validation(train, 3, fraction=0.1)
    assert val.source == "validation" and len(val.train_x) == 90
    assert (val.anomalous == 0).sum() == 10 and val.anomalous.sum() == 90
    assert not set(val.train_index) & set(val.test_index)          # held-out images are not trained on
    assert (train.labels.numpy()[val.train_index] == 3).all()


# ---------------------------------------------------------------- curves and figures

def random_scores(n=400, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    s = rng.normal(size=n) + 1.2 * y
    return y, (np.round(s, 1) if ties else s)


@pytest.mark.parametrize("ties", [False, True])
def test_auroc_and_aupr_match_scikit_learn(ties):
    y, s = random_scores(ties=ties)
    assert anomaly.auroc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert anomaly.aupr(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)
    curve = anomaly.roc(y, s)
    assert curve.x[0] == curve.y[0] == 0 and curve.x[-1] == curve.y[-1] == 1
    assert (np.diff(curve.x) >= 0).all() and (np.diff(curve.y) >= 0).all()


def test_curves_at_the_extremes():
    y = np.array([0, 0, 1, 1])
    assert anomaly.auroc(y, [1, 2, 3, 4]) == 1.0 and anomaly.aupr(y, [1, 2, 3, 4]) == 1.0
    assert anomaly.auroc(y, [4, 3, 2, 1]) == 0.0
    assert anomaly.auroc(y, [1, 1, 1, 1]) == 0.5          # all tied: a coin
    with pytest.raises(anomaly.AnomalyError, match="both"):
        anomaly.auroc([0, 0], [1, 2])
    with pytest.raises(anomaly.AnomalyError, match="NaN"):
        anomaly.auroc(y, [1, np.nan, 2, 3])


def test_figures_at_a_threshold_on_hand_made_data():
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.9, 0.4, 0.8, 0.95])
    at = anomaly.at_threshold(y, s, 0.35)     # flags 0.4, 0.8, 0.9 (a normal image), 0.95
    assert (at.tp, at.fp, at.tn, at.fn) == (3, 1, 3, 0)
    assert at.confusion.tolist() == [[3, 1], [0, 3]]
    assert at.precision == pytest.approx(0.75) and at.recall == 1.0 and at.fpr == pytest.approx(0.25)
    assert at.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert at.roc_point == (pytest.approx(0.25), 1.0) and at.pr_point == (1.0, pytest.approx(0.75))
    # the threshold's points lie on both curves
    roc, pr = anomaly.roc(y, s), anomaly.pr(y, s)
    assert any(np.isclose(roc.x, at.fpr) & np.isclose(roc.y, at.recall))
    assert any(np.isclose(pr.x, at.recall) & np.isclose(pr.y, at.precision))
    top = anomaly.at_threshold(y, s, 0.92)     # only the highest: one anomaly flagged
    assert (top.tp, top.fp, top.fn) == (1, 0, 2) and top.precision == 1.0 and top.recall == pytest.approx(1 / 3)
    nothing = anomaly.at_threshold(y, s, 2.0)
    assert nothing.tp == nothing.fp == 0 and math.isnan(nothing.precision) and nothing.f1 == 0.0


def test_histogram_counts_every_score_once_on_shared_bins():
    y, s = random_scores()
    h = anomaly.histogram(y, s, bins=20)
    assert h.normal.sum() == (y == 0).sum() and h.anomalous.sum() == y.sum() and len(h.edges) == 21
    logged = anomaly.histogram(y, np.exp(s), bins=10, log=True, extra=[1e-4])
    assert logged.edges[0] == pytest.approx(1e-4) and np.allclose(np.diff(np.log10(logged.edges)),
                                                                   np.diff(np.log10(logged.edges))[0])
    with pytest.raises(anomaly.AnomalyError, match="above zero"):
        anomaly.histogram(y, s, log=True)


def test_mistakes_and_odd_ones():
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.9, 0.4, 0.8, 0.95])
    m = anomaly.mistakes(y, s, k=2)
    assert m.false_alarms.tolist() == [3, 2] and m.missed.tolist() == [4, 5]
    at = anomaly.mistakes(y, s, k=5, threshold=0.5)
    assert at.false_alarms.tolist() == [3] and at.missed.tolist() == [4]
    assert anomaly.odd_ones(y, s, k=3).tolist() == [3, 2, 1]
    assert anomaly.default_threshold(np.arange(101), 0.95) == pytest.approx(95)


# ---------------------------------------------------------------- k-NN and baselines

def test_knn_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    ref, q = rng.normal(size=(50, 6)), rng.normal(size=(7, 6))
    d = np.sqrt(((q[:, None] - ref[None]) ** 2).sum(-1))
    expected = np.sort(d, 1)[:, :3].mean(1)
    np.testing.assert_allclose(anomaly.knn_distance(ref, q, 3, chunk=4), expected, rtol=1e-4)
    self_d = np.sort(np.sqrt(((ref[:, None] - ref[None]) ** 2).sum(-1)), 1)[:, 1:3].mean(1)
    np.testing.assert_allclose(anomaly.knn_distance(ref, ref, 2, exclude_self=True), self_d, rtol=1e-3, atol=1e-3)
    with pytest.raises(anomaly.AnomalyError, match="k must"):
        anomaly.knn_distance(ref, q, 51)


@pytest.fixture(scope="module")
def bars():
    """One-class data from the synthetic bars: class 3 normal (60 training images), 200 test images."""
    return anomaly.one_class(split(600), split(200, seed=1, name="test"), 3)


@pytest.mark.parametrize("name", list(anomaly.BASELINES))
def test_each_baseline_finds_the_other_bars(bars, name):
    scores, info = anomaly.baseline_scores(bars, [name])
    assert scores[name].shape == (200,) and scores[name].dtype == np.float32
    # an Isolation Forest splits each pixel within its range over the normal images, so a bright pixel
    # where normal bars are dark lands with the brightest normal ones: it finds these anomalies poorly
    assert anomaly.auroc(bars.anomalous, scores[name]) > (0.6 if name == "iforest" else 0.9)
    assert info[name]["fit_s"] >= 0 and info[name]["score_s"] >= 0


def test_baseline_details(bars):
    _, info = anomaly.baseline_scores(bars, ["pca"])
    assert 1 <= info["pca"]["components"] < 60                      # 95 % of the variance, not all of it
    x = np.random.default_rng(0).random((50, 10)).astype(np.float32)
    assert anomaly.fit_ocsvm(x, limit=20).info["fitted_on"] == 20   # a subsample past the limit
    with pytest.raises(anomaly.AnomalyError, match="unknown baseline"):
        anomaly.baseline_scores(bars, ["lof"])


# ---------------------------------------------------------------- scores and training

@pytest.fixture(scope="module")
def trained(bars):
    """A small conv autoencoder and a denoiser of the normal bars, trained for a moment."""
    config = ae.ModelConfig(kind="conv", latent_dim=4, hidden=(8, 16))
    torch.manual_seed(0)
    model, history, curve = anomaly.train_one_class(bars, config, ae.TrainConfig(epochs=15, batch_size=16, lr=0.003))
    torch.manual_seed(0)
    denoiser, _, _ = anomaly.train_one_class(
        bars, config, ae.TrainConfig(epochs=15, batch_size=16, lr=0.003, noise=("gaussian",), noise_level=0.3),
        score=None)
    return model, denoiser, history, curve


def test_training_reports_the_test_auroc_after_each_epoch(bars, trained):
    model, _, history, curve = trained
    assert len(history) == len(curve) == 15 and all(0 <= a <= 1 for a in curve)
    assert not model.training
    seen = []
    _, history, curve = anomaly.train_one_class(
        bars, ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,)), ae.TrainConfig(epochs=5),
        on_epoch_end=lambda report, auroc: seen.append((report.epoch, auroc)) or True)   # True: stop
    assert len(history) == 1 and seen == [(1, curve[0])]
    with pytest.raises(anomaly.AnomalyError, match="per-epoch"):
        anomaly.train_one_class(bars, ae.ModelConfig(), ae.TrainConfig(epochs=1), score="latent_knn")


def test_every_score_separates_the_bars(bars, trained):
    model, denoiser, _, _ = trained
    det = anomaly.Detector(model, bars.train_x, denoiser=denoiser)
    assert det.available() == list(anomaly.SCORES)
    scores = det.scores(bars.test_x)
    assert set(scores) == set(anomaly.SCORES)
    for name, s in scores.items():
        assert s.shape == (200,) and np.isfinite(s).all(), name
        assert anomaly.auroc(bars.anomalous, s) > 0.9, name
    recon = ae.infer.reconstruct(model, bars.test_x)
    np.testing.assert_allclose(scores["mse"], ae.metrics.mse(recon, bars.test_x).numpy(), rtol=1e-5)
    np.testing.assert_allclose(scores["ssim"], 1 - ae.metrics.ssim(recon, bars.test_x).numpy(), rtol=1e-5, atol=1e-6)
    # one image at a time gives the same score as in a batch (an uploaded image)
    one = det.scores(bars.test_x[5:6], ["mse", "latent_knn", "combined", "denoise"])
    for name, s in one.items():
        assert s[0] == pytest.approx(scores[name][5], rel=1e-4, abs=1e-6), name


def test_training_scores_threshold_and_combined(bars, trained):
    model, _, _, _ = trained
    det = anomaly.Detector(model, bars.train_x)
    assert "denoise" not in det.available()
    with pytest.raises(anomaly.AnomalyError, match="denoising model"):
        det.scores(bars.test_x, ["denoise"])
    knn = det.train_scores("latent_knn")
    assert knn.shape == (60,) and (knn > 0).all()        # each training image's own code is left out
    t = det.threshold("mse")
    assert 0.02 <= (det.train_scores("mse") >= t).mean() <= 0.1
    # the combined score is the sum of its parts in units of their spread over the training images
    parts = det.scores(bars.test_x, list(anomaly.COMBINED) + ["combined"])
    expected = sum((parts[n] - np.median(det.train_scores(n))) / np.subtract(*np.percentile(det.train_scores(n), [75, 25]))
                   for n in anomaly.COMBINED)
    np.testing.assert_allclose(parts["combined"], expected, rtol=1e-4, atol=1e-4)
    assert abs(float(np.median(det.train_scores("combined")))) < 2


def test_evaluate_and_error_map(bars, trained):
    model, _, _, curve = trained
    result = anomaly.evaluate(model, bars, ["mse", "combined"])
    assert result["mse"]["auroc"] == pytest.approx(curve[-1]) and 0 < result["combined"]["aupr"] <= 1
    p = anomaly.forward(model, bars.test_x[:3])
    heat = anomaly.error_map(p.x, p.recon)
    assert heat.shape == (3, 1, 28, 28) and torch.allclose(heat.flatten(1).mean(1), ae.metrics.mse(p.recon, p.x))


def test_published_rows_are_flagged():
    assert {p.method for p in anomaly.published("fashion-mnist")} == {"RAW-OC-SVM", "CAE-OC-SVM", "GEOM"}
    assert [p.auroc for p in anomaly.published("mnist")] == [89.7, 94.8]
    assert all(p.flag == "published, different preprocessing" and p.source for p in anomaly.PUBLISHED)
    assert "upper bound" in next(p.note for p in anomaly.PUBLISHED if p.method == "RAW-OC-SVM")
    assert "indicative" in anomaly.INDICATIVE["mnist"]


# ---------------------------------------------------------------- what a page needs: cached scores, a background fit

def test_cached_scores_computes_only_what_the_disk_lacks(bars, trained, tmp_path, monkeypatch):
    from ae.embed import Cache

    model = trained[0]
    det = anomaly.Detector(model, bars.train_x)
    cache = Cache(tmp_path)
    parts = {"model": "m", "dataset": "synthetic"}
    first = anomaly.cached_scores(det, bars.test_x, ["mse", "ssim"], parts, cache)
    fresh = det.scores(bars.test_x, ["mse", "ssim"])
    for name in ("mse", "ssim"):
        np.testing.assert_array_equal(first[name], fresh[name])
    asked = []
    real = anomaly.Detector.scores
    monkeypatch.setattr(anomaly.Detector, "scores", lambda self, x, names=None: asked.append(list(names)) or real(self, x, names))
    again = anomaly.cached_scores(det, bars.test_x, ["ssim", "latent_knn", "mse"], parts, cache)
    assert asked == [["latent_knn"]] and list(again) == ["ssim", "latent_knn", "mse"]   # from disk, in the order asked
    np.testing.assert_array_equal(again["mse"], first["mse"])
    anomaly.cached_scores(det, bars.test_x, ["mse"], {**parts, "model": "other"}, cache)    # another key: computed
    assert asked[-1] == ["mse"]
    with pytest.raises(anomaly.AnomalyError, match="denoising model"):
        anomaly.cached_scores(det, bars.test_x, ["denoise"], parts, cache)


def test_one_class_fit_trains_in_the_background_and_can_be_stopped(bars):
    torch.manual_seed(0)
    fit = anomaly.OneClassFit(bars, ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,)),
                              ae.TrainConfig(epochs=3, batch_size=16))
    model = fit.wait(timeout=60)
    assert fit.done and model is not None and fit.error is None and fit.fraction == 1.0 and fit.seconds > 0
    assert len(fit.history) == len(fit.aurocs) == 3 and all(0 <= a <= 1 for a in fit.aurocs)
    # the last AUROC is the finished model's
    np.testing.assert_allclose(fit.aurocs[-1], anomaly.evaluate(model, bars)["mse"]["auroc"], atol=1e-9)

    slow = anomaly.OneClassFit(bars, ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,)),
                               ae.TrainConfig(epochs=500, batch_size=4))
    slow.cancel()
    assert slow.wait(timeout=60) is not None and slow.cancelled and len(slow.history) < 500

    broken = anomaly.OneClassFit(bars, ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,)),
                                 ae.TrainConfig(epochs=1, lr=1e9))      # refused in the thread
    with pytest.raises(ValueError, match="learning rate"):
        broken.wait(timeout=60)
    assert broken.error is not None and broken.model is None


def test_threshold_range_and_snap():
    lo, hi, step = anomaly.threshold_range([0.0123, 0.0456, 0.0999])
    assert step == 1e-5 and lo <= 0.0123 and hi >= 0.0999 and hi - lo < 0.0876 + 2 * step   # about 1/1000 of the range
    assert anomaly.snap(0.030449, 1e-4) == 0.0304 and anomaly.snap(-1.26, 0.1) == -1.3
    lo, hi, step = anomaly.threshold_range([-2.5, 40.0])
    assert step == 0.01 and lo == -2.5 and hi == 40.0
    assert anomaly.threshold_range([3.0, 3.0])[2] > 0                  # all equal: still a slider


def test_anomaly_figures_draw_the_threshold_and_marks():
    y, s = random_scores()
    h = anomaly.histogram(y, s - s.min() + 0.1, log=True)
    fig = ae.figures.score_histogram(h.edges, h.normal, h.anomalous, ("n", "a"), threshold=1.0,
                                     marks=[(2.0, "yours")], log=True)
    assert [b.name for b in fig.data] == ["n", "a"] and fig.layout.xaxis.type == "log"
    assert sum(fig.data[0].y) == pytest.approx(100) and sum(fig.data[1].y) == pytest.approx(100)   # shares
    counts = ae.figures.score_histogram(h.edges, h.normal, h.anomalous, share=False)
    assert sum(counts.data[0].y) == (y == 0).sum() and sum(counts.data[1].y) == y.sum()
    assert [sh.x0 for sh in fig.layout.shapes] == pytest.approx([0.0, math.log10(2.0)])   # log axis: log10 units
    assert fig.layout.annotations[0].text == "yours"
    curve = anomaly.roc(y, s)
    at = anomaly.at_threshold(y, s, 0.5)
    fig = ae.figures.anomaly_curve(curve.x, curve.y, at.roc_point, diagonal=True)
    assert len(fig.data) == 3 and (fig.data[2].x[0], fig.data[2].y[0]) == at.roc_point


def test_one_class_fits_wait_their_turn_in_the_training_pool(bars):
    from ae.pool import QueueFull, TrainingPool

    pool = TrainingPool(max_running=1, max_waiting=1)
    config = ae.ModelConfig(kind="dense", latent_dim=2, hidden=(16,))
    first = anomaly.OneClassFit(bars, config, ae.TrainConfig(epochs=300, batch_size=4), pool=pool)
    deadline = time.time() + 30
    while pool.running == 0 and time.time() < deadline:               # its thread takes the one slot
        time.sleep(0.01)
    second = anomaly.OneClassFit(bars, config, ae.TrainConfig(epochs=1), pool=pool)
    with pytest.raises(QueueFull):                                    # one running, one waiting: full
        anomaly.OneClassFit(bars, config, ae.TrainConfig(epochs=1), pool=pool)
    assert second.position == 1 and not second.history
    second.cancel()                                                   # leaves the queue without training
    assert second.wait(timeout=30) is None and second.error is None and not second.history
    first.cancel()
    assert first.wait(timeout=60) is not None and pool.running == 0 and pool.waiting == 0
    third = anomaly.OneClassFit(bars, config, ae.TrainConfig(epochs=1), pool=pool)   # room again
    assert third.wait(timeout=60) is not None and third.position is None
