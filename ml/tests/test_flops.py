"""count_madds counts conv and linear multiply-adds and nothing else."""
import unittest

from torch import nn

import support  # noqa: F401
from pitml.flops import count_madds, count_params


class FlopsTest(unittest.TestCase):
    def test_hand_computed_model(self):
        model = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1),             # 32*32*8 outputs * 3*3*3 = 221184
            nn.BatchNorm2d(8), nn.ReLU(),              # not counted
            nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8),  # 16*16*8 * 1*3*3 = 18432
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(8, 10),                          # 80
        )
        self.assertEqual(count_madds(model), 221184 + 18432 + 80)
        self.assertEqual(count_params(model), (8 * 27 + 8) + 16 + (8 * 9 + 8) + (80 + 10))

    def test_hooks_are_removed_and_mode_restored(self):
        model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Flatten(), nn.Linear(4 * 32 * 32, 2)).train()
        first = count_madds(model)
        self.assertEqual(count_madds(model), first)  # a leaked hook would double it
        self.assertTrue(model.training)


if __name__ == "__main__":
    unittest.main()
