"""Export a model to ONNX and record it in models/catalog.json.

  PYTHONPATH=ml /usr/bin/python3 -m pitml.export --arch resnet20 \
      --weights ml/runs/resnet20.pt --id resnet20-pit --name "ResNet-20 (trained here)"
  PYTHONPATH=ml /usr/bin/python3 -m pitml.export --arch resnet20 --random-init \
      --id resnet20-random --name "ResNet-20 (random weights, for timing only)"
  PYTHONPATH=ml /usr/bin/python3 -m pitml.export --arch resnet20 --weights NEW.ckpt \
      --id resnet20-pit --make-default --keep-previous-as resnet20-pit-v1

--weights takes a plain state dict or a pitml.train .ckpt (its epochs and
training time go into the provenance). BatchNorm is folded (RepVGG re-
parameterised), the file is checked against PyTorch in onnxruntime-node, and
only then is the catalog entry written (see models/README.md).
"""
from __future__ import annotations

import argparse
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import archs, catalog, checkpoint
from .data import MEAN, STD
from .flops import count_madds, count_params
from .hashing import sha256_file
from .onnx_export import INPUT, OPSET, OUTPUT, export_checked
from .random_weights import random_model

NUM_CLASSES = 100


def train_provenance(meta: dict[str, Any], peer: int = 0) -> dict[str, Any]:
    """Provenance fields from a pitml.train checkpoint's metadata."""
    a = meta.get("args") or {}
    if not a:
        return {}
    recipe = (f"pitml.train: SGD Nesterov 0.9, batch {a.get('batch')}, peak LR {a.get('lr')} "
              f"({a.get('warmup_epochs')}-epoch warm-up, cosine to 0), weight decay {a.get('wd')}, "
              f"label smoothing {a.get('smoothing')}, crop+flip, seed {a.get('seed')}")
    if (a.get("peers") or 1) > 1:
        recipe += (f"; deep mutual learning with {a.get('peers')} peers (KL at T={a.get('kd_temp')}), "
                   f"peer {peer} exported")
    if a.get("augmix_jsd"):
        recipe += (f"; AugMix (severity {a.get('aug_severity')}, width 3) with Jensen-Shannon consistency "
                   f"weight {a.get('augmix_jsd')}")
    if a.get("init"):
        recipe += f"; fine-tuned from {Path(str(a.get('init'))).name}"
    prov = {"recipe": recipe, "epochs": meta.get("epoch")}
    if meta.get("epoch") != a.get("epochs"):
        prov["epochsPlanned"] = a.get("epochs")  # a checkpoint taken mid-run
    if "elapsed_s" in meta:
        prov["trainMinutes"] = round(meta["elapsed_s"] / 60, 1)
    return prov


def sibling_ckpt_meta(weights: Path, state: dict[str, torch.Tensor]) -> dict[str, Any]:
    """pitml.train writes <arch>.pt beside <arch>.ckpt; borrow the .ckpt's metadata
    when it holds exactly these weights (so the recipe and time are not lost)."""
    ck = weights.with_suffix(".ckpt")
    if weights.suffix != ".pt" or not ck.exists():
        return {}
    other, meta = checkpoint.read(ck, trusted=True)
    same = other.keys() == state.keys() and all(torch.equal(other[k], state[k]) for k in state)
    return meta if same else {}


def parse_json_arg(value: str | None) -> dict[str, Any]:
    """--provenance-json: a path to a JSON object, or the object inline."""
    if not value:
        return {}
    text = Path(value).read_text() if Path(value).exists() else value
    obj = json.loads(text)
    if not isinstance(obj, dict):
        raise SystemExit("--provenance-json must hold a JSON object")
    return obj


def export_to_catalog(model: nn.Module, *, arch: str, model_id: str, name: str, out_dir: Path,
                      catalog_path: Path | None = None, trained: bool, provenance: dict[str, Any],
                      make_default: bool = False, data_dir: Path | None = None,
                      opset: int = OPSET, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The shared export path: ONNX file `<out_dir>/<id>.onnx`, checked, then upserted."""
    out_dir = Path(out_dir)
    catalog_path = Path(catalog_path) if catalog_path else out_dir / "catalog.json"
    model.eval()
    done = export_checked(model, out_dir / f"{model_id}.onnx", opset)
    prov = {
        "source": provenance.pop("source"),
        **provenance,
        "tool": "ml/pitml",
        "torch": torch.__version__.split("+")[0],
        "opset": opset,
        "verifiedWith": done.runtime,
        "maxAbsDiff": float(f"{done.max_abs_diff:.3g}"),
        "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    entry = {
        "id": model_id, "name": name, "arch": arch, "file": done.path.name,
        "sha256": done.sha256, "bytes": done.bytes,
        "input": {"name": INPUT, "shape": [-1, 3, 32, 32], "dtype": "float32", "layout": "NCHW"},
        "output": {"name": OUTPUT, "shape": [-1, NUM_CLASSES]},
        "mean": list(MEAN), "std": list(STD), "labelSet": "cifar100", "trained": trained,
        "params": count_params(model), "madds": count_madds(model), "provenance": prov,
        **(extra or {}),
    }
    cat = catalog.load(catalog_path)
    sets = cat.setdefault("labelSets", {})
    sets["cifar100"] = catalog.cifar100_label_set(sets.get("cifar100"), data_dir)
    stored = catalog.upsert_model(cat, entry, make_default)
    catalog.save(cat, catalog_path)
    return stored


def add_common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--arch", required=True, choices=sorted(archs.ARCHS))
    p.add_argument("--id", required=True, help="catalog id, [a-z0-9-]+")
    p.add_argument("--name", help="display name (default: derived from arch)")
    p.add_argument("--out", type=Path, default=catalog.DEFAULT_PATH.parent, help="models folder")
    p.add_argument("--catalog", type=Path, help="catalog file (default: <out>/catalog.json)")
    p.add_argument("--provenance-json", help="JSON object (or file) merged into provenance")
    p.add_argument("--make-default", action="store_true", help="make this the catalog's default model")
    p.add_argument("--data-dir", type=Path, help="CIFAR-100 folder for label names (default: CIFAR100_DIR)")


def keep_previous(out_dir: Path, catalog_path: Path, model_id: str, keep_id: str) -> dict[str, Any]:
    """Copy model `model_id` (file and catalog entry, accuracy included: same weights, same numbers) to
    `keep_id`, before an export replaces it, so the old and the new model can be compared side by side."""
    cat = catalog.load(catalog_path)
    old = next((m for m in cat.get("models", []) if m.get("id") == model_id), None)
    if old is None:
        raise SystemExit(f"--keep-previous-as {keep_id}: the catalog has no model {model_id!r} to keep")
    if any(m.get("id") == keep_id for m in cat["models"]):
        raise SystemExit(f"--keep-previous-as {keep_id}: the catalog already has a model {keep_id!r}")
    src = out_dir / old["file"]
    if not src.is_file() or sha256_file(src) != old["sha256"]:
        raise SystemExit(f"--keep-previous-as {keep_id}: {src} is missing or does not match its catalog sha256")
    dst = out_dir / f"{keep_id}.onnx"
    if dst.exists():
        raise SystemExit(f"--keep-previous-as {keep_id}: {dst} already exists")
    shutil.copyfile(src, dst)
    kept = {**old, "id": keep_id, "file": dst.name, "name": f"{old['name']} (previous {model_id})",
            "provenance": {**(old.get("provenance") or {}), "keptFrom": model_id}}
    cat["models"].append(kept)
    catalog.save(cat, catalog_path)
    return kept


def check_id(model_id: str) -> None:
    import re
    if not re.fullmatch(r"[a-z0-9-]+", model_id):
        raise SystemExit(f"--id {model_id!r}: use [a-z0-9-]+")


def refuse_worse_default(a: argparse.Namespace, meta: dict[str, Any]) -> None:
    """A finished run whose test top-1 (pitml.train's own figure at its last epoch) is below the
    shipped default's measured top-1 does not replace the default unless --allow-worse says so."""
    last = meta.get("last") or {}
    top1 = last.get("test_top1")
    cat = catalog.load(a.catalog or a.out / "catalog.json")
    if top1 is None or not (a.make_default or a.id == cat.get("default")):
        return
    current = next((m for m in cat.get("models", []) if m.get("id") == cat.get("default")), None)
    ref = ((current or {}).get("accuracy") or {}).get("top1")
    if ref is not None and top1 < ref and not a.allow_worse:
        raise SystemExit(f"{a.weights}: test top-1 {top1} % (pitml.train, epoch {last.get('epoch')}) is below the default "
                         f"{current['id']}'s {ref} % (npm run eval): a worse model does not replace the default; "
                         "pass --allow-worse if that is what you mean")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", type=Path, help="state dict .pt or pitml.train .ckpt")
    src.add_argument("--random-init", action="store_true", help="seeded random weights, for timing only")
    p.add_argument("--seed", type=int, default=0, help="seed for --random-init")
    p.add_argument("--peer", type=int, default=0,
                   help="which mutual-learning peer of a pitml.train .ckpt to export (0: the one chosen before training)")
    p.add_argument("--allow-partial", action="store_true",
                   help="export a checkpoint taken mid-run (never as, or over, the default model)")
    p.add_argument("--allow-worse", action="store_true",
                   help="let a run whose test top-1 is below the default's replace it")
    p.add_argument("--keep-previous-as", metavar="ID",
                   help="first copy the model this export replaces (file and entry) to catalog id ID")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    check_id(a.id)
    if a.keep_previous_as:
        check_id(a.keep_previous_as)

    if a.random_init:
        model = random_model(a.arch, a.seed)
        prov: dict[str, Any] = {"source": "random-init", "recipe": f"pitml.random_weights seed {a.seed}"}
        name = a.name or f"{a.arch} (random weights, for timing only)"
    else:
        # --weights names files produced here (pitml.train), hence trusted.
        state, meta = checkpoint.read(a.weights, trusted=True)
        meta = meta or sibling_ckpt_meta(a.weights, state)
        if a.peer:
            peers = meta.get("models") or []
            if a.peer >= len(peers):
                raise SystemExit(f"{a.weights} holds {len(peers) or 1} peer(s); there is no peer {a.peer}")
            state = dict(peers[a.peer])
            last = meta.get("last") or {}
            if "peers_test_top1" in last:  # the figures refuse_worse_default and the provenance read are this peer's
                meta = {**meta, "last": {**last, "test_top1": last["peers_test_top1"][a.peer]}}
        model = archs.build(a.arch, NUM_CLASSES)
        checkpoint.load_strict(model, state, str(a.weights))
        prov = {"source": "trained", **train_provenance(meta, a.peer)}
        # A run that stopped early (a session's end, a crash) must never become what users get.
        if "epochsPlanned" in prov:
            run = f"{a.weights}: a partial run ({prov['epochs']} of {prov['epochsPlanned']} epochs)"
            if a.make_default or a.id == catalog.load(a.catalog or a.out / "catalog.json").get("default"):
                raise SystemExit(f"{run} cannot replace the default model, with or without --allow-partial; "
                                 "finish the run (rerun the same train command)")
            if not a.allow_partial:
                raise SystemExit(f"{run}: pass --allow-partial to export it under a non-default id")
        refuse_worse_default(a, meta)
        name = a.name or f"{a.arch} (trained here)"
    prov.update(parse_json_arg(a.provenance_json))
    if a.keep_previous_as:
        # Before the export writes over <id>.onnx: if it then fails, the old model is still there, twice.
        kept = keep_previous(Path(a.out), Path(a.catalog or Path(a.out) / "catalog.json"), a.id, a.keep_previous_as)
        print(f"kept the previous {a.id} as {kept['id']} ({kept['file']})")
    entry = export_to_catalog(model, arch=a.arch, model_id=a.id, name=name, out_dir=a.out,
                              catalog_path=a.catalog, trained=not a.random_init, provenance=prov,
                              make_default=a.make_default, data_dir=a.data_dir)
    print(json.dumps({k: entry[k] for k in ("id", "file", "sha256", "bytes", "params", "madds")}))


if __name__ == "__main__":
    main()
