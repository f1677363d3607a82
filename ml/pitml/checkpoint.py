"""Read state dicts from the files people actually have: a plain state_dict
(the reference zoo's releases, our training's final .pt), a dict wrapping one
under 'state_dict' or 'model' (our training's resumable .ckpt, many trainers),
possibly saved from nn.DataParallel with a 'module.' prefix on every key.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn


class CheckpointMismatch(ValueError):
    """The checkpoint's keys or shapes do not fit the architecture."""


def read(path: Path, trusted: bool = False) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(state_dict, metadata). Metadata holds the wrapper's other entries
    (e.g. 'args', 'epoch', 'elapsed_s' of a pitml.train checkpoint).

    A checkpoint is a pickle, which can run code: it is read with torch's
    weights-only unpickler. That unpickler in torch 1.13 even refuses plain
    floats (pickle opcode BINFLOAT), which our own .ckpt holds in its args, so
    `trusted=True` (files this machine wrote) falls back to a full load.
    """
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if not trusted:
            raise CheckpointMismatch(
                f"{path}: the safe (weights-only) loader refused it ({str(e).splitlines()[-1][-80:]}); "
                "if you trust this file, pass --trust-pickle") from None
        obj = torch.load(path, map_location="cpu")
    meta: dict[str, Any] = {}
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if isinstance(obj.get(key), dict):
                meta = {k: v for k, v in obj.items() if k != key and k != "opt"}
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointMismatch(f"{path}: not a state dict (nor a dict with 'state_dict'/'model' holding one)")
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return dict(obj), meta


def load_strict(model: nn.Module, state: dict[str, torch.Tensor], source: str = "checkpoint") -> None:
    """load_state_dict(strict=True), with every missing/unexpected key and shape
    mismatch listed in one error instead of PyTorch's first-failure message."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
              for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or shapes:
        lines = [f"{source} does not fit {type(model).__name__}:"]
        if missing:
            lines.append(f"  missing keys ({len(missing)}): {', '.join(missing)}")
        if unexpected:
            lines.append(f"  unexpected keys ({len(unexpected)}): {', '.join(unexpected)}")
        if shapes:
            lines.append(f"  shape mismatches ({len(shapes)}): {'; '.join(shapes)}")
        raise CheckpointMismatch("\n".join(lines))
    model.load_state_dict(state, strict=True)
