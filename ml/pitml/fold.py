"""The inference ("deploy") form of a model: BatchNorm folded into the conv before it.

An exported graph without BatchNormalization nodes is smaller and faster in
ONNX Runtime Web, whose WASM backend does not always fuse BN itself, and it is
the form whose numbers we report. RepVGG blocks are first re-parameterised into
their single 3x3 conv; then torch.fx finds every conv -> BN pair and folds it.
"""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.fx.experimental.optimization import fuse


def deploy_form(model: nn.Module) -> nn.Module:
    """A folded eval-mode copy of `model`; the original is left untouched."""
    folded = copy.deepcopy(model).eval()
    for m in list(folded.modules()):
        if hasattr(m, "reparameterize"):
            m.reparameterize()
    folded = fuse(folded)
    leftover = [name for name, m in folded.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if leftover:
        # A BN that does not directly follow a conv cannot be folded; fail here
        # rather than ship a graph with BN nodes.
        raise ValueError(f"BatchNorm layers left after folding: {leftover[:5]}")
    return folded.eval()
