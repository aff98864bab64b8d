"""Autoencoder Lab's library: data, models, noise, training (and background jobs), inference, metrics,
baselines, PCA, embeddings and neighbours, denoising comparisons, decoding the latent space (and the
small classifiers that judge decoded pictures), image preparation, checkpoints, pictures and figures.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import (baselines, checkpoint, classify, data, denoise, embed, figures, generate, infer, jobs, metrics, models,
               neighbours, noise, pca, prepare, train, viz)
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["baselines", "checkpoint", "classify", "data", "denoise", "embed", "figures", "generate", "infer", "jobs",
           "metrics", "models", "neighbours", "noise", "pca", "prepare", "train", "viz", "MODELS", "ModelConfig",
           "build_model", "register", "NOISES", "EpochReport", "TrainConfig"]
