"""A tiny CNN that names the class of a 28x28 picture: the judge the Generation lab asks whether a
decoded picture looks like a real one ("the holes" of a latent space).

One classifier per dataset, trained on its real training images and stored like the autoencoders: a
folder with safetensors weights named by their hash and a config.json (config, dataset, history, test
figures), never a pickle. `python -m ae classifier --dataset mnist --out checkpoints/classifiers/mnist`
trains one. Knows nothing about Streamlit.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import data
from .checkpoint import CheckpointError, _versions, _write_atomic, check_name
from .train import use_all_cores

ROOT = Path(__file__).resolve().parents[1]
CLASSIFIERS = ROOT / "checkpoints" / "classifiers"   # one folder per dataset, out of the sidebar's list
CONFIDENT = 0.9                                      # "recognised": the top class has at least this probability
MAX_CONFIG_BYTES = 1_000_000
MAX_WEIGHTS_BYTES = 5_000_000


@dataclass(frozen=True)
class ClassifierConfig:
    channels: tuple[int, int] = (16, 32)   # two 3x3 conv layers, each followed by 2x2 max pooling: 28 -> 14 -> 7
    hidden: int = 64                       # one hidden dense layer; with (16, 32): 106k weights, 0.4 MB
    n_classes: int = 10

    @classmethod
    def from_dict(cls, d: dict) -> "ClassifierConfig":
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown classifier config keys: {sorted(unknown)}")
        d = dict(d)
        if "channels" in d:
            d["channels"] = tuple(int(c) for c in d["channels"])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FitConfig:
    epochs: int = 6
    batch_size: int = 128
    lr: float = 0.002
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


class SmallCNN(nn.Module):
    """conv-pool-conv-pool-dense-dense: images (B, 1, 28, 28) in [0, 1] -> class logits (B, n_classes)."""

    def __init__(self, config: ClassifierConfig = ClassifierConfig()):
        super().__init__()
        if len(config.channels) != 2 or min(config.channels) < 1 or config.hidden < 1 or config.n_classes < 2:
            raise ValueError(f"a classifier takes two channel counts, a hidden width and at least two classes, "
                             f"got {config}")
        self.config = config
        a, b = config.channels
        self.features = nn.Sequential(nn.Conv2d(1, a, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(a, b, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(b * 7 * 7, config.hidden), nn.ReLU(),
                                  nn.Linear(config.hidden, config.n_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


def fit(model: SmallCNN, images: Tensor, labels: Tensor, config: FitConfig = FitConfig(), *,
        test: tuple[Tensor, Tensor] | None = None, on_epoch_end=None) -> list[dict]:
    """Train `model` in place with cross-entropy and Adam; one record per epoch
    ({"epoch", "train_loss", "seconds"[, "test_accuracy"]}). `on_epoch_end(record)` may return True to stop."""
    use_all_cores()
    torch.manual_seed(config.seed)
    g = torch.Generator().manual_seed(config.seed)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    labels = torch.as_tensor(labels, dtype=torch.long)
    history = []
    for epoch in range(1, config.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        total, seen = 0.0, 0
        for idx in torch.randperm(len(images), generator=g).split(config.batch_size):
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
        record = {"epoch": epoch, "train_loss": total / max(seen, 1), "seconds": time.perf_counter() - t0}
        if test is not None:
            record["test_accuracy"] = accuracy(model, *test)
        history.append(record)
        if on_epoch_end is not None and on_epoch_end(record):
            break
    return history


@torch.no_grad()
def predict_proba(model: nn.Module, images: Tensor, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (N, n_classes) float32 of images (N, 1, 28, 28), in eval mode."""
    model.eval()
    images = torch.as_tensor(images, dtype=torch.float32)
    if not len(images):
        return np.zeros((0, model.config.n_classes), np.float32)
    return torch.cat([F.softmax(model(b), dim=1) for b in images.split(batch_size)]).numpy()


def accuracy(model: nn.Module, images: Tensor, labels: Tensor) -> float:
    """Share of images whose most probable class is their label."""
    return float((predict_proba(model, images).argmax(1) == np.asarray(labels)).mean())


def test_figures(model: nn.Module, images: Tensor, labels: Tensor, threshold: float = CONFIDENT) -> dict:
    """Accuracy on real test images, and how often the classifier is confident there: the yardstick for
    the share of decoded pictures it recognises (a real image is not always recognised at `threshold`)."""
    p = predict_proba(model, images)
    labels = np.asarray(labels)
    confident = p.max(1) >= threshold
    right = p.argmax(1) == labels
    return {"accuracy": float(right.mean()), "confident_share": float(confident.mean()),
            "confident_accuracy": float(right[confident].mean()) if confident.any() else None,   # JSON has no NaN
            "threshold": threshold, "images": int(len(labels))}


def save(folder: str | Path, model: SmallCNN, *, dataset: dict, train: dict, history: list[dict],
         metrics: dict) -> Path:
    """Write weights (safetensors, named by their hash) and config.json into `folder`; returns it."""
    from safetensors.torch import save as st_save

    folder = Path(folder)
    check_name(folder.name)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    blob = st_save(state, metadata={"format": "ae-lab-classifier"})
    sha = hashlib.sha256(blob).hexdigest()
    weights = f"model-{sha[:12]}.safetensors"
    meta = {"format": 1, "kind": "classifier", "name": folder.name, "model": model.config.to_dict(),
            "train": train, "dataset": dataset, "history": history, "metrics": metrics,
            "weights": weights, "weights_sha256": sha, "versions": _versions(),
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    text = json.dumps(meta, indent=1, allow_nan=False)
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / weights, blob)
    _write_atomic(folder / "config.json", text.encode())
    for old in folder.glob("model-*.safetensors"):
        if old.name != weights:
            old.unlink(missing_ok=True)
    return folder


def load(folder: str | Path) -> tuple[SmallCNN, dict]:
    """A saved classifier in eval mode and its description; only safetensors and JSON are read."""
    from safetensors.torch import load as st_load

    folder = Path(folder)
    cfg = folder / "config.json"
    if not cfg.is_file():
        raise CheckpointError(f"no classifier in {folder.name} (config.json is missing)")
    if cfg.stat().st_size > MAX_CONFIG_BYTES:
        raise CheckpointError(f"{folder.name}/config.json is too large")
    try:
        meta = json.loads(cfg.read_text(encoding="utf-8"))
        weights = folder / meta["weights"]
        config = ClassifierConfig.from_dict(meta["model"])
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{folder.name}: not a readable classifier description ({e})") from None
    if weights.parent != folder or not weights.name.startswith("model-") or weights.suffix != ".safetensors":
        raise CheckpointError(f"{folder.name}: weights must be a model-<hash>.safetensors file in the folder")
    if not weights.is_file() or weights.stat().st_size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{folder.name}: weights file {weights.name} is missing or too large")
    blob = weights.read_bytes()
    if hashlib.sha256(blob).hexdigest() != meta.get("weights_sha256"):
        raise CheckpointError(f"{folder.name}: weights file is corrupted or truncated (checksum differs)")
    model = SmallCNN(config)
    try:
        model.load_state_dict(st_load(blob))
    except RuntimeError as e:
        raise CheckpointError(f"{folder.name}: weights do not match the classifier's config ({e})") from None
    return model.eval(), meta


def for_dataset(name: str, root: str | Path = CLASSIFIERS) -> tuple[SmallCNN, dict]:
    """The shipped classifier of a dataset (mnist, fashion-mnist)."""
    folder = Path(root) / name
    if not (folder / "config.json").is_file():
        raise CheckpointError(f"no classifier is shipped for {name}; `make checkpoints` trains one")
    return load(folder)


def train_for(dataset: str, out: str | Path, model_config: ClassifierConfig = ClassifierConfig(),
              config: FitConfig = FitConfig(), log=print) -> dict:
    """Train a classifier on a dataset's real training images, measure it on the test split, save it."""
    check_name(Path(out).name)   # before minutes of training, not after
    train_split, test_split = data.load(dataset, "train"), data.load(dataset, "test")
    model = SmallCNN(model_config)

    def report(r):
        log(f"epoch {r['epoch']}: loss {r['train_loss']:.4f}, test accuracy {r['test_accuracy']:.4f}, "
            f"{r['seconds']:.1f} s")

    history = fit(model, train_split.images, train_split.labels, config,
                  test=(test_split.images, test_split.labels), on_epoch_end=report)
    figures = test_figures(model, test_split.images, test_split.labels)
    info = {"name": train_split.dataset, "source": train_split.source, "train_size": len(train_split),
            "test_size": len(test_split), "class_names": list(train_split.class_names)}
    save(out, model, dataset=info, train=config.to_dict(), history=history, metrics={"test": figures})
    return figures


__all__ = ["CLASSIFIERS", "CONFIDENT", "ClassifierConfig", "FitConfig", "SmallCNN", "fit", "predict_proba",
           "accuracy", "test_figures", "save", "load", "for_dataset", "train_for"]

