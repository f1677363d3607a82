"""Accurate mode as one graph: the exported ensemble gives the mean of its members' logits over the image and
its mirror, in PyTorch and in ONNX Runtime alike; a mutual-learning checkpoint's second peer can be a member
(and be exported alone); a partial run cannot."""
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
from pitml.ensemble import Ensemble, main as ensemble_main
from pitml.export import main as export_main
from pitml.random_weights import random_model


def fake_run(path: Path, epoch: int = 2, epochs: int = 2) -> None:
    """A two-peer pitml.train checkpoint with different random peers."""
    peers = [random_model("resnet20", seed=s).state_dict() for s in (1, 2)]
    args = {"arch": "resnet20", "epochs": epochs, "peers": 2, "kd_temp": 1.0, "batch": 128, "lr": 0.1, "wd": 5e-4,
            "smoothing": 0.0, "warmup_epochs": 2, "seed": 3}
    torch.save({"model": peers[0], "models": peers, "epoch": epoch, "args": args, "elapsed_s": 60.0,
                "last": {"epoch": epoch, "test_top1": 1.0, "peers_test_top1": [1.0, 1.1]}}, path)


class EnsembleTest(unittest.TestCase):
    def test_mean_logits_over_members_and_mirror(self):
        a, b = random_model("resnet20", seed=1).eval(), random_model("resnet20", seed=2).eval()
        x = torch.randn(3, 3, 32, 32)
        with torch.no_grad():
            want = (a(x) + b(x) + a(x.flip(3)) + b(x.flip(3))) / 4
            got = Ensemble([a, b], flip=True).eval()(x)
            plain = Ensemble([a, b], flip=False).eval()(x)
        self.assertTrue(torch.allclose(got, want, atol=1e-5))
        self.assertTrue(torch.allclose(plain, (a(x) + b(x)) / 2, atol=1e-5))
        self.assertFalse(torch.allclose(got, plain, atol=1e-3))  # the mirror view does change the answer

    def test_export_of_two_peers_with_flip_matches_torch_in_onnxruntime(self):
        with tempfile.TemporaryDirectory() as d:
            ck = Path(d) / "run.ckpt"
            fake_run(ck)
            with contextlib.redirect_stdout(io.StringIO()) as out:
                ensemble_main(["--arch", "resnet20", "--member", f"{ck}:0", "--member", f"{ck}:1", "--flip",
                               "--id", "acc-test", "--out", d])
            entry = json.loads(out.getvalue().strip().splitlines()[-1])
            self.assertEqual(entry["madds"], 4 * 40_818_944)  # 2 members x 2 views, counted honestly
            cat = json.loads((Path(d) / "catalog.json").read_text())
            model = next(m for m in cat["models"] if m["id"] == "acc-test")
            self.assertIn("mean logits of 2 members over the image and its mirror", model["provenance"]["recipe"])
            self.assertIn("peer 1", model["provenance"]["recipe"])
            self.assertNotIn("views", model)  # one view unless asked
            with contextlib.redirect_stdout(io.StringIO()):
                ensemble_main(["--arch", "resnet20", "--member", f"{ck}:0", "--member", f"{ck}:1", "--views", "centre,mirror,frame",
                               "--id", "acc-views", "--out", d])
            cat = json.loads((Path(d) / "catalog.json").read_text())
            self.assertEqual(next(m for m in cat["models"] if m["id"] == "acc-views")["views"], ["centre", "mirror", "frame"])
            with self.assertRaises(SystemExit):
                ensemble_main(["--arch", "resnet20", "--member", f"{ck}:0", "--views", "centre,sideways", "--id", "bad", "--out", d])
            peers = torch.load(ck)["models"]
            a, b = random_model("resnet20", seed=0), random_model("resnet20", seed=0)
            a.load_state_dict(peers[0])
            b.load_state_dict(peers[1])
            x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
            with torch.no_grad():
                want = Ensemble([a.eval(), b.eval()], flip=True).eval()(torch.from_numpy(x)).numpy()
            got = ort_node.run(Path(d) / "acc-test.onnx", [x]).outputs[0]
            self.assertLess(float(np.abs(got - want).max()), 1e-3)

    def test_second_peer_exports_alone_and_partial_runs_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            ck = Path(d) / "run.ckpt"
            fake_run(ck)
            with contextlib.redirect_stdout(io.StringIO()) as out:
                export_main(["--arch", "resnet20", "--weights", str(ck), "--peer", "1", "--id", "p1", "--out", d])
            self.assertIn("peer 1 exported", json.loads((Path(d) / "catalog.json").read_text())["models"][0]["provenance"]["recipe"])
            self.assertIn('"id": "p1"', out.getvalue())
            with self.assertRaises(SystemExit):
                export_main(["--arch", "resnet20", "--weights", str(ck), "--peer", "2", "--id", "p2", "--out", d])
            partial = Path(d) / "partial.ckpt"
            fake_run(partial, epoch=1, epochs=2)
            with self.assertRaises(SystemExit):
                ensemble_main(["--arch", "resnet20", "--member", f"{partial}:0", "--id", "acc2", "--out", d])


if __name__ == "__main__":
    unittest.main()
