"""CIFAR RepVGG-A (Ding et al. 2021, "RepVGG: Making VGG-style ConvNets Great Again").

Training form: each block sums a 3x3 conv+BN, a 1x1 conv+BN and (when shapes
allow) an identity BN. `reparameterize()` turns every block into the single 3x3
conv with bias that the paper deploys; export uses that form.

CIFAR changes, as in the reference zoo: the stem and stage1 use stride 1.
Module names follow the published chenyaofo/pytorch-cifar-models checkpoints:
`stage0`, `stage{1..4}.{i}` with `rbr_dense.{conv,bn}`, `rbr_1x1.{conv,bn}`,
`rbr_identity` (a BatchNorm2d), and `linear`.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

BLOCKS = (2, 4, 14, 1)  # the "A" depth
MULTIPLIERS = {"a0": (0.75, 0.75, 0.75, 2.5), "a1": (1, 1, 1, 2.5), "a2": (1.5, 1.5, 1.5, 2.75)}


def _conv_bn(cin: int, cout: int, kernel: int, stride: int) -> nn.Sequential:
    seq = nn.Sequential()
    seq.add_module("conv", nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False))
    seq.add_module("bn", nn.BatchNorm2d(cout))
    return seq


def _bn_affine(bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale and shift of an eval-mode BN: y = x * scale + shift."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


class RepVGGBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.relu = nn.ReLU()
        self.rbr_identity = nn.BatchNorm2d(cin) if cin == cout and stride == 1 else None
        self.rbr_dense = _conv_bn(cin, cout, 3, stride)
        self.rbr_1x1 = _conv_bn(cin, cout, 1, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if hasattr(self, "rbr_reparam"):
            return self.relu(self.rbr_reparam(x))
        out = self.rbr_dense(x) + self.rbr_1x1(x)
        if self.rbr_identity is not None:
            out = out + self.rbr_identity(x)
        return self.relu(out)

    @torch.no_grad()
    def reparameterize(self) -> None:
        """Replace the three branches by one equivalent 3x3 conv (eval-mode BN)."""
        if hasattr(self, "rbr_reparam"):
            return
        dense = self.rbr_dense.conv
        scale, shift = _bn_affine(self.rbr_dense.bn)
        kernel = dense.weight * scale.view(-1, 1, 1, 1)
        bias = shift.clone()
        scale, shift = _bn_affine(self.rbr_1x1.bn)
        # A 1x1 kernel is a 3x3 kernel that is zero outside its centre.
        kernel += F.pad(self.rbr_1x1.conv.weight * scale.view(-1, 1, 1, 1), [1, 1, 1, 1])
        bias += shift
        if self.rbr_identity is not None:
            scale, shift = _bn_affine(self.rbr_identity)
            idx = torch.arange(dense.in_channels)
            kernel[idx, idx, 1, 1] += scale
            bias += shift
        self.rbr_reparam = nn.Conv2d(dense.in_channels, dense.out_channels, 3, dense.stride, 1, bias=True)
        self.rbr_reparam.weight.copy_(kernel)
        self.rbr_reparam.bias.copy_(bias)
        del self.rbr_dense, self.rbr_1x1, self.rbr_identity


class CifarRepVGG(nn.Module):
    def __init__(self, multipliers: tuple[float, ...], num_classes: int = 100):
        super().__init__()
        width = [int(base * m) for base, m in zip((64, 128, 256, 512), multipliers)]
        self._cin = min(64, width[0])
        self.stage0 = RepVGGBlock(3, self._cin, 1)
        self.stage1 = self._stage(width[0], BLOCKS[0], 1)
        self.stage2 = self._stage(width[1], BLOCKS[1], 2)
        self.stage3 = self._stage(width[2], BLOCKS[2], 2)
        self.stage4 = self._stage(width[3], BLOCKS[3], 2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(width[3], num_classes)

    def _stage(self, cout: int, n: int, stride: int) -> nn.Sequential:
        blocks = []
        for s in [stride] + [1] * (n - 1):
            blocks.append(RepVGGBlock(self._cin, cout, s))
            self._cin = cout
        return nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage4(self.stage3(self.stage2(self.stage1(self.stage0(x)))))
        return self.linear(torch.flatten(self.gap(x), 1))


def repvgg_a0(num_classes: int = 100) -> CifarRepVGG:
    return CifarRepVGG(MULTIPLIERS["a0"], num_classes)


def repvgg_a1(num_classes: int = 100) -> CifarRepVGG:
    return CifarRepVGG(MULTIPLIERS["a1"], num_classes)


def repvgg_a2(num_classes: int = 100) -> CifarRepVGG:
    return CifarRepVGG(MULTIPLIERS["a2"], num_classes)
