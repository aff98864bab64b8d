"""Autoencoder Lab's library: data, models, noise, training (background jobs, their pool and shelf, the
Train form, the executor that runs them here or on a Ray cluster, data-parallel training), inference,
metrics, baselines, PCA, embeddings and neighbours, denoising comparisons, anomaly detection, compression,
decoding the latent space (and the small classifiers that judge decoded pictures), image preparation,
checkpoints and their zip archives, ONNX export, uploaded datasets, pictures and figures, settings from the
environment.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import (anomaly, archive, baselines, checkpoint, classify, compress, data, denoise, distributed, embed, env,
               executor, export, figures, form, generate, infer, jobs, metrics, models, neighbours, noise, pca, pool,
               prepare, shelf, train, userdata, viz)
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["anomaly", "archive", "baselines", "checkpoint", "classify", "compress", "data", "denoise", "distributed",
           "embed", "env", "executor", "export", "figures", "form", "generate", "infer", "jobs", "metrics", "models",
           "neighbours", "noise", "pca", "pool", "prepare", "shelf", "train", "userdata", "viz", "MODELS",
           "ModelConfig", "build_model", "register", "NOISES", "EpochReport", "TrainConfig"]
