"""Import a published checkpoint (e.g. chenyaofo/pytorch-cifar-models) into the catalog.

  PYTHONPATH=ml /usr/bin/python3 -m pitml.import_ckpt --arch resnet56 \
      --checkpoint https://github.com/chenyaofo/pytorch-cifar-models/releases/download/resnet/cifar100_resnet56-f2eff4c8.pt \
      --id resnet56-chenyaofo --name "ResNet-56 (chenyaofo, imported)"

The file may be a plain state dict or wrap one under 'state_dict'/'model', with
or without a 'module.' prefix. It must fit the architecture exactly (strict
load; every missing/unexpected key is listed). The export path is the one of
pitml.export; provenance records the source and its sha256.

With --onnx FILE instead, an ONNX classifier is added as it is (no --arch or
--checkpoint): see pitml.import_onnx.

  npm run import -- --onnx FILE --id ID [--name NAME] [--preset cifar100|unit|symmetric] [--default]
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import torch

from . import archs, checkpoint
from .export import NUM_CLASSES, add_common_args, check_id, export_to_catalog, parse_json_arg
from .hashing import sha256_file


def fetch(source: str, dest_dir: Path) -> Path:
    """A local path as is; an http(s) URL downloaded into dest_dir."""
    if not re.match(r"https?://", source):
        path = Path(source)
        if not path.is_file():
            raise SystemExit(f"checkpoint {source} not found")
        return path
    dest = dest_dir / (Path(urllib.parse.urlparse(source).path).name or "checkpoint.pt")
    try:
        with urllib.request.urlopen(source, timeout=60) as r, open(dest, "wb") as f:
            shutil.copyfileobj(r, f)
    except OSError as e:
        raise SystemExit(f"could not download {source}: {e}") from None
    return dest


def check_hash_prefix(path: Path, digest: str) -> None:
    """torch.hub convention: a name ending in -<hex>.pt carries a sha256 prefix."""
    m = re.search(r"-([0-9a-f]{8,64})\.pth?$", path.name)
    if m and not digest.startswith(m.group(1)):
        raise SystemExit(f"{path.name}: sha256 {digest[:16]}... does not start with {m.group(1)} (corrupt download?)")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(arg == "--onnx" or arg.startswith("--onnx=") for arg in argv):
        from . import import_onnx  # an ONNX file: inspected and copied, not re-exported
        return import_onnx.main(argv)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p)
    p.add_argument("--checkpoint", required=True, help="file path or http(s) URL")
    p.epilog = ("with --onnx FILE --id ID: import an ONNX file as it is instead "
                "(options: PYTHONPATH=ml python3 -m pitml.import_onnx --help)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="allow a full pickle load when the weights-only loader refuses the file")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    check_id(a.id)
    with tempfile.TemporaryDirectory(prefix="pit-import-") as tmp:
        path = fetch(a.checkpoint, Path(tmp))
        digest = sha256_file(path)
        check_hash_prefix(path, digest)
        try:
            state, _ = checkpoint.read(path, trusted=a.trust_pickle)
            model = archs.build(a.arch, NUM_CLASSES)
            checkpoint.load_strict(model, state, a.checkpoint)
        except checkpoint.CheckpointMismatch as e:
            raise SystemExit(str(e)) from None
    prov = {"source": "imported", "checkpoint": a.checkpoint, "checkpointSha256": digest}
    prov.update(parse_json_arg(a.provenance_json))
    entry = export_to_catalog(model, arch=a.arch, model_id=a.id, name=a.name or f"{a.arch} (imported)",
                              out_dir=a.out, catalog_path=a.catalog, trained=True, provenance=prov,
                              make_default=a.make_default, data_dir=a.data_dir)
    print(json.dumps({k: entry[k] for k in ("id", "file", "sha256", "bytes", "params", "madds")}))


if __name__ == "__main__":
    main()
