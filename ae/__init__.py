"""Autoencoder Lab's library: data, models, noise, training (background jobs, their pool and shelf, the
Train form), inference, metrics, baselines, PCA, embeddings and neighbours, denoising comparisons, anomaly
detection, decoding the latent space (and the small classifiers that judge decoded pictures), image
preparation, checkpoints and their zip archives, ONNX export, uploaded datasets, pictures and figures,
settings from the environment.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import (anomaly, archive, baselines, checkpoint, classify, data, denoise, embed, env, export, figures, form,
               generate, infer, jobs, metrics, models, neighbours, noise, pca, pool, prepare, shelf, train, userdata,
               viz)
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["anomaly", "archive", "baselines", "checkpoint", "classify", "data", "denoise", "embed", "env", "export",
           "figures", "form", "generate", "infer", "jobs", "metrics", "models", "neighbours", "noise", "pca", "pool",
           "prepare", "shelf", "train", "userdata", "viz", "MODELS", "ModelConfig", "build_model", "register",
           "NOISES", "EpochReport", "TrainConfig"]
