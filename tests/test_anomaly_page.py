"""The Anomaly page in AppTest: both languages on a shipped one-class model (the confusion matrix and the
figures at the threshold are the library's at_threshold, before and after moving the slider), and on
MNIST (small: quick) a model trained on the page in the background, every score of it, and the
baselines on the same images."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from conftest import open_page

import ae
from ae import anomaly as A

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints" / "anomaly" / "fmnist_c0"
SECTIONS = ["threshold_head", "mistakes", "odd", "scores", "baselines"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    # scores kept on disk go to a folder of this module's, not the project's .cache
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "anomaly_page_cache"))


@pytest.fixture(scope="module")
def fmnist_c0():
    """(labels, reconstruction error) of the shipped class-0 model on the Fashion-MNIST test split."""
    train, test = ae.data.load("fashion-mnist", "train"), ae.data.load("fashion-mnist", "test")
    det, _ = A.load_detector(SHIPPED, train)
    data = A.one_class(train, test, [0])
    return data.anomalous, det.scores(data.test_x, ["mse"])["mse"]


def strings(lang: str) -> dict:
    from pages._text import STRINGS
    return STRINGS[lang]


def confusion(at, lang: str) -> np.ndarray:
    s = strings(lang)
    table = next(tb.value for tb in at.table if s["anomaly.said.anomalous"] in tb.value.columns)
    return table.loc[[s["anomaly.truth.normal"], s["anomaly.truth.anomalous"]],
                     [s["anomaly.said.normal"], s["anomaly.said.anomalous"]]].to_numpy()


def metrics(at, lang: str) -> dict[str, str]:
    s = strings(lang)
    return {k: next(m.value for m in at.metric if m.label == s[f"anomaly.metric.{k}"])
            for k in ("precision", "recall", "f1", "fpr")}


def main_text(at) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info") for e in at.get(kind)]
    for df in [*at.dataframe, *at.table]:
        parts += [str(c) for c in df.value.columns] + [str(v) for v in df.value.to_numpy().ravel()]
        parts += [str(i) for i in df.value.index]
    sidebar = {c.value for c in at.sidebar.caption}
    return "\n".join(p for p in parts if p not in sidebar)


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="needs the shipped one-class model fmnist_c0")
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_threshold_moves_the_confusion_matrix_in_both_languages(lang, fmnist_c0):
    y, s = fmnist_c0
    at = open_page("pages/anomaly.py", lang)
    assert not at.error, [e.value for e in at.error]
    assert [h.value for h in at.subheader] == [strings(lang)[f"anomaly.{k}"] for k in SECTIONS]
    slider = at.slider(key=f"anomaly.threshold.{lang}")
    first = slider.value
    lo, hi, step = A.threshold_range(s)
    assert (slider.min, slider.max) == (lo, hi)
    # the threshold starts where 5 % of the normal training images' scores lie above it, not from test labels
    assert abs(first - A.load_detector(SHIPPED, ae.data.load("fashion-mnist", "train"))[0].threshold("mse")) <= step
    expected = A.at_threshold(y, s, first)
    np.testing.assert_array_equal(confusion(at, lang), expected.confusion)
    assert metrics(at, lang)["recall"] == f"{expected.recall:.3f}"

    moved = A.snap(float(np.median(s[y == 0])), step)           # the normal images' median: more flagged
    slider.set_value(moved).run()
    assert not at.exception
    after = A.at_threshold(y, s, moved)
    np.testing.assert_array_equal(confusion(at, lang), after.confusion)
    assert after.confusion[0, 1] > expected.confusion[0, 1]     # more false alarms
    assert metrics(at, lang) == {"precision": f"{after.precision:.3f}", "recall": f"{after.recall:.3f}",
                                 "f1": f"{after.f1:.3f}", "fpr": f"{after.fpr:.3f}"}
    assert any(f"AUROC {100 * A.auroc(y, s):.2f}" in m.value for m in at.markdown)
    text = main_text(at)
    if lang == "ko":   # only names in the Korean page
        words = set(re.findall(r"[A-Za-z][A-Za-z_]+", re.sub(r"`[^`]*`", "", text)))
        allowed = {"AUROC", "AUPR", "MSE", "SSIM", "PCA", "ROC", "F", "RAW", "OC", "SVM", "CAE", "GEOM", "Ruff",
                   "Golan", "El", "Yaniv", "Fashion", "MNIST", "k", "x"}
        assert words <= allowed, words - allowed
    else:
        assert not re.search("[\uac00-\ud7a3]", text)


def test_a_model_trained_on_the_page_every_score_and_the_baselines(monkeypatch):
    """MNIST (4,000 training digits) class 1, one epoch in the background: the page polls it, then
    shows the same figures the library gives for the model it trained."""
    # a pool of its own: a Train page run left by another test must not keep this one waiting
    own = ae.pool.TrainingPool(1)
    monkeypatch.setattr(ae.pool, "default_pool", lambda: own)
    at = open_page("pages/anomaly.py", "en", **{"anomaly.dataset": "mnist", "anomaly.normal": [1],
                                                 "anomaly.source": "train", "anomaly.epochs": 1})
    assert not at.error and not at.dataframe                    # nothing to show before training
    at.button(key="anomaly.train_button").click().run()
    job = at.session_state["anomaly.fit"][1]
    assert isinstance(job, A.OneClassFit) and job.train_config.epochs == 1 and job.pool is own
    model = job.wait(timeout=120)
    assert model is not None and len(job.aurocs) == 1 and 0 <= job.aurocs[0] <= 1
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    data = A.one_class(ae.data.load("mnist", "train"), ae.data.load("mnist", "test"), [1])
    y = data.anomalous
    det = A.Detector(model, data.train_x)
    s = det.scores(data.test_x, ["mse"])["mse"]
    t0 = at.slider(key="anomaly.threshold.en").value
    assert abs(t0 - det.threshold("mse")) <= A.threshold_range(s)[2]
    np.testing.assert_array_equal(confusion(at, "en"), A.at_threshold(y, s, t0).confusion)

    at.button(key="anomaly.score_all").click().run()            # every score of this model, here
    table = next(df.value for df in at.dataframe if "AUROC here" in df.value.columns)
    assert len(table) == len(det.available()) == 5               # no denoiser trained on the page
    every = det.scores(data.test_x)
    for name, row in zip(det.available(), table.itertuples(index=False)):
        assert row[2] == f"{100 * A.auroc(y, every[name]):.2f}" and row[4] == "—"

    at.button(key="anomaly.run_baselines").click().run()
    table = next(df.value for df in at.dataframe if "Method" in df.value.columns)
    found, _ = A.baseline_scores(data)
    for name in ("pca", "knn"):                                  # deterministic: the same figures exactly
        row = table[table["Method"] == strings("en")[f"anomaly.baseline.{name}"]]
        assert row["AUROC"].item() == f"{100 * A.auroc(y, found[name]):.2f}"
    published = table[table["Note"].str.startswith("published, different preprocessing")]
    assert list(published["Method"]) == ["DCAE", "One-class Deep SVDD"]
    assert any("indicative" in c.value for c in at.main.caption)
