"""CIFAR MobileNetV2 (Sandler et al. 2018, "Inverted Residuals and Linear Bottlenecks").

CIFAR changes, as in the reference zoo: the stem conv and the second stage use
stride 1 instead of 2, so a 32x32 input is downsampled only three times (to 4x4).

Module names follow the published chenyaofo/pytorch-cifar-models checkpoints:
`features.0` is the stem (conv, bn, relu6 as `.0/.1/.2`), `features.1..17` the
inverted residual blocks whose layers live in `.conv`, `features.18` the 1x1 head,
and `classifier.1` the linear layer (`classifier.0` is dropout).
"""
from __future__ import annotations

import torch
from torch import nn

# (expansion t, output channels c, repeats n, first stride s) at width 1.0.
STAGES = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2),
          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def round_channels(v: float, divisor: int = 8) -> int:
    """Round to a multiple of 8 (the TF reference rule) without losing over 10%."""
    rounded = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


class ConvBNReLU6(nn.Sequential):
    def __init__(self, cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU6(inplace=True),
        )


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = int(round(cin * expand))
        self.use_residual = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNReLU6(cin, hidden, kernel=1))
        layers += [
            ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),
            # Linear bottleneck: no activation after the projection (paper, section 3.2).
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


class CifarMobileNetV2(nn.Module):
    def __init__(self, width: float = 1.0, num_classes: int = 100):
        super().__init__()
        cin = round_channels(32 * width)
        last = round_channels(1280 * max(1.0, width))
        layers: list[nn.Module] = [ConvBNReLU6(3, cin, stride=1)]
        for t, c, n, s in STAGES:
            cout = round_channels(c * width)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(ConvBNReLU6(cin, last, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x).mean((2, 3))
        return self.classifier(x)


def mobilenetv2_x0_5(num_classes: int = 100) -> CifarMobileNetV2:
    return CifarMobileNetV2(0.5, num_classes)


def mobilenetv2_x0_75(num_classes: int = 100) -> CifarMobileNetV2:
    return CifarMobileNetV2(0.75, num_classes)


def mobilenetv2_x1_0(num_classes: int = 100) -> CifarMobileNetV2:
    return CifarMobileNetV2(1.0, num_classes)


def mobilenetv2_x1_4(num_classes: int = 100) -> CifarMobileNetV2:
    return CifarMobileNetV2(1.4, num_classes)
