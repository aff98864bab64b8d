#!/usr/bin/env bash
# Recreates the shipped one-class models of the Anomaly lab (checkpoints/anomaly/, called by `make checkpoints`).
# For each Fashion-MNIST class: a conv autoencoder (code of 16, 10 epochs) and a denoising one, trained on that
# class's 6,000 training images only, once per seed (0, 1, 2); every seed's test AUROC and AUPR for every score
# is recorded in config.json, and seed 0's pair is saved (ae.anomaly.ship, ae.anomaly.RECIPE). The recipe was
# fixed on a validation split of the training images; the test labels only measure. About 2 minutes per class
# and seed on one core.
set -euo pipefail
PY=${1:-.venv/bin/python}
cd "$(dirname "$0")/.."
"$PY" -m ae anomaly --dataset fashion-mnist --classes 0,1,2,3,4,5,6,7,8,9 --seeds 0,1,2 --out checkpoints/anomaly
