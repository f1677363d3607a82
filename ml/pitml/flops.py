"""Multiply-adds (MACs) of one forward pass on a 1x3x32x32 input.

What is counted, and why: only Conv2d and Linear layers, one multiply-add per
weight use: conv = output elements * (in_channels / groups) * kh * kw, linear =
in_features * out_features. Biases, BN, activations, pooling and additions are
not counted. That is the convention of the reference zoo's table
(chenyaofo/pytorch-cifar-models: "FLOPs only counts the conv and linear layer"),
and with it every figure there is reproduced to within 0.1%. RepVGG is counted
in its training form (3x3 + 1x1 branches), as the table does; its deployed single
3x3 conv form does slightly fewer.
"""
from __future__ import annotations

import torch
from torch import nn


def count_madds(model: nn.Module, input_size: tuple[int, ...] = (1, 3, 32, 32)) -> int:
    total = 0

    def conv_hook(m: nn.Conv2d, _inp, out: torch.Tensor) -> None:
        nonlocal total
        kh, kw = m.kernel_size
        total += out.numel() * (m.in_channels // m.groups) * kh * kw

    def linear_hook(m: nn.Linear, inp, _out) -> None:
        nonlocal total
        rows = inp[0].numel() // m.in_features  # batch (and any leading dims)
        total += rows * m.in_features * m.out_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(input_size))
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return total


def count_params(model: nn.Module) -> int:
    """Trainable parameters (conv/linear weights and biases, BN affine), no buffers."""
    return sum(p.numel() for p in model.parameters())
