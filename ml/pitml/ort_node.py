"""Run an ONNX file through onnxruntime-node (the repository's node_modules).

Debian has no onnxruntime for Python, so numerical checks of an export shell out
to `ort_run.mjs` beside this file. Inputs and outputs travel as raw float32 files
in a temporary folder.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).with_name("ort_run.mjs")
REPO = Path(__file__).resolve().parents[2]


@dataclass
class OrtResult:
    outputs: list[np.ndarray]
    version: str  # onnxruntime-node version, for provenance
    input_names: list[str]
    output_names: list[str]


def run(model: Path, inputs: list[np.ndarray], timeout: float = 300) -> OrtResult:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("`node` not found: onnxruntime-node is needed to check ONNX exports")
    if not (REPO / "node_modules" / "onnxruntime-node").is_dir():
        raise RuntimeError(f"onnxruntime-node missing under {REPO / 'node_modules'}: run `npm ci` first")
    with tempfile.TemporaryDirectory(prefix="pit-ort-") as tmp:
        specs = []
        for i, x in enumerate(inputs):
            path = Path(tmp) / f"in{i}.bin"
            np.ascontiguousarray(x, dtype="<f4").tofile(path)
            specs.append(f"{path}:{'x'.join(str(d) for d in x.shape)}")
        proc = subprocess.run([node, str(SCRIPT), str(Path(model).resolve()), *specs], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model}:\n{proc.stderr.strip()}")
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        outs = [np.fromfile(f"{o['file']}.out", dtype="<f4").reshape(o["dims"]) for o in report["outputs"]]
    return OrtResult(outs, report["version"], report["inputNames"], report["outputNames"])


RANGES_SCRIPT = Path(__file__).with_name("ort_ranges.mjs")


def ranges(model: Path, x: np.ndarray, batch: int = 64, timeout: float = 1800) -> tuple[dict[str, tuple[float, float]], str]:
    """Min and max of every graph output of `model` over the images `x` (N,C,H,W),
    reduced in onnxruntime-node (for quantization: the outputs are the tensors to
    calibrate). Returns ({name: (min, max)}, onnxruntime-node version)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("`node` not found: onnxruntime-node is needed to calibrate activation ranges")
    with tempfile.TemporaryDirectory(prefix="pit-ranges-") as tmp:
        path = Path(tmp) / "calib.bin"
        np.ascontiguousarray(x, dtype="<f4").tofile(path)
        spec = f"{path}:{'x'.join(str(d) for d in x.shape)}"
        proc = subprocess.run([node, str(RANGES_SCRIPT), str(Path(model).resolve()), spec, str(batch)], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"onnxruntime-node failed on {model}:\n{proc.stderr.strip()}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return {k: (float(v[0]), float(v[1])) for k, v in report["ranges"].items()}, report["version"]
