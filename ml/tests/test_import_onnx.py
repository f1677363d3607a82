"""import_onnx (`npm run import -- --onnx`): a user's ONNX classifier is inspected,
self-checked in onnxruntime-node and copied into the catalog as it is; every
kind of unusable file is refused with one line naming it, and nothing is written.
export_alt: the shipped ResNet-20 re-exported the old way (opset 9, BN nodes,
initializers as inputs) agrees with the original and imports cleanly."""
import contextlib
import hashlib
import io
import json
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import support  # noqa: F401
from pitml import catalog, import_onnx, ort_node
from pitml.export_alt import main as export_alt_main
from pitml.import_ckpt import main as import_main

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "resnet20-pit.onnx"
HAS_ORT = (REPO / "node_modules" / "onnxruntime-node").is_dir()
needs_ort = unittest.skipUnless(HAS_ORT, "node_modules/onnxruntime-node missing (npm ci)")


def tiny_model(path: Path, *, in_dims=("N", 3, 32, 32), classes: int = 100, head: str = "logits",
               seed: int = 0) -> Path:
    """Flatten -> MatMul (-> bias / Softmax / NaN / unknown op): a [N,100] classifier in one layer."""
    rng = np.random.default_rng(seed)
    features = int(np.prod([d for d in in_dims[1:]]))
    w = numpy_helper.from_array((rng.standard_normal((features, classes)) * 0.02).astype(np.float32), "W")
    b = numpy_helper.from_array(rng.standard_normal(classes).astype(np.float32), "B")
    nodes = [helper.make_node("Flatten", ["x"], ["f"], axis=1), helper.make_node("MatMul", ["f", "W"], ["m"])]
    inits = [w, b]
    opsets = [helper.make_opsetid("", 13)]
    if head == "logits":
        nodes.append(helper.make_node("Add", ["m", "B"], ["y"]))
    elif head == "softmax":
        nodes += [helper.make_node("Add", ["m", "B"], ["z"]), helper.make_node("Softmax", ["z"], ["y"], axis=1)]
    elif head == "nan":  # log(-1) is NaN, and so is everything it is added to
        inits.append(numpy_helper.from_array(np.array([-1.0], np.float32), "neg"))
        nodes += [helper.make_node("Log", ["neg"], ["nan"]), helper.make_node("Add", ["m", "nan"], ["y"])]
    elif head == "nosuchop":
        nodes.append(helper.make_node("NoSuchOp", ["m"], ["y"], domain="com.example"))
        opsets.append(helper.make_opsetid("com.example", 1))
    else:
        raise ValueError(head)
    batch = in_dims[0]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_dims))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, classes])], inits)
    onnx.save(helper.make_model(graph, opset_imports=opsets, producer_name="pit-test"), str(path))
    return path


class ImportOnnxTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pit-test-import-onnx-")
        self.dir = Path(self.tmp.name)
        self.models = self.dir / "models"

    def tearDown(self):
        self.tmp.cleanup()

    def run_import(self, src: Path, model_id: str = "user-model", *extra: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            import_main(["--onnx", str(src), "--id", model_id, "--models-dir", str(self.models), *extra])
        return out.getvalue()

    def catalog(self) -> dict:
        return catalog.load(self.models / "catalog.json")

    def assert_refused(self, src: Path, *phrases: str, model_id: str = "user-model") -> str:
        before = sorted(p.name for p in self.models.iterdir()) if self.models.exists() else []
        cat_before = (self.models / "catalog.json").read_text() if (self.models / "catalog.json").exists() else None
        with self.assertRaises(SystemExit) as ctx:
            self.run_import(src, model_id)
        msg = str(ctx.exception.code)
        self.assertEqual(len(msg.splitlines()), 1, msg)
        self.assertIn(str(src), msg)
        for phrase in phrases:
            self.assertIn(phrase, msg)
        after = sorted(p.name for p in self.models.iterdir()) if self.models.exists() else []
        self.assertEqual(after, before)  # no copy, no temporary left behind
        if cat_before is not None:
            self.assertEqual((self.models / "catalog.json").read_text(), cat_before)
        return msg

    @needs_ort
    def test_probabilities_model_is_imported_with_its_kind(self):
        src = tiny_model(self.dir / "tiny-softmax.onnx", head="softmax")
        report = json.loads(self.run_import(src, "tiny-probs", "--name", "Tiny (softmax)", "--preset", "symmetric"))
        self.assertEqual(report["kind"], "probabilities")
        cat = self.catalog()
        (m,) = cat["models"]
        dest = self.models / "tiny-probs.onnx"
        self.assertEqual(dest.read_bytes(), src.read_bytes())
        self.assertEqual(m["sha256"], hashlib.sha256(src.read_bytes()).hexdigest())
        self.assertEqual(m["bytes"], src.stat().st_size)
        self.assertEqual((m["id"], m["name"], m["arch"], m["file"]), ("tiny-probs", "Tiny (softmax)", "onnx", "tiny-probs.onnx"))
        self.assertEqual(m["input"], {"name": "x", "shape": [-1, 3, 32, 32], "dtype": "float32", "layout": "NCHW"})
        self.assertEqual(m["output"], {"name": "y", "shape": [-1, 100], "kind": "probabilities"})
        self.assertEqual((m["mean"], m["std"]), ([0.5] * 3, [0.5] * 3))
        self.assertEqual((m["labelSet"], m["trained"], m["accuracy"]), ("cifar100", True, None))
        self.assertEqual(m["params"], 3072 * 100 + 100)
        self.assertNotIn("madds", m)
        prov = m["provenance"]
        self.assertEqual((prov["source"], prov["recipe"], prov["opset"]), ("imported", "user ONNX file tiny-softmax.onnx", 13))
        self.assertRegex(prov["createdAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(cat["default"], "tiny-probs")  # the first model of an empty catalog
        self.assertEqual(len(cat["labelSets"]["cifar100"]["fine"]), 100)

    @needs_ort
    def test_logits_model_with_batch_one_and_own_normalisation(self):
        src = tiny_model(self.dir / "fixed.onnx", in_dims=(1, 3, 32, 32))
        self.run_import(src, "fixed", "--mean", "0.1,0.2,0.3", "--std", "0.4,0.5,0.6")
        (m,) = self.catalog()["models"]
        self.assertEqual(m["input"]["shape"], [1, 3, 32, 32])
        self.assertEqual(m["output"], {"name": "y", "shape": [1, 100]})  # no "kind": logits
        self.assertEqual((m["mean"], m["std"]), ([0.1, 0.2, 0.3], [0.4, 0.5, 0.6]))
        self.assertEqual(m["name"], "fixed")

    def test_presets(self):
        self.assertEqual(import_onnx.normalisation(None, None, None), ([0.5070, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]))
        self.assertEqual(import_onnx.normalisation("unit", None, None), ([0.0] * 3, [1.0] * 3))
        self.assertEqual(import_onnx.normalisation("symmetric", None, None), ([0.5] * 3, [0.5] * 3))
        with self.assertRaises(SystemExit):
            import_onnx.normalisation("unit", "0,0,0", "1,1,1")
        with self.assertRaises(SystemExit):
            import_onnx.normalisation(None, "0,0,0", None)
        with self.assertRaises(SystemExit):
            import_onnx.normalisation(None, "0,0,0", "1,0,1")

    def test_refuses_bytes_that_are_not_onnx(self):
        src = self.dir / "photo.onnx"
        src.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
        self.assert_refused(src, "not an ONNX file")
        src.write_text("just some text, not a model\n")
        self.assert_refused(src, "not an ONNX file")

    def test_refuses_a_truncated_file(self):
        whole = tiny_model(self.dir / "whole.onnx").read_bytes()
        src = self.dir / "cut.onnx"
        src.write_bytes(whole[: len(whole) // 2])
        self.assert_refused(src, "truncated or corrupt")

    def test_refuses_wrong_input_rank(self):
        src = tiny_model(self.dir / "flat.onnx", in_dims=("N", 3072))
        self.assert_refused(src, "input 'x' has rank 2 ([N,3072]); expected rank 4 [N,3,32,32]")

    def test_refuses_wrong_input_size(self):
        src = tiny_model(self.dir / "big.onnx", in_dims=("N", 3, 64, 64))
        self.assert_refused(src, "input 'x' is [N,3,64,64]; expected [N,3,32,32]")

    def test_refuses_a_fixed_batch_above_one(self):
        src = tiny_model(self.dir / "batch8.onnx", in_dims=(8, 3, 32, 32))
        self.assert_refused(src, "input 'x' has a fixed batch of 8 ([8,3,32,32])")

    def test_refuses_cifar10_and_imagenet_heads(self):
        msg = self.assert_refused(tiny_model(self.dir / "c10.onnx", classes=10), "output 'y' is [N,10]; expected [N,100]")
        self.assertIn("CIFAR-10", msg)
        msg = self.assert_refused(tiny_model(self.dir / "in1k.onnx", classes=1000), "output 'y' is [N,1000]; expected [N,100]")
        self.assertIn("ImageNet", msg)

    def test_refuses_a_file_over_100_mb_without_reading_it(self):
        src = self.dir / "huge.onnx"
        with open(src, "wb") as f:  # sparse: no 100 MB written
            f.truncate(import_onnx.MAX_BYTES + 1)
        with mock.patch.object(Path, "read_bytes", side_effect=AssertionError("file was read")):
            self.assert_refused(src, "file is 100.0 MB, over the 100 MB limit")

    @needs_ort
    def test_refuses_an_operator_onnxruntime_cannot_run(self):
        src = tiny_model(self.dir / "custom.onnx", head="nosuchop")
        self.assert_refused(src, "onnxruntime cannot run this model: ", "NoSuchOp")

    @needs_ort
    def test_refuses_nan_output(self):
        self.assert_refused(tiny_model(self.dir / "nan.onnx", head="nan"), "self-check: the output holds NaN")

    @needs_ort
    def test_refuses_duplicates_of_file_and_id(self):
        first = tiny_model(self.dir / "a.onnx", seed=1)
        self.run_import(first, "model-a")
        copy = self.dir / "a-again.onnx"
        copy.write_bytes(first.read_bytes())
        self.assert_refused(copy, "identical", "installed model 'model-a'", model_id="model-b")
        other = tiny_model(self.dir / "b.onnx", seed=2)
        self.assert_refused(other, "id 'model-a' is already taken", "--replace", model_id="model-a")
        # --replace swaps in the new file for an earlier --onnx import ...
        self.run_import(other, "model-a", "--replace")
        (m,) = self.catalog()["models"]
        self.assertEqual(m["sha256"], hashlib.sha256(other.read_bytes()).hexdigest())
        self.assertEqual((self.models / "model-a.onnx").read_bytes(), other.read_bytes())
        # ... but never for a model the tooling exported.
        cat = self.catalog()
        catalog.upsert_model(cat, {**m, "id": "ours", "arch": "resnet20", "file": "ours.onnx", "sha256": "0" * 64})
        catalog.save(cat, self.models / "catalog.json")
        with self.assertRaises(SystemExit) as ctx:
            self.run_import(tiny_model(self.dir / "c.onnx", seed=3), "ours", "--replace")
        self.assertIn("was not imported with --onnx", str(ctx.exception.code))

    def test_checkpoint_path_still_requires_checkpoint(self):
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as ctx:
            import_main(["--arch", "resnet20", "--id", "x", "--out", str(self.models)])
        self.assertEqual(ctx.exception.code, 2)  # argparse: --checkpoint is required


@unittest.skipUnless(HAS_ORT and SHIPPED.exists(), "needs onnxruntime-node and models/resnet20-pit.onnx")
class ExportAltTest(unittest.TestCase):
    """The shipped model through the other exporter: a model exported differently."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="pit-test-export-alt-")
        cls.dir = Path(cls.tmp.name)
        cls.logits = cls.dir / "alt.onnx"
        cls.probs = cls.dir / "alt-probs.onnx"
        with contextlib.redirect_stdout(io.StringIO()) as out:
            export_alt_main(["--from", str(SHIPPED), "--out", str(cls.logits)])
            export_alt_main(["--from", str(SHIPPED), "--out", str(cls.probs), "--probabilities"])
        cls.reports = [json.loads(line) for line in out.getvalue().splitlines()]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_graph_is_the_old_style(self):
        for path, out_name in ((self.logits, "scores"), (self.probs, "probs")):
            m = onnx.load(str(path))
            g = m.graph
            inits = {t.name for t in g.initializer}
            self.assertEqual([o.version for o in m.opset_import if o.domain in ("", "ai.onnx")], [9])
            self.assertEqual([i.name for i in g.input if i.name not in inits], ["images"])
            self.assertNotIn("input", {i.name for i in g.input})
            self.assertGreater(len(g.input), 1)  # initializers listed as inputs
            self.assertEqual([o.name for o in g.output], [out_name])
            ops = [n.op_type for n in g.node]
            self.assertEqual(ops.count("BatchNormalization"), 21)
            self.assertEqual(ops.count("Softmax"), int(out_name == "probs"))

    def test_top1_and_outputs_agree_with_the_shipped_model(self):
        x = np.random.default_rng(5).standard_normal((16, 3, 32, 32)).astype(np.float32)
        ref = ort_node.run(SHIPPED, [x]).outputs[0]
        got = ort_node.run(self.logits, [x]).outputs[0]
        np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))
        self.assertLessEqual(np.abs(got - ref).max(), 1e-4 * np.abs(ref).max())
        p = ort_node.run(self.probs, [x]).outputs[0]
        np.testing.assert_array_equal(p.argmax(1), ref.argmax(1))
        np.testing.assert_allclose(p.sum(1), 1, atol=1e-5)
        for r in self.reports:
            self.assertEqual(r["top1Agree"], 16)
            self.assertLessEqual(r["relDiff"], 1e-4)

    def test_exported_differently_imports_cleanly(self):
        models = self.dir / "models"
        entries = []
        for path, model_id in ((self.probs, "alt-probs"), (self.logits, "alt-logits")):
            entry, _ = import_onnx.import_onnx(path, model_id=model_id, models_dir=models)
            entries.append(entry)
        self.assertEqual(entries[0]["input"]["name"], "images")
        self.assertEqual(entries[0]["output"], {"name": "probs", "shape": [-1, 100], "kind": "probabilities"})
        self.assertEqual(entries[1]["output"], {"name": "scores", "shape": [-1, 100]})
        self.assertEqual(entries[1]["provenance"]["opset"], 9)


if __name__ == "__main__":
    unittest.main()
