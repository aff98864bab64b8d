"""ae.userdata: uploaded datasets (ImageFolder zip, unlabelled zip, .npz), their class names, caps and
deterministic split, hostile uploads (the same corpus as model uploads), and a stored round trip."""
from __future__ import annotations

import hashlib
import io
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ae import userdata
from ae.archive import UploadError
from ae.userdata import import_dataset, list_datasets, load_split, read_upload, save_upload, split_indices
from pages._text import STRINGS
from tests.hostile_zips import Entry, corpus, raw_zip, tree


def picture(kind: int, i: int, side: int = 40, inverted: bool = False) -> bytes:
    """A PNG of class `kind`: a bar (0), a box outline (1) or a cross (2), placed by `i`."""
    a = np.zeros((side, side), np.uint8)
    o = 4 + i % 9
    if kind == 0:
        a[o:o + 6, 5:side - 5] = 255
    elif kind == 1:
        a[o:o + 20, o:o + 20] = 220
        a[o + 3:o + 17, o + 3:o + 17] = 0
    else:
        a[o:o + 22, o + 9:o + 13] = 255
        a[o + 9:o + 13, o:o + 22] = 255
    if inverted:   # dark ink on white paper, as phone photos of drawings are
        a = 255 - a
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def zip_of(files: dict[str | bytes, bytes], utf8: bool = True) -> bytes:
    return raw_zip([Entry(n, d, flags=0x800 if utf8 else 0) for n, d in files.items()])


CLASSES = {"bars": 0, "boxes": 1, "고양이": 2}


def folders(n: int = 10, wrapper: str = "mydata/", classes=CLASSES) -> dict[str, bytes]:
    return {f"{wrapper}{c}/img{i:02d}.png": picture(k, i, inverted=i % 2 == 0)
            for c, k in classes.items() for i in range(n)}


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "user_data"


def refused(data: bytes, root: Path, code: str, filename: str = "up.zip") -> UploadError:
    """The upload must be refused with `code`, nothing written, and the texts must take its params."""
    before = tree(root.parent)
    with pytest.raises(UploadError) as e:
        import_dataset(data, filename, root=root)
    assert tree(root.parent) == before
    assert e.value.code == code, (e.value.code, str(e.value))
    for lang in ("en", "ko"):
        STRINGS[lang][f"byo.error.{code}"].format(**e.value.params)
    return e.value


# ---------------------------------------------------------------- formats

def test_image_folders_with_a_wrapper_hidden_files_and_korean_names():
    files = folders()
    files.update({"mydata/.DS_Store": b"\x00\x00", "__MACOSX/mydata/bars/._img00.png": b"\x00\x05\x16\x07",
                  "mydata/bars/Thumbs.db": b"x", "mydata/README.txt": b"my drawings", "mydata/.git/config": b"x",
                  "mydata/boxes/": b""})
    up = read_upload(zip_of(files), "drawings.zip")
    assert up.layout == "folders" and up.class_names == ("bars", "boxes", "고양이")
    assert up.images.shape == (30, 28, 28) and up.images.dtype == np.uint8
    assert np.bincount(up.labels).tolist() == [10, 10, 10]
    assert set(up.skipped) == {"mydata/.DS_Store", "__MACOSX/mydata/bars/._img00.png", "mydata/bars/Thumbs.db",
                               "mydata/README.txt", "mydata/.git/config"}
    assert up.notes["inverted"] == 15                        # the dark-on-white half was inverted
    ys, xs = np.nonzero(up.images[0] > 128)
    assert abs(ys.mean() - 13.5) < 2.5 and abs(xs.mean() - 13.5) < 2.5   # centred like a single upload
    assert up.sha256 == hashlib.sha256(zip_of(files)).hexdigest()


def test_images_are_prepared_as_single_uploads_are():
    from ae import prepare

    files = folders(4)
    up = read_upload(zip_of(files), box=28, centre="box")
    first = sorted(files)[0]
    expected, _ = prepare.from_bytes(files[first], box=28, centre="box")
    assert np.array_equal(up.images[0], (expected[0].numpy() * 255 + 0.5).astype(np.uint8))


def test_odd_folder_names():
    nfd = unicodedata.normalize("NFD", "고양이")                     # macOS writes Hangul decomposed
    files = {f" spaced out /{i}.png": picture(0, i) for i in range(4)}
    files.update({f"{nfd}/{i}.png": picture(1, i) for i in range(4)})
    files.update({f"with.dots-and_ü/{i}.png": picture(2, i) for i in range(4)})
    up = read_upload(zip_of(files))
    assert up.class_names == ("spaced out", "with.dots-and_ü", "고양이")
    numbers = {f"{c}/{i}.png": picture(c % 3, i) for c in range(12) for i in range(2)}
    assert read_upload(zip_of(numbers)).class_names == tuple(str(c) for c in range(12))   # 10 after 9


def test_names_from_zip_tools_without_the_utf8_flag():
    for encoding in ("utf-8", "cp949"):   # macOS's zip; Korean Windows' Explorer
        files = {f"{c}/{i}.png".encode(encoding): picture(k, i) for c, k in (("고양이", 0), ("개", 1)) for i in range(6)}
        up = read_upload(zip_of(files, utf8=False))
        assert up.class_names == ("개", "고양이"), encoding


def test_unlabelled_images():
    flat = {f"img{i:02d}.png": picture(i % 3, i) for i in range(12)}
    one_folder = {f"photos/{n}": d for n, d in flat.items()}
    for files in (flat, one_folder):
        up = read_upload(zip_of(files))
        assert up.layout == "images" and up.labels is None and up.class_names == () and len(up) == 12


def test_npz_forms(root):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
    y = np.repeat([3, 7, 9], 10)

    def npz(**arrays) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    up = read_upload(npz(x=x, y=y), "digits.npz")
    assert up.layout == "npz" and up.class_names == ("3", "7", "9")
    assert up.labels.tolist() == [0] * 10 + [1] * 10 + [2] * 10
    assert np.array_equal(up.images, x)                      # taken as they are: 28x28 already
    floats = read_upload(npz(x=x.astype(np.float32)[:, None] / 255.0))
    assert floats.labels is None and np.array_equal(floats.images, x)
    named = read_upload(npz(x=x, y=np.arange(30) % 2, class_names=np.array(["even", "odd"])))
    assert named.class_names == ("even", "odd") and named.labels[:3].tolist() == [0, 1, 0]
    buf = io.BytesIO()
    np.savez(buf, x=x)                                       # uncompressed npz
    assert len(read_upload(buf.getvalue())) == 30


# ---------------------------------------------------------------- refusals

def npy(array_bytes_header: str, body: bytes) -> bytes:
    header = array_bytes_header.encode("latin1")
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + body


def test_npz_refusals(root, tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)

    def npz(**arrays) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (__import__("os").system, (f"touch '{marker}'",))

    objects = np.empty(20, dtype=object)
    objects[:] = [Payload()] * 20
    buf = io.BytesIO()
    np.savez(buf, x=x, y=objects)                                     # object arrays are pickles
    refused(buf.getvalue(), root, "pickle")
    assert not marker.exists()
    huge = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4000000000, 28, 28), }", b"\x00" * 100)
    refused(zip_of({"x.npy": huge}), root, "bad_npz")                 # a header that lies about its size
    refused(npz(x=x[:, :20]), root, "bad_npz")
    refused(npz(x=np.full((20, 28, 28), np.nan)), root, "bad_npz")
    refused(npz(arr_0=x, arr_1=np.arange(20)), root, "bad_npz")        # np.savez(f, x, y): unnamed arrays
    refused(npz(x=x, y=np.arange(19)), root, "bad_labels")
    refused(npz(x=x, y=-np.ones(20, np.int64)), root, "bad_labels")
    refused(npz(x=x, y=np.linspace(0, 1, 20)), root, "bad_labels")
    refused(npz(x=x, class_names=np.array(["a"])), root, "bad_labels")
    refused(npz(x=x, y=np.arange(20) % 3, class_names=np.array(["a", "b"])), root, "bad_labels")
    refused(npz(x=x, y=np.arange(20) % 2, class_names=np.array(["a", "a"])), root, "duplicate_class")


def test_zip_refusals(root, monkeypatch):
    refused(zip_of({"notes.txt": b"hello"}), root, "no_images")
    refused(zip_of({"a.png": picture(0, 0), "cat/b.png": picture(1, 1)}), root, "mixed_layout")
    refused(zip_of({**folders(4, ""), "boxes/broken.png": b"not a png"}), root, "bad_image")
    blank = io.BytesIO()
    Image.new("L", (28, 28), 128).save(blank, "PNG")
    e = refused(zip_of({**folders(4, ""), "bars/blank.png": blank.getvalue()}), root, "bad_image")
    assert e.params == {"member": "bars/blank.png", "reason": "blank"}
    refused(zip_of({f"{c}/{i}.png": picture(0, i) for c in ("cat", "   ") for i in range(5)}), root, "bad_class_name")
    e_acute, e_decomposed = "caf\u00e9", "cafe\u0301"
    refused(zip_of({f"{c}/{i}.png": picture(0, i) for c in (e_acute, e_decomposed) for i in range(5)}), root,
            "duplicate_class")
    refused(zip_of({f"{i}.png": picture(0, i) for i in range(userdata.MIN_IMAGES - 1)}), root, "too_few_images")
    monkeypatch.setattr(userdata, "MAX_CLASSES", 2)
    refused(zip_of(folders(4)), root, "too_many_classes")
    monkeypatch.setattr(userdata, "MAX_IMAGES", 11)
    refused(zip_of(folders(4)), root, "too_many_images")
    monkeypatch.setattr(userdata, "MAX_UPLOAD_BYTES", 1000)
    refused(zip_of(folders(4)), root, "too_large")


def test_member_count_cap(root, monkeypatch):
    monkeypatch.setattr(userdata, "MAX_IMAGES", 5)   # 2 x 5 + 1000 members at most
    refused(zip_of({f"notes/{i}.txt": b"" for i in range(1011)}), root, "too_many_members")


def test_hostile_corpus_through_the_shared_reader(root, tmp_path):
    marker = tmp_path / "unpickled"
    cases = corpus(folders(4), "mydata/bars/img00.png", marker)
    for case, data, code in cases:
        try:
            refused(data, root, code)
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from None
    assert not marker.exists()


# ---------------------------------------------------------------- split, storage, loading

def test_split_is_deterministic_and_stratified():
    labels = np.repeat(np.arange(5), [50, 22, 3, 2, 1])
    train, test = split_indices(len(labels), labels)
    again = split_indices(len(labels), labels)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(labels)))
    # 20 % of each class, rounded; a class of two or three still tests one image; a lone image trains
    assert np.bincount(labels[test], minlength=5).tolist() == [10, 4, 1, 1, 0]
    assert np.bincount(labels[train], minlength=5).tolist() == [40, 18, 2, 1, 1]
    assert not np.array_equal(test, split_indices(len(labels), labels, seed=1)[1])
    train, test = split_indices(100)
    assert len(test) == 20 and len(train) == 80
    with pytest.raises(ValueError):
        split_indices(10, test_fraction=1.0)


def test_same_images_in_another_zip_order_give_the_same_dataset(root):
    files = folders(5)
    a = read_upload(zip_of(files))
    b = read_upload(zip_of(dict(reversed(list(files.items())))))
    assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)


def test_round_trip(root, monkeypatch):
    data = zip_of(folders(10))
    ds = import_dataset(data, "My drawings.zip", root=root)
    assert ds.ok and ds.name == "My_drawings" and ds.key == "user:My_drawings"
    assert ds.class_names == ("bars", "boxes", "고양이") and ds.labelled and ds.sizes == (24, 6)
    assert ds.sha256 == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in ds.path.iterdir()) == ["dataset.json", "test.npz", "train.npz"]
    assert ds.meta["split"] == {"test_fraction": 0.2, "seed": 0, "stratified": True}
    assert ds.meta["counts"]["per_class"] == {"train": [8, 8, 8], "test": [2, 2, 2]}
    assert ds.meta["source"] == {"filename": "My drawings.zip", "sha256": ds.sha256, "bytes": len(data)}
    assert ds.meta["layout"] == "folders" and ds.meta["prepare"] == {"box": 20, "centre": "mass"}
    up = read_upload(data)
    train_idx, test_idx = split_indices(len(up), up.labels)
    for split, idx in (("train", train_idx), ("test", test_idx)):
        s = load_split(ds.key, split, root=root)
        assert s.dataset == "user:My_drawings" and s.split == split and ds.sha256 in s.source
        assert s.images.shape == (len(idx), 1, 28, 28) and s.images.dtype == torch.float32
        assert torch.equal(s.images, torch.from_numpy(up.images[idx]).float().div(255).reshape(-1, 1, 28, 28))
        assert s.labels.tolist() == up.labels[idx].tolist() and s.class_names == ds.class_names
    assert torch.equal(load_split("My_drawings", "test", root=root).labels, load_split(ds.key, "test", root=root).labels)
    assert userdata.dataset_record(ds.key, root=root) == {"name": ds.key, "source": s.source, "sha256": ds.sha256}
    second = import_dataset(data, "My drawings.zip", root=root)                # never over the first
    assert second.name == "My_drawings-2"
    with pytest.raises(UploadError) as e:
        import_dataset(data, name="My_drawings", root=root)
    assert e.value.code == "name_taken"
    with pytest.raises(UploadError) as e:
        import_dataset(data, name="../x", root=root)
    assert e.value.code == "bad_name"
    assert [d.name for d in list_datasets(root)] == ["My_drawings", "My_drawings-2"]
    userdata.delete_dataset("My_drawings-2", root=root)
    monkeypatch.setenv("AE_USER_DATA", str(root))                             # the default folder
    assert [d.key for d in list_datasets()] == ["user:My_drawings"]
    assert len(load_split("user:My_drawings")) == 24


def test_unlabelled_round_trip(root):
    up = read_upload(zip_of({f"img{i:02d}.png": picture(i % 3, i) for i in range(15)}), "")
    ds = save_upload(up, root=root)
    assert ds.name == "upload" and not ds.labelled and ds.class_names == (userdata.UNLABELLED,)
    s = load_split(ds.key, "test", root=root)
    assert len(s) == 3 and s.labels.tolist() == [0, 0, 0]
    other = save_upload(up, "reseeded", root=root, test_fraction=0.4, seed=3)
    test = load_split(other.key, "test", root=root)
    assert len(test) == 6 and other.meta["split"] == {"test_fraction": 0.4, "seed": 3, "stratified": False}
    assert torch.equal(test.images, torch.from_numpy(up.images[split_indices(15, None, 0.4, 3)[1]]).float()
                       .div(255).reshape(-1, 1, 28, 28))


def test_broken_and_foreign_folders(root):
    ds = import_dataset(zip_of(folders(4)), "a.zip", root=root)
    (root / "b").mkdir()
    (root / "b" / "dataset.json").write_text("{not json")
    (root / ".upload-half").mkdir()
    listed = {d.name: d for d in list_datasets(root)}
    assert set(listed) == {"a", "b"} and listed["a"].ok and not listed["b"].ok and "JSON" in listed["b"].error
    for bad in ("user:../a", "user:", "b/../a"):
        with pytest.raises(ValueError):
            load_split(bad, root=root)
    with pytest.raises(ValueError, match="split"):
        load_split(ds.key, "validation", root=root)
    (ds.path / "test.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="cannot be read"):
        load_split(ds.key, "test", root=root)


def test_examples_give_one_row_per_class(root):
    up = read_upload(zip_of(folders(10)), "x.zip")
    rows = userdata.examples(up.labels, len(up), per_class=4)
    assert [c for c, _ in rows] == [0, 1, 2]
    assert all(len(idx) == 4 and (up.labels[idx] == c).all() for c, idx in rows)
    assert [c for c, _ in userdata.examples(up.labels, len(up), max_classes=2)] == [0, 1]
    (only, idx), = userdata.examples(None, 7, per_class=10)
    assert only == 0 and idx.tolist() == list(range(7))


def test_spec_and_version_of_a_stored_dataset(root):
    ds = import_dataset(zip_of(folders(10)), "a.zip", root=root, box=28, centre="box")
    spec = userdata.spec(ds.key, root=root)
    assert spec.class_names == ds.class_names and (spec.prep_box, spec.prep_centre) == (28, "box")
    v = userdata.version(ds.key, root=root)
    assert v.startswith(ds.sha256[:16])
    userdata.delete_dataset(ds.name, root=root)
    again = import_dataset(zip_of(folders(10)), "a.zip", root=root)      # the same file, prepared otherwise
    assert again.name == ds.name and userdata.version(ds.key, root=root) != v
    with pytest.raises(ValueError):
        userdata.spec("user:nothing", root=root)
