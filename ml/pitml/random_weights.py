"""Seeded random-weight models, for timing runs and export tests.

Freshly built models have BN running stats of exactly mean 0 / var 1 and affine
1 / 0, which makes BN folding an identity and would let a broken fold pass the
fidelity check. So after the seeded init we give every BN a random affine and
set its running statistics from one forward pass on seeded noise (train mode,
cumulative average): the folded weights are then non-trivial and the logits
stay in a sane range however deep the model is.
"""
from __future__ import annotations

import torch
from torch import nn

from . import archs


@torch.no_grad()
def random_model(arch: str, seed: int = 0, calib_batch: int = 8) -> nn.Module:
    torch.manual_seed(seed)
    model = archs.build(arch)
    gen = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        n = bn.num_features
        bn.weight.copy_(0.5 + torch.rand(n, generator=gen))
        bn.bias.copy_(0.1 * torch.randn(n, generator=gen))
        bn.reset_running_stats()
        bn.momentum = None  # running stats = plain average over calibration batches
    model.train()
    model(torch.randn(calib_batch, 3, 32, 32, generator=gen))
    for bn in bns:
        bn.momentum = 0.1
    return model.eval()
