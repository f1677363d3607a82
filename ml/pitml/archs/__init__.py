"""Registry of the study's architectures: name -> constructor(num_classes).

Every model is the CIFAR variant (3x3 stem, no stem max-pool, 32x32 input) with
the module names of the chenyaofo/pytorch-cifar-models checkpoints.
"""
from __future__ import annotations

from typing import Callable

from torch import nn

from . import mobilenetv2, repvgg, resnet, shufflenetv2, vgg

ARCHS: dict[str, Callable[..., nn.Module]] = {
    "resnet20": resnet.resnet20,
    "resnet32": resnet.resnet32,
    "resnet44": resnet.resnet44,
    "resnet56": resnet.resnet56,
    "vgg11_bn": vgg.vgg11_bn,
    "vgg13_bn": vgg.vgg13_bn,
    "vgg16_bn": vgg.vgg16_bn,
    "vgg19_bn": vgg.vgg19_bn,
    "mobilenetv2_x0_5": mobilenetv2.mobilenetv2_x0_5,
    "mobilenetv2_x0_75": mobilenetv2.mobilenetv2_x0_75,
    "mobilenetv2_x1_0": mobilenetv2.mobilenetv2_x1_0,
    "mobilenetv2_x1_4": mobilenetv2.mobilenetv2_x1_4,
    "shufflenetv2_x0_5": shufflenetv2.shufflenetv2_x0_5,
    "shufflenetv2_x1_0": shufflenetv2.shufflenetv2_x1_0,
    "shufflenetv2_x1_5": shufflenetv2.shufflenetv2_x1_5,
    "shufflenetv2_x2_0": shufflenetv2.shufflenetv2_x2_0,
    "repvgg_a0": repvgg.repvgg_a0,
    "repvgg_a1": repvgg.repvgg_a1,
    "repvgg_a2": repvgg.repvgg_a2,
}


def build(name: str, num_classes: int = 100) -> nn.Module:
    if name not in ARCHS:
        raise KeyError(f"unknown architecture {name!r}; known: {', '.join(sorted(ARCHS))}")
    return ARCHS[name](num_classes=num_classes)
