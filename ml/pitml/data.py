"""Reader for the official CIFAR-100 *binary* release (cifar-100-binary).

Each record is 3074 bytes: coarse label, fine label, then 1024 R, 1024 G,
1024 B bytes (32x32 planes, row-major).  We read the files in place: they are
never copied into the repository.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RECORD = 3074
# Normalisation of the reference zoo (chenyaofo/pytorch-cifar-models), RGB/255.
MEAN = (0.5070, 0.4865, 0.4409)
STD = (0.2673, 0.2564, 0.2762)

_REPO = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """CIFAR100_DIR, else ../shared/data/cifar-100 beside the repository."""
    env = os.environ.get("CIFAR100_DIR")
    if env:
        return Path(env)
    return _REPO.parent / "shared" / "data" / "cifar-100"


@dataclass
class Split:
    images: np.ndarray  # uint8 [N, 3, 32, 32]
    fine: np.ndarray  # int64 [N]
    coarse: np.ndarray  # int64 [N]


def read_split(name: str, directory: Path | None = None, limit: int | None = None) -> Split:
    """Read `train` or `test` from `<dir>/<name>.bin`; `limit` keeps the first N."""
    path = (directory or data_dir()) / f"{name}.bin"
    if not path.exists():
        raise FileNotFoundError(
            f"CIFAR-100 file {path} not found: set CIFAR100_DIR or run `npm run data`")
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % RECORD:
        raise ValueError(f"{path}: size {raw.size} is not a multiple of {RECORD}")
    rec = raw.reshape(-1, RECORD)
    if limit is not None:
        rec = rec[:limit]
    return Split(
        images=rec[:, 2:].reshape(-1, 3, 32, 32).copy(),
        fine=rec[:, 1].astype(np.int64),
        coarse=rec[:, 0].astype(np.int64),
    )


def label_names(kind: str = "fine", directory: Path | None = None) -> list[str]:
    path = (directory or data_dir()) / f"{kind}_label_names.txt"
    if path.exists():
        return [l.strip() for l in path.read_text().splitlines() if l.strip()]
    from .labels import COARSE, FINE
    return list(FINE if kind == "fine" else COARSE)
