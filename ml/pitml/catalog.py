"""Read and update models/catalog.json (schema: models/README.md).

Writes are atomic (temporary file in the same folder, then rename) so the
extension's build never sees half a catalog, and deterministic (fixed key order,
2-space indent, trailing newline) so re-exporting an unchanged model gives an
empty git diff.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import data, labels

SCHEMA_VERSION = 1
REPO = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO / "models" / "catalog.json"

TOP_ORDER = ("schemaVersion", "labelSets", "default", "models")
MODEL_ORDER = ("id", "name", "arch", "file", "sha256", "bytes", "input", "output", "mean", "std",
               "labelSet", "trained", "params", "madds", "views", "accuracy", "calibration", "provenance")


def _ordered(d: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """Known keys in schema order, then any others alphabetically (kept, not dropped)."""
    out = {k: d[k] for k in order if k in d}
    out.update({k: d[k] for k in sorted(d) if k not in out})
    return out


def load(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        return {"schemaVersion": SCHEMA_VERSION, "labelSets": {}, "default": None, "models": []}
    cat = json.loads(path.read_text())
    if cat.get("schemaVersion") != SCHEMA_VERSION:
        raise ValueError(f"{path}: schemaVersion {cat.get('schemaVersion')!r}, this tool writes {SCHEMA_VERSION}")
    return cat


def save(cat: dict[str, Any], path: Path = DEFAULT_PATH) -> None:
    path = Path(path)
    cat = _ordered(cat, TOP_ORDER)
    cat["models"] = [_ordered(m, MODEL_ORDER) for m in cat.get("models", [])]
    text = json.dumps(cat, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; the catalog is a normal tracked file
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def upsert_model(cat: dict[str, Any], entry: dict[str, Any], make_default: bool = False) -> dict[str, Any]:
    """Insert `entry` or replace the model with the same id, in place.

    `accuracy` and `calibration` are written only by the evaluation tools: an existing block is kept
    when the file's sha256 is unchanged (same weights, same numbers) and reset to
    null otherwise, since it would describe other weights.
    """
    models = cat.setdefault("models", [])
    old = next((m for m in models if m.get("id") == entry["id"]), None)
    entry = dict(entry)
    same = old is not None and old.get("sha256") == entry["sha256"]
    entry["accuracy"] = old.get("accuracy") if same else None
    # The same for the calibration (npm run calibrate): it describes these weights' probabilities only.
    # (and for the same views: a multi-view model's probabilities are those of its views averaged).
    same_views = same and old.get("views") == entry.get("views")
    entry["calibration"] = old.get("calibration") if same_views else None
    if old is None:
        models.append(entry)
    else:
        models[models.index(old)] = entry
    current = next((m for m in models if m["id"] == cat.get("default")), None)
    # A random-weight model is only a placeholder default: the first trained one replaces it.
    if make_default or current is None or (not current.get("trained") and entry.get("trained")):
        cat["default"] = entry["id"]
    return entry


def cifar100_label_set(existing: dict[str, Any] | None, directory: Path | None = None) -> dict[str, Any]:
    """The `labelSets.cifar100` block: names from the data folder (or the built-in
    tables), fineToCoarse derived from train.bin when present, else the existing
    catalog's, else the built-in table."""
    directory = Path(directory) if directory else data.data_dir()
    fine = data.label_names("fine", directory)
    coarse = data.label_names("coarse", directory)
    if len(fine) != 100 or len(coarse) != 20:
        raise ValueError(f"{directory}: expected 100 fine and 20 coarse names, got {len(fine)} and {len(coarse)}")
    train_bin = directory / "train.bin"
    if train_bin.exists():
        f2c = labels.fine_to_coarse_from_data(train_bin)
    elif existing and len(existing.get("fineToCoarse") or []) == 100:
        f2c = list(existing["fineToCoarse"])
    else:
        f2c = list(labels.FINE_TO_COARSE)
    return {"fine": fine, "coarse": coarse, "fineToCoarse": f2c}
