"""Export an ensemble (with optional flip test-time augmentation) as ONE ONNX model.

The extension's "accurate" mode is an ordinary catalog model whose graph runs
every member on the image and (with --flip) on its mirror image, as one batch
of 2N, and returns the mean of the members' logits over the views. Being one
graph, it needs nothing new in the product: the same pipeline, sessions,
calibration, worker lanes, bench and popup rows as any model.

  PYTHONPATH=ml /usr/bin/python3 -m pitml.ensemble --arch resnet20 \\
      --member ml/checkpoints/resnet20-dml.ckpt:0 --member ml/checkpoints/resnet20-dml.ckpt:1 \\
      --flip --id resnet20-accurate --name "Accurate mode (2 x ResNet-20, flip)"

A member is PATH[:PEER] (a pitml.train .ckpt and which mutual-learning peer, or a state-dict .pt).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import archs, checkpoint
from .export import NUM_CLASSES, add_common_args, check_id, export_to_catalog, train_provenance


class Ensemble(nn.Module):
    """Mean of the members' logits over the views (the image, and its mirror when `flip`)."""

    def __init__(self, members: list[nn.Module], flip: bool, width: int = 32):
        super().__init__()
        self.members = nn.ModuleList(members)
        self.flip = flip
        self.register_buffer("mirror", torch.arange(width - 1, -1, -1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        views = torch.cat([x, x.index_select(3, self.mirror)], 0) if self.flip else x
        total = self.members[0](views)
        for m in self.members[1:]:
            total = total + m(views)
        total = total / len(self.members)
        if not self.flip:
            return total
        return total.view(2, -1, total.shape[-1]).mean(0)


def load_member(arch: str, spec: str) -> tuple[nn.Module, dict[str, Any], int]:
    path, _, peer_s = spec.partition(":")
    peer = int(peer_s or 0)
    state, meta = checkpoint.read(Path(path), trusted=True)  # files produced here (pitml.train)
    if peer:
        peers = meta.get("models") or []
        if peer >= len(peers):
            raise SystemExit(f"{path} holds {len(peers) or 1} peer(s); there is no peer {peer}")
        state = dict(peers[peer])
    if meta.get("epoch") is not None and meta.get("epoch") != (meta.get("args") or {}).get("epochs"):
        raise SystemExit(f"{path}: a partial run ({meta.get('epoch')} of {(meta.get('args') or {}).get('epochs')} epochs); finish it first")
    model = archs.build(arch, NUM_CLASSES)
    checkpoint.load_strict(model, state, spec)
    return model.eval(), meta, peer


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p)
    p.add_argument("--member", action="append", required=True, help="PATH[:PEER], repeat for each member")
    p.add_argument("--flip", action="store_true", help="also run every member on the mirrored image (test-time augmentation)")
    p.add_argument("--views", default=None,
                   help="catalog `views`: what the extension feeds per image, averaged, e.g. centre,mirror,frame "
                        "(mirror: left-right; frame: the whole picture resized, aspect not kept); default: centre only")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    check_id(a.id)
    loaded = [load_member(a.arch, s) for s in a.member]
    model = Ensemble([m for m, _, _ in loaded], a.flip).eval()
    recipes = [f"{Path(s.partition(':')[0]).name} peer {peer}: {train_provenance(meta, peer).get('recipe', 'state dict')}"
               for s, (_, meta, peer) in zip(a.member, loaded)]
    views = "the image and its mirror" if a.flip else "the image"
    views_list = [v.strip() for v in a.views.split(",")] if a.views else []
    if any(v not in ("centre", "mirror", "frame") for v in views_list):
        raise SystemExit(f"--views takes centre, mirror and frame, got {a.views}")
    if views_list:
        views += f" (the extension feeds it {', '.join(views_list)} and averages them)"
    prov = {"source": "trained",
            "recipe": f"pitml.ensemble: mean logits of {len(loaded)} members over {views}; members: " + " | ".join(recipes)}
    name = a.name or f"{len(loaded)} x {a.arch}{' + flip' if a.flip else ''}"
    entry = export_to_catalog(model, arch=f"{a.arch} x{len(loaded)}{' +flip' if a.flip else ''}", model_id=a.id, name=name,
                              out_dir=a.out, catalog_path=a.catalog, trained=True, provenance=prov,
                              make_default=a.make_default, data_dir=a.data_dir,
                              extra={"views": views_list} if views_list else None)
    print(json.dumps({k: entry[k] for k in ("id", "file", "sha256", "bytes", "params", "madds")}))


if __name__ == "__main__":
    main()
