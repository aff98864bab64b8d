"""ae.archive: a checkpoint out as one zip and back in, the model card, and a corpus of hostile archives
of which none writes anything."""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import random
import zipfile
from pathlib import Path

import pytest
import torch

from ae import archive, checkpoint, userdata
from ae.archive import UploadError, check_zip, export_zip, import_zip
from ae.models import ModelConfig, build_model
from pages._text import STRINGS
from tests.hostile_zips import Entry, corpus, raw_zip, tree

TEXTS = {lang: STRINGS[lang] for lang in ("en", "ko")}


def tiny(seed: int = 0, latent_dim: int = 2):
    torch.manual_seed(seed)
    return build_model(ModelConfig("dense", latent_dim, (8,)))


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A small trained-looking checkpoint that started from another one."""
    root = tmp_path_factory.mktemp("shipped")
    parent = checkpoint.save(root / "parent_model", tiny(1), dataset={"name": "mnist", "source": "tests"})
    _, started = checkpoint.init_from(tiny(), parent)
    return checkpoint.save(root / "small_model", tiny(), train={"epochs": 3, "batch_size": 32, "lr": 0.01,
                                                                "noise": ["gaussian", "mask"]},
                           dataset={"name": "user:digits", "source": "upload 'digits.zip'", "sha256": "ab" * 32,
                                    "train_size": 80, "test_size": 20},
                           metrics={"test": {"mse": 0.0123, "psnr": 19.1, "ssim": 0.61}},
                           history=[{"epoch": 1, "train_loss": 0.1}], extra={"started_from": started})


@pytest.fixture(scope="module")
def good(saved) -> bytes:
    return export_zip(saved, TEXTS)


@pytest.fixture
def users(tmp_path) -> Path:
    """The user's model folder, holding one model already."""
    root = tmp_path / "user"
    checkpoint.save(root / "mine", tiny(5))
    return root


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    return raw_zip([Entry(n, d) for n, d in parts.items()])


def same_tensors(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# ---------------------------------------------------------------- out and back in

def test_round_trip(saved, good, users):
    names = sorted(members(good))
    weights = json.loads((saved / "config.json").read_text())["weights"]
    assert names == sorted(["config.json", "model_card.en.md", "model_card.ko.md", weights])
    folder = import_zip(good, users)
    assert folder == users / "small_model"
    model, meta = checkpoint.load(folder)
    original, original_meta = checkpoint.load(saved)
    assert same_tensors(model, original) and model.config == original.config
    assert (folder / weights).read_bytes() == (saved / weights).read_bytes()
    assert meta["name"] == "small_model" and meta["metrics"] == original_meta["metrics"]
    assert meta["started_from"]["name"] == "parent_model"
    assert meta["imported"]["name"] == "small_model"
    assert meta["imported"]["archive_sha256"] == hashlib.sha256(good).hexdigest()
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", weights]   # cards are not kept
    assert sorted(i.name for i in checkpoint.list_checkpoints(users) if i.ok) == ["mine", "small_model"]
    again = export_zip(folder, TEXTS)   # an imported model goes out again, with its import on the card
    assert "small_model" in members(again)["model_card.en.md"].decode()


def test_export_is_deterministic_and_checked(saved, good, tmp_path):
    assert export_zip(saved, TEXTS) == good
    weights = json.loads((saved / "config.json").read_text())["weights"]
    assert sorted(members(export_zip(saved))) == ["config.json", weights]
    with pytest.raises(ValueError, match="not a member"):
        export_zip(saved, extra={"model.pt": b"x"})
    broken = checkpoint.save(tmp_path / "broken", tiny())
    w = next(broken.glob("model-*.safetensors"))
    blob = bytearray(w.read_bytes())
    blob[-10] ^= 0xFF                                  # a flipped bit in the numbers: only the checksum sees it
    w.write_bytes(bytes(blob))
    with pytest.raises(checkpoint.CheckpointError, match="checksum"):
        export_zip(broken)
    w.write_bytes(bytes(blob[:-10]))                   # cut short: listing's checks already refuse it
    with pytest.raises(checkpoint.CheckpointError, match="broken: weights"):
        export_zip(broken)


def test_onnx_members_are_accepted_and_not_kept(saved, users):
    data = export_zip(saved, TEXTS, extra={"encoder.onnx": b"\x08\x07onnx-encoder", "decoder.onnx": b"\x08\x07dec"})
    assert {"encoder.onnx", "decoder.onnx"} <= set(members(data))
    assert "`decoder.onnx`, `encoder.onnx`" in members(data)["model_card.ko.md"].decode()
    assert "onnx" not in members(export_zip(saved, TEXTS))["model_card.en.md"].decode()
    folder = import_zip(data, users)
    assert not list(folder.glob("*.onnx"))


def test_names_never_replace_a_model(good, users):
    before = (users / "mine" / "config.json").read_bytes()
    first = import_zip(good, users, taken=["small_model"])       # a shipped model has the archive's name
    second = import_zip(good, users, taken=["small_model"])
    assert (first.name, second.name) == ("small_model-2", "small_model-3")
    with pytest.raises(UploadError) as e:
        import_zip(good, users, name="mine")
    assert e.value.code == "name_taken" and e.value.params["name"] == "mine"
    with pytest.raises(UploadError) as e:
        import_zip(good, users, name="../escape")
    assert e.value.code == "bad_name"
    assert (users / "mine" / "config.json").read_bytes() == before
    assert import_zip(good, users, name="chosen").name == "chosen"
    assert checkpoint.load(users / "chosen")[1]["name"] == "chosen"


def test_an_archive_without_a_usable_name_gets_one(saved, users):
    parts = members(export_zip(saved))
    meta = json.loads(parts["config.json"])
    meta["name"] = "../../etc"
    parts["config.json"] = json.dumps(meta).encode()
    assert import_zip(rezip(parts), users).name == "imported"


def test_model_card_in_both_languages(good):
    parts = members(good)
    en, ko = parts["model_card.en.md"].decode(), parts["model_card.ko.md"].decode()
    for card in (en, ko):
        assert card.startswith("# small_model")
        assert "0.0123" in card and "19.10" in card and "0.610" in card
        assert "user:digits" in card and "ab" * 32 in card
        assert "parent_model" in card
        assert "{" not in card.replace("{}", "")   # every template was filled
    assert "hidden sizes 8" in en and "은닉층 크기 8" in ko
    assert "Lineage" in en and "계보" in ko and "dense (fully connected)" in en and "완전연결(dense)" in ko
    assert f"{sum(p.numel() for p in tiny().parameters()):,}" in en
    assert "Gaussian" in en and "Masking" in en   # noise kinds by their names on the pages


def test_model_card_takes_values_as_values():
    meta = {"name": "{evil}", "model": {"kind": "dense", "latent_dim": "{0}", "hidden": "x"},
            "dataset": {"name": "{__class__}"}, "metrics": {"test": {"mse": "nan"}},
            "started_from": {"name": "{x}", "started_from": {"started_from": "loop"}}}
    card = archive.model_card(meta, STRINGS["en"])
    assert "# {evil}" in card and "{__class__}" in card and "MSE ?" in card and "{x}" in card


def test_every_code_has_text_in_both_languages():
    codes = set(archive.CODES) | set(userdata.CODES)
    assert not set(archive.CODES) & set(userdata.CODES)
    for lang in ("en", "ko"):
        texts = {k[len("byo.error."):] for k in STRINGS[lang] if k.startswith("byo.error.")}
        assert texts == codes, lang
    assert {k for k in STRINGS["en"] if k.startswith("byo.")} == {k for k in STRINGS["ko"] if k.startswith("byo.")}


# ---------------------------------------------------------------- hostile archives

def refused(data: bytes, users: Path, code: str) -> UploadError:
    """Import must refuse `data` with `code`, write nothing, and its message must fill the texts."""
    before = tree(users.parent)
    with pytest.raises(UploadError) as e:
        import_zip(data, users)
    assert tree(users.parent) == before
    assert e.value.code == code, (e.value.code, str(e.value))
    assert str(e.value) and "\n" not in str(e.value)
    for lang in ("en", "ko"):
        STRINGS[lang][f"byo.error.{code}"].format(**e.value.params)   # no missing parameter
    return e.value


def test_hostile_corpus(good, users, tmp_path):
    """Every attack of tests/hostile_zips on the zip itself; nothing is ever written or unpickled."""
    marker = tmp_path / "unpickled"
    cases = corpus(members(good), "config.json", marker)
    assert len(cases) > 25
    for case, data, code in cases:
        try:
            refused(data, users, code)
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from None
    assert not marker.exists()


def with_config(good: bytes, **changes) -> bytes:
    parts = members(good)
    meta = json.loads(parts["config.json"])
    meta.update(changes)
    parts["config.json"] = json.dumps(meta).encode()
    return rezip(parts)


def with_weights(good: bytes, blob: bytes, *, forge: bool) -> bytes:
    """The archive with other weights; with forge, the config's checksum and the file name match them."""
    parts = members(good)
    old = next(n for n in parts if n.startswith("model-"))
    meta = json.loads(parts.pop("config.json"))
    del parts[old]
    name = old
    if forge:
        meta["weights_sha256"] = hashlib.sha256(blob).hexdigest()
        name = f"model-{meta['weights_sha256'][:12]}.safetensors"
        meta["weights"] = name
    return rezip({"config.json": json.dumps(meta).encode(), name: blob, **parts})


def test_pickle_weights(good, users, tmp_path):
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (__import__("os").system, (f"touch '{marker}'",))

    blob = pickle.dumps({"encoder.0.weight": Payload()})
    refused(with_weights(good, blob, forge=True), users, "pickle")     # a pickle named .safetensors
    refused(with_weights(good, blob, forge=False), users, "checksum")
    buf = io.BytesIO()
    torch.save(tiny().state_dict(), buf)                                 # torch.save: a zip of pickles
    refused(with_weights(good, buf.getvalue(), forge=True), users, "nested_archive")
    assert not marker.exists()
    pickle.loads(blob)                                                   # control: the payload is real
    assert marker.exists()


def test_weights_and_config_checks(good, saved, users):
    blob = next(v for n, v in members(good).items() if n.startswith("model-"))
    refused(with_weights(good, blob[: len(blob) // 2], forge=False), users, "checksum")       # cut short
    refused(with_weights(good, blob[: len(blob) // 2], forge=True), users, "bad_weights")
    flipped = bytearray(blob)
    flipped[len(blob) - 7] ^= 0xFF
    refused(with_weights(good, bytes(flipped), forge=False), users, "checksum")
    from safetensors.torch import save as st_save
    refused(with_weights(good, st_save(tiny(latent_dim=3).state_dict()), forge=True), users, "shape")
    nan = {k: v.clone() for k, v in tiny().state_dict().items()}
    nan["encoder.0.weight"][0, 0] = float("nan")
    refused(with_weights(good, st_save(nan), forge=True), users, "bad_weights")
    refused(with_config(good, weights_sha256=None), users, "checksum")       # a checksum is required
    refused(with_config(good, model={"kind": "dense", "latent_dim": 3, "hidden": [8]}), users, "shape")
    refused(with_config(good, model={"kind": "resnet", "latent_dim": 2}), users, "bad_config")
    refused(with_config(good, model={"kind": "dense", "latent_dim": 2, "layers": 3}), users, "bad_config")
    refused(with_config(good, metrics={"test": {"mse": float("nan")}}), users, "bad_config")
    refused(with_config(good, weights="model-0123456789ab.safetensors"), users, "missing_member")
    refused(with_config(good, weights="../model.safetensors"), users, "bad_config")
    refused(with_config(good, dataset={"name": 5}), users, "bad_config")      # what listing would refuse
    refused(with_config(good, history="long"), users, "bad_config")
    refused(with_config(good, metrics={"test": {"psnr": "high"}}), users, "bad_config")
    eight_bit = {k: v.to(torch.float8_e4m3fn) for k, v in tiny().state_dict().items()}
    refused(with_weights(good, st_save(eight_bit), forge=True), users, "bad_weights")   # a type nothing checks


def test_parameter_budget(good, users):
    e = refused(with_config(good, model={"kind": "dense", "latent_dim": 2, "hidden": [4096] * 16}), users,
                "model_too_large")
    assert e.params["parameters"] > e.params["limit"]
    refused(with_config(good, model={"kind": "dense", "latent_dim": 2, "hidden": [4096] * 200}), users, "bad_config")


def test_entry_list(good, users):
    parts = members(good)
    weights = next(n for n in parts if n.startswith("model-"))
    refused(rezip({**parts, "notes.txt": b"hi"}), users, "unexpected_member")
    refused(rezip({**parts, "sub/": b""}), users, "unexpected_member")
    refused(rezip({"small_model/" + n: d for n, d in parts.items()}), users, "missing_member")
    refused(rezip({n: d for n, d in parts.items() if n != weights}), users, "missing_member")
    refused(rezip({n: d for n, d in parts.items() if n != "config.json"}), users, "missing_member")
    refused(rezip({**parts, "model-0123456789ab.safetensors": parts[weights]}), users, "missing_member")
    refused(rezip({**parts, **{f"model_card.{c}a.md": b"x" for c in "abcdefghijklmn"}}), users, "too_many_members")


def test_oversized_members(good, users, monkeypatch):
    meta = json.loads(members(good)["config.json"])
    meta["note"] = random.Random(0).randbytes(3_000_000).hex()   # 6 MB that do not compress much
    parts = {**members(good), "config.json": json.dumps(meta).encode()}
    refused(rezip(parts), users, "member_too_large")
    refused(rezip({**members(good), "model_card.en.md": b"# card\n" * 100_000}), users, "member_too_large")
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", len(good) - 1)
    e = refused(good, users, "too_large")
    assert 0 < float(e.params["limit"]) < 1   # in MB


def test_check_zip_writes_nothing_and_returns_the_checked_parts(good, tmp_path):
    meta, parts = check_zip(good)
    assert meta["model_config"] == ModelConfig("dense", 2, (8,), 1.0)
    assert set(parts) == set(members(good))
    assert list(tmp_path.iterdir()) == []


def test_the_download_bundle_holds_the_onnx_files_and_comes_back_in(saved, users, tmp_path, monkeypatch):
    """export_bundle: what the app's download button offers (with the ONNX encoder and decoder, checked),
    and what its upload takes back (issue 21)."""
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path / "cache"))
    data = archive.export_bundle(saved, TEXTS)
    parts = members(data)
    assert {"encoder.onnx", "decoder.onnx", "config.json", "model_card.en.md", "model_card.ko.md"} <= set(parts)
    assert "encoder.onnx" in parts["model_card.en.md"].decode() and "ONNX" in parts["model_card.ko.md"].decode()
    back = import_zip(data, users)
    assert back.name == "small_model" and same_tensors(checkpoint.load(back)[0], checkpoint.load(saved)[0])
    assert sorted(p.name for p in back.iterdir() if not p.name.startswith(".")) == [
        "config.json", json.loads((saved / "config.json").read_text())["weights"]]
    assert "onnx" not in " ".join(members(archive.export_bundle(saved, TEXTS, onnx=False)))
