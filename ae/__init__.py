"""Autoencoder Lab's library: data, models, noise, training (and background jobs), inference, metrics,
baselines, PCA, embeddings and neighbours, denoising comparisons, anomaly detection, image preparation,
checkpoints, pictures and figures.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import (anomaly, baselines, checkpoint, data, denoise, embed, figures, infer, jobs, metrics, models,
               neighbours, noise, pca, prepare, train, viz)
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["anomaly", "baselines", "checkpoint", "data", "denoise", "embed", "figures", "infer", "jobs", "metrics",
           "models", "neighbours", "noise", "pca", "prepare", "train", "viz", "MODELS", "ModelConfig", "build_model",
           "register", "NOISES", "EpochReport", "TrainConfig"]
