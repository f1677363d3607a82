"""catalog.py: deterministic atomic writes, upsert rules, the label set's sources."""
import json
import os
import tempfile
import unittest
from pathlib import Path

import numpy as np

import support  # noqa: F401
from pitml import catalog, labels
from pitml.data import RECORD, data_dir


def entry(model_id, sha="a" * 64, trained=True):
    return {"provenance": {"source": "trained"}, "trained": trained, "sha256": sha, "id": model_id, "name": model_id}


class CatalogFileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "sub" / "catalog.json"

    def tearDown(self):
        self.tmp.cleanup()

    def test_missing_file_gives_empty_catalog(self):
        self.assertEqual(catalog.load(self.path)["models"], [])

    def test_save_is_deterministic_ordered_and_leaves_no_temp_file(self):
        cat = catalog.load(self.path)
        catalog.upsert_model(cat, entry("b"))
        cat["zzz_extra"] = 1
        catalog.save(cat, self.path)
        first = self.path.read_text()
        catalog.save(json.loads(first), self.path)
        self.assertEqual(self.path.read_text(), first)
        self.assertTrue(first.startswith('{\n  "schemaVersion": 1,\n'))
        saved = json.loads(first)
        self.assertEqual(list(saved), ["schemaVersion", "labelSets", "default", "models", "zzz_extra"])
        self.assertEqual(list(saved["models"][0])[:3], ["id", "name", "sha256"])
        self.assertEqual(os.listdir(self.path.parent), ["catalog.json"])
        self.assertEqual(self.path.stat().st_mode & 0o777, 0o644)

    def test_other_schema_version_is_refused(self):
        self.path.parent.mkdir(parents=True)
        self.path.write_text('{"schemaVersion": 2, "models": []}')
        with self.assertRaises(ValueError):
            catalog.load(self.path)


class UpsertTest(unittest.TestCase):
    def test_replace_in_place_and_accuracy_rule(self):
        cat = catalog.load(Path("/nonexistent/catalog.json"))
        catalog.upsert_model(cat, entry("x"))
        catalog.upsert_model(cat, entry("y"))
        cat["models"][0]["accuracy"] = {"top1": 50.0}
        catalog.upsert_model(cat, entry("x"))
        self.assertEqual([m["id"] for m in cat["models"]], ["x", "y"])
        self.assertEqual(cat["models"][0]["accuracy"], {"top1": 50.0})
        catalog.upsert_model(cat, entry("x", sha="b" * 64))
        self.assertIsNone(cat["models"][0]["accuracy"])

    def test_default_prefers_trained_models(self):
        cat = catalog.load(Path("/nonexistent/catalog.json"))
        catalog.upsert_model(cat, entry("random", trained=False))
        self.assertEqual(cat["default"], "random")
        catalog.upsert_model(cat, entry("t1"))
        self.assertEqual(cat["default"], "t1")
        catalog.upsert_model(cat, entry("t2"))
        self.assertEqual(cat["default"], "t1")
        catalog.upsert_model(cat, entry("random", trained=False), make_default=True)
        self.assertEqual(cat["default"], "random")


class LabelSetTest(unittest.TestCase):
    def test_without_data_keeps_existing_then_builtin(self):
        with tempfile.TemporaryDirectory() as d:
            existing = {"fineToCoarse": list(range(20)) * 5}
            self.assertEqual(catalog.cifar100_label_set(existing, Path(d))["fineToCoarse"], existing["fineToCoarse"])
            ls = catalog.cifar100_label_set(None, Path(d))
            self.assertEqual(ls["fineToCoarse"], list(labels.FINE_TO_COARSE))
            self.assertEqual(ls["fine"][0], "apple")

    def test_derived_from_train_bin_pairs(self):
        # A fake train.bin whose pairs map fine i -> coarse (i % 20): derivation must follow the file.
        with tempfile.TemporaryDirectory() as d:
            rec = np.zeros((200, RECORD), np.uint8)
            rec[:, 1] = np.arange(200) % 100
            rec[:, 0] = rec[:, 1] % 20
            rec.tofile(Path(d) / "train.bin")
            self.assertEqual(catalog.cifar100_label_set(None, Path(d))["fineToCoarse"], [i % 20 for i in range(100)])
            rec[150, 0] = 19 if rec[150, 0] != 19 else 18  # one fine label now has two coarse labels
            rec.tofile(Path(d) / "train.bin")
            with self.assertRaises(ValueError):
                catalog.cifar100_label_set(None, Path(d))


class BuiltinTableTest(unittest.TestCase):
    def test_builtin_table_shape(self):
        self.assertEqual(len(labels.FINE_TO_COARSE), 100)
        self.assertEqual(sorted(labels.FINE_TO_COARSE), sorted(list(range(20)) * 5))

    @unittest.skipUnless((data_dir() / "train.bin").exists(), "CIFAR-100 data not present")
    def test_builtin_table_equals_official_data(self):
        self.assertEqual(labels.fine_to_coarse_from_data(data_dir() / "train.bin"), list(labels.FINE_TO_COARSE))


if __name__ == "__main__":
    unittest.main()
