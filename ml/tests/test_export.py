"""Export: the ONNX file has no BatchNormalization, takes any batch size, gives
PyTorch's logits in onnxruntime-node, and its catalog entry describes it."""
import contextlib
import io
import json
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch

import support  # noqa: F401
from pitml import catalog, ort_node
from pitml.export import export_to_catalog, main as export_main
from pitml.hashing import sha256_file
from pitml.onnx_export import ExportCheckError, check_against_torch
from pitml.random_weights import random_model


def torch_logits(model, x):
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).numpy()


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="pit-test-export-")
        cls.out = Path(cls.tmp.name)
        cls.model = random_model("resnet20", seed=7)
        cls.entry = export_to_catalog(cls.model, arch="resnet20", model_id="r20-test", name="test model",
                                      out_dir=cls.out, trained=False, provenance={"source": "random-init"})
        cls.onnx_path = cls.out / "r20-test.onnx"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_graph_is_folded_and_named(self):
        graph = onnx.load(str(self.onnx_path))
        ops = {n.op_type for n in graph.graph.node}
        self.assertNotIn("BatchNormalization", ops)
        self.assertIn("Conv", ops)
        self.assertEqual([i.name for i in graph.graph.input], ["input"])
        self.assertEqual([o.name for o in graph.graph.output], ["logits"])
        self.assertLessEqual(graph.opset_import[0].version, 17)

    def test_dynamic_batch_matches_pytorch(self):
        rng = np.random.default_rng(0)
        xs = [rng.standard_normal((n, 3, 32, 32)).astype(np.float32) for n in (1, 3)]
        res = ort_node.run(self.onnx_path, xs)
        for x, got in zip(xs, res.outputs):
            want = torch_logits(self.model, x)
            self.assertEqual(got.shape, (len(x), 100))
            self.assertLess(np.abs(got - want).max(), 1e-5 * np.abs(want).max())

    def test_catalog_entry(self):
        cat = json.loads((self.out / "catalog.json").read_text())
        self.assertEqual(list(cat), ["schemaVersion", "labelSets", "default", "models"])
        (m,) = cat["models"]
        self.assertEqual(m["sha256"], sha256_file(self.onnx_path))
        self.assertEqual(m["bytes"], self.onnx_path.stat().st_size)
        self.assertEqual((m["params"], m["madds"]), (278324, 40818944))
        self.assertEqual(m["input"]["shape"], [-1, 3, 32, 32])
        self.assertFalse(m["trained"])
        self.assertIsNone(m["accuracy"])
        self.assertEqual(m["provenance"]["opset"], 17)
        self.assertEqual(cat["default"], "r20-test")
        ls = cat["labelSets"]["cifar100"]
        self.assertEqual((len(ls["fine"]), len(ls["coarse"]), len(ls["fineToCoarse"])), (100, 20, 100))

    def test_verifier_fails_on_other_weights(self):
        other = random_model("resnet20", seed=8)
        with self.assertRaises(ExportCheckError):
            check_against_torch(other, self.onnx_path)

    def test_accuracy_kept_only_for_identical_file(self):
        with tempfile.TemporaryDirectory() as d:
            cat_path = Path(d) / "catalog.json"

            def export(seed):
                with contextlib.redirect_stdout(io.StringIO()):
                    export_main(["--arch", "shufflenetv2_x0_5", "--random-init", "--seed", str(seed),
                                 "--id", "s", "--out", d, "--catalog", str(cat_path)])
                return catalog.load(cat_path)

            cat = export(1)
            cat["models"][0]["accuracy"] = {"top1": 1.0}
            catalog.save(cat, cat_path)
            self.assertEqual(export(1)["models"][0]["accuracy"], {"top1": 1.0})  # same bytes
            self.assertIsNone(export(2)["models"][0]["accuracy"])  # other weights


if __name__ == "__main__":
    unittest.main()
