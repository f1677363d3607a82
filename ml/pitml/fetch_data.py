"""Download the official CIFAR-100 binary release and install its files.

  PYTHONPATH=ml /usr/bin/python3 -m pitml.fetch_data [--dest DIR] [--archive FILE]

DIR defaults to CIFAR100_DIR, else ../shared/data/cifar-100. The tarball's
sha256 is checked before anything is extracted, and only the four known files
are taken from it (by base name: no path in the archive can write elsewhere).
--archive installs a tarball fetched by other means (same checks).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from .data import data_dir
from .hashing import sha256_file

URL = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
SHA256 = "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"
WANTED = ("train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt")


class ArchiveError(ValueError):
    pass


def install_archive(tarball: Path, dest: Path, expected_sha256: str = SHA256) -> list[Path]:
    """Verify `tarball` and extract the WANTED files into `dest`; return their paths."""
    digest = sha256_file(tarball)
    if digest != expected_sha256:
        raise ArchiveError(f"{tarball}: sha256 {digest}, expected {expected_sha256}; not extracting")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(tarball, "r:gz") as tar:
        members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
        missing = [w for w in WANTED if w not in members]
        if missing:
            raise ArchiveError(f"{tarball}: missing {', '.join(missing)}")
        for name in WANTED:
            target = dest / name
            tmp = dest / f".{name}.tmp"
            with tar.extractfile(members[name]) as src, open(tmp, "wb") as out:
                shutil.copyfileobj(src, out)
            os.replace(tmp, target)
            written.append(target)
    return written


def download(url: str, target: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(target, "wb") as f:
            shutil.copyfileobj(r, f)
    except (urllib.error.URLError, OSError) as e:
        raise SystemExit(
            f"could not download {url} ({e}).\nNo network? Fetch it elsewhere and run again with "
            "--archive FILE, or point CIFAR100_DIR at a folder holding train.bin and test.bin.") from None


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dest", type=Path, default=None)
    p.add_argument("--archive", type=Path, help="a local cifar-100-binary.tar.gz instead of downloading")
    a = p.parse_args(argv)
    dest = a.dest or data_dir()
    if not a.archive and all((dest / w).exists() for w in WANTED):
        print(f"{dest} already holds {', '.join(WANTED)}; nothing to do")
        return
    with tempfile.TemporaryDirectory(prefix="pit-cifar-") as tmp:
        tarball = a.archive or Path(tmp) / "cifar-100-binary.tar.gz"
        if not a.archive:
            print(f"downloading {URL} ...", file=sys.stderr)
            download(URL, tarball)
        try:
            for path in install_archive(tarball, dest):
                print(path)
        except ArchiveError as e:
            raise SystemExit(str(e)) from None


if __name__ == "__main__":
    main()
