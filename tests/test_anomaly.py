"""ae.anomaly: one-class splits, the autoencoder scores, ROC/PR against scikit-learn, the figures at a
threshold on hand-made data, the baselines on small data, and the one-class training."""
from __future__ import annotations

import math

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
