"""fetch_data's verify-and-extract step, on a small fake archive (no network here)."""
import hashlib
import io
import tarfile
import tempfile
import unittest
from pathlib import Path

import support  # noqa: F401
from pitml import fetch_data


def make_tarball(path: Path, names: dict[str, bytes]) -> str:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in names.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


FILES = {f"cifar-100-binary/{n}": n.encode() * 3 for n in fetch_data.WANTED}


class InstallArchiveTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.dest = self.dir / "data"

    def tearDown(self):
        self.tmp.cleanup()

    def test_good_archive_extracts_the_four_files_flat(self):
        tarball = self.dir / "a.tar.gz"
        sha = make_tarball(tarball, {**FILES, "cifar-100-binary/extra.txt": b"x"})
        written = fetch_data.install_archive(tarball, self.dest, sha)
        self.assertEqual(sorted(p.name for p in written), sorted(fetch_data.WANTED))
        self.assertEqual(sorted(p.name for p in self.dest.iterdir()), sorted(fetch_data.WANTED))
        self.assertEqual((self.dest / "train.bin").read_bytes(), b"train.bin" * 3)

    def test_wrong_hash_extracts_nothing(self):
        tarball = self.dir / "a.tar.gz"
        make_tarball(tarball, FILES)
        with self.assertRaises(fetch_data.ArchiveError):
            fetch_data.install_archive(tarball, self.dest, fetch_data.SHA256)
        self.assertFalse(self.dest.exists())

    def test_paths_in_archive_cannot_escape_dest(self):
        tarball = self.dir / "a.tar.gz"
        evil = {f"../../{n}": b"evil" for n in fetch_data.WANTED}
        sha = make_tarball(tarball, evil)
        fetch_data.install_archive(tarball, self.dest, sha)
        self.assertEqual((self.dest / "test.bin").read_bytes(), b"evil")
        self.assertFalse((self.dir.parent / "test.bin").exists())

    def test_incomplete_archive_is_refused(self):
        tarball = self.dir / "a.tar.gz"
        sha = make_tarball(tarball, {"cifar-100-binary/train.bin": b"x"})
        with self.assertRaisesRegex(fetch_data.ArchiveError, "missing test.bin"):
            fetch_data.install_archive(tarball, self.dest, sha)


if __name__ == "__main__":
    unittest.main()
