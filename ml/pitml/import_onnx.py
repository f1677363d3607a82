"""Add a user's ONNX CIFAR-100 classifier to the catalog, as it is (no re-export).

  npm run import -- --onnx my-model.onnx --id my-resnet --name "My ResNet" --preset cifar100
  PYTHONPATH=ml /usr/bin/python3 -m pitml.import_onnx --onnx FILE --id ID [--mean R,G,B --std R,G,B]

The file is copied to <models>/<id>.onnx and described in catalog.json with arch
"onnx" (the architecture is unknown). Before anything is written it is inspected
with the `onnx` library, all names being read from the graph:

  * one image input (initializers that older exporters list as inputs are not
    counted), float32 [N,3,32,32], N symbolic/unknown (-> -1) or 1 (a fixed
    batch > 1 is refused: the extension feeds batches of any size or, to a
    batch-1 graph, one image at a time);
  * one output, float32 [N,100];
  * a self-check in onnxruntime-node on a mid-gray and three seeded random
    images, normalised with the chosen mean/std: the model must run, give
    [batch,100] and only finite numbers. Rows that are >= 0 and sum to 1 mark a
    model that ends in its own softmax: the entry gets "output.kind":
    "probabilities" (absent means logits).

Refused, with one line naming the file: not ONNX, truncated or corrupt, over
100 MB (checked before the file is read), wrong input or output shape or type,
an operator onnxruntime cannot run, NaN/Inf outputs, a file identical (sha256) to
an installed model, an id already taken (unless --replace, which only replaces
an earlier --onnx import). Normalisation: the extension feeds
(pixel/255 - mean) / std; --preset names the usual choices.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import TensorProto

from . import catalog, ort_node
from .data import MEAN, STD

NUM_CLASSES = 100
IMAGE = (3, 32, 32)
MAX_BYTES = 100 * 1024 * 1024  # "100 MB", in the extension's 1048576-byte MB
ARCH = "onnx"  # catalog arch of an imported file: the architecture is not known
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")  # as src/core/catalog.ts
PROB_TOL = 1e-3
SELF_CHECK_IMAGES = 4
SEED = 0

PRESETS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "cifar100": (tuple(MEAN), tuple(STD)),  # the zoo's normalisation, as the other entries
    "unit": ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),  # inputs in [0, 1]
    "symmetric": ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),  # inputs in [-1, 1]
}

_FLOAT_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16}
# Top-level ModelProto fields and their wire types (onnx.proto): used to tell a
# truncated ONNX file from bytes that never were one when protobuf refuses both.
_MODEL_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2}


class ImportRefused(SystemExit):
    """A one-line refusal naming the file; SystemExit so the CLI prints just that."""

    def __init__(self, source: str | Path, problem: str):
        super().__init__(f"{source}: {problem}")


@dataclass
class Inspection:
    input_name: str
    input_shape: list[int]  # [-1 or N, 3, 32, 32]
    output_name: str
    output_shape: list[int]  # [-1 or N, 100]
    opset: int | None
    params: int
    producer: str
    kind: str | None = None  # "probabilities" or None (logits)
    runtime: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def parse_rgb(text: str, what: str) -> tuple[float, float, float]:
    try:
        vals = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise SystemExit(f"{what} {text!r}: expected three numbers R,G,B") from None
    if len(vals) != 3 or not all(np.isfinite(vals)):
        raise SystemExit(f"{what} {text!r}: expected three finite numbers R,G,B")
    return vals  # type: ignore[return-value]


def normalisation(preset: str | None, mean: str | None, std: str | None) -> tuple[list[float], list[float]]:
    if preset and (mean or std):
        raise SystemExit("give --preset or --mean/--std, not both")
    if (mean is None) != (std is None):
        raise SystemExit("--mean and --std go together")
    if mean is not None:
        m, s = parse_rgb(mean, "--mean"), parse_rgb(std, "--std")
        if min(s) <= 0:
            raise SystemExit(f"--std {std!r}: every value must be > 0")
    else:
        m, s = PRESETS[preset or "cifar100"]
    return [float(v) for v in m], [float(v) for v in s]


def _varint(buf: bytes, pos: int) -> tuple[int, int] | None:
    value = shift = 0
    while pos < len(buf):
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            return None
    return None


def _looks_truncated(buf: bytes) -> bool:
    """Walk the top-level fields: ModelProto fields until one runs past the end
    means a cut-off ONNX file; a field ModelProto does not have means other bytes."""
    pos = 0
    seen = 0
    while pos < len(buf):
        tag = _varint(buf, pos)
        if tag is None:
            return seen > 0
        (key, pos) = tag
        number, wire = key >> 3, key & 7
        if _MODEL_FIELDS.get(number) != wire:
            return False
        step = _varint(buf, pos)
        if step is None:
            return seen > 0
        value, pos = step
        if wire == 2:
            if pos + value > len(buf):
                return True
            pos += value
        seen += 1
    return seen > 0  # every top-level field intact: damage inside one of them


def parse_model(data: bytes, source: str | Path) -> onnx.ModelProto:
    model = onnx.ModelProto()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.ParseFromString(data)
        if caught:  # protobuf only warns ("Unexpected end-group tag") on some foreign bytes
            raise DecodeError(str(caught[0].message))
    except (DecodeError, ValueError, RuntimeError):
        if _looks_truncated(data):
            raise ImportRefused(source, "ONNX file is truncated or corrupt (protobuf parse failed)") from None
        raise ImportRefused(source, "not an ONNX file (protobuf parse failed)") from None
    if not model.HasField("graph"):
        raise ImportRefused(source, "not an ONNX file (no ModelProto with a graph)")
    if not model.opset_import:
        raise ImportRefused(source, "ONNX file is truncated or corrupt (no opset_import)")
    if not model.graph.node:
        raise ImportRefused(source, "the ONNX graph has no nodes")
    return model


def _dims(vi: onnx.ValueInfoProto) -> list[int | str] | None:
    """The declared shape: ints, dim_param names, '?' for unknown; None if no shape."""
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    out: list[int | str] = []
    for d in t.shape.dim:
        which = d.WhichOneof("value")
        if which == "dim_value" and d.dim_value > 0:
            out.append(int(d.dim_value))
        elif which == "dim_param" and d.dim_param:
            out.append(d.dim_param)
        else:
            out.append("?")
    return out


def _fmt(dims: list[int | str]) -> str:
    return "[" + ",".join(str(d) for d in dims) + "]"


def _type_name(vi: onnx.ValueInfoProto) -> str:
    if vi.type.WhichOneof("value") != "tensor_type":
        return vi.type.WhichOneof("value") or "untyped"
    return TensorProto.DataType.Name(vi.type.tensor_type.elem_type).lower()


def _count_params(graph: onnx.GraphProto) -> int:
    """Elements of floating-point initializers and Constant tensors (weights, biases)."""
    n = sum(int(np.prod(t.dims)) for t in graph.initializer if t.data_type in _FLOAT_TYPES)
    for node in graph.node:
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            for a in node.attribute:
                if a.name == "value" and a.t.data_type in _FLOAT_TYPES:
                    n += int(np.prod(a.t.dims))
    return n


def inspect_graph(model: onnx.ModelProto, source: str | Path) -> Inspection:
    """Static checks of the graph's interface (no inference)."""
    g = model.graph
    external = [t.name for t in g.initializer if t.data_location == TensorProto.EXTERNAL]
    if external:
        raise ImportRefused(source, f"weights are stored in external data files (tensor '{external[0]}'); "
                                    "save the model as one self-contained .onnx file")
    inits = {t.name for t in g.initializer} | {t.values.name for t in g.sparse_initializer}
    inputs = [i for i in g.input if i.name not in inits]
    if len(inputs) != 1:
        names = ", ".join(f"'{i.name}'" for i in inputs) or "none"
        raise ImportRefused(source, f"has {len(inputs)} inputs ({names}); expected one image input [N,3,32,32]")
    inp = inputs[0]
    if _type_name(inp) != "float":
        raise ImportRefused(source, f"input '{inp.name}' is {_type_name(inp)}; expected float32")
    dims = _dims(inp)
    if dims is None:
        raise ImportRefused(source, f"input '{inp.name}' has no declared shape; expected [N,3,32,32]")
    if len(dims) != 4:
        raise ImportRefused(source, f"input '{inp.name}' has rank {len(dims)} ({_fmt(dims)}); "
                                    "expected rank 4 [N,3,32,32]")
    # C, H, W fixed to other sizes are refused; symbolic ones are fed 3x32x32,
    # which the self-check then proves the model takes.
    if any(isinstance(d, int) and d != want for d, want in zip(dims[1:], IMAGE)):
        raise ImportRefused(source, f"input '{inp.name}' is {_fmt(dims)}; expected [N,3,32,32]")
    batch = dims[0] if isinstance(dims[0], int) else -1
    if batch > 1:
        # The extension runs a batch-1 graph image by image but feeds any other
        # graph batches of every size (src/core/run-batch.ts): N > 1 cannot work.
        raise ImportRefused(source, f"input '{inp.name}' has a fixed batch of {batch} ({_fmt(dims)}); "
                                    "export it with a free batch dimension or batch 1")

    if len(g.output) != 1:
        names = ", ".join(f"'{o.name}'" for o in g.output)
        raise ImportRefused(source, f"has {len(g.output)} outputs ({names}); expected one [N,100] output")
    out = g.output[0]
    if _type_name(out) != "float":
        raise ImportRefused(source, f"output '{out.name}' is {_type_name(out)}; expected float32")
    odims = _dims(out)
    if odims is not None:
        if len(odims) != 2:
            raise ImportRefused(source, f"output '{out.name}' has rank {len(odims)} ({_fmt(odims)}); "
                                        "expected rank 2 [N,100]")
        if isinstance(odims[1], int) and odims[1] != NUM_CLASSES:
            hint = {10: "; this looks like a CIFAR-10 classifier",
                    1000: "; this looks like an ImageNet classifier"}.get(odims[1], "")
            raise ImportRefused(source, f"output '{out.name}' is {_fmt(odims)}; expected [N,100] "
                                        f"(the CIFAR-100 classes){hint}")
    opset = next((int(o.version) for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    producer = " ".join(p for p in (model.producer_name, model.producer_version) if p)
    return Inspection(inp.name, [batch, *IMAGE], out.name, [batch, NUM_CLASSES], opset,
                      _count_params(g), producer)


def self_check_images(mean: list[float], std: list[float], count: int, seed: int = SEED) -> np.ndarray:
    """A mid-gray image and seeded random ones, as the extension would feed them."""
    rng = np.random.default_rng(seed)
    pixels = np.concatenate([np.full((1, *IMAGE), 128.0), rng.integers(0, 256, (count - 1, *IMAGE)).astype(np.float64)])
    m = np.asarray(mean).reshape(1, 3, 1, 1)
    s = np.asarray(std).reshape(1, 3, 1, 1)
    return ((pixels / 255.0 - m) / s).astype(np.float32)


def _ort_message(err: str) -> str:
    """The one useful line of onnxruntime-node's stack trace."""
    for line in err.splitlines():
        m = re.match(r"\s*(?:\w*Error|Uncaught \w+): (.+)", line)
        if m:
            msg = re.sub(r"^Load model from .*? failed:\s*", "", m.group(1).strip())
            return msg[:400]
    lines = [l.strip() for l in err.splitlines() if l.strip()]
    return (lines[-1] if lines else err)[:400]


def self_check(path: Path, info: Inspection, mean: list[float], std: list[float], source: str | Path) -> None:
    """Run the model in onnxruntime-node; set info.kind and info.figures, or refuse."""
    fixed = info.input_shape[0] if info.input_shape[0] > 0 else None
    per_run = fixed or SELF_CHECK_IMAGES
    runs = max(1, -(-SELF_CHECK_IMAGES // per_run))
    x = self_check_images(mean, std, per_run * runs)
    batches = [x[i * per_run:(i + 1) * per_run] for i in range(runs)]
    if fixed is None:
        batches.append(x[:1])  # a dynamic batch axis must also take one image
    try:
        res = ort_node.run(path, batches)
    except RuntimeError as e:
        text = str(e)
        if "onnxruntime-node failed" not in text:  # node or node_modules missing: not the model's fault
            raise SystemExit(f"{source}: cannot run the self-check: {text}") from None
        raise ImportRefused(source, f"onnxruntime cannot run this model: {_ort_message(text)}") from None
    except Exception as e:  # a crash or an unreadable result from the runner
        raise ImportRefused(source, f"onnxruntime cannot run this model: {e}") from None
    for b, y in zip(batches, res.outputs):
        if y.shape != (len(b), NUM_CLASSES):
            raise ImportRefused(source, f"self-check: onnxruntime gave output shape {_fmt(list(y.shape))} "
                                        f"for a batch of {len(b)}; expected [{len(b)},100]")
        bad = ~np.isfinite(y)
        if bad.any():
            what = "NaN" if np.isnan(y).any() else "Inf"
            raise ImportRefused(source, f"self-check: the output holds {what} ({int(bad.sum())} of {y.size} values "
                                        "on a mid-gray and random images)")
    y = np.concatenate(res.outputs[:runs])
    if fixed is None:
        one, four = res.outputs[-1][0], y[0]
        scale = max(float(np.abs(four).max()), 1e-12)
        if float(np.abs(one - four).max()) > 1e-4 * scale:
            raise ImportRefused(source, "self-check: the output for an image depends on the batch it is in "
                                        f"(batch of 1 vs {per_run}: max |diff| {float(np.abs(one - four).max()):.3g})")
    sums = y.sum(axis=1, dtype=np.float64)
    probs = bool((y >= 0).all() and (np.abs(sums - 1) <= PROB_TOL).all())
    info.kind = "probabilities" if probs else None
    info.runtime = f"onnxruntime-node {res.version}"
    info.figures = {"images": int(len(y)), "batch": per_run, "min": float(y.min()), "max": float(y.max()),
                    "rowSumMin": float(sums.min()), "rowSumMax": float(sums.max()),
                    "top1": [int(v) for v in y.argmax(axis=1)]}


def import_onnx(source: str | Path, *, model_id: str, name: str | None = None,
                mean: list[float] | None = None, std: list[float] | None = None,
                models_dir: Path | None = None, catalog_path: Path | None = None,
                make_default: bool = False, replace: bool = False,
                data_dir: Path | None = None) -> tuple[dict[str, Any], Inspection]:
    """Inspect, self-check, copy to <models_dir>/<id>.onnx and upsert the entry.
    Returns the catalog entry and the inspection (with the self-check figures)."""
    src = Path(source)
    models_dir = Path(models_dir) if models_dir else catalog.DEFAULT_PATH.parent
    catalog_path = Path(catalog_path) if catalog_path else models_dir / "catalog.json"
    if mean is None or std is None:
        mean, std = normalisation(None, None, None)
    if not ID_RE.fullmatch(model_id):
        raise SystemExit(f"--id {model_id!r}: use lowercase letters, digits and '-', not starting with '-'")
    if not src.is_file():
        raise SystemExit(f"{source}: no such file")
    size = src.stat().st_size  # before reading a byte of it
    if size > MAX_BYTES:
        raise ImportRefused(source, f"file is {size / 1048576:.1f} MB, over the {MAX_BYTES // 1048576} MB limit")
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()

    cat = catalog.load(catalog_path)
    models = cat.get("models", [])
    same = next((m for m in models if m.get("sha256") == digest and not (replace and m.get("id") == model_id)), None)
    if same is not None:
        raise ImportRefused(source, f"is identical (sha256 {digest[:12]}...) to installed model '{same['id']}'")
    old = next((m for m in models if m.get("id") == model_id), None)
    if old is not None and not replace:
        raise ImportRefused(source, f"id '{model_id}' is already taken in {catalog_path.name} "
                                    f"(\"{old.get('name')}\"); choose another --id or pass --replace")
    if old is not None and old.get("arch") != ARCH:
        raise ImportRefused(source, f"--replace: '{model_id}' was not imported with --onnx "
                                    f"(arch {old.get('arch')!r}); it is not replaced")
    dest = models_dir / f"{model_id}.onnx"
    if old is None and dest.exists() and not replace:
        raise ImportRefused(source, f"{dest} exists but is not in the catalog; remove it or choose another --id")

    model = parse_model(data, source)
    info = inspect_graph(model, source)
    del model

    models_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{model_id}.", suffix=".onnx.tmp", dir=models_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:  # the very bytes that were hashed and inspected
            f.write(data)
        os.chmod(tmp, 0o644)
        self_check(tmp, info, mean, std, source)
        output: dict[str, Any] = {"name": info.output_name, "shape": info.output_shape}
        if info.kind:
            output["kind"] = info.kind
        entry: dict[str, Any] = {
            "id": model_id, "name": name or model_id, "arch": ARCH, "file": dest.name,
            "sha256": digest, "bytes": size,
            "input": {"name": info.input_name, "shape": info.input_shape, "dtype": "float32", "layout": "NCHW"},
            "output": output,
            "mean": mean, "std": std, "labelSet": "cifar100", "trained": True, "params": info.params,
            "provenance": {
                "source": "imported",
                "recipe": f"user ONNX file {src.name}",
                "opset": info.opset,
                "producer": info.producer or None,
                "tool": "ml/pitml import_onnx",
                "verifiedWith": info.runtime,
                "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }
        entry["provenance"] = {k: v for k, v in entry["provenance"].items() if v is not None}
        sets = cat.setdefault("labelSets", {})
        if "cifar100" not in sets:
            sets["cifar100"] = catalog.cifar100_label_set(None, data_dir)
        stored = catalog.upsert_model(cat, entry, make_default)
        existed = dest.exists()
        os.replace(tmp, dest)
        try:
            catalog.save(cat, catalog_path)
        except BaseException:
            if not existed:
                dest.unlink(missing_ok=True)
            raise
    finally:
        tmp.unlink(missing_ok=True)
    return stored, info


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--onnx", required=True, type=Path, help="the .onnx file to import")
    p.add_argument("--id", required=True, help="catalog id, [a-z0-9-]+ (the file becomes <id>.onnx)")
    p.add_argument("--name", help="display name (default: the id)")
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="normalisation: cifar100 = the zoo's mean/std (default), unit = inputs in [0,1], "
                        "symmetric = inputs in [-1,1]")
    p.add_argument("--mean", help="R,G,B mean applied to pixel/255 (with --std)")
    p.add_argument("--std", help="R,G,B std (with --mean)")
    p.add_argument("--default", "--make-default", dest="make_default", action="store_true",
                   help="make this the catalog's default model")
    p.add_argument("--replace", action="store_true", help="replace an earlier --onnx import with this id")
    p.add_argument("--models-dir", "--out", dest="models_dir", type=Path, default=catalog.DEFAULT_PATH.parent,
                   help="models folder the file is copied into (default: models/)")
    p.add_argument("--catalog", type=Path, help="catalog file (default: <models-dir>/catalog.json)")
    p.add_argument("--data-dir", type=Path, help="CIFAR-100 folder for label names if the catalog has none")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="npm run import --", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_args(p)
    a = p.parse_args(sys.argv[1:] if argv is None else argv)
    mean, std = normalisation(a.preset, a.mean, a.std)
    entry, info = import_onnx(a.onnx, model_id=a.id, name=a.name, mean=mean, std=std, models_dir=a.models_dir,
                        catalog_path=a.catalog, make_default=a.make_default, replace=a.replace,
                        data_dir=a.data_dir)
    report = {k: entry.get(k) for k in ("id", "file", "sha256", "bytes", "params")}
    report.update(input=entry["input"]["name"], output=entry["output"]["name"],
                  kind=entry["output"].get("kind", "logits"), opset=entry["provenance"].get("opset"),
                  selfCheck=info.figures)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
