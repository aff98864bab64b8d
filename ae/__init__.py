"""Autoencoder Lab's library: data, models, noise, training (and background jobs), metrics, baselines,
embeddings and neighbours, denoising comparisons, image preparation, checkpoints, pictures and figures.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import (baselines, checkpoint, data, denoise, embed, figures, jobs, metrics, models, neighbours, noise,
               prepare, train, viz)
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["baselines", "checkpoint", "data", "denoise", "embed", "figures", "jobs", "metrics", "models",
           "neighbours", "noise", "prepare", "train", "viz", "MODELS", "ModelConfig", "build_model", "register",
           "NOISES", "EpochReport", "TrainConfig"]
