"""A second ONNX exporter, deliberately unlike pitml.export: "a model exported differently".

  PYTHONPATH=ml /usr/bin/python3 -m pitml.export_alt --from models/resnet20-pit.onnx --out FILE [--probabilities]

It reads the shipped (BatchNorm-folded) ONNX file back into a torch CIFAR ResNet
(pitml.archs) and exports that again the way older tools did: opset 9, input
"images", output "scores" (or "probs" after an appended Softmax with
--probabilities), dynamic batch axis "batch", no constant folding, initializers
also listed as graph inputs, and BatchNormalization nodes kept.

Mapping back: every folded Conv (weight W, bias b) goes into its torch conv
(bias-free) as W, and b into the BatchNorm that follows it as beta, with gamma 1,
running_mean 0 and running_var 1 - eps, so that BN is (x - 0) / sqrt(1) * 1 + b:
an identity plus the shift. Convs are matched in execution order (torch forward
hooks vs graph order), each checked for shape, stride, padding, dilation and
groups; the final Gemm (or MatMul + Add) becomes the Linear. Nothing is written
unless the new file's top-1 equals the source's on 16 seeded inputs and its
outputs agree to 1e-4 of the largest output (softmax of the source's logits
with --probabilities).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from . import archs, ort_node

OPSET = 9
INPUT, OUTPUT, OUTPUT_PROBS = "images", "scores", "probs"
REL_TOL = 1e-4
CHECK_IMAGES = 16
RESNETS = ("resnet20", "resnet32", "resnet44", "resnet56")


class AltExportError(RuntimeError):
    """The source graph does not map onto the architecture, or the new file disagrees."""


def _constants(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    """Initializers and Constant-node tensors by name."""
    out = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    out[n.output[0]] = numpy_helper.to_array(a.t)
    return out


def _t(a: np.ndarray) -> torch.Tensor:
    """A writable float32 copy (numpy_helper arrays are read-only views)."""
    return torch.from_numpy(np.array(a, dtype=np.float32))


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv_order(model: nn.Module) -> list[tuple[nn.Conv2d, nn.BatchNorm2d]]:
    """(conv, the BatchNorm run right after it) in forward execution order."""
    leaves: list[nn.Module] = []
    hooks = [m.register_forward_hook(lambda mod, i, o: leaves.append(mod))
             for m in model.modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d, nn.Linear))]
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, 3, 32, 32))
    finally:
        for h in hooks:
            h.remove()
    pairs = []
    for a, b in zip(leaves, leaves[1:]):
        if isinstance(a, nn.Conv2d):
            if not isinstance(b, nn.BatchNorm2d) or b.num_features != a.out_channels:
                raise AltExportError(f"torch conv {a} is not followed by its BatchNorm")
            pairs.append((a, b))
    return pairs


def _linear_from(graph: onnx.GraphProto, consts: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Weight [out, in] and bias of the classifier: a Gemm, or MatMul then Add."""
    gemms = [n for n in graph.node if n.op_type == "Gemm"]
    if len(gemms) == 1:
        n, at = gemms[0], _attrs(gemms[0])
        if at.get("transA", 0):
            raise AltExportError("Gemm with transA=1 is not a classifier head")
        w = consts[n.input[1]] * at.get("alpha", 1.0)
        w = w if at.get("transB", 0) else w.T
        b = consts[n.input[2]] * at.get("beta", 1.0) if len(n.input) > 2 and n.input[2] else np.zeros(w.shape[0])
        return w, np.broadcast_to(b, (w.shape[0],))
    mms = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in consts]
    if len(mms) == 1:
        w = consts[mms[0].input[1]].T
        adds = [n for n in graph.node if n.op_type == "Add" and mms[0].output[0] in n.input]
        bias = np.zeros(w.shape[0], np.float32)
        if adds:
            other = [i for i in adds[0].input if i != mms[0].output[0]][0]
            bias = np.broadcast_to(consts[other], (w.shape[0],))
        return w, bias
    raise AltExportError(f"expected one Gemm (or one MatMul with constant weights), found "
                         f"{len(gemms)} Gemm and {len(mms)} MatMul nodes")


def rebuild(source: Path, arch: str = "resnet20") -> nn.Module:
    """A torch `arch` whose eval output equals the folded ONNX file's."""
    graph = onnx.load(str(source)).graph
    consts = _constants(graph)
    convs = [n for n in graph.node if n.op_type == "Conv"]
    if "BatchNormalization" in {n.op_type for n in graph.node}:
        raise AltExportError(f"{source}: has BatchNormalization nodes; this reads our folded exports")
    model = archs.build(arch, 100).eval()
    pairs = _conv_order(model)
    if len(convs) != len(pairs):
        raise AltExportError(f"{source}: {len(convs)} Conv nodes, {arch} has {len(pairs)} convolutions")
    with torch.no_grad():
        for i, (node, (conv, bn)) in enumerate(zip(convs, pairs)):
            at = _attrs(node)
            w = consts.get(node.input[1])
            b = consts.get(node.input[2]) if len(node.input) > 2 and node.input[2] else None
            if w is None:
                raise AltExportError(f"Conv #{i} ({node.name or node.output[0]}): weight is not a constant")
            pads = list(at.get("pads", [0, 0, 0, 0]))
            got = (tuple(w.shape), tuple(at.get("strides", [1, 1])), (pads[0], pads[1]),
                   tuple(at.get("dilations", [1, 1])), at.get("group", 1))
            want = (tuple(conv.weight.shape), conv.stride, conv.padding, conv.dilation, conv.groups)
            if got != want or pads[:2] != pads[2:] or at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise AltExportError(f"Conv #{i} ({node.input[1]}): graph has weight/stride/pad/dilation/group "
                                     f"{got}, {arch} expects {want}")
            conv.weight.copy_(_t(w))
            bn.weight.fill_(1.0)
            bn.bias.copy_(_t(b) if b is not None else torch.zeros(bn.num_features))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)  # sqrt(var + eps) == 1: BN adds the bias, nothing else
        w, b = _linear_from(graph, consts)
        if tuple(w.shape) != tuple(model.fc.weight.shape):
            raise AltExportError(f"classifier weight {w.shape}, {arch}.fc expects {tuple(model.fc.weight.shape)}")
        model.fc.weight.copy_(_t(w))
        model.fc.bias.copy_(_t(b))
    return model


def write(model: nn.Module, path: Path, probabilities: bool = False) -> dict:
    """torch.onnx.export in the old style; returns what the graph looks like."""
    out_name = OUTPUT_PROBS if probabilities else OUTPUT
    net = nn.Sequential(model, nn.Softmax(dim=1)) if probabilities else model
    net.eval()
    # PRESERVE (with the model in eval mode) skips the exporter's eval peephole
    # pass, which would fold Conv+BN again; the BN nodes stay in inference form.
    torch.onnx.export(net, torch.zeros(1, 3, 32, 32), str(path), opset_version=OPSET,
                      input_names=[INPUT], output_names=[out_name],
                      dynamic_axes={INPUT: {0: "batch"}, out_name: {0: "batch"}},
                      do_constant_folding=False, keep_initializers_as_inputs=True,
                      training=torch.onnx.TrainingMode.PRESERVE)
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    g = m.graph
    inits = {t.name for t in g.initializer}
    real_inputs = [i.name for i in g.input if i.name not in inits]
    ops = [n.op_type for n in g.node]
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    desc = {"opset": opset, "inputs": real_inputs, "graphInputs": len(g.input), "initializers": len(inits),
            "outputs": [o.name for o in g.output], "batchNormalization": ops.count("BatchNormalization"),
            "conv": ops.count("Conv"), "softmax": ops.count("Softmax")}
    problems = []
    if opset != OPSET:
        problems.append(f"opset {opset}")
    if real_inputs != [INPUT] or "input" in {i.name for i in g.input}:
        problems.append(f"inputs {real_inputs}")
    if desc["outputs"] != [out_name]:
        problems.append(f"outputs {desc['outputs']}")
    if desc["batchNormalization"] != desc["conv"] or not desc["conv"]:
        problems.append(f"{desc['batchNormalization']} BatchNormalization for {desc['conv']} Conv nodes")
    if len(g.input) != 1 + len(inits):
        problems.append("initializers not listed as graph inputs")
    if probabilities != bool(desc["softmax"]):
        problems.append(f"{desc['softmax']} Softmax nodes")
    if problems:
        raise AltExportError(f"{path}: not the intended export: {'; '.join(problems)}")
    return desc


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def compare(source: Path, path: Path, probabilities: bool = False, n: int = CHECK_IMAGES, seed: int = 0) -> dict:
    """Top-1 and output agreement of `path` with `source` in onnxruntime-node."""
    x = np.random.default_rng(seed).standard_normal((n, 3, 32, 32)).astype(np.float32)
    ref = ort_node.run(source, [x]).outputs[0]
    res = ort_node.run(path, [x, x[:1]])  # also a batch of 1: the batch axis is dynamic
    got, one = res.outputs
    want = softmax(ref.astype(np.float64)).astype(np.float32) if probabilities else ref
    diff = float(np.abs(got - want).max())
    scale = float(np.abs(want).max())
    fig = {"images": n, "top1Agree": int((got.argmax(1) == ref.argmax(1)).sum()),
           "maxAbsDiff": float(f"{diff:.3g}"), "maxAbsRef": float(f"{scale:.4g}"),
           "relDiff": float(f"{diff / scale:.3g}"), "batch1MaxAbsDiff": float(f"{float(np.abs(one - got[:1]).max()):.3g}"),
           "runtime": f"onnxruntime-node {res.version}", "ortInputs": res.input_names, "ortOutputs": res.output_names}
    if got.shape != want.shape or one.shape != (1, want.shape[1]):
        raise AltExportError(f"{path}: output shapes {got.shape} / {one.shape}, expected {want.shape}")
    if fig["top1Agree"] != n or not diff <= REL_TOL * scale or not fig["batch1MaxAbsDiff"] <= REL_TOL * scale:
        raise AltExportError(f"{path}: disagrees with {source}: {json.dumps(fig)}")
    return fig


def export_alt(source: Path, out: Path, probabilities: bool = False, arch: str = "resnet20") -> dict:
    """Rebuild, export, check; the file appears at `out` only if every check passed."""
    source, out = Path(source), Path(out)
    model = rebuild(source, arch)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        desc = write(model, tmp, probabilities)
        fig = compare(source, tmp, probabilities)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"out": str(out), "bytes": out.stat().st_size, **desc, **fig}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--from", dest="source", type=Path, required=True, help="a folded ONNX file of ours")
    p.add_argument("--out", type=Path, required=True, help="where to write the re-exported file")
    p.add_argument("--probabilities", action="store_true", help="append a Softmax; output 'probs'")
    p.add_argument("--arch", default="resnet20", choices=RESNETS, help="architecture of the source (default resnet20)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    try:
        report = export_alt(a.source, a.out, a.probabilities, a.arch)
    except AltExportError as e:
        raise SystemExit(str(e)) from None
    print(json.dumps(report))


if __name__ == "__main__":
    main()
