#!/usr/bin/env bash
# Recreates what the Generation lab ships (called by `make checkpoints`): the plain autoencoders with a 2-D
# code beside the VAEs, for "AE vs VAE: the holes", and the small classifiers that judge decoded pictures.
# About 30 minutes of one core in all (Fashion-MNIST: ~14 s an epoch per model on an idle core).
set -euo pipefail
PY=${1:-.venv/bin/python}
cd "$(dirname "$0")/.."
train() { "$PY" -m ae train "$@" 2> >(tail -c 2000 >&2); }

# 1. MNIST: a plain conv AE with the same body (32, 64), z = 2, batch, rate and epochs as mnist_vae_z2
#    (which checkpoints/make.sh trains).
train --dataset mnist --model conv --latent-dim 2 --hidden 32,64 --epochs 80 --batch-size 64 --lr 0.001 \
      --out checkpoints/mnist_conv_z2

# 2. Fashion-MNIST: the pair, trained alike (40 epochs of 60,000 images, cosine rate).
train --dataset fashion-mnist --model conv --latent-dim 2 --hidden 32,64 --epochs 40 --batch-size 128 --lr 0.001 \
      --lr-schedule cosine --out checkpoints/fmnist_conv_z2
train --dataset fashion-mnist --model vae --latent-dim 2 --hidden 32,64 --epochs 40 --batch-size 128 --lr 0.001 \
      --lr-schedule cosine --out checkpoints/fmnist_vae_z2

# 3. The classifiers (a tiny CNN each, 0.4 MB) trained on the real training images, a minute or two each;
#    a family folder, so it stays out of the sidebar's model list.
"$PY" -m ae classifier --dataset mnist --epochs 15 --out checkpoints/classifiers/mnist   # 4,000 images: more epochs
"$PY" -m ae classifier --dataset fashion-mnist --out checkpoints/classifiers/fashion-mnist
