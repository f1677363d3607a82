"""CIFAR ShuffleNetV2 (Ma et al. 2018, "Practical Guidelines for Efficient CNN
Architecture Design").

CIFAR changes, as in the reference zoo: the stem conv uses stride 1 and the stem
max-pool is removed, so a 32x32 input reaches the last stage at 4x4.

Module names follow the published chenyaofo/pytorch-cifar-models checkpoints:
`conv1.{0,1}`, `stage{2,3,4}.{i}.branch1.{0..3}` (downsampling units only),
`stage{2,3,4}.{i}.branch2.{0,1,3,4,5,6}`, `conv5.{0,1}`, `fc`.
"""
from __future__ import annotations

import torch
from torch import nn

REPEATS = (4, 8, 4)
# Output channels of stem, stage2, stage3, stage4, conv5 per width.
WIDTHS = {
    "x0_5": (24, 48, 96, 192, 1024),
    "x1_0": (24, 116, 232, 464, 1024),
    "x1_5": (24, 176, 352, 704, 1024),
    "x2_0": (24, 244, 488, 976, 2048),
}


def interleave(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Channel shuffle with 2 groups of cat(a, b): channel 2j is a[j], 2j+1 is b[j].

    Written as stack+flatten rather than the usual view/transpose on x.size(),
    because unpacking a size breaks torch.fx tracing (used to fold BN at export)
    while this form traces and exports to ONNX with a dynamic batch.
    """
    return torch.stack((a, b), dim=2).flatten(1, 2)


def _dw(channels: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(channels, channels, 3, stride, 1, groups=channels, bias=False)


def _pw(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 1, bias=False)


class ShuffleUnit(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(
                _dw(cin, stride), nn.BatchNorm2d(cin),
                _pw(cin, half), nn.BatchNorm2d(half), nn.ReLU(inplace=True))
        else:
            # Basic unit: half the channels pass through untouched (paper, Fig. 3c).
            assert cin == cout, "a stride-1 unit keeps its width"
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            _pw(cin if stride > 1 else half, half), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
            _dw(half, stride), nn.BatchNorm2d(half),
            _pw(half, half), nn.BatchNorm2d(half), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            # Indexed rather than unpacked: torch.fx cannot iterate a traced value.
            halves = x.chunk(2, dim=1)
            return interleave(halves[0], self.branch2(halves[1]))
        return interleave(self.branch1(x), self.branch2(x))


class CifarShuffleNetV2(nn.Module):
    def __init__(self, widths: tuple[int, ...], num_classes: int = 100):
        super().__init__()
        stem, *stages, head = widths
        self.conv1 = nn.Sequential(nn.Conv2d(3, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem),
                                   nn.ReLU(inplace=True))
        cin = stem
        for name, repeats, cout in zip(("stage2", "stage3", "stage4"), REPEATS, stages):
            units = [ShuffleUnit(cin, cout, 2)] + [ShuffleUnit(cout, cout, 1) for _ in range(repeats - 1)]
            setattr(self, name, nn.Sequential(*units))
            cin = cout
        self.conv5 = nn.Sequential(nn.Conv2d(cin, head, 1, bias=False), nn.BatchNorm2d(head),
                                   nn.ReLU(inplace=True))
        self.fc = nn.Linear(head, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage4(self.stage3(self.stage2(self.conv1(x))))
        return self.fc(self.conv5(x).mean((2, 3)))


def shufflenetv2_x0_5(num_classes: int = 100) -> CifarShuffleNetV2:
    return CifarShuffleNetV2(WIDTHS["x0_5"], num_classes)


def shufflenetv2_x1_0(num_classes: int = 100) -> CifarShuffleNetV2:
    return CifarShuffleNetV2(WIDTHS["x1_0"], num_classes)


def shufflenetv2_x1_5(num_classes: int = 100) -> CifarShuffleNetV2:
    return CifarShuffleNetV2(WIDTHS["x1_5"], num_classes)


def shufflenetv2_x2_0(num_classes: int = 100) -> CifarShuffleNetV2:
    return CifarShuffleNetV2(WIDTHS["x2_0"], num_classes)
