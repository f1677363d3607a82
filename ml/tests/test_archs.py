"""The zoo reproduces the published size and cost of every architecture, and the
module names that let published checkpoints load with strict=True."""
import unittest

import support  # noqa: F401  (sets torch threads)
from pitml import archs
from pitml.flops import count_madds, count_params

# chenyaofo/pytorch-cifar-models, CIFAR-100 table: (params M, MAdds M).
PUBLISHED = {
    "resnet20": (0.28, 40.82), "resnet32": (0.47, 69.13), "resnet44": (0.67, 97.44), "resnet56": (0.86, 125.75),
    "vgg11_bn": (9.80, 153.34), "vgg13_bn": (9.99, 228.84), "vgg16_bn": (15.30, 313.77), "vgg19_bn": (20.61, 398.71),
    "mobilenetv2_x0_5": (0.82, 28.08), "mobilenetv2_x0_75": (1.48, 59.43), "mobilenetv2_x1_0": (2.35, 88.09),
    "mobilenetv2_x1_4": (4.50, 170.23), "shufflenetv2_x0_5": (0.44, 10.99), "shufflenetv2_x1_0": (1.36, 45.09),
    "shufflenetv2_x1_5": (2.58, 94.35), "shufflenetv2_x2_0": (5.55, 188.00),
    "repvgg_a0": (7.96, 489.19), "repvgg_a1": (12.94, 851.44), "repvgg_a2": (26.94, 1850.22),
}


class TableTest(unittest.TestCase):
    def test_registry_is_exactly_the_study_zoo(self):
        self.assertEqual(set(archs.ARCHS), set(PUBLISHED))

    def test_params_and_madds_within_one_percent(self):
        for name, (params_m, madds_m) in PUBLISHED.items():
            with self.subTest(arch=name):
                model = archs.build(name)
                self.assertLess(abs(count_params(model) / 1e6 - params_m) / params_m, 0.01)
                self.assertLess(abs(count_madds(model) / 1e6 - madds_m) / madds_m, 0.01)

    def test_unknown_arch_is_refused(self):
        with self.assertRaises(KeyError):
            archs.build("resnet18")


class KeyNamesTest(unittest.TestCase):
    def test_resnet56_state_dict_layout(self):
        sd = archs.build("resnet56").state_dict()
        bn = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
        want = {"conv1.weight", *(f"bn1.{k}" for k in bn), "fc.weight", "fc.bias"}
        for stage in (1, 2, 3):
            for i in range(9):
                p = f"layer{stage}.{i}"
                want |= {f"{p}.conv1.weight", f"{p}.conv2.weight"}
                want |= {f"{p}.bn{j}.{k}" for j in (1, 2) for k in bn}
            if stage > 1:
                want |= {f"layer{stage}.0.downsample.0.weight", *(f"layer{stage}.0.downsample.1.{k}" for k in bn)}
        self.assertEqual(len(sd), 344)
        self.assertEqual(set(sd), want)
        self.assertEqual(tuple(sd["fc.weight"].shape), (100, 64))

    def test_reference_names_of_other_families(self):
        # Spot checks of the names the published files use, one family each.
        expect = {
            "vgg11_bn": {"features.0.weight": (64, 3, 3, 3), "features.1.running_var": (64,),
                         "classifier.0.weight": (512, 512), "classifier.6.weight": (100, 512)},
            "mobilenetv2_x1_0": {"features.0.0.weight": (32, 3, 3, 3), "features.1.conv.0.0.weight": (32, 1, 3, 3),
                                 "features.2.conv.3.weight": (24,), "features.18.0.weight": (1280, 320, 1, 1),
                                 "classifier.1.weight": (100, 1280)},
            "shufflenetv2_x1_0": {"conv1.0.weight": (24, 3, 3, 3), "stage2.0.branch1.2.weight": (58, 24, 1, 1),
                                  "stage2.1.branch2.3.weight": (58, 1, 3, 3), "conv5.0.weight": (1024, 464, 1, 1),
                                  "fc.weight": (100, 1024)},
            "repvgg_a0": {"stage0.rbr_dense.conv.weight": (48, 3, 3, 3), "stage0.rbr_1x1.bn.bias": (48,),
                          "stage1.1.rbr_identity.running_mean": (48,), "stage4.0.rbr_1x1.conv.weight": (1280, 192, 1, 1),
                          "linear.weight": (100, 1280)},
        }
        for name, keys in expect.items():
            sd = archs.build(name).state_dict()
            for key, shape in keys.items():
                with self.subTest(arch=name, key=key):
                    self.assertIn(key, sd)
                    self.assertEqual(tuple(sd[key].shape), shape)
        # RepVGG has an identity branch only where input and output shapes agree.
        sd = archs.build("repvgg_a0").state_dict()
        self.assertFalse(any(k.startswith(("stage2.0.rbr_identity", "stage0.rbr_identity")) for k in sd))
        self.assertIn("stage2.1.rbr_identity.weight", sd)


if __name__ == "__main__":
    unittest.main()
