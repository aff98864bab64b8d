"""Plotly figures built from plain data: pure functions, so they are tested without Streamlit."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from .models import Autoencoder

PALETTE = ["#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A",
           "#19D3F3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"]


def architecture(model: Autoencoder, encoder: str = "encoder", decoder: str = "decoder") -> go.Figure:
    """An hourglass of the model's real layers: bar height ~ log of the numbers passing through."""
    stages = model.layer_sizes()
    names = [n for n, _ in stages] + ["z"] + [n for n, _ in reversed(stages)]
    shapes = [s for _, s in stages] + [(model.config.latent_dim,)] + [s for _, s in reversed(stages)]
    names[-1] = "x̂"
    names[0] = "x"
    sizes = [math.prod(s) for s in shapes]
    heights = [math.log10(n) + 0.4 for n in sizes]
    mid = len(stages)
    colors = ["#4C78A8"] * mid + ["#E45756"] + ["#54A24B"] * mid
    fig = go.Figure(go.Bar(
        x=list(range(len(sizes))), y=[2 * h for h in heights], base=[-h for h in heights],
        marker_color=colors, width=0.55,
        text=["×".join(map(str, s)) for s in shapes], textposition="outside",
        hovertext=[f"{n}: {'×'.join(map(str, s))} = {v:,}" for n, s, v in zip(names, shapes, sizes)],
        hoverinfo="text"))
    top = max(heights) + 0.9
    fig.add_annotation(x=(mid - 1) / 2, y=top, text=f"← {encoder} →", showarrow=False, font_color="#4C78A8")
    fig.add_annotation(x=mid + (mid + 1) / 2, y=top, text=f"← {decoder} →", showarrow=False, font_color="#54A24B")
    fig.update_layout(
        height=300, margin=dict(l=10, r=10, t=30, b=10), showlegend=False, bargap=0.3,
        xaxis=dict(tickmode="array", tickvals=list(range(len(sizes))), ticktext=names, showgrid=False),
        yaxis=dict(visible=False, range=[-top, top + 0.3]), plot_bgcolor="rgba(0,0,0,0)")
    return fig


def loss_curves(history: list[dict], labels: dict[str, str] | None = None) -> go.Figure:
    """Train and test loss per epoch from EpochReport dicts."""
    labels = labels or {}
    epochs = [h["epoch"] for h in history]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=epochs, y=[h["train_loss"] for h in history], mode="lines+markers",
                             name=labels.get("train", "train loss")))
    if any(h.get("test_loss") is not None for h in history):
        fig.add_trace(go.Scatter(x=epochs, y=[h["test_loss"] for h in history], mode="lines+markers",
                                 name=labels.get("test", "test loss")))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis_title=labels.get("epoch", "epoch"), yaxis_title=labels.get("loss", "loss"),
                      legend=dict(orientation="h", y=1.12))
    return fig
