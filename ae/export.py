"""A model's encoder and decoder as ONNX files, and the check that they compute what the library does.

The decoder (z -> picture) is what a browser runs with onnxruntime-web to draw pictures without a
server round trip; both parts are what a user takes away. Each file has one input and one output with
a dynamic batch size:

    decoder.onnx   z (batch, latent_dim) float32  ->  x (batch, 1, 28, 28) float32 in [0, 1]
    encoder.onnx   x (batch, 1, 28, 28) float32   ->  z (batch, latent_dim) float32

They compute exactly `ae.infer.decode` (decode, then clamp to [0, 1]) and `ae.infer.encode` (for a VAE
the mean of q(z|x)). Kinds whose decoder needs more than z (unet, conv_refine) have no decoder file.
Exporting uses `torch.onnx.export` (the torch.export-based exporter, which needs `onnxscript`): 1-3 s
on this machine, so `cached` keeps each file on disk under a hash of the weights (.cache/onnx, or
$AE_CACHE_DIR/onnx) and a page pays for it once per model, not once per server start. Checking uses
`onnxruntime`. Both are imported only when called.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from . import infer
from .generate import can_decode
from .models import Autoencoder

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("decoder", "encoder")
OPSET = 18                 # onnxruntime (Python >= 1.16, web >= 1.17) runs it
BATCH = "batch"            # the name of the dynamic first dimension
CHECK_TOLERANCE = 1e-4     # max abs difference accepted by `check` (float32 arithmetic in another order)


class ExportError(ValueError):
    """A part that cannot be exported or does not match the library; the message says why."""


class _Decoder(nn.Module):
    """z -> picture, clamped as ae.infer.decode does."""

    def __init__(self, model: Autoencoder):
        super().__init__()
        self.model = model

    def forward(self, z: Tensor) -> Tensor:
        return self.model.decode(z).clamp(0, 1)


class _Encoder(nn.Module):
    def __init__(self, model: Autoencoder):
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> Tensor:
        return self.model.encode(x)


def parts(model: Autoencoder) -> tuple[str, ...]:
    """The parts this model can export: ("decoder", "encoder") or ("encoder",)."""
    return PARTS if can_decode(model) else ("encoder",)


def _module_and_input(model: Autoencoder, part: str) -> tuple[nn.Module, Tensor, str, str]:
    if part not in PARTS:
        raise ExportError(f"unknown part {part!r}; known: {', '.join(PARTS)}")
    if part == "decoder":
        if not can_decode(model):
            raise ExportError(f"a {model.config.kind} model cannot decode z on its own, so it has no decoder file")
        return _Decoder(model), torch.zeros(2, model.config.latent_dim), "z", "x"
    return _Encoder(model), torch.zeros(2, 1, 28, 28), "x", "z"


def to_onnx(model: Autoencoder, part: str = "decoder") -> bytes:
    """The ONNX file of the model's decoder or encoder, as bytes (a few hundred KB for the shipped models).

    The model is exported in eval mode on the CPU; a model on another device is copied there first,
    the caller's model is left as it was.
    """
    import warnings

    from torch.export import Dim

    if next(model.parameters()).device.type != "cpu":
        import copy
        model = copy.deepcopy(model).cpu()
    was_training = model.training
    model.eval()
    module, example, name_in, name_out = _module_and_input(model, part)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # the exporter's notes on its own internals
            # Dim.DYNAMIC: a named Dim("batch") came out as the example's fixed batch of 2 (torch 2.14)
            program = torch.onnx.export(module, (example,), dynamo=True, opset_version=OPSET,
                                        input_names=[name_in], output_names=[name_out],
                                        dynamic_shapes=({0: Dim.DYNAMIC},), verbose=False)
    finally:
        model.train(was_training)
    proto = program.model_proto
    # The exporter calls the batch dimension s0, s6...; one readable name for both ends.
    for value in (*proto.graph.input, *proto.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = BATCH
    meta = {"producer": "Autoencoder Lab (ae.export)", "part": part, "kind": model.config.kind,
            "latent_dim": str(model.config.latent_dim)}
    for k, v in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = k, v
    return proto.SerializeToString()


def cache_dir() -> Path:
    """$AE_CACHE_DIR/onnx, else .cache/onnx beside the project (git-ignored)."""
    base = os.environ.get("AE_CACHE_DIR")
    return Path(base) / "onnx" if base else ROOT / ".cache" / "onnx"


def fingerprint(model: Autoencoder, part: str) -> str:
    """A hash of everything the exported file depends on: the config, the weights, the part, the
    exporter's version and opset."""
    h = hashlib.sha256(json.dumps([model.config.to_dict(), part, torch.__version__, OPSET],
                                  sort_keys=True, default=str).encode())
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def cached(model: Autoencoder, part: str = "decoder", folder: str | Path | None = None) -> bytes:
    """`to_onnx`, kept on disk under the model's fingerprint: the same weights give the same file."""
    folder = Path(folder) if folder is not None else cache_dir()
    path = folder / f"{fingerprint(model, part)[:32]}-{part}.onnx"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = to_onnx(model, part)
    try:   # written under another name and renamed: a reader never sees half a file
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:   # a read-only disk: the export still serves this call
        pass
    return data


def files(model: Autoencoder, checked: bool = True) -> dict[str, bytes]:
    """{"decoder.onnx": ..., "encoder.onnx": ...} (no decoder for unet and conv_refine), as a
    downloaded model's zip holds them (ae.archive.export_zip's `extra`).

    checked: each file is run against the library first (`check`); one that would not compute what
    the model does raises ExportError."""
    out = {f"{part}.onnx": cached(model, part) for part in parts(model)}
    if checked:
        for name, data in out.items():
            check(model, data, name.removesuffix(".onnx"))
    return out


def save(model: Autoencoder, folder: str | Path, checked: bool = True) -> dict[str, Path]:
    """Write decoder.onnx (where the kind has one) and encoder.onnx into `folder`; {part: path}.

    checked: run each file against the library first (`check`), so a file that would not compute
    what the model does is never written (ExportError)."""
    folder = Path(folder)
    made = files(model, checked)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, data in made.items():
        part = name.removesuffix(".onnx")
        out[part] = folder / name
        out[part].write_bytes(data)
    return out


def run(onnx: bytes | str | Path, inputs: np.ndarray | Tensor) -> np.ndarray:
    """Run an exported part with onnxruntime on the CPU (one thread: small batches, shared machine)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    source = onnx if isinstance(onnx, bytes) else str(onnx)
    session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    x = np.ascontiguousarray(torch.as_tensor(inputs, dtype=torch.float32).cpu().numpy())
    return session.run(None, {name: x})[0]


def check(model: Autoencoder, onnx: bytes | str | Path, part: str = "decoder", inputs: Tensor | None = None,
          n: int = 37, seed: int = 0) -> float:
    """Max abs difference between the ONNX file's outputs and the library's (`ae.infer.decode` or
    `ae.infer.encode`) on the same inputs; raises ExportError when it is over CHECK_TOLERANCE.

    Without `inputs`: n codes from N(0, 4 I) for a decoder (wider than a VAE's prior, so saturated
    pixels are checked too), n random pictures in [0, 1] for an encoder. n is not the export's
    example batch (2), so the dynamic batch size is checked as well.
    """
    _module_and_input(model, part)   # an unknown part, or a decoder the kind cannot have: a clear error first
    if inputs is None:
        g = torch.Generator().manual_seed(seed)
        inputs = (torch.randn(n, model.config.latent_dim, generator=g) * 2.0 if part == "decoder"
                  else torch.rand(n, 1, 28, 28, generator=g))
    expected = (infer.decode if part == "decoder" else infer.encode)(model, inputs).numpy()
    got = run(onnx, inputs)
    if got.shape != expected.shape:
        raise ExportError(f"the {part} file gives shape {tuple(got.shape)}, the library {tuple(expected.shape)}")
    diff = float(np.abs(got - expected).max()) if expected.size else 0.0
    if not math.isfinite(diff) or diff > CHECK_TOLERANCE:
        raise ExportError(f"the {part} file differs from the library by up to {diff:.3g} "
                          f"(more than {CHECK_TOLERANCE:g})")
    return diff


__all__ = ["PARTS", "ExportError", "parts", "to_onnx", "cached", "cache_dir", "fingerprint", "files", "save", "run",
           "check"]
