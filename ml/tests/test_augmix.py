"""AugMix as the robust fine-tuning uses it: seeded (a resumed run repeats an uninterrupted one), in range,
equalize is PIL's lookup table, and the Jensen-Shannon term is 0 only when the three predictions agree."""
import unittest

import numpy as np
import torch

import support  # noqa: F401
from pitml import augmix


def pil_equalize_channel(ch: np.ndarray) -> np.ndarray:
    """PIL's ImageOps.equalize for one 8-bit band, written out from its source."""
    h = np.bincount(ch.ravel(), minlength=256)
    histo = [x for x in h if x]
    step = (sum(histo) - histo[-1]) // 255
    if not step:
        return ch.copy()
    lut, n = [], step // 2
    for i in range(256):
        lut.append(min(255, n // step))
        n += h[i]
    return np.array(lut, dtype=np.uint8)[ch]


class AugMixTest(unittest.TestCase):
    def setUp(self):
        self.x = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (6, 3, 32, 32)).astype(np.float32))

    def test_seeded_and_in_range(self):
        a = augmix.augmix(self.x, torch.Generator().manual_seed(5))
        b = augmix.augmix(self.x, torch.Generator().manual_seed(5))
        c = augmix.augmix(self.x, torch.Generator().manual_seed(6))
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a, c))
        self.assertEqual(a.shape, self.x.shape)
        self.assertGreaterEqual(float(a.min()), 0.0)
        self.assertLessEqual(float(a.max()), 255.0)
        self.assertGreater(float((a - self.x).abs().mean()), 1.0)  # it does change the pictures

    def test_equalize_is_pils(self):
        rng = np.random.default_rng(1)
        imgs = np.clip(rng.normal(100, 20, (4, 3, 32, 32)), 0, 255).astype(np.uint8)  # a narrow histogram to stretch
        got = augmix.equalize(torch.from_numpy(imgs).float()).numpy()
        for i in range(4):
            for ch in range(3):
                np.testing.assert_array_equal(got[i, ch], pil_equalize_channel(imgs[i, ch]))

    def test_every_op_keeps_shape_and_range(self):
        g = torch.Generator().manual_seed(0)
        for op in augmix.OPS:
            y = augmix.apply_op(self.x, op, torch.full((6,), 3.0), g)
            self.assertEqual(y.shape, self.x.shape, op)
            self.assertGreaterEqual(float(y.min()), -1e-3, op)
            self.assertLessEqual(float(y.max()), 255 + 1e-3, op)

    def test_jsd(self):
        z = torch.randn(4, 10)
        self.assertAlmostEqual(float(augmix.jsd(z, z, z)), 0.0, places=6)
        self.assertGreater(float(augmix.jsd(z, z + torch.randn(4, 10), z)), 1e-3)


if __name__ == "__main__":
    unittest.main()
