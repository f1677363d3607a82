"""Static post-training int8 quantization of an exported model, in the QDQ format.

  npm run quantize -- --model resnet20-pit [--calib 1000] [--out models/] [--catalog FILE]

Reads `<id>.onnx` (the BN-folded export) through the catalog, calibrates every
activation range on N CIFAR-100 *training* images (never the test set, whose
accuracy `npm run eval` reports), inserts QuantizeLinear/DequantizeLinear pairs
and writes `<id>-int8.onnx` plus its catalog entry (accuracy null until
`npm run eval -- <id>-int8` measures it; never made the default).

The format is what ONNX Runtime's own quantizer emits for QDQ, so that its
graph optimizer fuses DQ -> Conv -> Q into QLinearConv (and DQ,DQ -> Add -> Q
into QLinearAdd), whose int8 kernels use WASM SIMD's 8-bit dot products:
- weights: int8, per output channel, symmetric ([-127, 127], zero point 0),
  DequantizeLinear on the initializer (axis 0 for Conv); biases int32 with
  scale = input scale x weight scale, as QLinearConv needs;
- activations: uint8, asymmetric, one scale per tensor from its min/max over
  the calibration images, on every input and output of a quantized node. A Relu
  that alone consumes a node's output is kept inside the unit: the pair goes
  after it, with zero point 0, and ORT's ReluQuantFusion drops the Relu;
- graph outputs (the logits) stay float; the classifier (Gemm/MatMul, 0.02 %
  of ResNet-20's multiply-adds) stays float unless --ops names it.
There is no onnxruntime for Python here (Debian), so the graph is edited with
the onnx API and the ranges are measured in onnxruntime-node (ort_ranges.mjs).
The file is accepted only when onnx.checker passes and its top-1 agrees with
the float model's on --min-agreement of held-out training images.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import catalog, ort_node
from .data import MEAN, STD, read_split
from .hashing import sha256_file

DEFAULT_OPS = ("Conv", "Add")
SUPPORTED_OPS = ("Conv", "Add", "Gemm", "MatMul")
MIN_AGREEMENT = 0.9


class QuantizeError(RuntimeError):
    """The model cannot be quantized, or the quantized file fails its checks."""


def activation_qparams(lo: float, hi: float) -> tuple[float, int]:
    """uint8 scale and zero point for a tensor seen in [lo, hi]; the range always
    holds 0 so that zero (padding, ReLU's floor) is exact."""
    lo, hi = min(0.0, lo), max(0.0, hi)
    scale = (hi - lo) / 255.0
    if not scale > 0:
        return 1.0, 0
    return scale, int(np.clip(round(-lo / scale), 0, 255))


def weight_qparams(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 weights and one float32 scale per slice along `axis` (symmetric, zero point 0)."""
    rows = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    amax = np.abs(rows).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


@dataclass
class Unit:
    node: onnx.NodeProto
    acts: list[str]  # float activation inputs to quantize
    weight: int | None = None  # input index of the constant weight
    axis: int = 0  # the weight's output-channel axis
    bias: int | None = None  # input index of a 1-D constant bias


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    tensors: list[str] = field(default_factory=list)  # activations to quantize, in graph order


def _attr(node: onnx.NodeProto, name: str, default: Any) -> Any:
    a = next((a for a in node.attribute if a.name == name), None)
    return helper.get_attribute_value(a) if a is not None else default


def plan(model: onnx.ModelProto, ops: tuple[str, ...] = DEFAULT_OPS) -> Plan:
    """Which nodes get quantized and which activation tensors get a Q/DQ pair."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    outputs = {o.name for o in g.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def unit(n: onnx.NodeProto) -> Unit | None:
        ins = list(n.input)
        const = lambda k: k < len(ins) and ins[k] in inits  # noqa: E731
        if n.op_type == "Conv" and const(1) and not const(0):
            return Unit(n, [ins[0]], 1, 0, 2 if const(2) else None)
        if n.op_type == "Add" and len(ins) == 2 and not const(0) and not const(1):
            return Unit(n, ins)
        if n.op_type == "MatMul" and const(1) and not const(0) and len(inits[ins[1]].dims) == 2:
            return Unit(n, [ins[0]], 1, 1)
        if (n.op_type == "Gemm" and const(1) and not const(0) and len(inits[ins[1]].dims) == 2
                and _attr(n, "alpha", 1.0) == 1.0 and _attr(n, "beta", 1.0) == 1.0 and not _attr(n, "transA", 0)):
            axis = 0 if _attr(n, "transB", 0) else 1
            n_out = inits[ins[1]].dims[axis]
            bias = 2 if const(2) and list(inits[ins[2]].dims) == [n_out] else None
            return Unit(n, [ins[0]], 1, axis, bias)
        return None

    p = Plan()
    wanted: set[str] = set()
    for n in g.node:
        if n.op_type not in ops or (u := unit(n)) is None:
            continue
        p.units.append(u)
        out = n.output[0]
        after = consumers.get(out, [])
        if len(after) == 1 and after[0].op_type == "Relu" and out not in outputs:
            out = after[0].output[0]  # quantize after the Relu: one unit, fused by ORT
        wanted.update(u.acts)
        if out not in outputs:
            wanted.add(out)
    order = [i.name for i in g.input] + [o for n in g.node for o in n.output]
    p.tensors = [t for t in order if t in wanted]
    return p


def calibration_model(model: onnx.ModelProto, tensors: list[str]) -> onnx.ModelProto:
    """`model` with every tensor to calibrate (but the graph inputs) added as a graph output."""
    m = copy.deepcopy(model)
    have = {o.name for o in m.graph.output} | {i.name for i in m.graph.input}
    m.graph.output.extend(helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in tensors if t not in have)
    return m


def measure_ranges(model: onnx.ModelProto, tensors: list[str], x: np.ndarray) -> dict[str, tuple[float, float]]:
    """Min/max of each tensor over the images `x`, in onnxruntime-node."""
    with tempfile.TemporaryDirectory(prefix="pit-quant-") as tmp:
        path = Path(tmp) / "calib.onnx"
        onnx.save(calibration_model(model, tensors), str(path))
        found, _ = ort_node.ranges(path, x)
    inputs = {i.name for i in model.graph.input}
    for t in tensors:
        if t in inputs:
            found[t] = (float(x.min()), float(x.max()))
    missing = [t for t in tensors if t not in found]
    if missing:
        raise QuantizeError(f"no range measured for {missing[:5]}")
    return found


def quantize_model(model: onnx.ModelProto, ranges: dict[str, tuple[float, float]],
                   ops: tuple[str, ...] = DEFAULT_OPS) -> onnx.ModelProto:
    """The QDQ model: Q/DQ pairs on the planned activations, int8 weights, int32 biases."""
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < 13:
        raise QuantizeError(f"opset {opset}: per-channel DequantizeLinear needs opset 13 or newer")
    m = copy.deepcopy(model)
    p = plan(m, ops)  # on the copy: units refer to the nodes edited below
    if not p.units:
        raise QuantizeError(f"nothing to quantize: no {', '.join(ops)} node with constant weights")
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_inits: list[onnx.TensorProto] = []
    qp = {t: activation_qparams(*ranges[t]) for t in p.tensors}
    dq_of = {t: f"{t}_DequantizeLinear_Output" for t in p.tensors}

    def const(name: str, arr: np.ndarray) -> str:
        new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def qdq_pair(t: str) -> list[onnx.NodeProto]:
        scale, zp = qp[t]
        s = const(f"{t}_scale", np.array(scale, dtype=np.float32))
        z = const(f"{t}_zero_point", np.array(zp, dtype=np.uint8))
        q = f"{t}_QuantizeLinear_Output"
        return [helper.make_node("QuantizeLinear", [t, s, z], [q], name=f"{t}_QuantizeLinear"),
                helper.make_node("DequantizeLinear", [q, s, z], [dq_of[t]], name=f"{t}_DequantizeLinear")]

    def dq_const(name: str, q: np.ndarray, scale: np.ndarray, zp: np.ndarray, axis: int) -> tuple[str, onnx.NodeProto]:
        out = f"{name}_DequantizeLinear_Output"
        node = helper.make_node("DequantizeLinear", [const(f"{name}_quantized", q), const(f"{name}_scale", scale),
                                                     const(f"{name}_zero_point", zp)], [out],
                                name=f"{name}_DequantizeLinear", axis=axis)
        return out, node

    by_node = {id(u.node): u for u in p.units}
    replaced: set[str] = set()
    nodes: list[onnx.NodeProto] = []
    for t in p.tensors:
        if t in {i.name for i in g.input}:
            nodes.extend(qdq_pair(t))
    for n in g.node:
        u = by_node.get(id(n))
        ins = [dq_of.get(i, i) for i in n.input]
        if u is not None and u.weight is not None:
            wname = n.input[u.weight]
            w = numpy_helper.to_array(inits[wname]).astype(np.float32)
            wq, wscale = weight_qparams(w, u.axis)
            ins[u.weight], wnode = dq_const(f"{n.name or wname}_{wname}", wq, wscale, np.zeros(len(wscale), np.int8), u.axis)
            nodes.append(wnode)
            replaced.add(wname)
            if u.bias is not None:
                bname = n.input[u.bias]
                b = numpy_helper.to_array(inits[bname]).astype(np.float64)
                bscale = (qp[u.acts[0]][0] * wscale.astype(np.float64)).astype(np.float32)
                bq = np.clip(np.round(b / bscale), -(2**31), 2**31 - 1).astype(np.int32)
                ins[u.bias], bnode = dq_const(f"{n.name or bname}_{bname}", bq, bscale, np.zeros(len(bscale), np.int32), 0)
                nodes.append(bnode)
                replaced.add(bname)
        del n.input[:]
        n.input.extend(ins)
        nodes.append(n)
        for o in n.output:
            if o in qp:
                nodes.extend(qdq_pair(o))
    still_used = {i for n in nodes for i in n.input}
    keep = [i for i in g.initializer if i.name not in replaced or i.name in still_used]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    del g.node[:]
    g.node.extend(nodes)
    return m


def normalized(images: np.ndarray) -> np.ndarray:
    """uint8 N,3,32,32 -> float32, as the extension preprocesses (RGB/255, then mean/std)."""
    mean = np.array(MEAN, np.float32).reshape(1, 3, 1, 1)
    std = np.array(STD, np.float32).reshape(1, 3, 1, 1)
    return ((images.astype(np.float32) / 255.0 - mean) / std).astype(np.float32)


@dataclass
class Checked:
    agreement: float  # share of images whose top-1 class matches the float model's
    images: int
    runtime: str
    top1_float: float | None = None  # against labels, when given (training images: not an accuracy claim)
    top1_int8: float | None = None


def check_quantized(float_path: Path, int8_path: Path, x: np.ndarray, labels: np.ndarray | None = None,
                    min_agreement: float = MIN_AGREEMENT) -> Checked:
    """onnx.checker, then both models in onnxruntime-node on `x`; raise unless top-1 agrees often enough."""
    onnx.checker.check_model(onnx.load(str(int8_path)), full_check=True)
    f = ort_node.run(float_path, [x]).outputs[0]
    res = ort_node.run(int8_path, [x])
    q = res.outputs[0]
    if q.shape != f.shape or not np.isfinite(q).all():
        raise QuantizeError(f"{int8_path}: output {q.shape} (finite: {np.isfinite(q).all()}), float model gives {f.shape}")
    agree = float((q.argmax(1) == f.argmax(1)).mean())
    out = Checked(agree, len(x), f"onnxruntime-node {res.version}")
    if labels is not None:
        out.top1_float = float((f.argmax(1) == labels).mean())
        out.top1_int8 = float((q.argmax(1) == labels).mean())
    if agree < min_agreement:
        raise QuantizeError(f"{int8_path}: top-1 agrees with the float model on {agree:.1%} of {len(x)} images, "
                            f"below {min_agreement:.0%}")
    return out


def write_checked(model: onnx.ModelProto, path: Path, float_path: Path, x: np.ndarray,
                  labels: np.ndarray | None = None, min_agreement: float = MIN_AGREEMENT) -> Checked:
    """Write under a temporary name, check, then move into place (a failure never replaces a good file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        onnx.save(model, str(tmp))
        done = check_quantized(float_path, tmp, x, labels, min_agreement)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return done


def quant_recipe(ops: tuple[str, ...], images: int, seed: int) -> str:
    return (f"pitml.quantize: static post-training quantization, QDQ; {'/'.join(ops)} quantized; int8 per-channel "
            f"symmetric weights, uint8 per-tensor activations from min/max over {images} CIFAR-100 training "
            f"images (seed {seed}); graph outputs float")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="catalog id of the float model")
    p.add_argument("--id", help="id of the quantized model (default <model>-int8)")
    p.add_argument("--name", help='display name (default "<source name> (int8)")')
    p.add_argument("--calib", type=int, default=1000, help="calibration images from the training set (default 1000)")
    p.add_argument("--verify", type=int, default=500, help="other training images for the agreement check (default 500)")
    p.add_argument("--ops", default=",".join(DEFAULT_OPS), help=f"ops to quantize, of {','.join(SUPPORTED_OPS)}")
    p.add_argument("--min-agreement", type=float, default=MIN_AGREEMENT, help="refuse below this top-1 agreement")
    p.add_argument("--seed", type=int, default=0, help="which training images are drawn")
    p.add_argument("--out", type=Path, default=catalog.DEFAULT_PATH.parent, help="models folder")
    p.add_argument("--catalog", type=Path, help="catalog to read the source from and write to (default <out>/catalog.json)")
    p.add_argument("--data-dir", type=Path, help="CIFAR-100 folder (default CIFAR100_DIR)")
    a = p.parse_args(argv)
    ops = tuple(o.strip() for o in a.ops.split(",") if o.strip())
    if bad := [o for o in ops if o not in SUPPORTED_OPS]:
        raise SystemExit(f"--ops: unsupported {bad}; supported: {', '.join(SUPPORTED_OPS)}")
    new_id = a.id or f"{a.model}-int8"
    from .export import check_id
    check_id(new_id)
    cat_path = a.catalog or a.out / "catalog.json"
    cat = catalog.load(cat_path)
    src = next((m for m in cat["models"] if m["id"] == a.model), None)
    if src is None:
        raise SystemExit(f"--model {a.model}: not in {cat_path} (known: {', '.join(m['id'] for m in cat['models'])})")
    src_path = Path(cat_path).parent / src["file"]
    if sha256_file(src_path) != src["sha256"]:
        raise SystemExit(f"{src_path}: sha256 differs from the catalog's")

    train = read_split("train", a.data_dir)
    pick = np.random.default_rng(a.seed).permutation(len(train.fine))
    calib, held = pick[: a.calib], pick[a.calib: a.calib + a.verify]
    x_cal = normalized(train.images[calib])
    float_model = onnx.load(str(src_path))
    ranges = measure_ranges(float_model, plan(float_model, ops).tensors, x_cal)
    q = quantize_model(float_model, ranges, ops)
    out_path = Path(a.out) / f"{new_id}.onnx"
    done = write_checked(q, out_path, src_path, normalized(train.images[held]), train.fine[held], a.min_agreement)

    prov = {k: v for k, v in src["provenance"].items() if k not in ("verifiedWith", "maxAbsDiff", "createdAt", "recipe")}
    recipe = quant_recipe(ops, len(calib), a.seed)
    prov.update({
        "recipe": f"{src['provenance']['recipe']}; then {recipe}" if src["provenance"].get("recipe") else recipe,
        "quantizedFrom": src["id"], "quantizedFromSha256": src["sha256"],
        "calibration": {"images": int(len(calib)), "split": "CIFAR-100 train", "seed": a.seed, "method": "minmax"},
        "agreementWithFloat": {"top1": round(done.agreement, 4), "images": done.images, "split": "CIFAR-100 train (not calibration)"},
        "verifiedWith": done.runtime,
        "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    entry = {**{k: v for k, v in src.items() if k not in ("accuracy", "provenance")},
             "id": new_id, "name": a.name or f"{src['name']} (int8)", "file": out_path.name,
             "sha256": sha256_file(out_path), "bytes": out_path.stat().st_size, "provenance": prov}
    default = cat.get("default")
    catalog.upsert_model(cat, entry)
    if any(m["id"] == default for m in cat["models"]):
        cat["default"] = default  # a quantized variant is offered as a choice, never made the default
    catalog.save(cat, cat_path)
    print(f"{new_id}: {len(calib)} calibration images; top-1 agrees with {a.model} on {done.agreement:.1%} of "
          f"{done.images} other training images (top-1 vs labels: float {done.top1_float:.1%}, int8 {done.top1_int8:.1%}); "
          f"{src['bytes']} -> {entry['bytes']} bytes")
    print(json.dumps({k: entry[k] for k in ("id", "file", "sha256", "bytes")}))


if __name__ == "__main__":
    main()
