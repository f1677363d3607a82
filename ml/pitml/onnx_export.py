"""Fold, export to ONNX and prove the file computes what the PyTorch model does.

The file is written next to its destination under a temporary name and moved
into place only after every check passed, so a failed export never replaces a
good model.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from . import ort_node
from .fold import deploy_form
from .hashing import sha256_file

OPSET = 17  # the newest Debian's onnx 1.12 checker knows; ORT 1.30 runs it
INPUT, OUTPUT = "input", "logits"
# Fused-vs-unfused float32 arithmetic differs by ~1e-6 relative; 1e-5 leaves
# room for that and still catches any real mistake (those are O(1)).
REL_TOL = 1e-5


class ExportCheckError(RuntimeError):
    """The exported graph is malformed or disagrees with PyTorch."""


@dataclass
class Exported:
    path: Path
    sha256: str
    bytes: int
    runtime: str  # e.g. "onnxruntime-node 1.30.0"
    max_abs_diff: float
    max_abs_logit: float


def write_onnx(model: nn.Module, path: Path, opset: int = OPSET) -> None:
    """Export the folded form of `model` with a dynamic batch axis and check it."""
    folded = deploy_form(model)
    torch.onnx.export(folded, torch.zeros(1, 3, 32, 32), str(path), opset_version=opset,
                      input_names=[INPUT], output_names=[OUTPUT],
                      dynamic_axes={INPUT: {0: "N"}, OUTPUT: {0: "N"}},
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    graph = onnx.load(str(path))
    onnx.checker.check_model(graph)
    ops = {n.op_type for n in graph.graph.node}
    if "BatchNormalization" in ops:
        raise ExportCheckError(f"{path}: BatchNormalization left in the graph")
    dims = [d.dim_param or d.dim_value for d in graph.graph.input[0].type.tensor_type.shape.dim]
    if graph.graph.input[0].name != INPUT or dims[1:] != [3, 32, 32] or not isinstance(dims[0], str):
        raise ExportCheckError(f"{path}: input is {graph.graph.input[0].name} {dims}, want {INPUT} [N,3,32,32]")


def check_against_torch(model: nn.Module, path: Path, batch: int = 8, seed: int = 0) -> tuple[float, float, str]:
    """Run `batch` seeded inputs through the unfused eval model and through the
    ONNX file in onnxruntime-node; raise unless they agree to REL_TOL."""
    x = torch.randn(batch, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad():
        want = model(x).numpy()
    res = ort_node.run(path, [x.numpy()])
    got = res.outputs[0]
    if got.shape != want.shape:
        raise ExportCheckError(f"{path}: onnxruntime gave shape {got.shape}, PyTorch {want.shape}")
    diff, scale = float(np.abs(got - want).max()), float(np.abs(want).max())
    if not diff < REL_TOL * scale:
        raise ExportCheckError(f"{path}: onnxruntime and PyTorch disagree: max |diff| {diff:.3g} "
                               f">= {REL_TOL} * max|logit| ({scale:.3g})")
    return diff, scale, f"onnxruntime-node {res.version}"


def export_checked(model: nn.Module, path: Path, opset: int = OPSET) -> Exported:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write_onnx(model, tmp, opset)
        diff, scale, runtime = check_against_torch(model, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return Exported(path, sha256_file(path), path.stat().st_size, runtime, diff, scale)
