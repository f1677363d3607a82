"""The deploy form has no BatchNorm and computes what the eval-mode model does."""
import unittest

import torch
from torch import nn

import support  # noqa: F401
from pitml.fold import deploy_form
from pitml.random_weights import random_model

# One architecture per family keeps this fast; each family folds differently.
FAMILIES = ("resnet20", "vgg11_bn", "mobilenetv2_x0_5", "shufflenetv2_x0_5", "repvgg_a0")


class FoldTest(unittest.TestCase):
    def test_folded_model_matches_and_has_no_bn(self):
        x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
        for name in FAMILIES:
            with self.subTest(arch=name):
                model = random_model(name, seed=3)
                folded = deploy_form(model)
                self.assertFalse(any(isinstance(m, nn.BatchNorm2d) for m in folded.modules()))
                with torch.no_grad():
                    want, got = model(x), folded(x)
                self.assertLess(float((want - got).abs().max()), 1e-5 * float(want.abs().max()))
                # The original keeps its BN layers (export must not mutate the caller's model).
                self.assertTrue(any(isinstance(m, nn.BatchNorm2d) for m in model.modules()))

    def test_repvgg_blocks_become_single_3x3_convs(self):
        folded = deploy_form(random_model("repvgg_a0", seed=0))
        convs = [m for m in folded.modules() if isinstance(m, nn.Conv2d)]
        self.assertEqual(len(convs), 1 + 2 + 4 + 14 + 1)  # stem + the four stages' blocks
        self.assertTrue(all(c.kernel_size == (3, 3) and c.bias is not None for c in convs))


if __name__ == "__main__":
    unittest.main()
