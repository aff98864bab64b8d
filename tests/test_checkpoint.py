"""ae.checkpoint: round trips, hostile and broken files, names, and saves killed half-way.

Every hostile file here is a real pickle whose unpickling would create a marker file: the tests check
that the marker never appears, and (as a control) that the same bytes do create it when unpickled.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from ae import checkpoint
from ae.checkpoint import CheckpointError, check_name, list_checkpoints, load, save
from ae.models import MODELS, ModelConfig, build_model

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"dense": ModelConfig("dense", 3, (16, 8)), "conv": ModelConfig("conv", 4, (4, 8)),
         "vae": ModelConfig("vae", 2, (4, 8)), "unet": ModelConfig("unet", 4, (4, 8)),
         "conv_refine": ModelConfig("conv_refine", 4, (4, 8, 6))}


def tiny(kind: str = "dense", seed: int = 0):
    torch.manual_seed(seed)
    return build_model(SMALL[kind])


def same_weights(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


class Payload:
    """Unpickling this creates `marker`: what an attacker's checkpoint would do, made harmless."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def pickle_bytes(marker: Path) -> bytes:
    return pickle.dumps({"state_dict": Payload(marker)})


def weights_file(folder: Path) -> Path:
    return folder / json.loads((folder / "config.json").read_text())["weights"]


# ---------------------------------------------------------------- round trips

@pytest.mark.parametrize("kind", sorted(SMALL))
def test_save_load_round_trip(tmp_path, kind, batch):
    model = tiny(kind)
    history = [{"epoch": 1, "train_loss": 0.05, "test_loss": None}]
    folder = save(tmp_path / f"ck_{kind}", model, train={"epochs": 1, "noise": ["gaussian"]},
                  dataset={"name": "synthetic", "source": "tests"}, history=history,
                  metrics={"test": {"mse": 0.01, "psnr": 20.0}}, extra={"note": "round trip"})
    loaded, meta = load(folder)
    assert type(loaded) is MODELS[kind] and not loaded.training
    assert loaded.config == model.config and same_weights(loaded, model)
    model.eval()
    with torch.no_grad():
        assert torch.equal(loaded(batch[:4]), model(batch[:4]))
    assert meta["history"] == history and meta["metrics"]["test"]["psnr"] == 20.0 and meta["note"] == "round trip"
    assert meta["train"]["noise"] == ["gaussian"] and meta["dataset"]["source"] == "tests"
    assert meta["model_config"] == model.config and meta["name"] == f"ck_{kind}"
    assert {"python", "torch", "numpy"} <= set(meta["versions"])
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["config.json", meta["weights"]]
    assert meta["weights_sha256"] == hashlib.sha256((folder / meta["weights"]).read_bytes()).hexdigest()
    assert meta["weights"] == f"model-{meta['weights_sha256'][:12]}.safetensors"


def test_resave_replaces_the_weights(tmp_path):
    folder = tmp_path / "ck"
    save(folder, tiny(seed=0))
    first = weights_file(folder)
    (folder / ".stray.tmp").write_bytes(b"left over by an old crash")
    save(folder, tiny(seed=1))
    second = weights_file(folder)
    assert first != second and not first.exists() and second.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", second.name]   # stray temp removed
    assert same_weights(load(folder)[0], tiny(seed=1))


def test_loaded_model_goes_to_the_asked_device(tmp_path):
    model, _ = load(save(tmp_path / "ck", tiny()), device="cpu")
    assert next(model.parameters()).device.type == "cpu"


def test_init_from_copies_the_layers_that_fit(tmp_path, batch):
    """A warm start: a conv_refine model takes a conv model's body and keeps its own fresh refinement."""
    conv = build_model(ModelConfig("conv", 4, (4, 8, 6)))
    folder = save(tmp_path / "conv", conv)
    torch.manual_seed(1)
    refine = build_model(ModelConfig("conv_refine", 4, (4, 8, 6, 5)))
    fresh = {k: v.clone() for k, v in refine.state_dict().items()}
    copied, record = checkpoint.init_from(refine, folder)
    assert record["weights_sha256"] == checkpoint.read_meta(folder)["weights_sha256"]
    now = refine.state_dict()
    assert copied == sorted(k for k in now if k.startswith("body.")) and copied
    assert all(torch.equal(now[k], conv.state_dict()[k]) and not torch.equal(now[k], fresh[k]) for k in copied)
    assert all(torch.equal(now[k], fresh[k]) for k in now if k.startswith("refine."))
    with torch.no_grad():   # it starts where the conv model stands
        assert torch.equal(refine.eval()(batch[:4]), conv.eval()(batch[:4]))
    with pytest.raises(CheckpointError, match="none of its weights fit"):
        checkpoint.init_from(refine, save(tmp_path / "dense", tiny("dense")))


def test_weights_are_plain_safetensors(tmp_path):
    from safetensors.torch import load_file

    folder = save(tmp_path / "ck", tiny())
    state = load_file(weights_file(folder))
    assert state.keys() == tiny().state_dict().keys()


def test_list_checkpoints_good_broken_and_skipped(tmp_path):
    root, other = tmp_path / "root", tmp_path / "other"
    save(root / "good_a", tiny())
    save(other / "good_b", tiny("conv"))
    (root / "broken").mkdir()
    (root / "broken" / "config.json").write_text("{not json")
    (root / "user").mkdir()                                 # a folder of user checkpoints, not a checkpoint
    (root / "empty").mkdir()
    (root / ".hidden").mkdir()
    (root / ".hidden" / "config.json").write_text("{}")
    (root / "loose_file.json").write_text("{}")
    infos = list_checkpoints(root, other, tmp_path / "missing")
    assert [(i.name, i.ok) for i in infos] == [("broken", False), ("good_a", True), ("good_b", True)]
    broken = infos[0]
    assert broken.meta is None and "not valid JSON" in broken.error
    assert infos[1].meta["model_config"].kind == "dense" and infos[2].path == other / "good_b"


# ---------------------------------------------------------------- hostile pickles (issue 7, item 1)

def test_the_payload_is_real(tmp_path):
    """Control: these bytes do run code when unpickled, so the refusals below mean something."""
    marker = tmp_path / "control"
    pickle.loads(pickle_bytes(marker))
    assert marker.exists()
    marker2 = tmp_path / "control_torch"
    torch.save(Payload(marker2), tmp_path / "x.pt")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "x.pt", weights_only=True)      # what the repo always does
    assert not marker2.exists()


def hostile_root(tmp_path: Path, marker: Path) -> Path:
    """A checkpoints root with one good checkpoint and every way of slipping a pickle in."""
    root = tmp_path / "checkpoints"
    save(root / "good", tiny())
    blob = pickle_bytes(marker)
    # 1. a classic PyTorch checkpoint: pickle files and no config.json
    (root / "evil_pt").mkdir(parents=True)
    torch.save({"state_dict": Payload(marker)}, root / "evil_pt" / "model.pt")
    (root / "evil_pt" / "weights.pkl").write_bytes(blob)
    (root / "evil_pt" / "model.pth").write_bytes(blob)
    # 2. a config.json that points at a pickle
    save(root / "evil_points", tiny())
    meta = json.loads((root / "evil_points" / "config.json").read_text())
    (root / "evil_points" / "model.pt").write_bytes(blob)
    meta["weights"] = "model.pt"
    (root / "evil_points" / "config.json").write_text(json.dumps(meta))
    # 3. a pickle under a safetensors name, with its checksum updated to match
    save(root / "evil_disguised", tiny())
    meta = json.loads((root / "evil_disguised" / "config.json").read_text())
    (root / "evil_disguised" / meta["weights"]).write_bytes(blob)
    meta["weights_sha256"] = hashlib.sha256(blob).hexdigest()
    (root / "evil_disguised" / "config.json").write_text(json.dumps(meta))
    # 4. the same, without any checksum to compare
    save(root / "evil_nosha", tiny())
    meta = json.loads((root / "evil_nosha" / "config.json").read_text())
    (root / "evil_nosha" / meta["weights"]).write_bytes(blob)
    del meta["weights_sha256"]
    (root / "evil_nosha" / "config.json").write_text(json.dumps(meta))
    # 5. a pickle outside any folder, and one beside a good checkpoint's files
    (root / "loose.pt").write_bytes(blob)
    save(root / "good_with_stray", tiny())
    (root / "good_with_stray" / "extra.pkl").write_bytes(blob)
    return root


def test_pickles_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "PWNED"
    root = hostile_root(tmp_path, marker)
    infos = {i.name: i for i in list_checkpoints(root)}
    assert set(infos) == {"good", "good_with_stray", "evil_pt", "evil_points", "evil_disguised", "evil_nosha"}
    assert infos["good"].ok and infos["good_with_stray"].ok
    assert "pickle" in infos["evil_pt"].error and "refused" in infos["evil_pt"].error
    assert "model.pt" in infos["evil_pt"].error
    assert "refused" in infos["evil_points"].error
    expected = {"evil_pt": "pickle", "evil_points": "refused", "evil_disguised": "not a readable safetensors",
                "evil_nosha": "not a readable safetensors"}
    for name, message in expected.items():
        with pytest.raises(CheckpointError, match=message):
            load(root / name)
    for name in ("good", "good_with_stray"):
        model, _ = load(root / name)
        assert same_weights(model, tiny())
    assert not marker.exists(), "a pickle's code ran"


def test_hostile_checkpoint_in_the_cli_gives_a_clear_error(tmp_path, capsys):
    from ae.__main__ import main

    marker = tmp_path / "PWNED"
    root = hostile_root(tmp_path, marker)
    for name in ("evil_pt", "evil_points", "evil_disguised"):
        assert main(["eval", str(root / name), "--json"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and name in err and "Traceback" not in err
    assert not marker.exists()


# ---------------------------------------------------------------- broken files (issue 7, item 1)

@pytest.fixture
def good(tmp_path) -> Path:
    return save(tmp_path / "root" / "ck", tiny(), metrics={"test": {"mse": 0.1}})


def edit_config(folder: Path, **changes) -> None:
    meta = json.loads((folder / "config.json").read_text())
    for key, value in changes.items():
        if value is KeyError:
            meta.pop(key, None)
        else:
            meta[key] = value
    (folder / "config.json").write_text(json.dumps(meta))


def still_lists_the_good_one(folder: Path) -> None:
    root = folder.parent
    save(root / "another_good", tiny(seed=2))
    infos = {i.name: i for i in list_checkpoints(root)}
    assert infos["another_good"].ok
    assert same_weights(load(root / "another_good")[0], tiny(seed=2))


def test_truncated_weights(good):
    w = weights_file(good)
    w.write_bytes(w.read_bytes()[: w.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="corrupted or truncated"):
        load(good)
    edit_config(good, weights_sha256=KeyError)               # without a checksum the format check catches it
    with pytest.raises(CheckpointError, match="not a readable safetensors"):
        load(good)
    still_lists_the_good_one(good)


def test_flipped_bytes_fail_the_checksum(good):
    w = weights_file(good)
    data = bytearray(w.read_bytes())
    for i in (len(data) // 3, len(data) - 5):
        data[i] ^= 0xFF
    w.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum"):
        load(good)
    still_lists_the_good_one(good)


@pytest.mark.parametrize("content", [b"", b"\x00" * 64, b"not a checkpoint at all", b"\xff" * 8 + b"{}"])
def test_garbage_weights(good, content):
    weights_file(good).write_bytes(content)
    edit_config(good, weights_sha256=KeyError)
    with pytest.raises(CheckpointError, match="safetensors"):
        load(good)


def test_missing_weights(good):
    weights_file(good).unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load(good)
    still_lists_the_good_one(good)


@pytest.mark.parametrize("config_text, message", [
    ("", "not valid JSON"), ('{"model": {"kind": "dense"', "not valid JSON"), ("[1, 2]", "lacks"),
    ('{"weights": "model-0123456789ab.safetensors"}', "lacks"), ("\udcff", "not valid JSON"),
])
def test_broken_config_json(good, config_text, message):
    (good / "config.json").write_bytes(config_text.encode("utf-8", "surrogateescape"))
    with pytest.raises(CheckpointError, match=message):
        load(good)
    (info,) = [i for i in list_checkpoints(good.parent) if i.name == "ck"]
    assert not info.ok and message in info.error
    still_lists_the_good_one(good)


def test_missing_config_json(good):
    (good / "config.json").unlink()
    with pytest.raises(CheckpointError, match="no config.json"):
        load(good)
    assert [i.name for i in list_checkpoints(good.parent)] == []   # weights alone are not a checkpoint


def test_oversized_config_is_not_read(good, monkeypatch):
    monkeypatch.setattr(checkpoint, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(CheckpointError, match="too large"):
        load(good)


def test_wrong_shape(good):
    edit_config(good, model={"kind": "dense", "latent_dim": 5, "hidden": [16, 8], "beta": 1.0})
    with pytest.raises(CheckpointError, match=r"shape \(3, 8\).*needs \(5, 8\)"):
        load(good)
    still_lists_the_good_one(good)


@pytest.mark.parametrize("model, message", [
    ({"kind": "conv", "latent_dim": 3, "hidden": [16, 8], "beta": 1.0}, "do not match the conv model"),
    ({"kind": "dense", "latent_dim": 3, "hidden": [16], "beta": 1.0}, "do not match"),
    ({"kind": "dense", "latent_dim": 3, "layers": 4}, "bad model config"),
    ({"kind": "resnet", "latent_dim": 3}, "unknown model kind"),
    ({"kind": ["dense"], "latent_dim": 3}, "unknown model kind"),
    ({"kind": "dense", "latent_dim": None}, "latent_dim"),
    ({"kind": "dense", "latent_dim": "three"}, "latent_dim"),
    ({"kind": "dense", "latent_dim": 10**9}, "latent_dim"),
    ({"kind": "dense", "latent_dim": 3, "hidden": "abc"}, "bad model config"),
    ({"kind": "dense", "latent_dim": 3, "hidden": 16}, "bad model config"),
    ({"kind": "dense", "latent_dim": 3, "hidden": [16, 8], "beta": "much"}, "beta"),
])
def test_mismatched_or_nonsense_config(good, model, message):
    edit_config(good, model=model)
    with pytest.raises(CheckpointError, match=message):
        load(good)
    still_lists_the_good_one(good)


@pytest.mark.parametrize("weights", ["../ck2/model-0123456789ab.safetensors", "/etc/passwd", "model.safetensors",
                                     "model-0123456789ab.safetensors\n", 5])
def test_weights_entry_must_be_a_plain_hashed_name(good, weights):
    edit_config(good, weights=weights)
    with pytest.raises(CheckpointError):
        load(good)


def test_nan_weights_are_refused_on_load_and_never_saved(good, tmp_path):
    from safetensors.torch import save as st_save

    state = {k: v.clone() for k, v in tiny().state_dict().items()}
    key = next(iter(state))
    state[key][0] = float("nan")
    blob = st_save(state)
    name = f"model-{hashlib.sha256(blob).hexdigest()[:12]}.safetensors"
    (good / name).write_bytes(blob)
    edit_config(good, weights=name, weights_sha256=hashlib.sha256(blob).hexdigest())
    with pytest.raises(CheckpointError, match="NaN or infinite"):
        load(good)
    with pytest.raises(CheckpointError, match="NaN or infinite"):   # nor is it a starting point
        checkpoint.init_from(tiny(), good)

    diverged = tiny()
    with torch.no_grad():
        next(diverged.parameters())[0] = float("inf")
    with pytest.raises(CheckpointError, match="not saving.*NaN or infinite"):
        save(tmp_path / "diverged", diverged)
    assert not (tmp_path / "diverged").exists()


def test_nan_in_the_description_writes_nothing(tmp_path):
    with pytest.raises(CheckpointError, match="JSON"):
        save(tmp_path / "ck", tiny(), history=[{"epoch": 1, "train_loss": float("nan")}])
    assert not (tmp_path / "ck").exists()
    folder = save(tmp_path / "ck2", tiny(seed=0))
    with pytest.raises(CheckpointError, match="JSON"):
        save(folder, tiny(seed=1), metrics={"test": {"mse": float("inf")}})
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", weights_file(folder).name]
    assert same_weights(load(folder)[0], tiny(seed=0))       # the previous version is untouched


# ---------------------------------------------------------------- names (issue 7, item 1)

BAD_NAMES = ["", "../x", "..", ".", "/abs/path", "/", "a/b", "a\\b", "x" * 65, ".hidden", "_private", "-flag",
             "a..b", "a b", "abc\n", "a\x00b", "a\tb", "ｆｍｎｉｓｔ", "fmnist\u202egnp", "café", "ﬁle",
             "model\u200b", "a;rm -rf", "$(touch x)", "~user", "*", None, 5, b"abc"]
GOOD_NAMES = ["fmnist_dense_z3", "a", "A1", "x" * 64, "v1.2-b_3", "2024-01-01"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_names_are_refused(name, tmp_path):
    with pytest.raises(CheckpointError, match="invalid checkpoint name"):
        check_name(name)
    if isinstance(name, str) and name not in ("", ".") and "/" not in name and "\x00" not in name:
        folder = tmp_path / "root" / name   # save checks the folder's own name (its parents are the caller's)
        with pytest.raises(CheckpointError, match="invalid checkpoint name"):
            save(folder, tiny())
    assert not (tmp_path / "root").exists() and not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_pass(name, tmp_path):
    assert check_name(name) == name
    assert load(save(tmp_path / name, tiny()))[1]["name"] == name


def test_save_refuses_dot_dot_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    for path in (tmp_path / "sub" / "..", str(tmp_path / "sub") + "/.."):
        with pytest.raises(CheckpointError):
            save(path, tiny())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"] and not list((tmp_path / "sub").iterdir())


# ---------------------------------------------------------------- saves that die half-way (issue 7, item 1)

def test_crash_between_weights_and_config_keeps_the_old_version(tmp_path, monkeypatch):
    folder = save(tmp_path / "ck", tiny(seed=0), extra={"version": 0})
    real_replace = os.replace

    def crash_on_config(src, dst):
        if str(dst).endswith("config.json"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_config)
    with pytest.raises(OSError):
        save(folder, tiny(seed=1), extra={"version": 1})
    monkeypatch.setattr(os, "replace", real_replace)
    model, meta = load(folder)
    assert meta["version"] == 0 and same_weights(model, tiny(seed=0))
    assert not list(folder.glob("*.tmp"))                    # the failed write cleaned its temp file
    save(folder, tiny(seed=1), extra={"version": 1})         # the next save works and tidies up
    assert len(list(folder.glob("model-*.safetensors"))) == 1 and load(folder)[1]["version"] == 1


ZYGOTE = r"""
# Imports torch once, then forks one saving child per request (a fresh interpreter per kill would
# cost seconds of imports each). Requests on stdin: NAME FOLDER STEP [STEP...], where a step is
# "0" or "1" (save that version), "1@model" / "1@config" (save it, but stop for a minute right after
# the new weights / config.json temp file is complete and synced, before its rename), or "loop".
import os, signal, sys, time
import torch
torch.set_num_threads(1)
import safetensors.torch, torchvision   # imported by save() on first use: once here, not in every child
from ae import checkpoint
from ae.models import ModelConfig, build_model

signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # killed children are reaped at once
models = []
for seed in (0, 1):
    torch.manual_seed(seed)
    models.append(build_model(ModelConfig("dense", 8, (256, 128))))
real_fsync, stop_at, name = os.fsync, [None], "zygote"

def say(*words):
    os.write(1, (" ".join(map(str, (name, *words))) + "\n").encode())

def fsync(fd):
    real_fsync(fd)
    file = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    if stop_at[0] and file.startswith("." + stop_at[0]):
        say("paused", file)
        time.sleep(60)

os.fsync = fsync
say("ready")
for line in sys.stdin:
    name, folder, *steps = line.split()
    pid = os.fork()
    if pid:
        name = "zygote"
        say("forked", pid)
        continue
    for step in steps:
        if step == "loop":
            i = 0
            while True:
                checkpoint.save(folder, models[i % 2], extra={"version": i % 2})
                say("saved", i % 2)
                i += 1
        version, _, stop = step.partition("@")
        stop_at[0] = {"model": "model-", "config": "config.json"}.get(stop)
        checkpoint.save(folder, models[int(version)], extra={"version": int(version)})
        say("saved", version)
    os._exit(0)
"""


def big(seed: int):
    torch.manual_seed(seed)
    return build_model(ModelConfig("dense", 8, (256, 128)))


class Zygote:
    """One subprocess with torch loaded that forks saving children on request; we SIGKILL those."""

    def __init__(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT), AE_TORCH_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.expect("zygote ready", timeout=120)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")   # EOF

    def expect(self, prefix: str, timeout: float = 60.0) -> str:
        """The next line that starts with prefix; lines of other children may come in between."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            assert line, f"the saving process ended (rc {self.proc.poll()})"
            assert "Traceback" not in line and "Error" not in line, line
            if line.startswith(prefix):
                return line

    def start(self, name: str, folder: Path, *steps: str) -> int:
        self.proc.stdin.write(f"{name} {folder} {' '.join(steps)}\n")
        self.proc.stdin.flush()
        return int(self.expect("zygote forked").split()[-1])

    @staticmethod
    def kill(pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.01)
        raise AssertionError(f"saving child {pid} did not die")

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def test_save_killed_half_way_leaves_old_version_or_nothing(tmp_path):
    """SIGKILL real saving processes at each point of a save: once version 0 is saved, while the new
    weights are written (A), while the new config.json is written (B), at a random moment of saves in
    a loop (C); and during a first save into a new folder (D)."""
    root = tmp_path / "checkpoints"
    zygote = Zygote()
    try:
        pid = zygote.start("A", root / "A", "0", "1@model")
        zygote.expect("A paused .model-")
        zygote.kill(pid)
        pid = zygote.start("B", root / "B", "0", "1@config")
        zygote.expect("B paused .config.json")
        zygote.kill(pid)
        pid = zygote.start("D", root / "D", "0@config")
        zygote.expect("D paused .config.json")
        zygote.kill(pid)
        pid = zygote.start("C", root / "C", "loop")
        zygote.expect("C saved 1")
        time.sleep(0.137)
        zygote.kill(pid)
    finally:
        zygote.close()
    models = [big(0), big(1)]
    # A and B died mid-save: version 0 is intact; their temp files show the kill landed mid-write
    for name in ("A", "B"):
        folder = root / name
        model, meta = load(folder)
        assert meta["version"] == 0 and same_weights(model, models[0])
        assert list(folder.glob(".*.tmp")), f"{name} was not killed mid-write"
    # C: whichever version was on disk last, its config and weights belong together
    model, meta = load(root / "C")
    assert same_weights(model, models[meta["version"]])
    # D never finished its first save: there is no checkpoint, and neither weights nor temp files are listed
    with pytest.raises(CheckpointError, match="no config.json"):
        load(root / "D")
    assert [(i.name, i.ok) for i in list_checkpoints(root)] == [("A", True), ("B", True), ("C", True)]
    # a later save over a killed one works and sweeps the leftovers away
    save(root / "A", models[1], extra={"version": 1})
    assert sorted(p.name for p in (root / "A").iterdir()) == ["config.json", weights_file(root / "A").name]
    assert load(root / "A")[1]["version"] == 1


# ---------------------------------------------------------------- listing never raises (issue 17, item 3)

def write_weights(folder: Path, header: dict, payload: bytes = b"") -> None:
    """Replace a checkpoint's weights with a hand-made safetensors file (checksum dropped)."""
    text = json.dumps(header).encode()
    blob = len(text).to_bytes(8, "little") + text + payload
    name = f"model-{hashlib.sha256(blob).hexdigest()[:12]}.safetensors"
    weights_file(folder).unlink()
    (folder / name).write_bytes(blob)
    edit_config(folder, weights=name, weights_sha256=KeyError)


def real_header(folder: Path) -> dict:
    blob = weights_file(folder).read_bytes()
    n = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8:8 + n]), blob[8 + n:]


@pytest.mark.parametrize("dtype", ["F4", "F8_E4M3", "I64", "BOOL", None])
def test_exotic_weight_types_are_listed_as_unusable(good, dtype):
    header, payload = real_header(good)
    for entry in header.values():
        if isinstance(entry, dict) and "dtype" in entry:
            entry["dtype"] = dtype
    write_weights(good, header, payload)
    (info,) = [i for i in list_checkpoints(good.parent) if i.name == "ck"]
    assert not info.ok and "must be one of F16, BF16, F32, F64" in info.error
    with pytest.raises(CheckpointError, match="must be one of"):
        load(good)
    still_lists_the_good_one(good)


@pytest.mark.parametrize("dtype", ["F16", "BF16", "F64"])
def test_other_float_types_load(tmp_path, dtype):
    from safetensors.torch import save as st_save

    folder = save(tmp_path / "ck", tiny())
    torch_type = {"F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}[dtype]
    blob = st_save({k: v.to(torch_type) for k, v in tiny().state_dict().items()})
    name = f"model-{hashlib.sha256(blob).hexdigest()[:12]}.safetensors"
    weights_file(folder).unlink()
    (folder / name).write_bytes(blob)
    edit_config(folder, weights=name, weights_sha256=hashlib.sha256(blob).hexdigest())
    assert list_checkpoints(tmp_path)[0].ok
    model, _ = load(folder)
    assert next(model.parameters()).dtype == torch.float32


@pytest.mark.parametrize("changes, message", [
    ({"model": {"kind": "dense", "latent_dim": 3, "hidden": [1e400]}}, "bad model config"),
    ({"model": {"kind": "dense", "latent_dim": 3, "hidden": [4096] * 200}}, "at most 16"),
    ({"model": {"kind": "dense", "latent_dim": 3, "hidden": [4096] * 12}}, "parameters; the limit"),
    ({"model": {"kind": "dense", "latent_dim": 3, "hidden": [4096] * 3}}, "parameters; the limit"),
    ({"metrics": {"test": {"mse": "0.1", "psnr": 20}}}, "not a number"),
    ({"metrics": {"test": {"mse": 0.1, "denoise": {"gaussian": {"psnr": "high"}}}}}, "not a number"),
    ({"metrics": "all good"}, None),
    ({"dataset": {"name": ["mnist"]}}, "dataset entry is malformed"),
    ({"dataset": {"name": "mnist", "source": 5}}, "dataset entry is malformed"),
    ({"dataset": {"name": "mnist", "train_size": "many"}}, "not whole numbers"),
    ({"dataset": "mnist"}, "dataset entry is malformed"),
    ({"history": {"epoch": 1}}, "history is malformed"),
    ({"train": {"noise": [["gaussian"]]}}, "training settings are malformed"),
])
def test_bad_descriptions_are_listed_with_a_reason_never_raised(good, changes, message):
    edit_config(good, **changes)
    (info,) = [i for i in list_checkpoints(good.parent) if i.name == "ck"]
    if message is None:      # harmless oddities: still listed (no test figures, say), and never a crash
        assert info.ok or info.error
    else:
        assert not info.ok and message in info.error, info.error
    still_lists_the_good_one(good)


def test_deeply_nested_json_is_listed_as_broken(good):
    (good / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    (info,) = [i for i in list_checkpoints(good.parent) if i.name == "ck"]
    assert not info.ok and "not valid JSON" in info.error
    still_lists_the_good_one(good)


def test_listing_is_typed_and_reads_a_folder_again_only_when_it_changed(good, monkeypatch):
    (info,) = list_checkpoints(good.parent)
    record = info.record
    assert record.config == ModelConfig("dense", 3, (16, 8)) and record.figures == {"mse": 0.1}
    assert record.dataset.name is None and not record.is_denoiser and record.parameters > 0
    calls = []
    real = checkpoint.describe
    monkeypatch.setattr(checkpoint, "describe", lambda folder: calls.append(folder) or real(folder))
    assert list_checkpoints(good.parent)[0].record is record and calls == []
    save(good, tiny(seed=3), dataset={"name": "mnist", "source": "tests", "train_size": 10, "test_size": 5},
         train={"noise": ["gaussian", "gaussian", "mask"]})
    (info,) = list_checkpoints(good.parent)
    assert calls == [good] and info.record.dataset.name == "mnist" and info.record.noises == ("gaussian", "mask")


# ---------------------------------------------------------------- saves that race (issue 17, item 4)

def test_concurrent_saves_under_one_new_name_one_wins(tmp_path):
    models = [tiny(seed=i) for i in range(6)]
    barrier = threading.Barrier(len(models))
    outcome = [None] * len(models)

    def one(i):
        barrier.wait()
        try:
            save(tmp_path / "same", models[i], extra={"who": i}, overwrite=False)
            outcome[i] = "saved"
        except checkpoint.CheckpointExists:
            outcome[i] = "refused"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(models))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome.count("saved") == 1 and outcome.count("refused") == len(models) - 1
    model, meta = load(tmp_path / "same")
    assert same_weights(model, models[outcome.index("saved")]) and meta["who"] == outcome.index("saved")


def test_concurrent_replacing_saves_leave_a_loadable_pair(tmp_path):
    models = [tiny(seed=i) for i in range(2)]
    for _ in range(10):
        barrier = threading.Barrier(2)

        def one(i):
            barrier.wait()
            save(tmp_path / "ck", models[i], extra={"who": i})

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        model, meta = load(tmp_path / "ck")
        assert same_weights(model, models[meta["who"]])
        assert len(list((tmp_path / "ck").glob("model-*.safetensors"))) == 1


def test_save_trained_records_the_uploads_sha256_only_for_a_user_dataset(tmp_path):
    from ae.checkpoint import save_trained
    from ae.data import Split, synthetic
    from ae.train import TrainConfig

    s = synthetic(16)
    model = build_model(ModelConfig("dense", 2, (8,)))
    user = Split(s.images, s.labels, s.class_names, "user:mine", "train", "upload 'mine.zip'", "ab" * 32)
    meta = checkpoint.read_meta(save_trained(tmp_path / "a", model, TrainConfig(epochs=1), user, user, []))
    assert meta["dataset"]["sha256"] == "ab" * 32 and meta["dataset"]["name"] == "user:mine"
    meta = checkpoint.read_meta(save_trained(tmp_path / "b", model, TrainConfig(epochs=1), s, s, []))
    assert "sha256" not in meta["dataset"]
