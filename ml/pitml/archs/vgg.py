"""CIFAR VGG-BN (Simonyan & Zisserman 2015, configurations A/B/D/E with batch norm).

For 32x32 input the five max-pools leave a 1x1x512 map, so the classifier is
512 -> 512 -> 512 -> classes (the ImageNet version's 7x7 pooling and 4096-wide
layers would be 40x the parameters for no gain on CIFAR).

Module indices follow the published chenyaofo/pytorch-cifar-models checkpoints:
`features.{i}` counts conv, bn, relu and pool modules in order, and the classifier
is `classifier.{0,3,6}` (ReLU and Dropout occupy the indices between).
"""
from __future__ import annotations

import torch
from torch import nn

# Channel widths per configuration; "M" is a 2x2 max-pool.
CONFIGS: dict[str, list[int | str]] = {
    "vgg11_bn": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg13_bn": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "vgg16_bn": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                 512, 512, 512, "M"],
    "vgg19_bn": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
                 512, 512, 512, 512, "M"],
}


def _features(config: list[int | str]) -> nn.Sequential:
    layers: list[nn.Module] = []
    cin = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
            continue
        # The conv keeps its bias (as the published weights do) even though BN
        # follows; folding at export time absorbs it anyway.
        layers += [nn.Conv2d(cin, int(item), 3, padding=1), nn.BatchNorm2d(int(item)), nn.ReLU(inplace=True)]
        cin = int(item)
    return nn.Sequential(*layers)


class CifarVGG(nn.Module):
    def __init__(self, config: list[int | str], num_classes: int = 100):
        super().__init__()
        self.features = _features(config)
        self.classifier = nn.Sequential(
            nn.Linear(512, 512), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(512, 512), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(512, num_classes),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


def vgg11_bn(num_classes: int = 100) -> CifarVGG:
    return CifarVGG(CONFIGS["vgg11_bn"], num_classes)


def vgg13_bn(num_classes: int = 100) -> CifarVGG:
    return CifarVGG(CONFIGS["vgg13_bn"], num_classes)


def vgg16_bn(num_classes: int = 100) -> CifarVGG:
    return CifarVGG(CONFIGS["vgg16_bn"], num_classes)


def vgg19_bn(num_classes: int = 100) -> CifarVGG:
    return CifarVGG(CONFIGS["vgg19_bn"], num_classes)
