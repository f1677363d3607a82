"""Quantization: the QDQ file has int8 per-channel weights and Q/DQ pairs on the
activations, ONNX Runtime fuses it and runs it, its top-1 matches the float
model's, and the CLI writes a catalog entry that never takes over the default."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, numpy_helper
from torch import nn

import support  # noqa: F401
from pitml import catalog, ort_node
from pitml.data import RECORD
from pitml.export import export_to_catalog
from pitml.quantize import (QuantizeError, activation_qparams, check_quantized, main as quantize_main,
                            measure_ranges, plan, quantize_model, weight_qparams)


def smooth_images(n: int, rng: np.random.Generator) -> np.ndarray:
    """Blocky colour fields plus noise, roughly normalised: unlike white noise,
    whose global average is the same for every image, they give a CNN
    features that differ from image to image."""
    low = rng.standard_normal((n, 3, 4, 4)) * 1.5
    return (np.repeat(np.repeat(low, 8, 2), 8, 3) + 0.3 * rng.standard_normal((n, 3, 32, 32))).astype(np.float32)


class Tiny(nn.Module):
    """Conv-BN-ReLU, a residual block, a strided conv, pooling, a classifier: the
    op mix of the CIFAR ResNets in three convolutions."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        self.conv3, self.bn3 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 100)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(x + self.bn2(self.conv2(x)))
        x = torch.relu(self.bn3(self.conv3(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


@torch.no_grad()
def tiny_random_model(x: np.ndarray) -> nn.Module:
    """Seeded random weights whose top-1 varies with the input. A plain random
    net predicts one class for nearly every input (its classifier bias outweighs
    the small differences between images' features), which would let any
    quantized model "agree" with it; so BN statistics come from `x` and the
    classifier is whitened against the features' mean and spread."""
    torch.manual_seed(0)
    m = Tiny().train()
    xt = torch.from_numpy(x)
    m(xt)  # BN running statistics
    m.eval()
    feats = []
    hook = m.fc.register_forward_hook(lambda _m, i, _o: feats.append(i[0]))
    m(xt)
    hook.remove()
    mu, sd = feats[0].mean(0), feats[0].std(0) + 1e-6
    m.fc.weight.copy_(torch.randn(100, 32) / sd)
    m.fc.bias.copy_(-m.fc.weight @ mu)
    return m


def fake_cifar(directory: Path, n: int, seed: int = 0) -> None:
    """A train.bin of `n` made-up records (the tests never need the real images)."""
    rng = np.random.default_rng(seed)
    rec = np.zeros((n, RECORD), np.uint8)
    rec[:, 0] = rng.integers(0, 20, n)
    rec[:, 1] = rng.integers(0, 100, n)
    rec[:, 2:] = np.clip(smooth_images(n, rng) * 64 + 128, 0, 255).astype(np.uint8).reshape(n, -1)
    rec.tofile(directory / "train.bin")


class QParamsTest(unittest.TestCase):
    def test_activation_range_holds_zero_exactly(self):
        scale, zp = activation_qparams(0.0, 6.0)
        self.assertEqual(zp, 0)  # after a Relu: zero point 0, so ORT can drop the Relu
        self.assertAlmostEqual(scale, 6.0 / 255)
        scale, zp = activation_qparams(-1.0, 3.0)
        self.assertAlmostEqual(-zp * scale, -1.0, delta=scale / 2)
        self.assertEqual(activation_qparams(2.0, 2.0), (2.0 / 255, 0))  # range widened to hold 0
        self.assertEqual(activation_qparams(0.0, 0.0), (1.0, 0))

    def test_weights_symmetric_per_channel(self):
        w = np.array([[[[0.25, -1.0]]], [[[0.005, 0.02]]]], np.float32)  # 2 output channels
        q, scale = weight_qparams(w, 0)
        self.assertEqual(q.dtype, np.int8)
        np.testing.assert_allclose(scale, [1.0 / 127, 0.02 / 127], rtol=1e-6)
        self.assertEqual(q[0].ravel().tolist(), [32, -127])  # 31.75 -> 32
        self.assertEqual(q[1].ravel().tolist(), [32, 127])


class QuantizeModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="pit-test-quant-")
        cls.out = Path(cls.tmp.name)
        rng = np.random.default_rng(0)
        cls.calib, cls.held = smooth_images(64, rng), smooth_images(200, rng)
        model = tiny_random_model(smooth_images(256, rng))
        export_to_catalog(model, arch="tiny", model_id="tiny", name="Tiny",
                          out_dir=cls.out, trained=False, provenance={"source": "random-init"})
        cls.float_path = cls.out / "tiny.onnx"
        cls.float_model = onnx.load(str(cls.float_path))
        with torch.no_grad():
            cls.classes = len(set(model(torch.from_numpy(cls.held)).argmax(1).tolist()))
        tensors = plan(cls.float_model).tensors
        cls.q = quantize_model(cls.float_model, measure_ranges(cls.float_model, tensors, cls.calib))
        cls.q_path = cls.out / "tiny-int8.onnx"
        onnx.save(cls.q, str(cls.q_path))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_conv_reads_int8_per_channel_weights_and_qdq_activations(self):
        g = self.q.graph
        inits = {i.name: i for i in g.initializer}
        producer = {o: n for n in g.node for o in n.output}
        convs = [n for n in g.node if n.op_type == "Conv"]
        self.assertEqual(len(convs), 3)
        for conv in convs:
            x, w, b = (producer[i] for i in conv.input)
            self.assertEqual([x.op_type, w.op_type, b.op_type], ["DequantizeLinear"] * 3)
            self.assertEqual(producer[x.input[0]].op_type, "QuantizeLinear")
            self.assertEqual(inits[w.input[0]].data_type, TensorProto.INT8)
            self.assertEqual([a.i for a in w.attribute if a.name == "axis"], [0])
            self.assertEqual(len(inits[w.input[1]].dims), 1)  # one scale per output channel
            self.assertFalse(numpy_helper.to_array(inits[w.input[2]]).any())  # symmetric: zero points 0
            self.assertEqual(inits[b.input[0]].data_type, TensorProto.INT32)
        float_weights = [i for i in g.initializer if i.data_type == TensorProto.FLOAT and len(i.dims) == 4]
        self.assertEqual(float_weights, [])
        self.assertEqual([o.name for o in g.output], ["logits"])
        self.assertNotEqual(producer["logits"].op_type, "DequantizeLinear")  # logits stay float
        onnx.checker.check_model(self.q, full_check=True)

    def test_runs_and_agrees_with_float(self):
        self.assertGreater(self.classes, 20)  # the float model's answer depends on the input
        done = check_quantized(self.float_path, self.q_path, self.held)
        self.assertGreaterEqual(done.agreement, 0.9)
        self.assertEqual(done.images, 200)

    def test_a_broken_model_is_refused(self):
        # Weights scaled by -1: still a valid graph, wrong answers.
        bad = onnx.load(str(self.q_path))
        for i in bad.graph.initializer:
            if i.data_type == TensorProto.INT8 and len(i.dims) == 4:
                i.CopyFrom(numpy_helper.from_array((-numpy_helper.to_array(i)).astype(np.int8), i.name))
        path = self.out / "bad.onnx"
        onnx.save(bad, str(path))
        with self.assertRaises(QuantizeError):
            check_quantized(self.float_path, path, self.held)

    def test_onnxruntime_fuses_it_into_integer_kernels(self):
        # ORT writes the graph it will run: every Conv must have become QLinearConv.
        opt = self.out / "fused.onnx"
        # Run from the repository so that `import 'onnxruntime-node'` resolves.
        script = ort_node.REPO / f".pit-test-fuse-{os.getpid()}.mjs"
        script.write_text(
            "import ort from 'onnxruntime-node';\n"
            f"await ort.InferenceSession.create({json.dumps(str(self.q_path))}, {{ intraOpNumThreads: 1, "
            f"graphOptimizationLevel: 'extended', optimizedModelFilePath: {json.dumps(str(opt))} }});\n")
        try:
            subprocess.run(["node", script.name], cwd=ort_node.REPO, check=True, timeout=120)
        finally:
            script.unlink()
        ops = [n.op_type for n in onnx.load(str(opt)).graph.node]
        self.assertEqual(ops.count("QLinearConv"), 3)
        self.assertIn("QLinearAdd", ops)
        self.assertNotIn("Conv", ops)

    def test_cli_writes_entry_keeps_default(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            shutil.copy(self.float_path, d / "tiny.onnx")
            shutil.copy(self.out / "catalog.json", d / "catalog.json")
            fake_cifar(d, 80)
            with contextlib.redirect_stdout(io.StringIO()) as log:
                quantize_main(["--model", "tiny", "--calib", "40", "--verify", "40", "--out", str(d), "--data-dir", str(d)])
            self.assertIn("tiny-int8: 40 calibration images", log.getvalue())
            cat = catalog.load(d / "catalog.json")
            self.assertEqual(cat["default"], "tiny")
            src, q = cat["models"]
            self.assertEqual((q["id"], q["name"], q["file"]), ("tiny-int8", "Tiny (int8)", "tiny-int8.onnx"))
            self.assertIsNone(q["accuracy"])
            self.assertEqual((q["trained"], q["madds"], q["input"]), (src["trained"], src["madds"], src["input"]))
            prov = q["provenance"]
            self.assertEqual(prov["source"], "random-init")
            self.assertEqual((prov["quantizedFrom"], prov["quantizedFromSha256"]), ("tiny", src["sha256"]))
            self.assertEqual(prov["calibration"]["images"], 40)
            self.assertIn("pitml.quantize", prov["recipe"])
            self.assertGreaterEqual(prov["agreementWithFloat"]["top1"], 0.9)


if __name__ == "__main__":
    unittest.main()
