"""import_ckpt: a state dict saved in the published formats round-trips to ONNX
logits equal to the original module's; a checkpoint that does not fit fails
with every offending key named."""
import contextlib
import io
import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch

import support  # noqa: F401
from pitml import ort_node
from pitml.import_ckpt import main as import_main
from pitml.hashing import sha256_file
from pitml.random_weights import random_model


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pit-test-import-")
        self.dir = Path(self.tmp.name)
        self.model = random_model("resnet20", seed=11)

    def tearDown(self):
        self.tmp.cleanup()

    def run_import(self, ckpt: Path, *extra: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            import_main(["--arch", "resnet20", "--checkpoint", str(ckpt), "--id", "r20-imported",
                         "--out", str(self.dir / "models"), *extra])

    def test_wrapped_dataparallel_checkpoint_round_trips(self):
        ckpt = self.dir / "published.pt"
        wrapped = {f"module.{k}": v for k, v in self.model.state_dict().items()}
        torch.save({"state_dict": wrapped, "epoch": 200}, ckpt)
        self.run_import(ckpt)
        x = np.random.default_rng(1).standard_normal((5, 3, 32, 32)).astype(np.float32)
        got = ort_node.run(self.dir / "models" / "r20-imported.onnx", [x]).outputs[0]
        with torch.no_grad():
            want = self.model(torch.from_numpy(x)).numpy()
        self.assertLess(np.abs(got - want).max(), 1e-5 * np.abs(want).max())
        entry = json.loads((self.dir / "models" / "catalog.json").read_text())["models"][0]
        self.assertEqual(entry["provenance"]["source"], "imported")
        self.assertEqual(entry["provenance"]["checkpoint"], str(ckpt))
        self.assertEqual(entry["provenance"]["checkpointSha256"], sha256_file(ckpt))
        self.assertTrue(entry["trained"])

    def test_plain_state_dict_with_wrong_key_is_refused_clearly(self):
        sd = self.model.state_dict()
        sd["linear.weight"] = sd.pop("fc.weight")
        ckpt = self.dir / "bad.pt"
        torch.save(sd, ckpt)
        with self.assertRaises(SystemExit) as ctx:
            self.run_import(ckpt)
        msg = str(ctx.exception.code)
        self.assertIn("missing keys (1): fc.weight", msg)
        self.assertIn("unexpected keys (1): linear.weight", msg)
        self.assertFalse((self.dir / "models").exists())  # nothing exported

    def test_shape_mismatch_is_refused(self):
        sd = self.model.state_dict()
        sd["fc.weight"] = torch.zeros(10, 64)
        ckpt = self.dir / "c10.pt"
        torch.save(sd, ckpt)
        with self.assertRaises(SystemExit) as ctx:
            self.run_import(ckpt)
        self.assertIn("fc.weight: checkpoint (10, 64) vs model (100, 64)", str(ctx.exception.code))

    def test_hub_style_name_must_match_its_hash(self):
        ckpt = self.dir / "cifar100_resnet20-deadbeef.pt"
        torch.save(self.model.state_dict(), ckpt)
        with self.assertRaises(SystemExit) as ctx:
            self.run_import(ckpt)
        self.assertIn("does not start with deadbeef", str(ctx.exception.code))


if __name__ == "__main__":
    unittest.main()
