"""checkpoint.read unwraps the formats in the wild and loads pickles safely by default."""
import tempfile
import unittest
from pathlib import Path

import torch

import support  # noqa: F401
from pitml import checkpoint
from pitml.export import train_provenance


class ReadTest(unittest.TestCase):
    def test_training_ckpt_needs_trust_and_yields_metadata(self):
        sd = {"w": torch.ones(2)}
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "x.ckpt"
            # The shape pitml.train writes: floats in args are what torch 1.13's safe loader refuses.
            torch.save({"model": sd, "opt": {}, "epoch": 3, "elapsed_s": 600.0,
                        "args": {"epochs": 70, "lr": 0.1, "batch": 128}}, path)
            with self.assertRaisesRegex(checkpoint.CheckpointMismatch, "--trust-pickle"):
                checkpoint.read(path)
            state, meta = checkpoint.read(path, trusted=True)
        self.assertEqual(list(state), ["w"])
        self.assertNotIn("opt", meta)
        prov = train_provenance(meta)
        self.assertEqual((prov["epochs"], prov["epochsPlanned"], prov["trainMinutes"]), (3, 70, 10.0))

    def test_non_state_dict_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "x.pt"
            torch.save([torch.ones(1)], path)
            with self.assertRaises(checkpoint.CheckpointMismatch):
                checkpoint.read(path)


if __name__ == "__main__":
    unittest.main()
