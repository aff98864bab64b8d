"""A checkpoint is a folder: safetensors weights plus the JSON that rebuilds and describes them.

    checkpoints/fmnist_dense_z3/
        config.json                    {"model", "train", "dataset", "history", "metrics", "weights", ...}
        model-<sha256[:12]>.safetensors

The weights file is named by its hash and written first; config.json is replaced atomically last and
names it. A save killed at any moment leaves either the old checkpoint or the new one, never a mix.
Loading reads only safetensors and JSON: nothing is ever unpickled.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from .models import Autoencoder, ModelConfig, build_model

FORMAT = 1
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
WEIGHTS_RE = re.compile(r"^model-[0-9a-f]{12}\.safetensors$")
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt")
MAX_CONFIG_BYTES = 5_000_000
MAX_WEIGHTS_BYTES = 200_000_000


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says why in one sentence."""


def check_name(name: str) -> str:
    """A checkpoint name is one plain folder name: letters, digits, '_', '-', '.'; no paths."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:  # fullmatch: '$' lets 'a\n' through
        raise CheckpointError(
            f"invalid checkpoint name {name!r}: use 1-64 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, and no '/' or '..'")
    return name


def _versions() -> dict[str, str]:
    import numpy
    out = {"python": platform.python_version(), "torch": torch.__version__, "numpy": numpy.__version__}
    try:
        import torchvision
        out["torchvision"] = torchvision.__version__
    except Exception:  # torchvision is optional for saving
        pass
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; checkpoints are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(folder: str | os.PathLike, model: Autoencoder, *, train: dict | None = None,
         dataset: dict | None = None, history: list[dict] | None = None,
         metrics: dict | None = None, extra: dict | None = None) -> Path:
    """Write `model` and its description into `folder` (created if needed); returns the folder."""
    from safetensors.torch import save as st_save

    folder = Path(folder)
    check_name(folder.name)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    for k, v in state.items():   # a diverged model would only be refused by load later: never write it
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise CheckpointError(f"not saving {folder.name}: {k} holds NaN or infinite values "
                                  "(did training diverge?)")
    blob = st_save(state, metadata={"format": "ae-lab", "kind": model.config.kind})
    sha = hashlib.sha256(blob).hexdigest()
    weights = f"model-{sha[:12]}.safetensors"
    meta = {
        "format": FORMAT, "name": folder.name, "model": model.config.to_dict(), "train": train or {},
        "dataset": dataset or {}, "history": history or [], "metrics": metrics or {},
        "weights": weights, "weights_sha256": sha, "versions": _versions(),
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **(extra or {}),
    }
    try:   # serialised before anything is written, so a bad description leaves no stray weights
        text = json.dumps(meta, indent=1, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"not saving {folder.name}: its description cannot be written as JSON ({e})") from None
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / weights, blob)
    _write_atomic(folder / "config.json", text.encode())
    for old in folder.iterdir():   # the commit point has passed: old weights and stray temp files go
        if old.name != weights and (WEIGHTS_RE.match(old.name) or old.name.endswith(".tmp")):
            old.unlink(missing_ok=True)
    return folder


def read_meta(folder: str | os.PathLike) -> dict:
    """The parsed config.json of a checkpoint folder, checked for the keys loading needs."""
    folder = Path(folder)
    cfg = folder / "config.json"
    if not cfg.is_file():
        pickles = sorted(p.name for p in folder.glob("*") if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise CheckpointError(
                f"{folder.name} holds {', '.join(pickles)}: pickle files can run code when opened, "
                "so they are refused; save weights as safetensors with config.json")
        raise CheckpointError(f"{folder.name} has no config.json")
    if cfg.stat().st_size > MAX_CONFIG_BYTES:
        raise CheckpointError(f"{folder.name}/config.json is too large")
    try:
        meta = json.loads(cfg.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{folder.name}/config.json is not valid JSON ({e})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("model"), dict) or not isinstance(meta.get("weights"), str):
        raise CheckpointError(f"{folder.name}/config.json lacks the 'model' or 'weights' entry")
    if not WEIGHTS_RE.fullmatch(meta["weights"]):
        raise CheckpointError(f"{folder.name}: weights must be a file named model-<hash>.safetensors in the "
                              f"folder, not {meta['weights']!r} (other formats, such as pickles, are refused)")
    try:
        meta["model_config"] = ModelConfig.from_dict(meta["model"])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{folder.name}: bad model config ({e})") from None
    return meta


def _read_weights(folder: Path, meta: dict) -> dict[str, torch.Tensor]:
    """The checked tensors of a checkpoint folder: size, checksum, safetensors format, finite values."""
    from safetensors import SafetensorError
    from safetensors.torch import load as st_load

    path = folder / meta["weights"]
    if not path.is_file():
        raise CheckpointError(f"{folder.name}: weights file {meta['weights']} is missing")
    if path.stat().st_size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{folder.name}: weights file is too large")
    blob = path.read_bytes()
    if meta.get("weights_sha256") and hashlib.sha256(blob).hexdigest() != meta["weights_sha256"]:
        raise CheckpointError(f"{folder.name}: weights file is corrupted or truncated (checksum differs)")
    try:
        state = st_load(blob)
    except (SafetensorError, ValueError, OSError, RuntimeError) as e:
        raise CheckpointError(f"{folder.name}: weights are not a readable safetensors file ({e})") from None
    for k, v in state.items():
        if not torch.isfinite(v).all():
            raise CheckpointError(f"{folder.name}: {k} holds NaN or infinite values")
    return state


def load(folder: str | os.PathLike, device: str = "cpu") -> tuple[Autoencoder, dict]:
    """Rebuild the model of a checkpoint folder in eval mode; returns (model, meta)."""
    folder = Path(folder)
    meta = read_meta(folder)
    state = _read_weights(folder, meta)
    try:
        model = build_model(meta["model_config"])
    except (TypeError, ValueError) as e:   # JSON can hold any type where a number belongs
        raise CheckpointError(f"{folder.name}: {e}") from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(f"{folder.name}: weights do not match the {meta['model_config'].kind} model "
                              f"(missing {missing[:3]}, unexpected {unexpected[:3]})")
    for k, v in expected.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise CheckpointError(f"{folder.name}: {k} has shape {tuple(state[k].shape)}, "
                                  f"the config needs {tuple(v.shape)}")
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})
    return model.to(device).eval(), meta


def init_from(model: Autoencoder, folder: str | os.PathLike) -> tuple[list[str], dict]:
    """Start `model` from a checkpoint's weights wherever a tensor's name and shape match (a warm start,
    e.g. a `conv_refine` model from a `conv` one: their `body` layers are the same). The other layers
    keep their fresh initialisation.

    Returns the names copied and the starting point's record, to save as "started_from": read now, so
    the new checkpoint may replace that folder, and enough to retrace the run once it is gone or
    retrained, including where it started from itself."""
    folder = Path(folder)
    meta = read_meta(folder)
    state = _read_weights(folder, meta)
    own = model.state_dict()
    matched = {k: v.to(own[k].dtype) for k, v in state.items() if k in own and v.shape == own[k].shape}
    if not matched:
        raise CheckpointError(f"{folder.name}: none of its weights fit this model (no layer with the same name "
                              f"and shape), so it cannot be a starting point")
    model.load_state_dict(matched, strict=False)
    keys = ("name", "model", "train", "dataset", "weights_sha256", "saved_at", "started_from")
    return sorted(matched), {k: meta[k] for k in keys if k in meta}


@dataclass(frozen=True)
class CheckpointInfo:
    name: str
    path: Path
    meta: dict | None      # parsed config.json, None when broken
    error: str | None      # why it cannot be used

    @property
    def ok(self) -> bool:
        return self.error is None


def list_checkpoints(*roots: str | os.PathLike) -> list[CheckpointInfo]:
    """Every checkpoint folder directly under the roots, broken ones with their reason."""
    out = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            if not (folder / "config.json").exists() and not any(p.suffix in PICKLE_SUFFIXES for p in folder.iterdir()):
                continue   # not a checkpoint (e.g. the user folder, or a first save killed half-way)
            try:
                out.append(CheckpointInfo(folder.name, folder, read_meta(folder), None))
            except CheckpointError as e:
                out.append(CheckpointInfo(folder.name, folder, None, str(e)))
    return out


def delete(folder: str | os.PathLike) -> None:
    """Remove a checkpoint folder."""
    folder = Path(folder)
    check_name(folder.name)
    shutil.rmtree(folder)
