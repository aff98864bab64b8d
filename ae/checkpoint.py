"""A checkpoint is a folder: safetensors weights plus the JSON that rebuilds and describes them.

    checkpoints/fmnist_dense_z3/
        config.json                    {"model", "train", "dataset", "history", "metrics", "weights", ...}
        model-<sha256[:12]>.safetensors

The weights file is named by its hash and written first; config.json is replaced atomically last and
names it. A save killed at any moment leaves either the old checkpoint or the new one, never a mix.
Loading reads only safetensors and JSON: nothing is ever unpickled.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import platform
import re
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

import torch

from .models import MODELS, Autoencoder, ModelConfig, TooLarge, build_model, resolve

FORMAT = 1
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
WEIGHTS_RE = re.compile(r"^model-[0-9a-f]{12}\.safetensors$")
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt")
MAX_CONFIG_BYTES = 5_000_000
MAX_WEIGHTS_BYTES = 200_000_000
MAX_HEADER_BYTES = 1_000_000
# Float types a model's weights may have: torch reads each of them and they hold finite numbers we can
# check. Exotic ones ("F4", "F8_E4M3", integers) are refused when listed, before anything is loaded.
DTYPES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says why in one sentence, `code` names the reason
    for translated messages ("bad_config", "model_too_large", "checksum", "bad_weights", "shape";
    "invalid" for the rest)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


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


@contextmanager
def _save_lock(root: Path):
    """Saves into one root wait for each other, across threads and processes (an flock on a hidden file
    in the root): two saves under one name once both reported success and one model was lost, and a
    race between two replacing saves could leave a config.json naming weights the other had deleted."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".save.lock", "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class CheckpointExists(CheckpointError):
    """A save that must not replace an existing checkpoint found one."""


def save(folder: str | os.PathLike, model: Autoencoder, *, train: dict | None = None,
         dataset: dict | None = None, history: list[dict] | None = None,
         metrics: dict | None = None, extra: dict | None = None, overwrite: bool = True) -> Path:
    """Write `model` and its description into `folder` (created if needed); returns the folder.

    With overwrite=False an existing checkpoint there is refused (CheckpointExists), checked under the
    same lock as the write, so of two saves racing for one new name exactly one succeeds."""
    from safetensors.torch import save as st_save

    folder = Path(folder)
    check_name(folder.name)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    for k, v in state.items():   # a diverged model would only be refused by load later: never write it
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise CheckpointError(f"not saving {folder.name}: {k} holds NaN or infinite values "
                                  "(did training diverge?)")
    # one metadata entry: safetensors writes a table's entries in no fixed order, so two would make the
    # same weights hash differently from one save to the next
    blob = st_save(state, metadata={"format": f"ae-lab/{model.config.kind}"})
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
    with _save_lock(folder.parent):
        if not overwrite and (folder / "config.json").exists():
            raise CheckpointExists(f"a checkpoint named {folder.name!r} already exists; choose another name")
        folder.mkdir(parents=True, exist_ok=True)   # a folder left by a first save killed half-way is reused
        _write_atomic(folder / weights, blob)
        _write_atomic(folder / "config.json", text.encode())
        for old in folder.iterdir():   # the commit point has passed: old weights and stray temp files go
            if old.name != weights and (WEIGHTS_RE.match(old.name) or old.name.endswith(".tmp")):
                old.unlink(missing_ok=True)
    return folder


def save_trained(folder: str | os.PathLike, model: Autoencoder, config, train_split, test_split,
                 history: list[dict], *, overwrite: bool = False, extra: dict | None = None) -> Path:
    """Measure a freshly trained model on the whole test split and save it with its description: the one
    save path of the command line and of the app's background trainings, so their records agree.

    Figures: MSE, PSNR and SSIM of plain reconstructions; for a denoiser, restoring each trained noise
    kind at the trained level with the model's own clip setting (the lesson's noise is unclipped).
    `config` is the TrainConfig; the recorded training size is the number of images actually used."""
    from .train import evaluate

    figures = evaluate(model, test_split.images, with_ssim=True)
    if config.noise:
        figures["denoise"] = {k: evaluate(model, test_split.images, replace(config, noise=(k,)), with_ssim=True)
                              for k in config.noise}
    dataset = {"name": train_split.dataset, "source": train_split.source,
               "train_size": min(len(train_split), config.limit or len(train_split)), "test_size": len(test_split)}
    if getattr(train_split, "sha256", ""):   # a user dataset: which upload, should its name be reused
        dataset["sha256"] = train_split.sha256
    return save(folder, model, train=config.to_dict(), dataset=dataset, history=history,
                metrics={"test": figures}, extra=extra, overwrite=overwrite)


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
        raise CheckpointError(f"{folder.name}/config.json is too large", "bad_config")
    return parse_meta(cfg.read_bytes(), folder.name)


def parse_meta(raw: bytes, label: str) -> dict:
    """The parsed text of a config.json, checked for the keys loading needs and the model config
    resolved (ranges, parameter budget); `label` names the checkpoint in messages (a folder's name, or
    an uploaded archive checked before anything is written)."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise CheckpointError(f"{label}/config.json is too large", "bad_config")
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{label}/config.json is not valid JSON ({e})", "bad_config") from None
    except RecursionError:   # deeply nested brackets
        raise CheckpointError(f"{label}/config.json is not valid JSON (nested too deeply)", "bad_config") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("model"), dict) or not isinstance(meta.get("weights"), str):
        raise CheckpointError(f"{label}/config.json lacks the 'model' or 'weights' entry", "bad_config")
    if not WEIGHTS_RE.fullmatch(meta["weights"]):
        raise CheckpointError(f"{label}: weights must be a file named model-<hash>.safetensors in the "
                              f"folder, not {meta['weights']!r} (other formats, such as pickles, are refused)",
                              "bad_config")
    try:
        meta["model_config"] = resolve(ModelConfig.from_dict(meta["model"]))
    except (TypeError, ValueError, OverflowError) as e:
        raise CheckpointError(f"{label}: bad model config ({e})",
                              "model_too_large" if isinstance(e, TooLarge) else "bad_config") from None
    return meta


def _header(label: str, data: bytes, size: int) -> dict[str, dict]:
    """The tensor entries of a safetensors file's JSON header (name -> dtype, shape, data_offsets),
    checked: known float types only, offsets inside the file. `data` is at least the header's bytes."""
    def bad(why: str) -> CheckpointError:
        return CheckpointError(f"{label}: weights are not a readable safetensors file ({why})", "bad_weights")

    if size < 8:
        raise bad("too short")
    n = int.from_bytes(data[:8], "little")
    if n > MAX_HEADER_BYTES or 8 + n > size:
        raise bad("header too large or cut off")
    try:
        header = json.loads(data[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise bad("header is not JSON") from None
    if not isinstance(header, dict):
        raise bad("header is not a table")
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("shape"), list) \
                or not all(isinstance(d, int) and d >= 0 for d in entry["shape"]):
            raise bad(f"entry {name!r} is malformed")
        if entry.get("dtype") not in DTYPES:
            raise CheckpointError(f"{label}: {name} is stored as {entry.get('dtype')!r}; weights must be "
                                  f"one of {', '.join(DTYPES)}", "bad_weights")
        offsets = entry.get("data_offsets")
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(isinstance(o, int) for o in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= size - 8 - n
                or offsets[1] - offsets[0] != math.prod(entry["shape"]) * DTYPES[entry["dtype"]]):
            raise bad(f"entry {name!r} points outside the file")
        out[name] = entry
    return out


def _expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every tensor a model of `config` has, with its shape, without allocating it (meta device)."""
    with torch.device("meta"):
        return {k: tuple(v.shape) for k, v in MODELS[config.kind](config).state_dict().items()}


def _check_shapes(label: str, config: ModelConfig, shapes: Mapping[str, tuple[int, ...]]) -> None:
    expected = _expected_shapes(config)
    missing = sorted(set(expected) - set(shapes))
    unexpected = sorted(set(shapes) - set(expected))
    if missing or unexpected:
        raise CheckpointError(f"{label}: weights do not match the {config.kind} model "
                              f"(missing {missing[:3]}, unexpected {unexpected[:3]})", "shape")
    for k, shape in expected.items():
        if tuple(shapes[k]) != shape:
            raise CheckpointError(f"{label}: {k} has shape {tuple(shapes[k])}, the config needs {shape}", "shape")


def _read_weights(folder: Path, meta: dict) -> dict[str, torch.Tensor]:
    """The checked tensors of a checkpoint folder's weights file (see weights_from_bytes)."""
    path = folder / meta["weights"]
    if not path.is_file():
        raise CheckpointError(f"{folder.name}: weights file {meta['weights']} is missing")
    if path.stat().st_size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{folder.name}: weights file is too large", "bad_weights")
    return weights_from_bytes(path.read_bytes(), meta, folder.name)


def weights_from_bytes(blob: bytes, meta: dict, label: str) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file held in memory, checked: size, checksum against the
    description, safetensors format, float types, finite values. `label` names the checkpoint in messages."""
    from safetensors import SafetensorError
    from safetensors.torch import load as st_load

    if len(blob) > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{label}: weights file is too large", "bad_weights")
    if meta.get("weights_sha256") and hashlib.sha256(blob).hexdigest() != meta["weights_sha256"]:
        raise CheckpointError(f"{label}: weights file is corrupted or truncated (checksum differs)", "checksum")
    _header(label, blob, len(blob))   # refuses what torch cannot check (e.g. F4, F8 types) before loading
    try:
        state = st_load(blob)
    except (SafetensorError, ValueError, OSError, RuntimeError) as e:
        raise CheckpointError(f"{label}: weights are not a readable safetensors file ({e})", "bad_weights") from None
    for k, v in state.items():
        if not torch.isfinite(v).all():
            raise CheckpointError(f"{label}: {k} holds NaN or infinite values", "bad_weights")
    return state


def model_from_state(meta: dict, state: dict[str, torch.Tensor], label: str) -> Autoencoder:
    """The model `meta` describes (from read_meta or parse_meta), holding `state` once every tensor's
    name and shape match; on the CPU, in eval mode."""
    _check_shapes(label, meta["model_config"], {k: tuple(v.shape) for k, v in state.items()})
    model = build_model(meta["model_config"])
    own = model.state_dict()
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in state.items()})
    return model.eval()


def load(folder: str | os.PathLike, device: str = "cpu") -> tuple[Autoencoder, dict]:
    """Rebuild the model of a checkpoint folder in eval mode; returns (model, meta)."""
    folder = Path(folder)
    meta = read_meta(folder)
    model = model_from_state(meta, _read_weights(folder, meta), folder.name)
    return model.to(device), meta


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
    return sorted(matched), _lineage(meta)


def _lineage(meta: dict) -> dict:
    keys = ("name", "model", "train", "dataset", "weights_sha256", "saved_at", "started_from")
    return {k: meta[k] for k in keys if k in meta}


def _header_shapes(folder: Path, meta: dict) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every tensor in a checkpoint's weights, from the safetensors header alone."""
    path = folder / meta["weights"]
    if not path.is_file():
        raise CheckpointError(f"{folder.name}: weights file {meta['weights']} is missing")
    size = path.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{folder.name}: weights file is too large")
    with open(path, "rb") as f:
        head = f.read(8)
        n = int.from_bytes(head, "little") if len(head) == 8 else 0
        head += f.read(min(n, MAX_HEADER_BYTES))
    return {k: tuple(e["shape"]) for k, e in _header(folder.name, head, size).items()}


def warm_start_plan(config: ModelConfig, folder: str | os.PathLike) -> tuple[list[str], dict]:
    """What `init_from` would copy into a model of `config` (tensor names whose name and shape match)
    and the starting point's record, from the description and the weights' header alone: a queued
    run checks its warm start at once without holding any weights."""
    folder = Path(folder)
    meta = read_meta(folder)
    theirs = _header_shapes(folder, meta)
    matched = sorted(k for k, shape in _expected_shapes(resolve(config)).items() if theirs.get(k) == shape)
    if not matched:
        raise CheckpointError(f"{folder.name}: none of its weights fit this model (no layer with the same name "
                              f"and shape), so it cannot be a starting point")
    return matched, _lineage(meta)


# ---------------------------------------------------------------- the typed record pages use

@dataclass(frozen=True)
class DatasetInfo:
    name: str | None                # None when the checkpoint does not say
    source: str
    train_size: int | None
    test_size: int | None


@dataclass(frozen=True)
class ModelRecord:
    """A checkpoint as the pages see it: typed, checked when it was listed, so nothing raises later."""
    name: str
    path: Path
    config: ModelConfig             # resolved: hidden sizes filled in, within the parameter budget
    dataset: DatasetInfo
    train: dict                     # the TrainConfig as saved (keys of TrainConfig)
    figures: dict[str, float]       # test mse, psnr and (if measured) ssim
    denoise: dict[str, dict[str, float]]   # noise kind -> figures of restoring it, for denoisers
    history: tuple[dict, ...]       # EpochReport dicts
    started_from: dict | None       # the warm start's own record (lineage)
    weights_sha256: str
    meta: dict                      # the whole config.json, for anything else

    @property
    def noises(self) -> tuple[str, ...]:
        return noises_of(self.train)

    @property
    def is_denoiser(self) -> bool:
        return bool(self.noises)

    @property
    def parameters(self) -> int:
        return sum(math.prod(s) for s in _expected_shapes(self.config).values())


def noises_of(train: Mapping | None) -> tuple[str, ...]:
    """The noise kinds a training config used (its "noise" entry), in order, without repeats."""
    noise = (train or {}).get("noise") or ()
    return tuple(dict.fromkeys([noise] if isinstance(noise, str) else noise))


def _figures(folder: Path, d, what: str) -> dict[str, float]:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise CheckpointError(f"{folder.name}: {what} is not a table of figures")
    out = {}
    for k, v in d.items():
        if k == "denoise":
            continue
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise CheckpointError(f"{folder.name}: {what} {k} is {v!r}, not a number")
        out[k] = None if v is None else float(v)
    return out


def describe(folder: str | os.PathLike) -> ModelRecord:
    """Everything about a checkpoint folder that listing can check without loading its weights: the
    description's types, the model config and parameter budget, the weights' float types and every
    tensor's shape (from the safetensors header). Raises CheckpointError with the reason."""
    folder = Path(folder)
    meta = read_meta(folder)
    return record(meta, _header_shapes(folder, meta), folder)


def record(meta: dict, shapes: Mapping[str, tuple[int, ...]], folder: Path) -> ModelRecord:
    """describe's checks on a description already parsed (read_meta, parse_meta) and its tensors'
    shapes; `folder` is where the checkpoint lies (an upload names itself here before it is written)."""
    config = meta["model_config"]
    ds = meta.get("dataset") or {}
    if not isinstance(ds, dict) or not isinstance(ds.get("name", ""), str) \
            or not isinstance(ds.get("source", ""), str):
        raise CheckpointError(f"{folder.name}: the dataset entry is malformed (its name and source must be text)")
    sizes = [ds.get("train_size"), ds.get("test_size")]
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0) for v in sizes):
        raise CheckpointError(f"{folder.name}: the dataset sizes are not whole numbers")
    train = meta.get("train") or {}
    noise = train.get("noise") if isinstance(train, dict) else None
    if not isinstance(train, dict) or not (noise is None or isinstance(noise, str) or (
            isinstance(noise, list) and all(isinstance(k, str) for k in noise))):
        raise CheckpointError(f"{folder.name}: the training settings are malformed")
    test = (meta.get("metrics") or {}).get("test") if isinstance(meta.get("metrics"), dict) else None
    figures = _figures(folder, test, "test figure")
    denoise_raw = (test or {}).get("denoise") or {}
    if not isinstance(denoise_raw, dict):
        raise CheckpointError(f"{folder.name}: the denoising figures are malformed")
    denoise = {str(k): _figures(folder, v, f"denoising figure of {k}") for k, v in denoise_raw.items()}
    history = meta.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise CheckpointError(f"{folder.name}: the training history is malformed")
    lineage = meta.get("started_from")
    _check_shapes(folder.name, config, shapes)
    return ModelRecord(
        name=folder.name, path=folder, config=config,
        dataset=DatasetInfo(ds.get("name") or None, ds.get("source") or "?", sizes[0], sizes[1]),
        train=train, figures=figures, denoise=denoise, history=tuple(history),
        started_from=lineage if isinstance(lineage, dict) else None,
        weights_sha256=str(meta.get("weights_sha256") or meta["weights"]), meta=meta)


@dataclass(frozen=True)
class CheckpointInfo:
    name: str
    path: Path
    record: ModelRecord | None     # None when broken
    error: str | None              # why it cannot be used

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def meta(self) -> dict | None:
        """The parsed config.json (with "model_config"), None when broken."""
        return self.record.meta if self.record is not None else None


# Listing re-reads a folder only when its files changed: (config.json's and the weights' mtime and size).
_LISTED: dict[Path, tuple[tuple, CheckpointInfo]] = {}
_LISTED_LOCK = threading.Lock()


def _stamp(folder: Path) -> tuple:
    out = []
    for p in sorted(folder.iterdir()):
        if p.name == "config.json" or WEIGHTS_RE.fullmatch(p.name):
            st = p.stat()
            out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


def list_checkpoints(*roots: str | os.PathLike) -> list[CheckpointInfo]:
    """Every checkpoint folder directly under the roots, broken ones with their reason. A folder that
    cannot be used never raises here: it is listed with its reason."""
    out = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            if not (folder / "config.json").exists() and not any(p.suffix in PICKLE_SUFFIXES for p in folder.iterdir()):
                continue   # not a checkpoint (e.g. the user folder, a family folder, a first save killed half-way)
            try:
                stamp = _stamp(folder)
            except OSError:   # removed while we looked
                continue
            with _LISTED_LOCK:
                cached = _LISTED.get(folder)
            if cached is not None and cached[0] == stamp:
                out.append(cached[1])
                continue
            try:
                info = CheckpointInfo(folder.name, folder, describe(folder), None)
            except CheckpointError as e:
                info = CheckpointInfo(folder.name, folder, None, str(e))
            except (OSError, ValueError, TypeError, KeyError, RecursionError, OverflowError) as e:
                info = CheckpointInfo(folder.name, folder, None, f"{folder.name}: cannot be read ({type(e).__name__})")
            with _LISTED_LOCK:
                _LISTED[folder] = (stamp, info)
            out.append(info)
    return out
