"""CIFAR ResNets (He et al. 2016, "Deep Residual Learning", section 4.2 layout:
3x3 stem of 16 channels, three stages of 16/32/64, no max-pool).

Module names follow the published chenyaofo/pytorch-cifar-models checkpoints
(`conv1`, `bn1`, `layer{1,2,3}.{i}.conv{1,2}/bn{1,2}`, projection shortcut
`layer{2,3}.0.downsample.{0,1}`, `fc`) so those files load with strict=True.
"""
from __future__ import annotations

import torch
from torch import nn


def conv3x3(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class CifarResNet(nn.Module):
    def __init__(self, blocks_per_stage: int, num_classes: int = 100):
        super().__init__()
        self.conv1 = conv3x3(3, 16)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self._cin = 16
        self.layer1 = self._stage(16, blocks_per_stage, 1)
        self.layer2 = self._stage(32, blocks_per_stage, 2)
        self.layer3 = self._stage(64, blocks_per_stage, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _stage(self, cout: int, n: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self._cin != cout:
            downsample = nn.Sequential(
                nn.Conv2d(self._cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        layers = [BasicBlock(self._cin, cout, stride, downsample)]
        self._cin = cout
        layers += [BasicBlock(cout, cout) for _ in range(n - 1)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet20(num_classes: int = 100) -> CifarResNet:
    return CifarResNet(3, num_classes)


def resnet32(num_classes: int = 100) -> CifarResNet:
    return CifarResNet(5, num_classes)


def resnet44(num_classes: int = 100) -> CifarResNet:
    return CifarResNet(7, num_classes)


def resnet56(num_classes: int = 100) -> CifarResNet:
    return CifarResNet(9, num_classes)
