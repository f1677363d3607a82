"""The benchmark zoo writes checked ONNX files and its own manifest, never the catalog."""
import contextlib
import io
import json
import tempfile
import unittest
from pathlib import Path

import support  # noqa: F401
from pitml import catalog
from pitml.hashing import sha256_file
from pitml.zoo import build_zoo


class ZooTest(unittest.TestCase):
    def test_manifest_rows_describe_the_files(self):
        before = catalog.DEFAULT_PATH.read_bytes() if catalog.DEFAULT_PATH.exists() else None
        with tempfile.TemporaryDirectory() as d, contextlib.redirect_stdout(io.StringIO()):
            build_zoo(Path(d), ["shufflenetv2_x0_5"])
            build_zoo(Path(d), ["resnet20"])  # a second run adds to the manifest
            manifest = json.loads((Path(d) / "zoo.json").read_text())
            self.assertEqual([r["arch"] for r in manifest["models"]], ["resnet20", "shufflenetv2_x0_5"])
            for row in manifest["models"]:
                self.assertEqual(row["sha256"], sha256_file(Path(d) / row["file"]))
            self.assertEqual(manifest["models"][0]["madds"], 40818944)
            self.assertFalse((Path(d) / "catalog.json").exists())
        after = catalog.DEFAULT_PATH.read_bytes() if catalog.DEFAULT_PATH.exists() else None
        self.assertEqual(before, after)


if __name__ == "__main__":
    unittest.main()
