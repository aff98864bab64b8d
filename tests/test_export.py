"""ae.export: every kind's encoder, and decoder where it has one, as ONNX with a dynamic batch size,
equal to the library's own encode / decode when run by onnxruntime; the shipped mnist_vae_z2 too."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch

import ae
from ae import export
from ae.export import ExportError
from tests.conftest import ROOT

SHIPPED = ROOT / "checkpoints" / "mnist_vae_z2"
SMALL = {"dense": (16, 8), "conv": (4, 8), "vae": (4, 8), "unet": (4, 8), "conv_refine": (4, 8, 4)}
DECODES = ("dense", "conv", "vae")   # the kinds whose decoder needs only z


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_CACHE_DIR", str(tmp_path))   # export.cached and save write here, not into .cache


def tiny(kind: str, latent_dim: int = 3, seed: int = 0):
    torch.manual_seed(seed)
    return ae.build_model(ae.ModelConfig(kind=kind, latent_dim=latent_dim, hidden=SMALL.get(kind)))


@pytest.fixture(scope="module")
def exported():
    """{(kind, part): ONNX bytes} of tiny(kind) in training mode, exported once for this module (1-3 s
    each); get.still_training[kind, part] says whether the model was left in training mode."""
    files: dict = {}

    def get(kind: str, part: str) -> bytes:
        if (kind, part) not in files:
            model = tiny(kind).train()
            files[kind, part] = export.to_onnx(model, part)
            get.still_training[kind, part] = model.training
        return files[kind, part]
    get.still_training = {}
    return get


def test_every_kind_is_covered():
    assert set(SMALL) == set(ae.MODELS)   # a new kind gets a tiny size here, and so this file's checks


@pytest.mark.parametrize("kind", sorted(ae.MODELS))
def test_every_kind_exports_what_it_can_and_matches_the_library(kind, exported):
    model = tiny(kind).train()
    expected = ("decoder", "encoder") if kind in DECODES else ("encoder",)
    assert export.parts(model) == expected and ae.generate.can_decode(model) == (kind in DECODES)
    assert model.training                                  # looking did not change its mode
    for part in expected:
        data = exported(kind, part)
        assert exported.still_training[kind, part]        # exported in eval mode, then put back
        proto = onnx.load_from_string(data)
        onnx.checker.check_model(proto)
        (inp,), (out,) = proto.graph.input, proto.graph.output
        assert inp.type.tensor_type.shape.dim[0].dim_param == out.type.tensor_type.shape.dim[0].dim_param == "batch"
        meta = {p.key: p.value for p in proto.metadata_props}
        assert meta["part"] == part and meta["kind"] == kind and meta["latent_dim"] == "3"
        assert export.check(model, data, part) <= export.CHECK_TOLERANCE          # a batch of 37
        assert export.check(model, data, part, n=1, seed=1) <= export.CHECK_TOLERANCE
    if kind in DECODES:
        # far-out codes push pixels past [0, 1] before the clamp: both clamp them alike
        z = torch.randn(20, 3) * 50
        got = export.run(exported(kind, "decoder"), z)
        assert got.shape == (20, 1, 28, 28) and got.min() >= 0 and got.max() <= 1
        assert export.check(model, exported(kind, "decoder"), "decoder", inputs=z) <= export.CHECK_TOLERANCE
    else:
        with pytest.raises(ExportError, match="cannot decode z on its own"):
            export.to_onnx(model, "decoder")


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="needs the shipped mnist_vae_z2")
def test_shipped_checkpoint_both_parts(tmp_path):
    model, _ = ae.checkpoint.load(SHIPPED)
    paths = export.save(model, tmp_path / "out")   # checked against the library before writing
    assert set(paths) == {"decoder", "encoder"} and all(p.stat().st_size > 10_000 for p in paths.values())
    assert sorted(p.name[-12:] for p in (tmp_path / "onnx").iterdir()) == ["decoder.onnx", "encoder.onnx"]  # cached
    images = ae.data.synthetic(16).images
    assert export.check(model, paths["encoder"], "encoder", inputs=images) <= export.CHECK_TOLERANCE
    assert export.check(model, paths["decoder"], "decoder") <= export.CHECK_TOLERANCE   # wider than the prior
    z = torch.from_numpy(export.run(paths["encoder"], images))                          # codes of pictures
    assert export.check(model, paths["decoder"], "decoder", inputs=z) <= export.CHECK_TOLERANCE


def test_check_fails_for_another_models_file(exported):
    with pytest.raises(ExportError, match="differs from the library"):
        export.check(tiny("vae", seed=1), exported("vae", "decoder"), "decoder")
    with pytest.raises(ExportError, match="shape"):   # a z of 3 where the model has 2
        export.check(tiny("dense", latent_dim=2), exported("dense", "encoder"), "encoder")
    with pytest.raises(ExportError, match="unknown part"):
        export.check(tiny("dense"), exported("dense", "encoder"), "middle")


def test_save_refuses_a_file_that_differs(tmp_path, monkeypatch, exported):
    monkeypatch.setattr(export, "cached", lambda m, part: exported("vae", part))   # another model's files
    with pytest.raises(ExportError, match="differs from the library"):
        export.save(tiny("vae", seed=1), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cached_keeps_one_file_per_set_of_weights(tmp_path, monkeypatch, exported):
    model = tiny("dense")
    calls = []

    def counted(m, part):
        calls.append(export.fingerprint(m, part))
        return exported("dense", part)
    monkeypatch.setattr(export, "to_onnx", counted)
    first = export.cached(model, "decoder", folder=tmp_path)
    assert len(calls) == 1 and [p.name[-12:] for p in tmp_path.iterdir()] == ["decoder.onnx"]
    assert export.cached(model, "decoder", folder=tmp_path) == first and len(calls) == 1   # read back
    assert export.fingerprint(tiny("dense", seed=1), "decoder") != calls[0]                # other weights
    assert export.fingerprint(model, "encoder") != calls[0]
    export.cached(tiny("dense", seed=1), "decoder", folder=tmp_path)
    assert len(calls) == 2 and len(list(tmp_path.iterdir())) == 2
    np.testing.assert_allclose(export.run(first, torch.zeros(3, 3)), ae.infer.decode(model, torch.zeros(3, 3)).numpy(),
                               atol=export.CHECK_TOLERANCE)


@pytest.mark.parametrize("kind", ["dense", "unet"])
def test_files_are_the_checked_members_of_a_downloaded_zip(kind, exported, monkeypatch):
    model = tiny(kind)
    got = export.files(model)
    assert sorted(got) == (["decoder.onnx", "encoder.onnx"] if kind in DECODES else ["encoder.onnx"])
    assert got["encoder.onnx"] == export.cached(model, "encoder")         # the disk cache, not a new export
    monkeypatch.setattr(export, "cached", lambda m, part: exported("dense" if kind != "dense" else "conv", part))
    with pytest.raises(ExportError):                                      # another model's file is refused
        export.files(model)
