"""ae.compress: quantised codes, byte counts checked against files actually written, rate-distortion
points and frontiers, the sweep's curves, what goes first, the small sweep trainer and the shipped family."""
from __future__ import annotations

import gzip
import io
import math
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ae
import ae.compress as C
from ae import checkpoint
from ae.jobs import TrainingPool
from ae.train import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "checkpoints" / "sweep"


@pytest.fixture(scope="module")
def split():
    return ae.data.synthetic(60, seed=3)


@pytest.fixture(scope="module")
def fitted(split):
    """PCA with 8 components of the synthetic images, fitted once (an eigendecomposition of 784 x 784)."""
    return C.fit_pca(split.images, 8)


@pytest.fixture(scope="module")
def models():
    """Tiny untrained models: what is measured here is bookkeeping, not quality."""
    torch.manual_seed(0)
    return {z: ae.build_model(ae.ModelConfig(kind="dense", latent_dim=z, hidden=(16,))) for z in (1, 2, 4)}


# ---------------------------------------------------------------- quantisation

def test_float32_is_exact_and_float16_close():
    codes = np.random.default_rng(0).normal(0, 3, (50, 6)).astype(np.float32)
    q32, q16 = C.fit_quantiser(codes, 32), C.fit_quantiser(codes, 16)
    assert np.array_equal(q32.roundtrip(codes), codes)
    assert np.allclose(q16.roundtrip(codes), codes, rtol=1e-3, atol=1e-3)
    assert not np.array_equal(q16.roundtrip(codes), codes)
    assert q32.bytes_per_code(6) == 24 and q16.bytes_per_code(6) == 12
    assert q32.shared_bytes == q16.shared_bytes == 0


def test_8bit_range_is_learned_on_training_codes():
    rng = np.random.default_rng(1)
    train_codes = np.stack([rng.uniform(-1, 1, 500), rng.uniform(10, 50, 500)], 1).astype(np.float32)
    q = C.fit_quantiser(train_codes, 8)
    assert np.allclose(q.lo_, train_codes.min(0)) and np.allclose(q.hi_, train_codes.max(0))
    inside = train_codes[:100]
    step = (q.hi_ - q.lo_) / 255
    assert (np.abs(q.roundtrip(inside) - inside) <= step / 2 + 1e-5).all()     # within half a step per dimension
    assert q.encode(inside).dtype == np.uint8 and q.bytes_per_code(2) == 2 and q.shared_bytes == 16
    outside = np.array([[5.0, -100.0]], np.float32)                              # clipped to the learned range
    assert np.allclose(q.roundtrip(outside), [[q.hi_[0], q.lo_[1]]])
    with pytest.raises(ValueError, match="fitted on 2-number"):
        q.encode(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="32, 16, 8"):
        C.fit_quantiser(train_codes, 4)


@pytest.mark.parametrize("bits", C.BITS)
def test_code_bytes_match_the_file_written(tmp_path, bits):
    codes = np.random.default_rng(2).normal(size=(37, 5)).astype(np.float32)
    q = C.fit_quantiser(codes, bits)
    path = tmp_path / f"codes{bits}.bin"
    path.write_bytes(q.to_bytes(codes))
    assert path.stat().st_size == len(codes) * q.bytes_per_code(5) == 37 * 5 * bits // 8
    back = np.fromfile(path, dtype=q.dtype.newbyteorder("<")).reshape(37, 5)
    assert np.array_equal(q.decode(back), q.roundtrip(codes))


def test_code_points_bytes_and_quantisation_loss(split, models):
    model = models[4]
    points = C.code_points(model, split.images, split.images[:20], "dense")
    by_bits = {p.extra["bits"]: p for p in points}
    assert sorted(by_bits) == [8, 16, 32]
    assert [by_bits[b].bytes for b in (32, 16, 8)] == [16.0, 8.0, 4.0]
    assert by_bits[32].extra["quant_psnr"] == 100.0           # identical decoding: capped at 100 dB
    assert 30 < by_bits[8].extra["quant_psnr"] < 100 and by_bits[8].extra["quant_loss_db"] >= -1e-3
    weights = C.decoder_bytes(model)
    assert weights == 4 * sum(p.numel() for p in model.decoder.parameters())
    assert by_bits[32].shared_bytes == weights and by_bits[8].shared_bytes == weights + 2 * 4 * 4
    assert all(p.images == 20 and p.family == "dense" and p.extra["latent_dim"] == 4 for p in points)
    more = C.code_points(models[1], split.images, split.images[:20], "dense", bits=(32, 8))
    table = C.quantisation_table(points + more + [C.RDPoint("jpeg", "q=5", 90.0, 18.0, 0.02, 0, 20, {"quality": 5})],
                                 "dense")
    assert [r["z"] for r in table] == [1, 4] and sorted(k for k in table[0] if k != "z") == [8, 32]
    assert table[1][8] == {"bytes": 4.0, "psnr": by_bits[8].psnr, "loss_db": by_bits[8].extra["quant_loss_db"],
                           "quant_psnr": by_bits[8].extra["quant_psnr"]}


def test_decoder_bytes_counts_what_decode_uses():
    conv = ae.build_model(ae.ModelConfig(kind="conv", latent_dim=8, hidden=(4, 8)))
    expected = sum(p.numel() for m in (conv.body.from_code, conv.body.up) for p in m.parameters()) * 4
    assert C.decoder_bytes(conv) == expected
    assert all(p.grad is None for p in conv.parameters())     # leaves no gradients behind
    line = C.amortised_line(conv, 1000)
    assert line["per_image"] == pytest.approx(expected / 1000)
    dense = ae.build_model(ae.ModelConfig(kind="dense", latent_dim=2, hidden=(4,)))
    pts = [C.RDPoint("conv", "z=8", 8.0, 20.0, 0.01, expected, 10, {"decoder_bytes": expected}),
           C.RDPoint("conv", "z=2", 2.0, 15.0, 0.02, 500, 10, {"decoder_bytes": 500}),
           C.RDPoint("dense", "z=2", 2.0, 14.0, 0.02, 0, 10, {"decoder_bytes": C.decoder_bytes(dense)}),
           C.RDPoint("pca", "k=2", 2.0, 12.0, 0.03, 4000, 10, {})]
    aside = C.set_aside(pts, 1000)
    assert set(aside) == {"conv", "dense"}
    assert (aside["conv"]["min"], aside["conv"]["max"]) == (500, expected)
    assert aside["conv"]["max_per_image"] == pytest.approx(expected / 1000) and aside["conv"]["images"] == 1000


# ---------------------------------------------------------------- codecs: counts against files

def _u8(split, n=6):
    return C.to_uint8(split.images[:n])


def test_jpeg_counts_match_files_and_abbreviated_streams_decode(tmp_path, split):
    imgs = split.images[:6]
    u8 = C.to_uint8(imgs)
    points = {p.family: p for p in C.jpeg_points(imgs, qualities=(50,))}
    tables = C.jpeg_tables(50)
    (tmp_path / "tables.jpg").write_bytes(tables)
    files, streams, scans = [], [], []
    for i, im in enumerate(u8):
        s = C.jpeg_streams(im, 50)
        (tmp_path / f"{i}.jpg").write_bytes(s["file"])
        (tmp_path / f"{i}.image").write_bytes(s["image"])
        files.append((tmp_path / f"{i}.jpg").stat().st_size)
        streams.append((tmp_path / f"{i}.image").stat().st_size)
        scans.append(C.scan_bytes(s["image"]))
        full = np.asarray(Image.open(tmp_path / f"{i}.jpg"))
        spliced = C.decode_abbreviated((tmp_path / "tables.jpg").read_bytes(), (tmp_path / f"{i}.image").read_bytes())
        assert np.array_equal(full, spliced)                   # the tables stream restores the same pixels
        assert s["image"][:2] == b"\xff\xd8" and b"\xff\xc4" not in s["image"][:s["image"].index(b"\xff\xda")]
        assert C.jpeg_tables(50) == tables                     # the same tables for every image
        with pytest.raises(OSError):                            # and the image stream needs them
            np.asarray(Image.open(io.BytesIO(s["image"])).convert("L"))
    assert points["jpeg"].bytes == pytest.approx(np.mean(files))
    assert points["jpeg-image"].bytes == pytest.approx(np.mean(streams))
    assert points["jpeg-scan"].bytes == pytest.approx(np.mean(scans)) and np.mean(scans) < np.mean(streams)
    assert points["jpeg-image"].shared_bytes == (tmp_path / "tables.jpg").stat().st_size
    assert points["jpeg"].psnr == points["jpeg-image"].psnr == points["jpeg-scan"].psnr
    decoded = np.stack([np.asarray(Image.open(tmp_path / f"{i}.jpg")) for i in range(6)])
    expected = ae.metrics.psnr(C.from_uint8(decoded), imgs).mean()   # against the images, as for every method
    assert points["jpeg"].psnr == pytest.approx(float(expected))


def test_scan_bytes_rejects_what_is_not_jpeg():
    with pytest.raises(ValueError):
        C.scan_bytes(b"\xff\xd8\x00\x00\x00\x00")


def test_webp_png_gzip_counts_match_files(tmp_path, split):
    u8 = _u8(split)
    imgs = C.from_uint8(u8)
    webp = {p.family: p for p in C.webp_points(imgs, qualities=(30,))}
    exact = {p.family: p for p in C.exact_points(imgs)}
    sizes = {"webp": [], "png": [], "gzip": []}
    for i, im in enumerate(u8):
        for name, blob in (("webp", C.webp_file(im, 30)), ("png", C.png_file(im)), ("gzip", C.gzip_bytes(im.tobytes()))):
            path = tmp_path / f"{i}.{name}"
            path.write_bytes(blob)
            sizes[name].append(path.stat().st_size)
        assert np.array_equal(np.asarray(Image.open(tmp_path / f"{i}.png")), im)         # lossless
        assert gzip.decompress((tmp_path / f"{i}.gzip").read_bytes()) == im.tobytes()
        blob = (tmp_path / f"{i}.webp").read_bytes()
        assert blob[12:16] == b"VP8 " and int.from_bytes(blob[16:20], "little") + C.RIFF_HEADER <= len(blob)
    (tmp_path / "split.gz").write_bytes(C.gzip_bytes(u8.tobytes()))
    assert webp["webp"].bytes == pytest.approx(np.mean(sizes["webp"]))
    assert webp["webp-vp8"].bytes == pytest.approx(np.mean(sizes["webp"]) - C.RIFF_HEADER)
    assert exact["png"].bytes == pytest.approx(np.mean(sizes["png"]))
    assert exact["gzip"].bytes == pytest.approx(np.mean(sizes["gzip"]))
    assert exact["gzip-split"].bytes == pytest.approx((tmp_path / "split.gz").stat().st_size / len(u8))
    assert exact["raw"].bytes == 784
    assert all(p.exact and math.isinf(p.psnr) for p in exact.values())
    assert 0 < webp["webp"].psnr < 100


def test_codec_points_are_cached_on_disk(tmp_path, split, monkeypatch):
    from ae.embed import Cache

    calls = []
    real = C.jpeg_points
    monkeypatch.setattr(C, "jpeg_points", lambda *a: calls.append(1) or real(*a))
    imgs = split.images[:4]
    cache = Cache(tmp_path)
    first = C.codec_points(imgs, (20,), (40,), cache=cache)
    assert len(list(tmp_path.glob("*.npz"))) == 1 and len(calls) == 1
    again = C.codec_points(imgs, (20,), (40,), cache=cache)
    assert len(calls) == 1                                                   # read back, not computed again
    assert again == first and again[0].extra == {"quality": 20} and math.isinf(again[-1].psnr)
    assert C.codec_points(imgs, (20,), (40,)) == first and len(calls) == 2   # no cache: computed
    C.codec_points(split.images[4:8], (20,), (40,), cache=cache)             # other images: another key
    C.codec_points(imgs, (30,), (40,), cache=cache)                          # other settings: another key
    assert len(calls) == 4 and len(list(tmp_path.glob("*.npz"))) == 3


# ---------------------------------------------------------------- PCA and the frontier

def test_pca_truncation_is_a_fit_with_fewer_components(split, fitted):
    full = fitted
    three = ae.pca.fit(split.images, 3)
    assert np.allclose(C.truncate(full, 3).components_, three.components_, atol=1e-4)
    with pytest.raises(ValueError):
        C.truncate(full, 9)
    points = C.pca_points(split.images, split.images[:30], ks=(1, 4, 8), bits=(32, 8), fitted=full)
    f32 = [p for p in points if p.extra["bits"] == 32]
    assert [p.extra["latent_dim"] for p in f32] == [1, 4, 8]
    assert f32[0].psnr < f32[1].psnr < f32[2].psnr                     # more components, less error
    assert f32[2].shared_bytes == 9 * 784 * 4 and f32[2].bytes == 32


def _pt(family, b, psnr, shared=0):
    return C.RDPoint(family, f"{b}", float(b), float(psnr), 0.0, shared, 100)


def test_best_within_frontier_and_overtake():
    pts = [_pt("conv", 8, 20), _pt("conv", 32, 23), _pt("conv", 64, 22.5), _pt("jpeg", 40, 18), _pt("jpeg", 100, 22),
           _pt("jpeg", 150, 25), _pt("jpeg", 300, 30), _pt("png", 400, math.inf)]
    assert C.best_within(pts, ["conv"], 40).bytes == 32
    assert C.best_within(pts, ["jpeg"], 39) is None
    assert [p.bytes for p in C.frontier(pts, ["conv"])] == [8, 32]           # 64 B is worse than 32 B
    assert C.overtake_budget(pts, ["jpeg"], ["conv"]) == 150
    assert C.overtake_budget(pts, ["jpeg"], ["conv", "png"]) is None          # an exact copy is never beaten
    rows = C.margins(pts, ["conv"], {"codec": ["jpeg"]}, [32, 120])
    assert rows[0]["over"]["codec"]["margin_db"] is None and rows[1]["over"]["codec"]["margin_db"] == pytest.approx(1.0)
    # spreading a large shared part over the images moves the autoencoder's points to the right
    heavy = [_pt("conv", 8, 20, shared=10_000), _pt("jpeg", 40, 18)]
    assert C.best_within(heavy, ["conv"], 50, amortised=True) is None and C.best_within(heavy, ["conv"], 50)
    assert heavy[0].total_bytes() == 108


def test_rate_distortion_has_every_family(split, models):
    pts = C.rate_distortion({"dense": {1: models[1], 2: models[2]}}, split.images, split.images[:8],
                            jpeg_qualities=(10, 90), webp_qualities=(50,))
    fams = {p.family for p in pts}
    assert fams == {"dense", "pca", "jpeg", "jpeg-image", "jpeg-scan", "webp", "webp-vp8", "png", "gzip",
                    "gzip-split", "raw"}
    assert sorted(p.extra["latent_dim"] for p in pts if p.family == "pca" and p.extra["bits"] == 8) == [1, 2]
    jpeg = sorted((p for p in pts if p.family == "jpeg"), key=lambda p: p.extra["quality"])
    assert jpeg[0].bytes < jpeg[1].bytes and jpeg[0].psnr < jpeg[1].psnr
    assert all(C.family(p.family).method in {"ae", "pca", "jpeg", "webp", "exact"} for p in pts)


# ---------------------------------------------------------------- curves, what goes first

def test_sweep_curves_on_small_data(split, models):
    curves = C.sweep_curves({"dense": models}, split.images, split.labels, train_x=split.images, knn_points=None)
    assert [(c.family, c.latent_dim) for c in curves] == [("dense", 1), ("dense", 2), ("dense", 4),
                                                           ("pca", 1), ("pca", 2), ("pca", 4)]
    pca = [c for c in curves if c.family == "pca"]
    assert pca[0].psnr < pca[1].psnr < pca[2].psnr
    assert all(set(c.per_class_psnr) == set(range(10)) and c.images == 60 for c in curves)
    assert all(c.knn is not None and 0 <= c.knn <= 1 for c in curves)
    # per-class means average back to the overall mean (every class has 6 images)
    assert np.mean(list(pca[2].per_class_psnr.values())) == pytest.approx(pca[2].psnr, abs=1e-4)
    zs, classes, table = C.per_class(curves, "pca")
    assert zs == [1, 2, 4] and classes == list(range(10)) and table.shape == (10, 3)
    assert table[3, 2] == pca[2].per_class_psnr[3]
    by = C.curves_by_family(curves, "mse")
    assert by["pca"]["z"] == [1, 2, 4] and len(by["dense"]["mse"]) == 3


def test_kept_measures_once_and_reads_back_the_same_points(tmp_path, split, models, fitted):
    from ae.embed import Cache

    cache, calls = Cache(tmp_path), []
    x, labels = split.images[:40], split.labels[:40]

    def measure():
        calls.append(1)
        return (C.sweep_curves({"dense": {1: models[1]}}, x, labels, pca_ks=[2], knn_points=None, pca=fitted)
                + C.exact_points(x[:5]))
    first = C.kept(cache, {"part": "test", "n": 40}, measure)
    again = C.kept(cache, {"part": "test", "n": 40}, measure)
    assert len(calls) == 1 and again == first                 # infinite PSNR and int class keys survive JSON
    assert isinstance(again[0], C.CurvePoint) and set(again[0].per_class_psnr) == set(first[0].per_class_psnr)
    assert [p.family for p in again] == ["dense", "pca", "raw", "png", "gzip", "gzip-split"] and again[-1].exact
    C.kept(cache, {"part": "test", "n": 41}, measure)         # other parts: measured again
    assert len(calls) == 2


def test_gain_over_pca():
    pts = [C.CurvePoint(f, z, psnr, 0.0, None, {}, 10)
           for f, z, psnr in [("pca", 1, 10), ("pca", 4, 14), ("pca", 16, 20), ("pca", 64, 26),
                              ("dense", 1, 13), ("dense", 4, 18), ("dense", 16, 19.5), ("dense", 64, 21),
                              ("conv", 4, 15), ("conv", 64, 30)]]
    dense = C.gain_over_pca(pts, "dense")
    assert dense["gains"] == {1: 3, 4: 4, 16: -0.5, 64: -5} and dense["best_z"] == 4 and dense["caught_z"] == 16
    conv = C.gain_over_pca(pts, "conv")
    assert conv["best_z"] == 64 and conv["caught_z"] is None
    assert C.gain_over_pca(pts, "yours") == {"gains": {}, "best_z": None, "caught_z": None}


def test_pick_images():
    labels = np.array([3, 1, 1, 0, 2, 3, 0, 2, 1])
    assert C.pick_images(labels, 3).tolist() == [3, 1, 4]          # the first 0, 1 and 2, in class order
    assert C.pick_images(labels, 6).tolist() == list(range(6))     # fewer classes than images wanted
    drawn = C.pick_images(labels, 4, seed=1)
    assert drawn.tolist() == sorted(set(drawn.tolist())) and drawn.tolist() == C.pick_images(labels, 4, 1).tolist()
    assert drawn.tolist() != C.pick_images(labels, 4, seed=2).tolist()
    with pytest.raises(ValueError):
        C.pick_images(labels[:3], 8)


def test_what_goes_first(split, models, fitted):
    x = split.images[:8]
    pcas = {k: C.truncate(fitted, k) for k in (1, 4)}
    w = C.what_goes_first(pcas, x)
    assert w.latent_dims == [1, 4] and w.recons.shape == (2, 8, 1, 28, 28) and w.psnr.shape == (2, 8)
    assert w.psnr[1].mean() > w.psnr[0].mean()
    pic = w.picture(scale=2)   # the originals, then one row per z: 8 reconstructions, 8 error maps
    assert pic.shape == (3 * (56 + 2) + 2, 16 * (56 + 2) + 2, 3) and pic.dtype == np.uint8
    assert [r.shape for r in w.rows(heatmaps=False)] == [(8, 28, 28, 3)] * 3
    recon, heat, psnr = w.at(4)
    assert torch.equal(recon, w.recons[1]) and heat.shape == (8, 28, 28, 3) and np.array_equal(psnr, w.psnr[1])
    np.testing.assert_array_equal(heat, w.rows()[2][8:])     # the same colour scale as the whole picture
    assert not np.array_equal(w.at(1)[1], heat)
    with pytest.raises(ValueError):
        w.at(2)
    assert C.what_goes_first(models, x).recons.shape == (3, 8, 1, 28, 28)
    with pytest.raises(ValueError):
        C.what_goes_first({}, x)


# ---------------------------------------------------------------- your own sweep

def test_train_sweep_reports_progress_and_stops(split):
    seen = []
    done_models = []
    cfg = TrainConfig(epochs=2, batch_size=16, lr=0.01)
    out = C.train_sweep(split.images, [2, 1], config=cfg, hidden=(16,), on_progress=seen.append,
                        on_model=lambda z, m, h: done_models.append((z, len(h))))
    assert sorted(out) == [1, 2] and done_models == [(1, 2), (2, 2)]
    assert all(not m.training for m in out.values())
    assert [p.batches_done for p in seen] == list(range(1, 17)) and seen[-1].fraction == 1.0
    assert {p.latent_dim for p in seen[:8]} == {1} and seen[8].index == 1
    stopped = C.train_sweep(split.images, [1, 2], config=cfg, hidden=(16,), on_progress=lambda p: p.index == 1)
    assert sorted(stopped) == [1]                                # the model in progress is dropped
    with pytest.raises(ValueError):
        C.train_sweep(split.images, [], config=cfg)


def test_sweep_job_runs_in_a_pool(split):
    job = C.SweepJob(split.images, [1, 3], hidden=(8,), config=TrainConfig(epochs=1, batch_size=32),
                     pool=TrainingPool(1)).start()
    assert job.wait(60)
    snap = job.snapshot()
    assert snap["status"] == "done" and sorted(snap["models"]) == [1, 3] and snap["progress"].fraction == 1.0
    with pytest.raises(ValueError):
        C.SweepJob(split.images, [0], pool=TrainingPool(1))


def test_sweep_job_is_refused_when_the_queue_is_full(split):
    from ae.pool import QueueFull

    pool = TrainingPool(1, max_waiting=0)
    first = C.SweepJob(split.images, [1], hidden=(8,), config=TrainConfig(epochs=1, batch_size=32), pool=pool).start()
    try:
        with pytest.raises(QueueFull):
            while first.snapshot()["status"] == "queued":   # the first one is running before the second asks
                time.sleep(0.01)
            C.SweepJob(split.images, [2], hidden=(8,), config=TrainConfig(epochs=1, batch_size=32), pool=pool).start()
    finally:
        first.stop()
        assert first.wait(60)


def test_find_and_load_sweep(tmp_path, models):
    for z in (1, 4):
        checkpoint.save(tmp_path / C.sweep_name("mnist", "dense", z), models[z], dataset={"name": "mnist"})
    checkpoint.save(tmp_path / "other", models[2], dataset={"name": "fashion-mnist"})
    found = C.find_sweep(tmp_path, "mnist")
    assert list(found) == ["dense"] and list(found["dense"]) == [1, 4]
    assert found["dense"][4].name == "mnist_dense_z4"
    loaded = C.load_sweep(tmp_path, "mnist")["dense"][4]
    assert torch.equal(loaded.state_dict()["decoder.0.0.weight"], models[4].state_dict()["decoder.0.0.weight"])
    assert C.sweep_name("fashion-mnist", "conv", 8) == "fmnist_conv_z8"
    key = C.sweep_fingerprint(tmp_path, "mnist")
    assert key == C.sweep_fingerprint(tmp_path, "mnist") != C.sweep_fingerprint(tmp_path, "fashion-mnist")
    checkpoint.save(tmp_path / C.sweep_name("mnist", "dense", 2), models[2], dataset={"name": "mnist"})
    assert C.sweep_fingerprint(tmp_path, "mnist") != key


# ---------------------------------------------------------------- the shipped family

SHIPPED_DATASETS = ("fashion-mnist", "mnist")


def test_shipped_sweep_is_complete_and_small():
    total = sum(p.stat().st_size for p in SWEEP.rglob("*") if p.is_file())
    assert total < 35_000_000, f"the sweep family is {total / 1e6:.1f} MB"
    for dataset in SHIPPED_DATASETS:
        found = C.find_sweep(SWEEP, dataset)
        for kind in ("dense", "conv"):
            assert list(found.get(kind, {})) == list(C.LATENT_DIMS), (dataset, kind)
            for z, folder in found[kind].items():
                assert folder.name == C.sweep_name(dataset, kind, z)
    infos = checkpoint.list_checkpoints(SWEEP)
    assert all(i.ok for i in infos) and len(infos) == 2 * 2 * len(C.LATENT_DIMS)


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_shipped_sweep_reproduces_its_figures(kind):
    """The MNIST z=8 models (1,000 test images: quick) give the test figures they record."""
    model, meta = checkpoint.load(SWEEP / C.sweep_name("mnist", kind, 8))
    x = ae.data.load("mnist", "test").images
    measured = ae.train.evaluate(model, x)
    assert abs(measured["psnr"] - meta["metrics"]["test"]["psnr"]) <= 0.05
    assert math.isclose(measured["mse"], meta["metrics"]["test"]["mse"], rel_tol=1e-4)
