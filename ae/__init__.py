"""Autoencoder Lab's library: data, models, noise, training, metrics, embeddings, checkpoints.

Pure Python + torch/numpy/scikit-learn; never imports Streamlit.
"""
from . import baselines, checkpoint, data, figures, metrics, models, noise, train, viz
from .models import MODELS, ModelConfig, build_model, register
from .noise import NOISES
from .train import EpochReport, TrainConfig

__all__ = ["baselines", "figures", "viz", "checkpoint", "data", "metrics", "models", "noise", "train", "MODELS", "ModelConfig",
           "build_model", "register", "NOISES", "EpochReport", "TrainConfig"]
