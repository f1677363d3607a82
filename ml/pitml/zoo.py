"""Random-weight ONNX files of every architecture, for latency benchmarks only.

  PYTHONPATH=ml /usr/bin/python3 -m pitml.zoo [--out ml/zoo] [--arch resnet20,vgg11_bn]

Speed does not depend on the weights, so the benchmark can cover all 19
architectures without training them. These files never enter models/catalog.json
(they would be offered to users as classifiers); they go to the git-ignored
ml/zoo/ with their own manifest, zoo.json. Each file takes the same fold, export
and onnxruntime check as a real model.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch

from . import archs
from .flops import count_madds, count_params
from .onnx_export import export_checked
from .random_weights import random_model

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "zoo"


def build_zoo(out: Path, names: list[str], seed: int = 0) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "zoo.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    rows = {r["arch"]: r for r in manifest.get("models", [])}
    for name in names:
        model = random_model(name, seed)
        done = export_checked(model, out / f"{name}.onnx")
        rows[name] = {"arch": name, "file": done.path.name, "params": count_params(model),
                      "madds": count_madds(model), "sha256": done.sha256, "bytes": done.bytes, "seed": seed}
        print(json.dumps(rows[name]), flush=True)
    order = list(archs.ARCHS)
    manifest = {"note": "random weights, for timing only; not classifiers",
                "torch": torch.__version__.split("+")[0],
                "models": sorted(rows.values(), key=lambda r: order.index(r["arch"]) if r["arch"] in order else 99)}
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, manifest_path)
    return manifest


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--arch", help="comma-separated subset (default: all)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    names = a.arch.split(",") if a.arch else list(archs.ARCHS)
    unknown = [n for n in names if n not in archs.ARCHS]
    if unknown:
        raise SystemExit(f"unknown architectures: {', '.join(unknown)}")
    build_zoo(a.out, names, a.seed)


if __name__ == "__main__":
    main()
