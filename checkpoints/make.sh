#!/usr/bin/env bash
# Recreates the shipped checkpoints with the CLI (`make checkpoints`). Each line is one model.
set -euo pipefail
PY=${1:-.venv/bin/python}
cd "$(dirname "$0")/.."
train() { "$PY" -m ae train "$@" 2> >(tail -c 2000 >&2); }
ALL_NOISES=gaussian,salt_and_pepper,mask,block

# 1-2. The lesson's model and its denoiser: dense 784-128-64-12-3, Adam 0.005, batch 64, 10 epochs.
train --dataset fashion-mnist --model dense --latent-dim 3 --epochs 10 --batch-size 64 --lr 0.005 \
      --out checkpoints/fmnist_dense_z3
train --dataset fashion-mnist --model dense --latent-dim 3 --epochs 10 --batch-size 64 --lr 0.005 \
      --noise gaussian --noise-level 0.2 --no-clip --out checkpoints/fmnist_dense_z3_denoise

# 3. Convolutional autoencoders.
train --dataset mnist --model conv --latent-dim 16 --epochs 60 --batch-size 64 --lr 0.002 \
      --out checkpoints/mnist_conv_z16
train --dataset fashion-mnist --model conv --latent-dim 32 --epochs 15 --batch-size 128 --lr 0.002 \
      --out checkpoints/fmnist_conv_z32

# 4. Convolutional denoisers trained across all noise kinds, each batch one kind at a random level up
#    to 0.6. Fashion-MNIST: a third 7x7 conv layer and a wider code (128) give the decoder room for
#    detail, and a cosine learning rate lets the last epochs settle (Gaussian 0.5: 19.06 dB against
#    18.51 after 25 epochs at a fixed rate). MNIST: a U-Net (skip connections around the code at 28x28
#    and 14x14), which restores salt-and-pepper 0.3 at 23.4 dB against 20.5 for the conv layers above
#    trained 150 epochs.
train --dataset fashion-mnist --model conv --hidden 32,64,32 --latent-dim 128 --epochs 40 --batch-size 128 \
      --lr 0.002 --lr-schedule cosine --noise $ALL_NOISES --noise-level 0.6 --random-level \
      --out checkpoints/fmnist_conv_denoise
#    Both of the following start from that conv denoiser, with more batches at heavy levels and a cosine
#    rate; the folder is read before anything replaces it, and each new config keeps the record of its
#    starting point under "started_from". First a refining stage at 28x28 that also sees the damaged
#    input (salt-and-pepper 0.3: 23.27 dB against 20.56), then 30 more epochs of the conv layers
#    themselves (Gaussian 0.5: 19.22 against 19.06).
train --dataset fashion-mnist --model conv_refine --hidden 32,64,32,32 --latent-dim 128 \
      --init checkpoints/fmnist_conv_denoise --epochs 22 --batch-size 128 --lr 0.001 --lr-schedule cosine \
      --noise $ALL_NOISES --noise-level 0.6 --random-level --level-draw heavy --seed 1 \
      --out checkpoints/fmnist_refine_denoise
train --dataset fashion-mnist --model conv --hidden 32,64,32 --latent-dim 128 \
      --init checkpoints/fmnist_conv_denoise --epochs 30 --batch-size 128 --lr 0.001 --lr-schedule cosine \
      --noise $ALL_NOISES --noise-level 0.6 --random-level --level-draw heavy --seed 1 \
      --out checkpoints/fmnist_conv_denoise
#    A Gaussian specialist for Fashion-MNIST, in two steps from that conv denoiser: its conv layers
#    trained 20 epochs on Gaussian noise alone (Gaussian 0.5: 19.77 dB), then the refining stage on top,
#    10 epochs (20.06 dB). The first step is only a starting point, so it goes to a scratch folder.
SCRATCH=$(mktemp -d); trap 'rm -rf "$SCRATCH"' EXIT
train --dataset fashion-mnist --model conv --hidden 32,64,32 --latent-dim 128 \
      --init checkpoints/fmnist_conv_denoise --epochs 20 --batch-size 128 --lr 0.001 --lr-schedule cosine \
      --noise gaussian --noise-level 0.6 --random-level --level-draw heavy --seed 2 \
      --out "$SCRATCH/fmnist_conv_gauss"
train --dataset fashion-mnist --model conv_refine --hidden 32,64,32,32 --latent-dim 128 \
      --init "$SCRATCH/fmnist_conv_gauss" --epochs 10 --batch-size 128 --lr 0.001 --lr-schedule cosine \
      --noise gaussian --noise-level 0.6 --random-level --level-draw heavy --seed 3 \
      --out checkpoints/fmnist_refine_gauss_denoise
train --dataset mnist --model unet --hidden 32,64 --latent-dim 128 --epochs 100 --batch-size 64 \
      --lr 0.001 --noise $ALL_NOISES --noise-level 0.6 --random-level --out checkpoints/mnist_unet_denoise
#    Then 60 more epochs from there (the folder is read before it is replaced, and the new config keeps
#    its record under "started_from"), with more batches at heavy levels and a cosine rate: Gaussian 0.5
#    20.27 dB against 19.66, salt-and-pepper 0.3 24.62 against 23.37.
train --dataset mnist --model unet --hidden 32,64 --latent-dim 128 --init checkpoints/mnist_unet_denoise \
      --epochs 60 --batch-size 64 --lr 0.0005 --lr-schedule cosine --noise $ALL_NOISES --noise-level 0.6 \
      --random-level --level-draw heavy --seed 1 --out checkpoints/mnist_unet_denoise

# 5. A VAE with a 2-D code on MNIST.
train --dataset mnist --model vae --latent-dim 2 --epochs 80 --batch-size 64 --lr 0.001 \
      --out checkpoints/mnist_vae_z2

# 6. The Generation page's plain autoencoders with a 2-D code and the small classifiers (about 30 minutes).
bash checkpoints/make_generate.sh "$PY"

# 7. The Anomaly page's one-class models (checkpoints/anomaly/): a conv autoencoder and a denoiser per
#    Fashion-MNIST class, 3 seeds each, seed 0 saved (about 1 hour on one core).
bash checkpoints/make_anomaly.sh "$PY"

# 8. The Compression page's sweep families (checkpoints/sweep/<name>/, out of the sidebar): dense and conv
#    autoencoders at z = 1, 2, 3, 4, 8, 16, 32, 64 on both datasets (about 3 hours more).
bash checkpoints/make_sweep.sh "$PY"

# The README's table of these checkpoints, measured on the test split.
"$PY" -m ae table --readme README.md
