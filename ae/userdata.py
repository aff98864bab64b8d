"""Your own images as a dataset: an uploaded zip or .npz, prepared, split and stored, then loaded as Splits.

    data/user/<name>/                  ($AE_USER_DATA/<name>/; by default the data folder's user/)
        train.npz, test.npz            x (N, 28, 28) uint8, y (N,) int64
        dataset.json                   class names, layout, counts, the upload's file name and sha256

Three kinds of upload: a zip in ImageFolder layout (one folder per class, the folder names are the
class names), a zip of unlabelled images, or an .npz with `x` (N, 28, 28) and optional `y` and
`class_names`. Zip members are read by ae.archive.zip_members (the same budgets and refusals as a
model upload); images are prepared as single uploads are (ae.prepare: grayscale, 28x28, centred).
Datasets are named "user:<name>" wherever a dataset name goes (Splits, checkpoints), so they never
clash with the built-in ones. Knows nothing about Streamlit.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from . import prepare
from .archive import UploadError, zip_members
from .checkpoint import NAME_RE, _write_atomic
from .data import DatasetSpec, Split, data_dir

MAX_UPLOAD_BYTES = 50 * 1024 * 1024     # raise server.maxUploadSize in .streamlit/config.toml to match
MAX_IMAGES = 20_000
MIN_IMAGES = 10                          # enough for a test split and a training batch
MAX_CLASSES = 100
MAX_CLASS_NAME = 64
MAX_INFLATED_BYTES = 256 * 1024 * 1024
TEST_FRACTION = 0.2
KEY_PREFIX = "user:"
UNLABELLED = "unlabelled"                # the one class name of a dataset without labels
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")
IGNORED_FILES = ("thumbs.db", "desktop.ini")
NPZ_ARRAYS = ("x", "y", "class_names")
FORMAT = 1

# Reasons a dataset upload is refused, beyond ae.archive.CODES (pages show byo.error.<code>).
CODES = {
    "no_images": "the archive holds no images",
    "too_many_images": "the upload holds more images than allowed",
    "too_few_images": "the upload holds too few images for a training and a test split",
    "bad_image": "an image in the archive cannot be used",
    "mixed_layout": "some images are in class folders and some are not",
    "bad_class_name": "a class folder's name cannot be used as a class name",
    "duplicate_class": "two class folders have the same name",
    "too_many_classes": "the upload has more classes than allowed",
    "bad_npz": "the .npz does not hold images as x (N, 28, 28)",
    "bad_labels": "the labels y do not fit the images",
}


def user_data_dir() -> Path:
    """Where uploaded datasets live: $AE_USER_DATA, else user/ in the data folder (./data/user)."""
    return Path(os.environ.get("AE_USER_DATA", data_dir() / "user"))


def key(name: str) -> str:
    """The dataset name a user dataset carries in Splits and checkpoints: "user:<name>"."""
    return KEY_PREFIX + name


def is_user_key(name: str) -> bool:
    return isinstance(name, str) and name.startswith(KEY_PREFIX)


# ---------------------------------------------------------------- reading an upload (nothing is written)

@dataclass(frozen=True)
class Upload:
    """An upload read and prepared in memory, not yet stored."""
    images: np.ndarray               # (N, 28, 28) uint8
    labels: np.ndarray | None        # (N,) int64 indices into class_names; None when unlabelled
    class_names: tuple[str, ...]
    layout: str                      # "folders", "images" or "npz"
    filename: str
    sha256: str                      # of the uploaded bytes
    size: int                        # bytes uploaded
    prepared: dict | None            # {"box", "centre"} of ae.prepare; None for .npz (taken as they are)
    skipped: tuple[str, ...]         # members left out: hidden files, __MACOSX, non-images (first 20)
    notes: dict[str, int]            # ae.prepare note code -> how many images it concerned

    def __len__(self) -> int:
        return len(self.images)


def _hidden(parts: list[str]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or parts[-1].lower() in IGNORED_FILES


def _class_name(folder: str) -> str:
    """A folder name as a class name: Unicode in one form (macOS zips decompose Hangul), trimmed."""
    name = unicodedata.normalize("NFC", folder).strip()
    if not name or len(name) > MAX_CLASS_NAME or not name.isprintable():
        shown = folder.encode("unicode_escape").decode("ascii")[:80]
        raise UploadError("bad_class_name", f"the folder name {shown!r} cannot be a class name: it is empty, "
                          f"longer than {MAX_CLASS_NAME} characters or holds control characters", name=shown)
    return name


def _sorted_classes(names: set[str]) -> list[str]:
    """Class names in ImageFolder's order (sorted); all-number names by value, so 10 comes after 9."""
    if all(re.fullmatch(r"\d{1,9}", n) for n in names):
        return sorted(names, key=int)
    return sorted(names)


def _layout(paths: list[str]) -> tuple[list[str | None], list[str]]:
    """Each image's class folder (None for all when unlabelled) and the class names in order.

    Folders shared by every image are wrappers (a zipped folder 'digits/'), not classes; after them,
    either every image sits in a class folder (labelled: the first folder is its class, whatever lies
    below) or none does (unlabelled). One class folder alone is no labelling: unlabelled."""
    split = [p.split("/") for p in paths]
    while all(len(s) > 1 for s in split) and len({s[0] for s in split}) == 1:
        split = [s[1:] for s in split]
    depths = {len(s) > 1 for s in split}
    if depths == {False}:
        return [None] * len(paths), []
    if depths == {True, False}:
        loose = next("/".join(s) for s in split if len(s) == 1)
        raise UploadError("mixed_layout", f"some images (such as {loose!r}) are not in a class folder while "
                          "others are: put every image in its class's folder, or none", member=loose)
    folders = [s[0] for s in split]
    names = {}
    for f in sorted(set(folders)):
        n = _class_name(f)
        if n in names.values():
            raise UploadError("duplicate_class", f"two folders give the class name {n!r}", name=n)
        names[f] = n
    order = _sorted_classes(set(names.values()))
    if len(order) > MAX_CLASSES:
        raise UploadError("too_many_classes", f"{len(order)} class folders; the limit is {MAX_CLASSES}",
                          count=len(order), limit=MAX_CLASSES)
    return [names[f] for f in folders], order


def _npy(data: bytes, what: str) -> np.ndarray:
    """One .npy member, read without pickles and without trusting its header: the shape it claims must
    be the bytes it holds before any memory is set aside for it."""
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unknown .npy version {version}")
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as e:
        raise UploadError("bad_npz", f"{what} is not a readable .npy array ({e})", member=what) from None
    if dtype.hasobject:
        raise UploadError("pickle", f"{what} holds Python objects, which are pickles: refused", member=what)
    count = math.prod(shape)   # Python integers: a forged shape cannot overflow into a plausible size
    body = data[f.tell():]
    if count * dtype.itemsize != len(body):
        raise UploadError("bad_npz", f"{what} claims shape {shape}, which is not the {len(body):,} bytes it holds",
                          member=what)
    return np.frombuffer(body, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")


def _from_npz(members: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    arrays = {n[:-4]: _npy(b, n) for n, b in members.items()}
    if "x" not in arrays or set(arrays) - set(NPZ_ARRAYS):
        raise UploadError("bad_npz", f"the .npz must hold an array named x (and may hold y and class_names); it "
                          f"holds {', '.join(sorted(arrays)) or 'nothing'}", arrays=", ".join(sorted(arrays)))
    x = arrays["x"]
    if x.ndim == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype.kind not in "uif" or len(x) == 0:
        raise UploadError("bad_npz", f"x must be numbers of shape (N, 28, 28); it is {x.dtype} {x.shape}",
                          shape=str(x.shape))
    if len(x) > MAX_IMAGES:
        raise UploadError("too_many_images", f"{len(x):,} images; the limit is {MAX_IMAGES:,}",
                          count=len(x), limit=MAX_IMAGES)
    if x.dtype != np.uint8:
        f = x.astype(np.float32)
        if not np.isfinite(f).all():
            raise UploadError("bad_npz", "x holds NaN or infinite values")
        f = f * 255.0 if f.max(initial=0) <= 1.0 else f   # floats in [0, 1], or 0-255 as numbers
        x = (np.clip(f, 0, 255) + 0.5).astype(np.uint8)
    if "y" not in arrays:
        if "class_names" in arrays:
            raise UploadError("bad_labels", "class_names without y: the labels are missing")
        return np.ascontiguousarray(x), None, ()
    y = arrays["y"].reshape(-1) if arrays["y"].ndim == 2 and 1 in arrays["y"].shape else arrays["y"]
    if y.ndim != 1 or len(y) != len(x) or y.dtype.kind not in "ui" or (len(y) and y.min() < 0):
        raise UploadError("bad_labels", f"y must be {len(x)} whole numbers of at least 0, one per image; it is "
                          f"{y.dtype} {y.shape}", count=len(x))
    y = y.astype(np.int64)
    if "class_names" in arrays:
        names = arrays["class_names"]
        if names.ndim != 1 or names.dtype.kind != "U":
            raise UploadError("bad_labels", "class_names must be a list of texts")
        names = [_class_name(str(n)) for n in names.tolist()]
        if len(set(names)) != len(names):
            raise UploadError("duplicate_class", "class_names holds a name twice", name="")
        if len(names) > MAX_CLASSES:
            raise UploadError("too_many_classes", f"{len(names)} classes; the limit is {MAX_CLASSES}",
                              count=len(names), limit=MAX_CLASSES)
        if y.max(initial=0) >= len(names):
            raise UploadError("bad_labels", f"y holds {int(y.max())}, but class_names has only {len(names)} names",
                              count=len(names))
        return np.ascontiguousarray(x), y, tuple(names)
    values = np.unique(y)
    if len(values) > MAX_CLASSES:
        raise UploadError("too_many_classes", f"{len(values)} classes; the limit is {MAX_CLASSES}",
                          count=len(values), limit=MAX_CLASSES)
    return np.ascontiguousarray(x), np.searchsorted(values, y).astype(np.int64), tuple(str(v) for v in values)


def read_upload(data: bytes, filename: str = "", *, box: int = 20, centre: str = "mass",
                on_progress: Callable[[int, int], None] | None = None) -> Upload:
    """Read an uploaded zip of images or .npz into memory, checked and prepared; nothing is written.

    box, centre: how images are fitted into 28x28 (ae.prepare.prepare: 20 and "mass" as MNIST, 28 and
    "box" as Fashion-MNIST). .npz images are taken as they are (they are 28x28 already). on_progress
    (done, total) is called while images are prepared. Raises UploadError (codes in ae.archive.CODES
    and CODES here)."""
    data = bytes(data)
    layout: list[str] = []
    skipped: list[str] = []
    paths: list[str] = []

    def select(names: list[str]) -> dict[str, int]:
        files = [n for n in names if not n.endswith("/")]
        visible = [n for n in files if not _hidden(n.split("/"))]
        if visible and all(n.endswith(".npy") for n in visible):
            layout.append("npz")
            return {n: MAX_INFLATED_BYTES for n in visible}
        layout.append("zip")
        shown = set(visible)
        for n in files:
            if n in shown and n.lower().endswith(IMAGE_SUFFIXES):
                paths.append(n)
            else:
                skipped.append(n)
        if not paths:
            raise UploadError("no_images", "the archive holds no images (PNG, JPEG, GIF, BMP, WebP, TIFF)")
        if len(paths) > MAX_IMAGES:
            raise UploadError("too_many_images", f"{len(paths):,} images; the limit is {MAX_IMAGES:,}",
                              count=len(paths), limit=MAX_IMAGES)
        paths.sort()   # the order zip_members reads them in, whatever order the zip tool wrote
        return {n: prepare.MAX_BYTES for n in paths}

    members = zip_members(data, select, max_bytes=MAX_UPLOAD_BYTES, max_inflated=MAX_INFLATED_BYTES,
                          max_members=2 * MAX_IMAGES + 1000)
    notes: dict[str, int] = {}
    if layout == ["npz"]:
        x, y, names = _from_npz(dict(members))
        kind, prepared = "npz", None
    else:
        classes, names = _layout(paths)
        index = {n: i for i, n in enumerate(names)}
        x = np.empty((len(paths), 28, 28), np.uint8)
        for i, (name, blob) in enumerate(members):   # sorted by name, as paths are
            assert name == paths[i]
            try:
                img, found = prepare.from_bytes(blob, box=box, centre=centre)
            except prepare.ImageError as e:
                raise UploadError("bad_image", f"{name}: {e}", member=name, reason=e.code) from None
            x[i] = (img[0].numpy() * 255.0 + 0.5).astype(np.uint8)
            for n in found:
                notes[n] = notes.get(n, 0) + 1
            if on_progress is not None:
                on_progress(i + 1, len(paths))
        y = None if not names else np.array([index[c] for c in classes], np.int64)
        kind, prepared = ("folders" if names else "images"), {"box": box, "centre": centre}
    if len(x) < MIN_IMAGES:
        raise UploadError("too_few_images", f"{len(x)} images; at least {MIN_IMAGES} are needed",
                          count=len(x), limit=MIN_IMAGES)
    return Upload(images=x, labels=y, class_names=tuple(names), layout=kind, filename=filename,
                  sha256=hashlib.sha256(data).hexdigest(), size=len(data), prepared=prepared,
                  skipped=tuple(skipped[:20]), notes=notes)


# ---------------------------------------------------------------- splitting and storing

DIGIT_LIKE = {"box": 20, "centre": "mass"}    # ae.prepare as MNIST: ink in 20x20, centred by its mass
FILLING = {"box": 28, "centre": "box"}        # as Fashion-MNIST: the object fills the 28x28 picture


def guess_preparation(images: np.ndarray, sample: int = 500) -> dict:
    """How a single picture (an upload, a drawing) should be prepared to look like these 28x28 images
    (N, 28, 28) uint8, for an .npz that does not say: MNIST's way when the ink of a typical image fits
    in about 20x20 with a margin around it, else filling the picture as Fashion-MNIST does."""
    x = images[:: max(1, len(images) // sample)][:sample].astype(np.float32)
    extents = []
    for im in x:
        ink = im > 0.25 * max(float(im.max()), 1.0)
        rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
        if len(rows):
            extents.append(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
    return dict(DIGIT_LIKE) if extents and float(np.median(extents)) <= 23 else dict(FILLING)


def split_indices(n: int, labels: np.ndarray | None = None, test_fraction: float = TEST_FRACTION,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices, each sorted: a seeded draw of `test_fraction` of the images, class by class
    when there are labels (stratified), so every class with two images or more is in both."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    groups = [np.arange(n)] if labels is None else [np.flatnonzero(labels == c) for c in np.unique(labels)]
    test = []
    for g in groups:
        k = min(max(int(len(g) * test_fraction + 0.5), 1), len(g) - 1) if len(g) > 1 else 0
        test.append(rng.permutation(g)[:k])
    test_idx = np.sort(np.concatenate(test)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(n), test_idx).astype(np.int64)
    return train_idx, test_idx


@dataclass(frozen=True)
class UserDataset:
    """A stored user dataset as pages list it."""
    name: str
    key: str                         # "user:<name>": the dataset name in Splits and checkpoints
    path: Path
    meta: dict | None                # dataset.json, None when broken
    error: str | None                # why it cannot be used

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.meta["class_names"]) if self.meta else ()

    @property
    def labelled(self) -> bool:
        return bool(self.meta and self.meta["labelled"])

    @property
    def sha256(self) -> str:
        return self.meta["source"]["sha256"] if self.meta else ""

    @property
    def sizes(self) -> tuple[int, int]:
        return (self.meta["counts"]["train"], self.meta["counts"]["test"]) if self.meta else (0, 0)


def source_text(meta: dict) -> str:
    """What Split.source says about a user dataset: an upload, its file name and sha256."""
    src = meta["source"]
    return f"upload {src['filename'] or meta['name']!r} (sha256 {src['sha256']})"


def default_name(filename: str) -> str:
    """A dataset name from an upload's file name ("My digits (2).zip" -> "My_digits_2"), "upload" if none."""
    stem = Path(filename).name.rsplit(".", 1)[0] if "." in Path(filename).name else Path(filename).name
    name = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)).strip("._-")[:58]
    return name if name and NAME_RE.fullmatch(name) else "upload"


def save_upload(upload: Upload, name: str | None = None, root: str | os.PathLike | None = None, *,
                test_fraction: float = TEST_FRACTION, seed: int = 0) -> UserDataset:
    """Split an Upload (split_indices) and store it as a new dataset folder under `root`
    (user_data_dir() by default); returns it as listed.

    Never replaces a dataset: a `name` the caller gives is refused when taken (name_taken); without
    one, the file name's stem is used with "-2", "-3", ... until free. Written into a hidden temporary
    folder, then renamed into place."""
    root = Path(root) if root is not None else user_data_dir()
    if name is not None:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
            raise UploadError("bad_name", f"{name!r} is not a plain name: use 1-64 letters, digits, '_', '-' "
                              "or '.', starting with a letter or digit", name=str(name))
        if (root / name).exists():
            raise UploadError("name_taken", f"a dataset named {name!r} exists already; choose another name",
                              name=name)
        candidates = [name]
    else:
        base = default_name(upload.filename)
        candidates = [base] + [f"{base}-{i}" for i in range(2, 1000)]
    train_idx, test_idx = split_indices(len(upload), upload.labels, test_fraction, seed)
    labels = upload.labels if upload.labels is not None else np.zeros(len(upload), np.int64)
    names = list(upload.class_names) if upload.labels is not None else [UNLABELLED]
    per_class = {s: np.bincount(labels[idx], minlength=len(names)).tolist()
                 for s, idx in (("train", train_idx), ("test", test_idx))}
    meta = {
        "format": FORMAT, "name": None, "id": secrets.token_hex(8), "class_names": names, "labelled": upload.labels is not None,
        "layout": upload.layout,
        "source": {"filename": upload.filename, "sha256": upload.sha256, "bytes": upload.size},
        "counts": {"train": len(train_idx), "test": len(test_idx), "per_class": per_class},
        "split": {"test_fraction": test_fraction, "seed": seed, "stratified": upload.labels is not None},
        "prepare": upload.prepared,
        "upload_like": upload.prepared or guess_preparation(upload.images),
        "notes": upload.notes, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".upload-"))   # hidden: listing skips it
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        for split, idx in (("train", train_idx), ("test", test_idx)):
            buf = io.BytesIO()
            np.savez_compressed(buf, x=upload.images[idx], y=labels[idx])
            _write_atomic(tmp / f"{split}.npz", buf.getvalue())
        for candidate in candidates:
            if (root / candidate).exists():
                continue
            meta["name"] = candidate
            _write_atomic(tmp / "dataset.json", json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8"))
            try:
                os.rename(tmp, root / candidate)   # fails if another upload took the name meanwhile
            except OSError:
                continue
            return describe(root / candidate)
        raise UploadError("name_taken", "no free name was found for the dataset; delete some datasets",
                          name=candidates[0])
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def import_dataset(data: bytes, filename: str = "", name: str | None = None,
                   root: str | os.PathLike | None = None, *, box: int = 20, centre: str = "mass",
                   on_progress: Callable[[int, int], None] | None = None) -> UserDataset:
    """read_upload, then save_upload: an upload becomes a stored dataset in one call."""
    upload = read_upload(data, filename, box=box, centre=centre, on_progress=on_progress)
    return save_upload(upload, name, root)


# ---------------------------------------------------------------- listing and loading

def _read_meta(folder: Path) -> dict:
    path = folder / "dataset.json"
    if not path.is_file():
        raise ValueError(f"{folder.name} has no dataset.json")
    if path.stat().st_size > 1_000_000:
        raise ValueError(f"{folder.name}/dataset.json is too large")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"{folder.name}/dataset.json is not valid JSON ({e})") from None
    ok = (isinstance(meta, dict) and isinstance(meta.get("class_names"), list) and meta["class_names"]
          and all(isinstance(c, str) for c in meta["class_names"]) and isinstance(meta.get("labelled"), bool)
          and isinstance(meta.get("source"), dict) and isinstance(meta["source"].get("sha256"), str)
          and isinstance(meta.get("counts"), dict)
          and all(isinstance(meta["counts"].get(s), int) for s in ("train", "test")))
    if not ok:
        raise ValueError(f"{folder.name}/dataset.json lacks class names, labelled, source or counts")
    meta["name"] = folder.name
    return meta


def describe(folder: str | os.PathLike) -> UserDataset:
    """A stored dataset folder as listed: its dataset.json checked, or the reason it cannot be used."""
    folder = Path(folder)
    try:
        return UserDataset(folder.name, key(folder.name), folder, _read_meta(folder), None)
    except (ValueError, OSError) as e:
        return UserDataset(folder.name, key(folder.name), folder, None, str(e))


def list_datasets(root: str | os.PathLike | None = None) -> list[UserDataset]:
    """Every dataset folder in `root` (user_data_dir() by default), sorted by name; broken ones with
    their reason (`ok` False)."""
    root = Path(root) if root is not None else user_data_dir()
    if not root.is_dir():
        return []
    return [describe(p) for p in sorted(root.iterdir())
            if p.is_dir() and not p.name.startswith((".", "_")) and NAME_RE.fullmatch(p.name)]


def _folder(name: str, root: str | os.PathLike | None) -> Path:
    name = name[len(KEY_PREFIX):] if is_user_key(name) else name
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
        raise ValueError(f"unknown user dataset {name!r}")
    return (Path(root) if root is not None else user_data_dir()) / name


def load_split(name: str, split: str = "train", root: str | os.PathLike | None = None) -> Split:
    """One split of a stored user dataset ("user:<name>" or the plain name) as an ae.data.Split:
    images (N, 1, 28, 28) float32 in [0, 1], dataset "user:<name>", source naming the upload."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    folder = _folder(name, root)
    if not folder.is_dir():
        raise ValueError(f"no user dataset named {folder.name!r}")
    meta = _read_meta(folder)
    try:
        with np.load(folder / f"{split}.npz", allow_pickle=False) as f:
            x, y = f["x"], f["y"]
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(f"{folder.name}/{split}.npz cannot be read ({e})") from None
    n_classes = len(meta["class_names"])
    if (x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),)
            or y.dtype.kind not in "ui" or (len(y) and (y.min() < 0 or y.max() >= n_classes))):
        raise ValueError(f"{folder.name}/{split}.npz does not hold (N, 28, 28) images with labels")
    images = torch.from_numpy(x.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return Split(images, torch.from_numpy(y.astype(np.int64)), tuple(meta["class_names"]), key(folder.name),
                 split, source_text(meta), meta["source"]["sha256"])


def spec(name: str, root: str | os.PathLike | None = None) -> DatasetSpec:
    """A stored user dataset as ae.data describes datasets: its key as name, its folder name as title,
    its class names (the folder names; not translated) and how single uploads are prepared to match."""
    folder = _folder(name, root)
    if not folder.is_dir():
        raise ValueError(f"no user dataset named {folder.name!r}")
    meta = _read_meta(folder)
    like = meta.get("upload_like") or meta.get("prepare") or FILLING
    box = like.get("box") if isinstance(like, dict) else None
    centre = like.get("centre") if isinstance(like, dict) else None
    if isinstance(box, bool) or not isinstance(box, int) or not 1 <= box <= 28 or centre not in ("mass", "box"):
        # a hand-edited dataset.json
        box, centre = FILLING["box"], FILLING["centre"]
    return DatasetSpec(key(folder.name), folder.name, "", tuple(meta["class_names"]), short=folder.name,
                       prep_box=box, prep_centre=centre)


def version(name: str, root: str | os.PathLike | None = None) -> str:
    """What caches of a user dataset are keyed on besides its name: the upload's sha256 and the stored
    dataset's own id (the same file uploaded again, prepared another way, is other images)."""
    folder = _folder(name, root)
    meta = _read_meta(folder)
    stored = meta.get("id") if isinstance(meta.get("id"), str) else (folder / "dataset.json").stat().st_mtime_ns
    return f"{meta['source']['sha256'][:16]}-{stored}"


def examples(labels: np.ndarray | torch.Tensor | None, n: int, per_class: int = 10,
             max_classes: int = 12) -> list[tuple[int, np.ndarray]]:
    """(class index, indices of its first `per_class` images) for the first `max_classes` classes that
    have images, in class order: a preview of a dataset, one row per class. Without labels (None), one
    row of the first images of all `n`."""
    if labels is None:
        return [(0, np.arange(min(n, per_class)))]
    y = np.asarray(labels)
    out = []
    for c in np.unique(y)[:max_classes]:
        out.append((int(c), np.flatnonzero(y == c)[:per_class]))
    return out


def dataset_record(name: str, root: str | os.PathLike | None = None) -> dict:
    """What a checkpoint trained on a user dataset records about it: name, source and the upload's sha256."""
    folder = _folder(name, root)
    meta = _read_meta(folder)
    return {"name": key(folder.name), "source": source_text(meta), "sha256": meta["source"]["sha256"]}


def delete_dataset(name: str, root: str | os.PathLike | None = None) -> None:
    """Remove a stored user dataset."""
    folder = _folder(name, root)
    if not folder.is_dir():
        raise ValueError(f"no user dataset named {folder.name!r}")
    shutil.rmtree(folder)


__all__ = ["CODES", "KEY_PREFIX", "MAX_IMAGES", "MAX_UPLOAD_BYTES", "UNLABELLED", "Upload", "UserDataset",
           "dataset_record", "default_name", "delete_dataset", "describe", "examples", "guess_preparation",
           "import_dataset", "is_user_key", "key", "list_datasets", "load_split", "read_upload", "save_upload", "spec",
           "split_indices", "user_data_dir", "version"]
